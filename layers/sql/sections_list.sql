-- Every monitoring section with its position (EPSG:4490) and how much data it has: samples
-- are sampling dates (the unit of the evaluation method's sample-count rule), readings are
-- the single measured values.
SELECT
    s.id, s.code, s.name, s.control_level, s.waterbody, s.target_grade, s.river,
    s.reservoir_code, s.drinking_source, s.drinking_source_level,
    ST_X(s.geom) AS lon, ST_Y(s.geom) AS lat,
    count(DISTINCT m.sampled_on) AS sample_count,
    count(m.id) AS reading_count,
    min(m.sampled_on) AS first_sampled_on,
    max(m.sampled_on) AS last_sampled_on
FROM sections AS s
LEFT JOIN samples AS m ON m.section_code = s.code
GROUP BY s.id
ORDER BY s.code
