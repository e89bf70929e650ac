"""The map's search (搜索): features by the bureau's codes and names (layers/sql/search.sql)."""

from sqlalchemy import Engine

from layers.sql import query

LIMIT = 20


def like_escape(text: str) -> str:
    """``text`` matched literally by LIKE (its ``%``, ``_`` and ``\\`` escaped)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search(engine: Engine, q: str, limit: int = LIMIT) -> list[dict]:
    """At most ``limit`` features whose code or name matches ``q``, best first."""
    q = q.strip()
    if not q:
        return []
    literal = like_escape(q)
    params = {"q": q, "prefix": f"{literal}%", "contains": f"%{literal}%", "limit": limit}
    with engine.connect() as conn:
        rows = conn.execute(query("search"), params).mappings().all()
    return [
        {
            "kind": r["kind"],
            "kind_zh": r["kind_zh"],
            "code": r["code"],
            "label": r["label"],
            "bbox": [r["xmin"], r["ymin"], r["xmax"], r["ymax"]],
        }
        for r in rows
    ]
