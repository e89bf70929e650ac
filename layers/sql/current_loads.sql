-- The latest load of every (layer, source file): the loads whose rows the layers hold now.
SELECT DISTINCT ON (layer, source) layer, source, sha256
FROM loads
ORDER BY layer, source, id DESC
