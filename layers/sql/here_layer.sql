-- One layer's part of here.sql; the table placeholder is a quoted registry table name.
-- First row: the layer holds data at all (one row, no id), so "nothing here" can be told
-- apart from "no data" (无数据). Then the features at the point: an area when the point lies in
-- it or on its edge (ST_Intersects, exact); a point or a line within :tolerance_m metres
-- (ellipsoidal distance), found through the GiST index by a box :box_deg degrees wide that
-- holds that circle. distance_m is 0 inside an area.
SELECT f.tableoid::regclass::text AS layer_table, NULL AS id, NULL AS props, NULL AS distance_m
FROM (SELECT tableoid FROM {table} LIMIT 1) AS f
UNION ALL
SELECT
    t.tableoid::regclass::text,
    t.id,
    to_jsonb(t) - 'geom',
    ST_Distance(t.geom::geography, h.geog)
FROM {table} AS t
CROSS JOIN here AS h
WHERE
    t.geom && ST_Expand(h.g, :box_deg)
    AND CASE
        WHEN ST_Dimension(t.geom) = 2 THEN ST_Intersects(t.geom, h.g)
        ELSE ST_DWithin(t.geom::geography, h.geog, :tolerance_m)
    END
