-- The Web Mercator tiles of zoom :zmin..:zmax whose square touches one unit (离线区域): the
-- tile grid of an offline area, for its vector tiles (offline_area_tiles.sql) and its basemap
-- tiles. Tile ranges from the unit's bounding box in WGS84 (CGCS2000 differs by centimetres),
-- the standard Web Mercator tiling formulas; tiles outside the unit's shape are dropped.
WITH unit AS (
    SELECT ST_Transform(geom, 3857) AS g3857, ST_Envelope(ST_Transform(geom, 4326)) AS box
    FROM units
    WHERE code = :unit
),
ranges AS (
    SELECT
        z,
        floor((ST_XMin(box) + 180) / 360 * 2 ^ z)::int AS x0,
        floor((ST_XMax(box) + 180) / 360 * 2 ^ z)::int AS x1,
        floor((1 - ln(tan(radians(ST_YMax(box))) + 1 / cos(radians(ST_YMax(box)))) / pi()) / 2 * 2 ^ z)::int AS y0,
        floor((1 - ln(tan(radians(ST_YMin(box))) + 1 / cos(radians(ST_YMin(box)))) / pi()) / 2 * 2 ^ z)::int AS y1
    FROM unit, generate_series(CAST(:zmin AS int), CAST(:zmax AS int)) AS z
)
SELECT r.z, x, y
FROM ranges AS r
CROSS JOIN unit AS u
CROSS JOIN LATERAL generate_series(r.x0, r.x1) AS x
CROSS JOIN LATERAL generate_series(r.y0, r.y1) AS y
WHERE ST_Intersects(ST_TileEnvelope(r.z, x, y), u.g3857)
ORDER BY r.z, x, y
