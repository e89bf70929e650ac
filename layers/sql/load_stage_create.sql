-- Staging table for one load: the target's attribute and geometry columns (types and
-- geometry typmod, no constraints), plus the feature number in the source file.
CREATE TEMP TABLE _stage ON COMMIT DROP AS
SELECT {columns} FROM {table} WITH NO DATA;
ALTER TABLE _stage ADD COLUMN _row integer NOT NULL;
