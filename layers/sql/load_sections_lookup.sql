-- Every monitoring section, to resolve the section column of a samples file (code or name).
-- FOR SHARE: the sections cannot change under the load's feet.
SELECT code, name FROM sections FOR SHARE
