-- The trophic-index parameters measured at the lake sections of the named reservoirs (by SKBM
-- code or name) between two dates.
SELECT r.code AS reservoir_code, m.sampled_on, m.indicator, m.value, m.below_dl, m.detection_limit
FROM reservoirs r
JOIN sections s ON s.reservoir_code = r.code AND s.waterbody = 'lake'
JOIN samples m ON m.section_code = s.code
WHERE (r.code = ANY(:names) OR r.name = ANY(:names))
  AND m.indicator = ANY(:keys)
  AND m.sampled_on BETWEEN :start AND :end
