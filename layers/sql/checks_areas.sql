-- Land-line areas per watershed unit, in m².
-- 耕地: Σ TBDLMJ (parcel area less deductions such as 田坎) of DLBM 0101/0102/0103;
-- 永久基本农田: Σ YJJBNTMJ. A parcel straddling a unit boundary counts in proportion to its
-- ellipsoidal area inside the unit; where the declared area is missing, the ellipsoidal area.
-- 生态保护红线: ellipsoidal area of the union of the red-line polygons inside the unit (a
-- geometric line: polygons drawn over each other, two types or two sources, count once).
-- Speed: each unit is the outer loop (LATERAL) and the FIRST argument of ST_Intersects and
-- ST_Covers, so PostGIS prepares its polygon once and keeps it while that unit's features
-- stream past; features wholly inside (the common case) skip the intersection, and the few on
-- a boundary are cut by the unit's subdivided pieces (≤ 64 vertices) rather than the whole.
WITH pieces AS MATERIALIZED (
    SELECT code AS unit_code, ST_Subdivide(geom, 64) AS geom FROM units
), parts AS (
    SELECT u.code AS unit_code, f.*
    FROM units u
    CROSS JOIN LATERAL (
        SELECT 'farmland' AS line, p.geom, p.tbdlmj AS declared, ST_Covers(u.geom, p.geom) AS inside
        FROM farmland p
        WHERE ST_Intersects(u.geom, p.geom) AND p.dlbm = ANY(:farmland_codes)
        UNION ALL
        SELECT 'basic_farmland', b.geom, b.yjjbntmj, ST_Covers(u.geom, b.geom)
        FROM basic_farmland b
        WHERE ST_Intersects(u.geom, b.geom)
    ) AS f
), redline AS (
    SELECT 'eco_redline' AS line, u.code AS unit_code,
           ST_Area(ST_Intersection(ST_Union(e.geom), u.geom)::geography) AS area_m2,
           count(*) AS features
    FROM units u
    JOIN eco_redline e ON ST_Intersects(u.geom, e.geom)
    GROUP BY u.code, u.geom
)
SELECT p.line, p.unit_code,
       sum(CASE WHEN p.inside THEN COALESCE(p.declared, ST_Area(p.geom::geography))
                ELSE (SELECT sum(ST_Area(ST_Intersection(p.geom, s.geom)::geography))
                      FROM pieces s
                      WHERE s.unit_code = p.unit_code AND s.geom && p.geom)
                     * COALESCE(p.declared / NULLIF(ST_Area(p.geom::geography), 0), 1)
           END) AS area_m2,
       count(*) AS features
FROM parts p
GROUP BY p.line, p.unit_code
UNION ALL
SELECT line, unit_code, area_m2, features FROM redline
