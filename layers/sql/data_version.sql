-- What the checks' figures depend on, cheaply: every layer write goes through the loader
-- (a row in loads); of the projects, only those that count as occupation (:occupying_statuses)
-- move a figure, so a what-if saved from the map (拟建) leaves the version, and the cache, as
-- they were, while a status set to 已批/在建/已建 (or back) changes it. Changes made behind the
-- platform's back are not seen: the cache that uses this also expires
-- (Settings.checks_cache_seconds).
SELECT (SELECT coalesce(max(id), 0) FROM loads) AS last_load,
       (SELECT md5(coalesce(string_agg(id::text, ',' ORDER BY id), ''))
          FROM projects WHERE status = ANY(:occupying_statuses)) AS occupying_projects
