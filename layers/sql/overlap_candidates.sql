    -- one protected layer: the pieces of its features inside the project (GiST-indexed join;
    -- the project is the first argument, so PostGIS prepares it once for all the features)
    SELECT
        CAST(:layer_{n} AS text) AS layer,
        t.id,
        {label} AS name,
        {code} AS code,
        {location} AS location,
        {net_ratio} AS net_ratio,
        {counted} AS counted,
        {disjoint} AS disjoint,
        CASE
            WHEN ST_Covers(p.geom, t.geom) THEN t.geom
            ELSE ST_CollectionExtract(ST_Intersection(t.geom, p.geom), 3)
        END AS piece
    FROM {table} AS t
    JOIN project AS p ON ST_Intersects(p.geom, t.geom)
    WHERE {scan}
