-- What lies in one section's catchment and incremental catchment: ellipsoidal areas (m²) of
-- 耕地, 建设用地 and 林地 parcels and of the 生态保护红线 and water-source zones inside it,
-- and the reservoirs in it. Land-class groups come bound from gis.compliance.
WITH parts AS (
    SELECT 'catchment' AS part, catchment AS geom FROM catchments WHERE section_code = :code
    UNION ALL
    SELECT 'incremental', incremental FROM catchments WHERE section_code = :code
)
SELECT p.part,
       ST_Area(p.geom::geography) AS area_m2,
       (SELECT coalesce(sum(ST_Area(ST_Intersection(f.geom, p.geom)::geography)), 0)
          FROM farmland f WHERE f.dlbm = ANY(:farmland_codes)
           AND ST_Intersects(f.geom, p.geom)) AS farmland_m2,
       (SELECT coalesce(sum(ST_Area(ST_Intersection(f.geom, p.geom)::geography)), 0)
          FROM farmland f
         WHERE (left(f.dlbm, 2) = ANY(:construction_prefixes) OR f.dlbm = ANY(:construction_codes))
           AND ST_Intersects(f.geom, p.geom)) AS construction_m2,
       (SELECT coalesce(sum(ST_Area(ST_Intersection(f.geom, p.geom)::geography)), 0)
          FROM farmland f WHERE left(f.dlbm, 2) = '03'
           AND ST_Intersects(f.geom, p.geom)) AS forest_m2,
       (SELECT coalesce(ST_Area(ST_Intersection(ST_Union(r.geom), p.geom)::geography), 0)
          FROM eco_redline r WHERE ST_Intersects(r.geom, p.geom)) AS eco_redline_m2,
       (SELECT coalesce(ST_Area(ST_Intersection(ST_Union(z.geom), p.geom)::geography), 0)
          FROM water_source_zones z WHERE ST_Intersects(z.geom, p.geom)) AS water_source_m2,
       (SELECT coalesce(array_agg(v.code ORDER BY v.code), '{}')
          FROM reservoirs v WHERE ST_Intersects(v.geom, p.geom)) AS reservoir_codes
  FROM parts p
 WHERE p.geom IS NOT NULL
