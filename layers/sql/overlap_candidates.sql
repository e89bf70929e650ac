    -- one protected layer: its features touching the project (GiST-indexed join; the project
    -- is the first argument, so PostGIS prepares it once for all the features). Whether the
    -- project covers a feature is decided here, with the prepared project; the cut and the
    -- areas are in overlap.sql's ``cut`` and ``areal``.
    SELECT
        CAST(:layer_{n} AS text) AS layer,
        t.id,
        {label} AS name,
        {code} AS code,
        {location} AS location,
        {declared} AS declared_m2,
        {has_net} AS has_net,
        {counted} AS counted,
        {disjoint} AS disjoint,
        ST_Covers(p.geom, t.geom) AS covered,
        t.geom AS feature
    FROM {table} AS t
    JOIN project AS p ON ST_Intersects(p.geom, t.geom)
    WHERE {scan}
