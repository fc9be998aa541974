"""`modwatch bench`: realistic data, the real stack, one JSON object of figures.

- `catalog`     a drupal.org-like population of projects with release
                histories, written out as release feeds and an advisories file;
- `inventories` sites of 200-1500 modules drawn from it with realistic skew;
- `scale`       the same population COPYed straight into the tables, for
                figures at portfolio scale;
- `stack`       the intake and the Dagster daemon as real processes;
- `phases`      one function per figure; `runner` ties them together.
"""
