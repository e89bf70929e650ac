    -- one protected layer: the pieces of its features inside the project (GiST-indexed join)
    SELECT
        CAST(:layer_{n} AS text) AS layer,
        t.id,
        {label} AS name,
        CASE
            WHEN ST_CoveredBy(t.geom, p.geom) THEN t.geom
            ELSE ST_CollectionExtract(ST_Intersection(t.geom, p.geom), 3)
        END AS piece
    FROM {table} AS t
    JOIN project AS p ON ST_Intersects(t.geom, p.geom)
    WHERE {filter}
