-- A section's latest sampling date with an indicator that counts in the class, else its
-- latest sampling date of any kind (NULL without samples).
SELECT coalesce(max(sampled_on) FILTER (WHERE indicator = ANY(:evaluated)), max(sampled_on))
FROM samples
WHERE section_code = :code
