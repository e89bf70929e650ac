-- The vector tiles of one layer that an offline area (离线区域) of one unit holds, with the size
-- of each: every tile of zoom :zmin..:zmax whose square touches the unit, and the byte length
-- of the tile's Mapbox Vector Tile (every column but geom as properties, as tipg sends them;
-- uncompressed, as the device stores them). {table} is a quoted registry table name.
-- Tile ranges from the unit's bounding box in WGS84 (CGCS2000 differs by centimetres), the
-- standard Web Mercator tiling formulas; tiles outside the unit's shape are dropped.
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
),
tiles AS (
    SELECT r.z, x, y, ST_TileEnvelope(r.z, x, y) AS env
    FROM ranges AS r
    CROSS JOIN unit AS u
    CROSS JOIN LATERAL generate_series(r.x0, r.x1) AS x
    CROSS JOIN LATERAL generate_series(r.y0, r.y1) AS y
    WHERE ST_Intersects(ST_TileEnvelope(r.z, x, y), u.g3857)
)
SELECT t.z, t.x, t.y, COALESCE(length(m.mvt), 0) AS bytes
FROM tiles AS t
LEFT JOIN LATERAL (
    SELECT ST_AsMVT(q, CAST(:layer AS text), 4096, 'geom') AS mvt
    FROM (
        SELECT
            ST_AsMVTGeom(ST_Transform(f.geom, 3857), t.env, 4096, 256, true) AS geom,
            to_jsonb(f) - 'geom' AS props
        FROM {table} AS f
        WHERE f.geom && ST_Transform(t.env, 4490)
    ) AS q
    WHERE q.geom IS NOT NULL
) AS m ON true
ORDER BY t.z, t.x, t.y
