-- Occupation of protected land, per watershed unit:
--   永久基本农田 by projects or by parcels of any non-farmland land class;
--   生态保护红线 by projects or by parcels of a construction land class.
-- Only approved, under-construction or built projects (:occupying_statuses) occupy land;
-- a proposed one (拟建) is a siting question for the overlap report, never occupation.
-- Interiors must overlap (a shared edge is not occupation); slivers below :min_area_m2 are noise.
WITH hits AS (
    SELECT 'farmland_occupation' AS line, 'basic_farmland' AS protected_layer, b.id AS protected_id,
           'projects' AS layer, o.id, o.name, NULL::text AS dlbm, ST_Intersection(b.geom, o.geom) AS geom
    FROM basic_farmland b JOIN projects o
      ON ST_Intersects(b.geom, o.geom) AND ST_Relate(b.geom, o.geom, 'T********')
    WHERE o.status = ANY(:occupying_statuses)
    UNION ALL
    SELECT 'farmland_occupation', 'basic_farmland', b.id, 'farmland', o.id, o.dlmc, o.dlbm,
           ST_Intersection(b.geom, o.geom)
    FROM basic_farmland b JOIN farmland o
      ON ST_Intersects(b.geom, o.geom) AND ST_Relate(b.geom, o.geom, 'T********')
    WHERE NOT o.dlbm = ANY(:farmland_codes)
    UNION ALL
    SELECT 'eco_redline_occupation', 'eco_redline', e.id, 'projects', o.id, o.name, NULL,
           ST_Intersection(e.geom, o.geom)
    FROM eco_redline e JOIN projects o
      ON ST_Intersects(e.geom, o.geom) AND ST_Relate(e.geom, o.geom, 'T********')
    WHERE o.status = ANY(:occupying_statuses)
    UNION ALL
    SELECT 'eco_redline_occupation', 'eco_redline', e.id, 'farmland', o.id, o.dlmc, o.dlbm,
           ST_Intersection(e.geom, o.geom)
    FROM eco_redline e JOIN farmland o
      ON ST_Intersects(e.geom, o.geom) AND ST_Relate(e.geom, o.geom, 'T********')
    WHERE left(o.dlbm, 2) = ANY(:construction_prefixes) OR o.dlbm = ANY(:construction_codes)
)
SELECT h.line, u.code AS unit_code, h.protected_layer, h.protected_id, h.layer, h.id, h.name, h.dlbm,
       ST_Area(ST_Intersection(h.geom, u.geom)::geography) AS area_m2
FROM hits h
JOIN units u ON ST_Intersects(h.geom, u.geom)
WHERE ST_Area(ST_Intersection(h.geom, u.geom)::geography) >= :min_area_m2
ORDER BY h.line, u.code, area_m2 DESC
