-- The default period of the checks: the latest year in which at least one section's samples
-- meet the evaluation method's annual rule (gis.sampling): a 国控 section has samples in all
-- twelve months; any other section has at least :min_samples sampling dates that cover the
-- 丰 (:wet), 平 (:normal) and 枯 (:dry) water-period months. Only dates with an indicator
-- that counts in the class are samples. ``newest`` is the year of the newest sample of any
-- kind, the fallback when no year meets the rule.
WITH dated AS (
    SELECT DISTINCT m.section_code, s.control_level, m.sampled_on,
           extract(month FROM m.sampled_on)::int AS month
    FROM samples AS m
    JOIN sections AS s ON s.code = m.section_code
    WHERE m.indicator = ANY(:evaluated)
), per_year AS (
    SELECT section_code, control_level, extract(year FROM sampled_on)::int AS year,
           count(*) AS samples,
           count(DISTINCT month) AS months,
           bool_or(month = ANY(:wet)) AS wet,
           bool_or(month = ANY(:normal)) AS normal,
           bool_or(month = ANY(:dry)) AS dry
    FROM dated
    GROUP BY section_code, control_level, year
)
SELECT
    (SELECT max(year) FROM per_year
      WHERE CASE WHEN control_level = :national THEN months = 12
                 ELSE samples >= :min_samples AND wet AND normal AND dry END) AS complete,
    (SELECT extract(year FROM max(sampled_on))::int FROM samples) AS newest
