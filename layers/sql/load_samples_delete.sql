-- Reloading a samples file replaces the readings it brought last time.
DELETE FROM samples WHERE source = :source
