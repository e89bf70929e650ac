-- The field names of the files loaded into a layer, newest load first: ``fields`` maps each
-- table column to the file's field it came from, ``source_fields`` lists the file's fields
-- in their order (both recorded by the loader in the load report; older loads have neither).
SELECT report -> 'fields' AS fields, report -> 'source_fields' AS source_fields
FROM loads
WHERE layer = :layer
ORDER BY loaded_at DESC, id DESC
