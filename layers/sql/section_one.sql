-- One monitoring section by its code, with its position (EPSG:4490).
SELECT id, code, name, control_level, waterbody, target_grade, river, reservoir_code,
       drinking_source, drinking_source_level, ST_X(geom) AS lon, ST_Y(geom) AS lat
FROM sections
WHERE code = :code
