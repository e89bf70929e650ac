-- Reloading a source replaces its rows: remove what the previous load of it brought.
DELETE FROM {table} WHERE source = :source
