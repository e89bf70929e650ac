-- Reservoir capacities (总库容, 万 m³) per watershed unit; a dam point on a unit boundary goes
-- to the first unit by code (as checks_reservoirs.sql).
SELECT DISTINCT ON (r.id)
       u.code AS unit_code, r.id, r.code, r.name, r.scale, r.capacity_10k_m3
FROM reservoirs r
JOIN units u ON ST_Intersects(u.geom, r.geom)
ORDER BY r.id, u.code
