-- Overlap of one project outline with every protected layer, in one statement.
-- The bound outline is a valid MultiPolygon in EPSG:4490; the pieces CTE holds one
-- overlap_candidates.sql block per protected layer of the registry, joined by UNION ALL.
-- Areas are ellipsoidal (geography on the CGCS2000 ellipsoid); a layer's area is that of
-- the union of its pieces, so features that overlap each other are not counted twice (for a
-- layer whose features never overlap, the sum of its pieces: the same figure, without the
-- union's cost over thousands of parcels).
-- Pieces under the bound minimum area are noise along shared edges, not overlaps.
-- net_area_m2 (layers with a declared net area, e.g. 耕地 less 田坎) sums each piece times
-- its feature's declared ÷ ellipsoidal area; NULL for the other layers. The features of such
-- a layer (地类图斑) tile the land, so their pieces do not overlap and the sum is the net area.
-- Coverage (what the data can speak for): the part of the project inside the district layer
-- (district_m2, and the part outside as GeoJSON), and per layer the coverage CTE's row, one
-- overlap_coverage.sql block per layer: whether it is loaded and, for a wall-to-wall layer,
-- Σ area(project ∩ feature) over all its features (they tile, so the sum is the covered area).
-- Such a layer's candidates are all its features, measured once: ``counted`` marks those the
-- overlap counts (耕地: 0101/0102/0103), the others only cover.
-- Each feature touched carries its bureau code (BSM, 图斑编号, 红线编码 …) and 坐落, never
-- only its database id: the report names features as the bureau does.
WITH project AS (
    SELECT ST_GeomFromWKB(:wkb, 4490) AS geom
),
project_parts AS MATERIALIZED (
    -- the outline in parts of at most 8 vertices, its edges first cut every 0.005° (≈ 500 m):
    -- each part's bounding box hugs the outline, so the index search of a long or bent
    -- project (a road, a pipeline) reads only the features along it
    SELECT ST_Subdivide(ST_Segmentize(geom, 0.005), 8) AS geom FROM project
),
district_part AS (
    SELECT ST_Intersection(p.geom, u.geom) AS inside, ST_Difference(p.geom, u.geom) AS outside
    FROM project AS p,
         LATERAL (SELECT ST_UnaryUnion(ST_Collect(d.geom)) AS geom
                  FROM district AS d WHERE ST_Intersects(p.geom, d.geom)) AS u
    WHERE u.geom IS NOT NULL
),
candidates AS (
{candidates}
),
cut AS MATERIALIZED (
    -- a feature the project covers is its own piece (no intersection computed) and its
    -- ellipsoidal area is the piece's: the same function on the same geometry, so the same
    -- figure as measuring the piece; the others are cut along the outline. MATERIALIZED:
    -- inlined, each use of ``piece`` and ``feature_m2`` below would compute it again
    SELECT c.*,
           CASE WHEN c.covered THEN c.feature
                ELSE ST_CollectionExtract(ST_Intersection(c.feature, c.project), 3)
           END AS piece,
           -- the feature's own area: a covered feature's piece area, and the denominator of
           -- the declared net ratio (of counted features only: the others' pieces count only
           -- towards coverage, never their net area); read where the table stores it (the
           -- same function on the same geometry: the same figure), else computed once
           CASE WHEN c.covered OR (c.has_net AND c.counted)
                THEN COALESCE(c.stored_m2, ST_Area(c.feature::geography))
           END AS feature_m2
    -- (the project first in ST_Intersects and ST_Covers: PostGIS prepares it once. Touching
    -- first: most candidates of a long outline only share a box with it (a 30 km road: 1 148
    -- of 4 034), and only those touching are asked whether it covers them; a compact outline
    -- then pays one more test per covered feature: 2.5 ms less for the road, 1.8 ms more for
    -- the 3 km square, whose covered features' areas are read, not computed)
    FROM (SELECT c.*, p.geom AS project, ST_Covers(p.geom, c.feature) AS covered
          FROM candidates AS c, project AS p
          WHERE ST_Intersects(p.geom, c.feature) OFFSET 0) AS c
),
areal AS (
    SELECT layer, id, name, code, location, piece, counted, disjoint, area_m2,
           -- NULL unless the layer declares a net area; 1 where a feature declares none
           area_m2 * CASE WHEN has_net THEN COALESCE(declared_m2 / NULLIF(feature_m2, 0), 1) END
               AS net_m2
    FROM (SELECT *,
                 -- once per piece (OFFSET 0 keeps the subquery, so area_m2 is not computed
                 -- again for net_m2)
                 CASE WHEN covered THEN feature_m2 ELSE ST_Area(piece::geography) END AS area_m2
          FROM cut WHERE NOT ST_IsEmpty(piece) OFFSET 0) AS measured
),
coverage AS (
{coverage}
),
collected AS (
    SELECT
        layer,
        bool_and(disjoint) AS disjoint,
        {collect} AS pieces,
        -- summed in one order whatever the plan, so a figure is the same to the last bit
        -- from one run to the next (floating-point sums depend on their order)
        sum(area_m2 ORDER BY id) AS area_m2,
        sum(net_m2 ORDER BY id) AS net_m2,
        -- 亩 by the one conversion factor gis.area holds (bound as :m2_per_mu)
        json_agg(
            json_build_object('id', id, 'name', name, 'code', code, 'location', location,
                              'area_m2', area_m2, 'area_mu', area_m2 / :m2_per_mu,
                              'net_area_m2', net_m2, 'net_area_mu', net_m2 / :m2_per_mu)
            ORDER BY area_m2 DESC, id
        ) AS features
    FROM areal
    WHERE counted AND area_m2 >= :min_area_m2  -- smaller pieces are slivers along shared edges
    GROUP BY layer
),
per_layer AS (
    -- a layer whose features never overlap (地类图斑, 永久基本农田图斑) has pieces that do not
    -- overlap: its area is their sum; the others' pieces may overlap (two red lines over one
    -- place), so their union is measured, each place once. ``geom`` is that union, or what the
    -- requested drawing needs (layers/overlap.py GEOMETRY_MODES)
    SELECT layer, net_m2, features,
           {union} AS geom,
           CASE WHEN disjoint THEN area_m2 END AS summed_m2
    FROM collected
)
SELECT
    (SELECT ST_Area(geom::geography) FROM project) AS project_area_m2,
    (SELECT ST_AsGeoJSON(geom, 9, 0) FROM project) AS project_geometry,
    EXISTS (SELECT 1 FROM district) AS district_loaded,
    COALESCE((SELECT ST_Area(inside::geography) FROM district_part), 0) AS district_m2,
    -- no district_part row: the project lies wholly outside (or no district is loaded)
    COALESCE((SELECT ST_AsGeoJSON(ST_CollectionExtract(outside, 3), 9, 0) FROM district_part),
             (SELECT ST_AsGeoJSON(geom, 9, 0) FROM project)) AS outside_geometry,
    -- the JSON values as text: layers/overlap.py reads them with orjson (thousands of
    -- features in a large project)
    (SELECT json_agg(json_build_object(
        'layer', layer, 'loaded', loaded, 'covered_m2', covered_m2)) FROM coverage)::text
        AS coverage,
    -- the data's as-of: each layer's last load (a layer loaded outside the loader has none)
    (SELECT json_object_agg(layer, loaded_at) FROM (
        SELECT layer, max(loaded_at) AS loaded_at FROM loads
        WHERE layer = ANY(CAST(:as_of_layers AS text[])) GROUP BY layer) AS l) AS as_of,
    COALESCE(
        (SELECT json_agg(json_build_object(
            'layer', layer,
            'area_m2', COALESCE(summed_m2, ST_Area(geom::geography)),
            'net_area_m2', net_m2,
            'features', features,
            -- for drawing only (the areas above are exact); a string, sent on as it is
            'geometry', {drawing}
        )) FROM per_layer),
        '[]'::json
    )::text AS layers
