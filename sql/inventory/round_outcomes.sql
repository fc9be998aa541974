-- How many listed modules of the run each outcome took, for the run's metadata.
SELECT outcome, count(*) AS modules
FROM round_changes
GROUP BY outcome
