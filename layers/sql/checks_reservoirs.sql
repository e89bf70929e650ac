-- Reservoirs per watershed unit, with what the count and appraisal lines need.
-- A dam point on a unit boundary is given to one unit only (the first by code).
SELECT DISTINCT ON (r.id)
       u.code AS unit_code, r.id, r.code, r.name, r.scale, r.completed_on, r.last_appraisal_on,
       r.appraisal_result
FROM reservoirs r
JOIN units u ON ST_Intersects(u.geom, r.geom)
ORDER BY r.id, u.code
