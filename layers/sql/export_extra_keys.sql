-- The keys of a layer's ``extra`` (the loaded files' fields that match no column), each with
-- the JSON type its values share, so an export can give it back as a typed column:
-- 'integer' (every number whole), 'number', 'boolean', or 'string' (text, or mixed types).
-- {table} is a quoted table name from the registry.
SELECT e.key,
       CASE
           WHEN bool_and(jsonb_typeof(e.value) = 'null') THEN 'string'
           WHEN bool_and(jsonb_typeof(e.value) IN ('number', 'null'))
               THEN CASE WHEN bool_and(jsonb_typeof(e.value) = 'null'
                                       OR e.value::text ~ '^-?[0-9]{1,18}$')
                         THEN 'integer' ELSE 'number' END
           WHEN bool_and(jsonb_typeof(e.value) IN ('boolean', 'null')) THEN 'boolean'
           ELSE 'string'
       END AS kind
FROM {table} AS t, jsonb_each(t.extra) AS e
GROUP BY e.key
ORDER BY e.key
