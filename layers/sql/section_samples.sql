-- One section's samples between two dates (inclusive), optionally of one indicator.
SELECT sampled_on, indicator, value, below_dl, detection_limit
FROM samples
WHERE section_code = :code
  AND sampled_on BETWEEN :start AND :end
  AND (CAST(:indicator AS text) IS NULL OR indicator = :indicator)
ORDER BY sampled_on, indicator
