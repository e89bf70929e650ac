INSERT INTO loads (layer, source, sha256, actor, report)
VALUES (:layer, :source, :sha256, :actor, :report)
RETURNING id, loaded_at
