"""Loading an uploaded file through the ETL loader, audited; the record of past loads."""

import pathlib
import tempfile
from typing import Any

from sqlalchemy import Engine, select

from api.audit import record_failure, record_separately, sha256_of
from api.auth import Principal
from etl.loader import LoadReport, load_file
from etl.rasters import RasterReport, load_raster
from gis.errors import WatershedError
from layers.models import Load
from layers.registry import LAYERS, LayerSpec
from layers.settings import Settings


def ingest_upload(
    engine: Engine,
    settings: Settings,
    editor: Principal,
    spec: LayerSpec,
    name: str,
    content: bytes,
    **options: Any,
) -> LoadReport:
    """Load ``content`` (an upload called ``name``) into ``spec``'s layer in one transaction;
    the attempt, loaded or refused, is written to the audit log. ``options`` go to
    :func:`etl.loader.load_file` (crs, encoding, gcj02, sublayer)."""
    digest = sha256_of(content)
    target = f"layers/{spec.key}"
    with tempfile.TemporaryDirectory(prefix="watershed-ingest-") as folder:
        # The upload keeps its file name: the loader keys a load by it.
        path = pathlib.Path(folder) / name
        path.write_bytes(content)
        try:
            report = load_file(
                engine, path, spec.key, actor=editor.name, settings=settings, **options
            )
        except WatershedError as exc:
            detail = {"file": name, "refused": exc.message}
            record_separately(
                engine, editor, "ingest.refused", target, source_sha256=digest, detail=detail
            )
            raise
        except Exception as exc:  # a 500 or an outage: the attempt is recorded all the same
            record_failure(
                engine,
                editor,
                "ingest.failed",
                target,
                exc,
                source_sha256=digest,
                detail={"file": name},
            )
            raise
    detail = {
        "file": name,
        "load_id": report.load_id,
        "loaded": report.loaded,
        "replaced": report.replaced,
        "replaced_load": (report.previous_load or {}).get("id"),
        "same_file": report.same_file,
    }
    record_separately(engine, editor, "ingest", target, source_sha256=digest, detail=detail)
    return report


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
    ``kind`` raster (etl.rasters.load_raster); the attempt is audited like a layer upload.
    ``options`` go to the raster loader (crs, as_of)."""
    digest = sha256_of(content)
    target = f"rasters/{kind}"
    with tempfile.TemporaryDirectory(prefix="watershed-ingest-") as folder:
        path = pathlib.Path(folder) / name
        path.write_bytes(content)
        try:
            report = load_raster(
                engine, path, kind, settings=settings, actor=editor.name, **options
            )
        except WatershedError as exc:
            detail = {"file": name, "refused": exc.message}
            record_separately(
                engine, editor, "ingest.refused", target, source_sha256=digest, detail=detail
            )
            raise
    detail = {"file": name, "replaced": report.replaced, "epsg": report.epsg}
    record_separately(engine, editor, "ingest", target, source_sha256=digest, detail=detail)
    return report


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
