-- The trophic-index parameters measured at a reservoir's lake sections between two dates.
SELECT m.section_code, m.sampled_on, m.indicator, m.value, m.below_dl, m.detection_limit
FROM sections s
JOIN samples m ON m.section_code = s.code
WHERE s.reservoir_code = :code
  AND s.waterbody = 'lake'
  AND m.indicator = ANY(:keys)
  AND m.sampled_on BETWEEN :start AND :end
