    -- one protected layer: its features whose boxes meet the project's parts (project_parts:
    -- a long road's one bounding box would hold tens of thousands of parcels, its parts'
    -- boxes only those along it), each once. Whether the feature really touches the project,
    -- whether the project covers it, the cut and the areas are in overlap.sql's ``cut``:
    -- tested here, ST_Intersects would make the planner search the index with the whole
    -- project's box again.
    (SELECT DISTINCT ON (t.id)
        CAST(:layer_{n} AS text) AS layer,
        t.id,
        {label} AS name,
        {code} AS code,
        {location} AS location,
        {declared} AS declared_m2,
        {stored_m2} AS stored_m2,
        {has_net} AS has_net,
        {counted} AS counted,
        {disjoint} AS disjoint,
        t.geom AS feature
    FROM project_parts AS s
    JOIN {table} AS t ON t.geom && s.geom
    WHERE {scan}
    ORDER BY t.id)
