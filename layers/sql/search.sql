-- The map's search box: sections, reservoirs, rivers, units, villages (坐落单位), parcels by
-- 标识码 (BSM), 永久基本农田 by 图斑编号, 生态保护红线 by 编号 or name. :contains is the query
-- with LIKE's wildcards escaped, wrapped in %…%; :prefix the same with a trailing % only.
-- Ranked: exact code or name first, then prefix, then anywhere; a village is one result
-- spanning its parcels. Boxes in EPSG:4490 (xmin, ymin, xmax, ymax).
WITH hits AS (
    SELECT 'section' AS kind, '水质断面' AS kind_zh, code, name AS label, geom
    FROM sections WHERE code ILIKE :prefix OR name ILIKE :contains
    UNION ALL
    SELECT 'reservoir', '水库', code, name, geom
    FROM reservoirs WHERE code ILIKE :prefix OR name ILIKE :contains
    UNION ALL
    SELECT 'river', '河流', NULL, name, geom
    FROM rivers WHERE name ILIKE :contains OR alias ILIKE :contains
    UNION ALL
    SELECT 'unit', '单元', code, name, geom
    FROM units WHERE code ILIKE :prefix OR name ILIKE :contains
    UNION ALL
    SELECT 'village', '坐落单位', NULL, zldwmc, ST_SetSRID(ST_Extent(geom)::geometry, 4490)
    FROM farmland WHERE zldwmc ILIKE :contains GROUP BY zldwmc
    UNION ALL
    SELECT 'parcel', '地类图斑', bsm, concat_ws(' · ', dlmc, zldwmc), geom
    FROM farmland WHERE bsm ILIKE :prefix
    UNION ALL
    SELECT 'basic_farmland', '永久基本农田', yjjbnttbbh, concat_ws(' · ', dlmc, zldwmc), geom
    FROM basic_farmland WHERE yjjbnttbbh ILIKE :prefix
    UNION ALL
    SELECT 'eco_redline', '生态保护红线', code, name, geom
    FROM eco_redline WHERE code ILIKE :prefix OR name ILIKE :contains
)
SELECT
    kind, kind_zh, code, label,
    ST_XMin(geom) AS xmin, ST_YMin(geom) AS ymin, ST_XMax(geom) AS xmax, ST_YMax(geom) AS ymax
FROM hits
ORDER BY
    CASE
        WHEN lower(code) = lower(:q) OR lower(label) = lower(:q) THEN 0
        WHEN code ILIKE :prefix OR label ILIKE :prefix THEN 1
        ELSE 2
    END,
    kind, code NULLS LAST, label
LIMIT :limit
