"""Release data and advisories: their assets, jobs and schedules, and the recomputation of every status."""
