-- Every monitoring section with its position (EPSG:4490) and how much data it has.
SELECT
    s.id, s.code, s.name, s.control_level, s.waterbody, s.target_grade, s.river,
    s.reservoir_code, s.drinking_source, s.drinking_source_level,
    ST_X(s.geom) AS lon, ST_Y(s.geom) AS lat,
    count(m.id) AS sample_count,
    min(m.sampled_on) AS first_sampled_on,
    max(m.sampled_on) AS last_sampled_on
FROM sections AS s
LEFT JOIN samples AS m ON m.section_code = s.code
GROUP BY s.id
ORDER BY s.code
