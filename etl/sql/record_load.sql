INSERT INTO loads (layer, source, sha256, actor, report)
VALUES (%(layer)s, %(source)s, %(sha256)s, %(actor)s, %(report)s)
RETURNING id, loaded_at
