-- Overlap of one project outline with every protected layer, in one statement.
-- The bound outline is a valid MultiPolygon in EPSG:4490; the pieces CTE holds one
-- overlap_candidates.sql block per protected layer of the registry, joined by UNION ALL.
-- Areas are ellipsoidal (geography on the CGCS2000 ellipsoid); a layer's area is that of
-- the union of its pieces, so features that overlap each other are not counted twice.
-- Pieces under the bound minimum area are noise along shared edges, not overlaps.
-- net_area_m2 (layers with a declared net area, e.g. 耕地 less 田坎) sums each piece times
-- its feature's declared ÷ ellipsoidal area; NULL for the other layers. The features of such
-- a layer (地类图斑) tile the land, so their pieces do not overlap and the sum is the net area.
WITH project AS (
    SELECT ST_GeomFromWKB(:wkb, 4490) AS geom
),
pieces AS (
{candidates}
),
areal AS (
    SELECT layer, id, name, piece,
           ST_Area(piece::geography) AS area_m2,
           ST_Area(piece::geography) * net_ratio AS net_m2  -- NULL unless the layer declares one
    FROM pieces
    WHERE NOT ST_IsEmpty(piece)
),
per_layer AS (
    SELECT
        layer,
        ST_UnaryUnion(ST_Collect(piece)) AS geom,
        sum(net_m2) AS net_m2,
        json_agg(
            json_build_object('id', id, 'name', name, 'area_m2', area_m2, 'net_area_m2', net_m2)
            ORDER BY area_m2 DESC, id
        ) AS features
    FROM areal
    WHERE area_m2 >= :min_area_m2  -- smaller pieces are slivers along shared edges
    GROUP BY layer
)
SELECT
    (SELECT ST_Area(geom::geography) FROM project) AS project_area_m2,
    (SELECT ST_AsGeoJSON(geom, 9, 0) FROM project) AS project_geometry,
    COALESCE(
        (SELECT json_agg(json_build_object(
            'layer', layer,
            'area_m2', ST_Area(geom::geography),
            'net_area_m2', net_m2,
            'features', features,
            'geometry', ST_AsGeoJSON(geom, 9, 0)  -- a string: sent on as it is, never parsed
        )) FROM per_layer),
        '[]'::json
    ) AS layers
