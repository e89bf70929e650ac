"""Loading an uploaded file through the ETL loader, audited; the record of past loads."""

import pathlib
import tempfile
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Engine, select

from api.audit import attempt_audited, record_separately, sha256_of
from api.auth import Principal
from etl.loader import LoadReport, load_file
from etl.rasters import RasterReport, load_raster
from layers.models import Load
from layers.registry import LAYERS, LayerSpec
from layers.settings import Settings

R = TypeVar("R")


def _audited(
    engine: Engine,
    editor: Principal,
    target: str,
    name: str,
    content: bytes,
    load: Callable[[pathlib.Path], R],
    detail: Callable[[R], dict[str, Any]],
) -> R:
    """``load`` the upload (written to a temporary file that keeps its name: the loaders key
    a load by it), the attempt written to the audit log whether loaded, refused (a
    WatershedError) or failed (a 500 or an outage)."""
    digest = sha256_of(content)
    with tempfile.TemporaryDirectory(prefix="watershed-ingest-") as folder:
        path = pathlib.Path(folder) / name
        path.write_bytes(content)
        attempt = {"source_sha256": digest, "detail": {"file": name}}
        with attempt_audited(engine, editor, "ingest", target, **attempt):
            report = load(path)
    done = {"file": name, **detail(report)}
    record_separately(engine, editor, "ingest", target, source_sha256=digest, detail=done)
    return report


def ingest_upload(
    engine: Engine,
    settings: Settings,
    editor: Principal,
    spec: LayerSpec,
    name: str,
    content: bytes,
    **options: Any,
) -> LoadReport:
    """Load ``content`` (an upload called ``name``) into ``spec``'s layer in one transaction,
    audited. ``options`` go to :func:`etl.loader.load_file` (crs, encoding, gcj02, sublayer)."""

    def load(path: pathlib.Path) -> LoadReport:
        return load_file(engine, path, spec.key, actor=editor.name, settings=settings, **options)

    def detail(report: LoadReport) -> dict[str, Any]:
        return {
            "load_id": report.load_id,
            "loaded": report.loaded,
            "replaced": report.replaced,
            "replaced_load": (report.previous_load or {}).get("id"),
            "same_file": report.same_file,
        }

    return _audited(engine, editor, f"layers/{spec.key}", name, content, load, detail)


def ingest_raster_upload(
    engine: Engine,
    settings: Settings,
    editor: Principal,
    kind: str,
    name: str,
    content: bytes,
    **options: Any,
) -> RasterReport:
    """Check ``content`` (a GeoTIFF called ``name``), store it as a COG and register it as the
    ``kind`` raster (etl.rasters.load_raster), audited like a layer upload. ``options`` go to
    the raster loader (crs, as_of)."""

    def load(path: pathlib.Path) -> RasterReport:
        return load_raster(engine, path, kind, settings=settings, actor=editor.name, **options)

    def detail(report: RasterReport) -> dict[str, Any]:
        return {"replaced": report.replaced, "epsg": report.epsg}

    return _audited(engine, editor, f"rasters/{kind}", name, content, load, detail)


def list_loads(engine: Engine, spec: LayerSpec | None = None, limit: int = 100) -> list[dict]:
    """The latest loads (of one layer when ``spec`` is given), newest first, with who loaded
    them and the loader's report."""
    query = select(Load).order_by(Load.id.desc()).limit(limit)
    if spec is not None:
        query = query.where(Load.layer == spec.key)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [
        {
            "id": r.id,
            "layer": r.layer,
            "layer_name": LAYERS[r.layer].name_zh if r.layer in LAYERS else r.layer,
            "source": r.source,
            "sha256": r.sha256,
            "loaded_at": r.loaded_at,
            "actor": r.actor,
            "report": r.report,
        }
        for r in rows
    ]
