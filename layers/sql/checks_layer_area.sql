-- Template: the ellipsoidal area of a polygon layer's union within each watershed unit (m²),
-- for an area line on a layer without a declared-area rule (checks_areas.sql has those).
-- {table} is a registry table name, quoted by the caller.
SELECT u.code AS unit_code,
       ST_Area(ST_Intersection(ST_Union(x.geom), u.geom)::geography) AS area_m2
FROM units u
JOIN {table} x ON ST_Intersects(u.geom, x.geom)
GROUP BY u.code, u.geom
