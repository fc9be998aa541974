ANALYZE projects, releases;
