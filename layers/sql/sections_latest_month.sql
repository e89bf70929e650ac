-- The samples of each section's latest calendar month with an indicator that counts in the
-- class (:evaluated): the map's current class. A month with only 水温 is not "latest".
WITH latest AS (
    SELECT section_code, date_trunc('month', max(sampled_on))::date AS month
    FROM samples
    WHERE indicator = ANY(:evaluated)
    GROUP BY section_code
)
SELECT m.section_code, l.month, m.sampled_on, m.indicator, m.value, m.below_dl,
       m.detection_limit
FROM samples AS m
JOIN latest AS l
  ON l.section_code = m.section_code
 AND m.sampled_on >= l.month
 AND m.sampled_on < (l.month + interval '1 month')
