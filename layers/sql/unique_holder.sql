-- The source file of the stored row holding a unique value (after a unique violation).
SELECT source FROM {table} WHERE {column}::text = :value LIMIT 1
