-- What is here (此处有什么): every feature of the registry's spatial layers at one point, in
-- one statement: the branches placeholder is here_layer.sql once per layer (table names from
-- the registry), joined with UNION ALL. :lon, :lat in EPSG:4490 (CGCS2000; WGS84 positions differ by
-- centimetres here, DOMAIN.md §4-5).
WITH here AS (
    SELECT
        ST_SetSRID(ST_MakePoint(:lon, :lat), 4490) AS g,
        CAST(ST_SetSRID(ST_MakePoint(:lon, :lat), 4490) AS geography) AS geog
)
SELECT layer_table, id, props, distance_m
FROM (
{branches}
) AS hits
