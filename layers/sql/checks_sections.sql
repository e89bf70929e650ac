-- Monitoring sections with what the water lines need, and the watershed unit each lies in
-- (a point on a unit boundary goes to the first unit by code; NULL outside every unit).
SELECT DISTINCT ON (s.id)
       s.id, s.code, s.name, s.control_level, s.waterbody, s.target_grade, s.river,
       s.drinking_source, s.drinking_source_level, u.code AS unit_code
FROM sections s
LEFT JOIN units u ON ST_Intersects(u.geom, s.geom)
ORDER BY s.id, u.code
