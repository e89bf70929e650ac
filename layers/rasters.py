"""The ``rasters`` register (栅格登记): replace a kind's row, list them, find one to draw.

A COG's file name carries the first characters of its checksum, so a new file never
overwrites the one a running tile server is reading: the row is swapped in one transaction and
the old file is removed only after the commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, select

from gis.errors import NotFoundError
from layers.db import session_scope
from layers.models import Raster
from layers.sql import query


def district_cover(engine: Engine, extent_ewkt: str) -> tuple[float | None, float | None]:
    """(district area m², part of it inside the extent m²); (None, None) with no district."""
    with engine.connect() as conn:
        row = conn.execute(query("rasters_district_cover"), {"extent": extent_ewkt}).one()
    return row.district_m2, row.covered_m2


def replace(engine: Engine, values: dict[str, Any]) -> str | None:
    """Store ``values`` as the row of its kind; returns the replaced row's path, if any."""
    with session_scope(engine) as session:
        old = session.execute(
            select(Raster.path).where(Raster.kind == values["kind"])
        ).scalar_one_or_none()
        session.execute(delete(Raster).where(Raster.kind == values["kind"]))
        session.flush()
        session.add(Raster(**values))
    return old


def registered(engine: Engine) -> list[Raster]:
    """Every registered raster, by kind."""
    with session_scope(engine) as session:
        rows = session.execute(select(Raster).order_by(Raster.kind)).scalars().all()
        session.expunge_all()
        return list(rows)


def registered_kinds(engine: Engine) -> tuple[str, ...]:
    with engine.connect() as conn:
        return tuple(conn.execute(select(Raster.kind).order_by(Raster.kind)).scalars())


def get_raster(engine: Engine, kind: str) -> Raster:
    with session_scope(engine) as session:
        row = session.execute(select(Raster).where(Raster.kind == kind)).scalar_one_or_none()
        if row is None:
            raise NotFoundError(
                f"尚未导入{kind}栅格（no {kind} raster registered）。",
                hint=f"watershed raster load 文件.tif --kind {kind}",
            )
        session.expunge(row)
        return row


@dataclass(frozen=True)
class TileSource:
    path: str
    sha256: str
    value_min: float | None
    value_max: float | None


def tile_source(engine: Engine, kind: str) -> TileSource:
    """What a tile needs of the ``kind`` raster, in one light query (every tile asks)."""
    columns = (Raster.path, Raster.sha256, Raster.value_min, Raster.value_max)
    with engine.connect() as conn:
        row = conn.execute(select(*columns).where(Raster.kind == kind)).one_or_none()
    if row is None:
        get_raster(engine, kind)  # raises the not-loaded error
    return TileSource(*row)


def cog_path(var_dir: Path, row: Raster) -> Path:
    return var_dir / row.path
