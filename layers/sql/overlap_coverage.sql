    -- one protected layer's loaded coverage of the project (see overlap.sql): whether the
    -- layer holds any row, and for a wall-to-wall layer (地类图斑) the area of the project its
    -- features cover, every feature whatever its class, since any parcel is data
    SELECT
        CAST(:layer_{n} AS text) AS layer,
        EXISTS (SELECT 1 FROM {table}) AS loaded,
        {covered} AS covered_m2
