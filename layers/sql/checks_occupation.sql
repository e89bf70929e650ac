-- What lies on protected land, per watershed unit, with the land-class category that decides
-- how it is judged (the groups are gis.compliance constants, bound as arrays):
--   永久基本农田 × projects: 'project' (occupation);
--   永久基本农田 × 地类图斑 not 耕地: 'adjustable' (可调整地类, K), 'permitted' (设施农用地 …),
--     'construction' (occupation), 'nonfood' (园地/林地/草地/坑塘: 非粮化), 'other' (需核实);
--   生态保护红线 × projects: 'project' (occupation);
--   生态保护红线 × construction parcels: 'linear' and 'water_works' (permitted under control,
--     需核实) or 'construction' (occupation).
-- Only approved, under-construction or built projects (:occupying_statuses) occupy land;
-- a proposed one (拟建) is a siting question for the overlap report, never occupation.
-- Interiors must overlap (a shared edge is not occupation); slivers below :min_area_m2 are noise.
-- The CASE tests in the order of gis.compliance.basic_farmland_category / redline_category.
WITH hits AS (
    SELECT 'basic_farmland' AS protected_layer, b.id AS protected_id,
           b.yjjbnttbbh AS protected_code, NULL::text AS protected_name,
           b.zldwmc AS protected_location, 'projects' AS layer, o.id, o.approval_no AS code,
           o.name, NULL::text AS dlbm, NULL::text AS location, 'project' AS category,
           ST_Intersection(b.geom, o.geom) AS geom
    FROM basic_farmland b JOIN projects o
      ON ST_Intersects(b.geom, o.geom) AND ST_Relate(b.geom, o.geom, 'T********')
    WHERE o.status = ANY(:occupying_statuses)
    UNION ALL
    SELECT 'basic_farmland', b.id, b.yjjbnttbbh, NULL, b.zldwmc, 'farmland', o.id, o.bsm, o.dlmc, o.dlbm,
           o.zldwmc,
           CASE WHEN right(o.dlbm, 1) = :adjustable_suffix THEN 'adjustable'
                WHEN o.dlbm = ANY(:permitted_codes) THEN 'permitted'
                WHEN left(o.dlbm, 2) = ANY(:construction_prefixes)
                     OR o.dlbm = ANY(:construction_codes) THEN 'construction'
                WHEN left(o.dlbm, 2) = ANY(:nonfood_prefixes)
                     OR o.dlbm = ANY(:nonfood_codes) THEN 'nonfood'
                ELSE 'other' END,
           ST_Intersection(b.geom, o.geom)
    FROM basic_farmland b JOIN farmland o
      ON ST_Intersects(b.geom, o.geom) AND ST_Relate(b.geom, o.geom, 'T********')
    WHERE NOT o.dlbm = ANY(:farmland_codes)
    UNION ALL
    SELECT 'eco_redline', e.id, e.code, e.name, NULL, 'projects', o.id, o.approval_no, o.name, NULL, NULL,
           'project', ST_Intersection(e.geom, o.geom)
    FROM eco_redline e JOIN projects o
      ON ST_Intersects(e.geom, o.geom) AND ST_Relate(e.geom, o.geom, 'T********')
    WHERE o.status = ANY(:occupying_statuses)
    UNION ALL
    SELECT 'eco_redline', e.id, e.code, e.name, NULL, 'farmland', o.id, o.bsm, o.dlmc, o.dlbm, o.zldwmc,
           CASE WHEN o.dlbm = ANY(:linear_codes) THEN 'linear'
                WHEN o.dlbm = ANY(:water_works_codes) THEN 'water_works'
                ELSE 'construction' END,
           ST_Intersection(e.geom, o.geom)
    FROM eco_redline e JOIN farmland o
      ON ST_Intersects(e.geom, o.geom) AND ST_Relate(e.geom, o.geom, 'T********')
    WHERE left(o.dlbm, 2) = ANY(:construction_prefixes) OR o.dlbm = ANY(:construction_codes)
), parts AS (
    SELECT h.*, u.code AS unit_code, ST_Area(ST_Intersection(h.geom, u.geom)::geography) AS area_m2
    FROM hits h
    JOIN units u ON ST_Intersects(h.geom, u.geom)
)
SELECT protected_layer, unit_code, protected_id, protected_code, protected_name,
       protected_location, layer, id, code, name, dlbm,
       location, category, area_m2
FROM parts
WHERE area_m2 >= :min_area_m2
ORDER BY protected_layer, unit_code, area_m2 DESC
