-- Reloading a samples file replaces the unevaluated columns it brought last time.
DELETE FROM sample_extras WHERE source = :source
