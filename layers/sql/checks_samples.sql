-- The samples of the given sections in a period (long format), for the period assessment:
-- the dates let the rules count samples and months and average monthly means first.
SELECT section_code, sampled_on, indicator, value, below_dl, detection_limit
FROM samples
WHERE section_code = ANY(:codes) AND sampled_on BETWEEN :start AND :end
