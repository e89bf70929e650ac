-- The samples of the given sections in a period (long format), for the period assessment.
SELECT section_code, indicator, value, below_dl, detection_limit
FROM samples
WHERE section_code = ANY(:codes) AND sampled_on BETWEEN :start AND :end
