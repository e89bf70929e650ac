-- The latest year in which a reservoir's lake sections have trophic-index measurements.
SELECT extract(year FROM max(m.sampled_on))::int
FROM sections s
JOIN samples m ON m.section_code = s.code
WHERE s.reservoir_code = :code AND s.waterbody = 'lake' AND m.indicator = ANY(:keys)
