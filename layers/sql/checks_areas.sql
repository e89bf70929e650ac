-- Land-line areas per watershed unit, in m².
-- 耕地: Σ TBDLMJ (parcel area less deductions such as 田坎) of DLBM 0101/0102/0103;
-- 永久基本农田: Σ YJJBNTMJ. A parcel straddling a unit boundary counts in proportion to its
-- ellipsoidal area inside the unit; where the declared area is missing, the ellipsoidal area.
-- 生态保护红线: ellipsoidal area inside the unit. Parcels wholly inside (the common case) skip
-- the intersection.
WITH parts AS (
    SELECT 'farmland' AS line, u.code AS unit_code,
           CASE WHEN ST_CoveredBy(p.geom, u.geom)
                THEN COALESCE(p.tbdlmj, ST_Area(p.geom::geography))
                ELSE ST_Area(ST_Intersection(p.geom, u.geom)::geography)
                     * COALESCE(p.tbdlmj / NULLIF(ST_Area(p.geom::geography), 0), 1)
           END AS area_m2
    FROM farmland p
    JOIN units u ON ST_Intersects(p.geom, u.geom)
    WHERE p.dlbm = ANY(:farmland_codes)
    UNION ALL
    SELECT 'basic_farmland', u.code,
           CASE WHEN ST_CoveredBy(b.geom, u.geom)
                THEN COALESCE(b.yjjbntmj, ST_Area(b.geom::geography))
                ELSE ST_Area(ST_Intersection(b.geom, u.geom)::geography)
                     * COALESCE(b.yjjbntmj / NULLIF(ST_Area(b.geom::geography), 0), 1)
           END
    FROM basic_farmland b
    JOIN units u ON ST_Intersects(b.geom, u.geom)
    UNION ALL
    SELECT 'eco_redline', u.code,
           CASE WHEN ST_CoveredBy(e.geom, u.geom)
                THEN ST_Area(e.geom::geography)
                ELSE ST_Area(ST_Intersection(e.geom, u.geom)::geography)
           END
    FROM eco_redline e
    JOIN units u ON ST_Intersects(e.geom, u.geom)
)
SELECT line, unit_code, sum(area_m2) AS area_m2, count(*) AS features
FROM parts
GROUP BY line, unit_code
