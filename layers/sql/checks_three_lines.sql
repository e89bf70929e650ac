-- 三线不交叉、不重叠: pairwise overlaps of 生态保护红线, 永久基本农田 and 城镇开发边界, per unit,
-- with the overlap's area and a point inside it (where to look). One indexed join per pair.
-- Each side carries the bureau's code (HXBH, 永久基本农田图斑编号) and 坐落 where the layer has one.
WITH pairs AS (
    SELECT 'eco_redline' AS layer_a, a.id AS id_a, a.code AS code_a, a.name AS name_a,
           NULL::text AS location_a,
           'basic_farmland' AS layer_b, b.id AS id_b, b.yjjbnttbbh AS code_b,
           b.yjjbnttbbh AS name_b, b.zldwmc AS location_b,
           ST_Intersection(a.geom, b.geom) AS geom
    FROM eco_redline a JOIN basic_farmland b
      ON ST_Intersects(a.geom, b.geom) AND ST_Relate(a.geom, b.geom, 'T********')
    UNION ALL
    SELECT 'eco_redline', a.id, a.code, a.name, NULL, 'urban_boundary', b.id, NULL, b.name, NULL,
           ST_Intersection(a.geom, b.geom)
    FROM eco_redline a JOIN urban_boundary b
      ON ST_Intersects(a.geom, b.geom) AND ST_Relate(a.geom, b.geom, 'T********')
    UNION ALL
    SELECT 'basic_farmland', a.id, a.yjjbnttbbh, a.yjjbnttbbh, a.zldwmc, 'urban_boundary', b.id,
           NULL, b.name, NULL, ST_Intersection(a.geom, b.geom)
    FROM basic_farmland a JOIN urban_boundary b
      ON ST_Intersects(a.geom, b.geom) AND ST_Relate(a.geom, b.geom, 'T********')
), located AS (
    SELECT p.*, u.code AS unit_code, ST_Intersection(p.geom, u.geom) AS part
    FROM pairs p JOIN units u ON ST_Intersects(p.geom, u.geom)
)
SELECT unit_code, layer_a, id_a, code_a, name_a, location_a,
       layer_b, id_b, code_b, name_b, location_b,
       ST_Area(part::geography) AS area_m2,
       ST_X(ST_PointOnSurface(part)) AS lon, ST_Y(ST_PointOnSurface(part)) AS lat
FROM located
WHERE ST_Area(part::geography) >= :min_area_m2
ORDER BY unit_code, area_m2 DESC
