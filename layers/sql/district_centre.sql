-- A point inside the district the list names (the first district row when no code matches),
-- where the map opens before the boundary has loaded.
SELECT ST_Y(p) AS lat, ST_X(p) AS lon
FROM (
    SELECT ST_PointOnSurface(geom) AS p
    FROM district
    ORDER BY (code = :code) DESC, id
    LIMIT 1
) AS d
