-- The latest committed load of this source into this layer (read under the layer lock, so it
-- is the load this one replaces).
SELECT id, sha256, loaded_at, actor, (report ->> 'loaded')::int AS loaded
FROM loads
WHERE layer = :layer AND source = :source
ORDER BY id DESC
LIMIT 1
