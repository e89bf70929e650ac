-- One reservoir by its code (SKBM).
SELECT code, name, bloom_risk FROM reservoirs WHERE code = :code
