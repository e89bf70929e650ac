-- How current each land layer is: the survey years its features state (the first of
-- :year_fields present in a feature's kept attributes, e.g. SJNF 数据年份, NF 年份, GXSJ 更新时间;
-- the first four-digit year in the value) and the date of its latest load (loads).
-- One row per layer of :layers, whether or not it has data.
WITH layers AS (
    SELECT unnest(CAST(:layers AS text[])) AS layer
), stated AS (
    SELECT 'farmland' AS layer, f.extra FROM farmland f
    UNION ALL SELECT 'basic_farmland', b.extra FROM basic_farmland b
    UNION ALL SELECT 'eco_redline', e.extra FROM eco_redline e
), years AS (
    SELECT s.layer, substring(y.value FROM '(19[0-9]{2}|20[0-9]{2})')::int AS year
    FROM stated s
    CROSS JOIN LATERAL (
        SELECT s.extra ->> k.name AS value
        FROM unnest(CAST(:year_fields AS text[])) WITH ORDINALITY AS k(name, n)
        WHERE s.extra ? k.name
        ORDER BY k.n
        LIMIT 1
    ) AS y
    WHERE s.layer = ANY(CAST(:layers AS text[]))
)
SELECT l.layer,
       (SELECT min(year) FROM years y WHERE y.layer = l.layer) AS first_year,
       (SELECT max(year) FROM years y WHERE y.layer = l.layer) AS last_year,
       (SELECT max(loaded_at)::date FROM loads d WHERE d.layer = l.layer) AS loaded_on
FROM layers l
