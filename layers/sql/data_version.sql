-- What the checks' figures depend on, cheaply: every layer write goes through the loader
-- (a row in loads) or saves a project. Changes made behind the platform's back are not seen:
-- the cache that uses this also expires (Settings.checks_cache_seconds).
SELECT (SELECT coalesce(max(id), 0) FROM loads) AS last_load,
       (SELECT coalesce(max(id), 0) FROM projects) AS last_project,
       (SELECT count(*) FROM projects) AS projects
