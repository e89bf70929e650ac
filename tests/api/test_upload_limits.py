"""Resource limits before parsing (issue 16, defect 5): feature and vertex counts from the
file's headers or while streaming, before any geometry is built in full, and an overlap
upload (any viewer) held to smaller limits than an editor's ingest."""

import io
import json
import time
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from fastapi.testclient import TestClient

from api.main import create_app
from etl.archive import ArchiveLimits
from etl.readers import read_vector, shapefile_counts
from gis.errors import InvalidInputError
from layers.settings import Settings

LON, LAT = 114.01, 24.51  # inside the API fixture's district, away from 曾都区


def squares(n: int, size: float = 1e-5) -> np.ndarray:
    i = np.arange(n)
    x0 = LON + (i % 1000) * 2 * size
    y0 = LAT + (i // 1000) * 2 * size
    return shapely.box(x0, y0, x0 + size, y0 + size)


def zipped_shapefile(folder: Path, geoms, name: str = "xm") -> bytes:
    gpd.GeoDataFrame({"id": np.arange(len(geoms))}, geometry=geoms, crs=4490).to_file(
        folder / f"{name}.shp"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for part in folder.glob(f"{name}.*"):
            zf.write(part, part.name)
    return buffer.getvalue()


def test_shapefile_counts_come_from_the_headers(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    polygons = [
        shapely.Point(LON + k * 0.01, LAT).buffer(0.001, quad_segs=int(q))
        for k, q in enumerate(rng.integers(1, 40, 50))
    ]
    holed = shapely.box(LON, LAT, LON + 0.01, LAT + 0.01).difference(
        shapely.box(LON + 0.004, LAT + 0.004, LON + 0.006, LAT + 0.006)
    )
    geoms = [*polygons, holed, None]
    gpd.GeoDataFrame({"id": range(len(geoms))}, geometry=geoms, crs=4490).to_file(
        tmp_path / "p.shp"
    )
    expected = int(shapely.get_num_coordinates(np.array(geoms, dtype=object)).sum())
    assert shapefile_counts(tmp_path / "p.shp", tmp_path / "p.shx") == (len(geoms), expected)

    points = gpd.GeoDataFrame(geometry=shapely.points(np.full(7, LON), np.full(7, LAT)), crs=4490)
    points.to_file(tmp_path / "pt.shp")
    assert shapefile_counts(tmp_path / "pt.shp", tmp_path / "pt.shx") == (7, 7)


@pytest.fixture(scope="module")
def limited(settings: Settings, dataset: None):
    own = settings.model_copy(update={"overlap_max_upload_mb": 2.0, "max_vertices": 1000})
    with TestClient(create_app(own)) as client:
        yield client


def test_many_tiny_polygons_are_refused_from_the_headers(
    limited: TestClient, viewer: dict, tmp_path: Path
) -> None:
    body = zipped_shapefile(tmp_path, squares(30_000))
    assert len(body) < 2 * 1024 * 1024  # under the overlap's upload limit: the count refuses it
    started = time.perf_counter()
    response = limited.post("/api/overlap", files={"file": ("xm.zip", body)}, headers=viewer)
    elapsed = time.perf_counter() - started
    assert response.status_code == 422, response.text
    assert "要素数 30000，超过上限 10000" in response.json()["detail"]
    assert elapsed < 2.0, elapsed  # no table, no geometry read


def test_vertices_are_counted_while_streaming(limited: TestClient, viewer: dict) -> None:
    # Three circles of 4 × 150 + 1 = 601 vertices: the limit (1000) is passed in the second
    # one, found by the streaming count (etl/counting.py) at the 1001st position, before GDAL
    # opens the file.
    circles = [shapely.Point(LON + k * 0.01, LAT).buffer(0.002, quad_segs=150) for k in range(3)]
    collection = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(c)}
            for c in circles
        ],
    }
    upload = ("xm.geojson", json.dumps(collection).encode())
    response = limited.post("/api/overlap", files={"file": upload}, headers=viewer)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert "顶点数 超过 1000（已读到 1001）" in detail


def test_an_overlap_upload_is_held_below_an_ingest(
    limited: TestClient, viewer: dict, tokens: dict
) -> None:
    blob = b"x" * (2 * 1024 * 1024 + 10)
    overlap = limited.post("/api/overlap", files={"file": ("a.zip", blob)}, headers=viewer)
    assert overlap.status_code == 413
    assert "2 MB" in overlap.json()["detail"]
    editor = {"Authorization": f"Bearer {tokens['editor']}"}
    ingest = limited.post("/api/ingest/rivers", files={"file": ("a.zip", blob)}, headers=editor)
    assert ingest.status_code == 422  # read and refused as a corrupt zip, not for its size
    assert "压缩包" in ingest.json()["detail"]


def test_a_plain_shapefile_is_counted_before_its_table_is_read(tmp_path: Path) -> None:
    gpd.GeoDataFrame({"id": np.arange(150)}, geometry=squares(150), crs=4490).to_file(
        tmp_path / "xm.shp"
    )
    mb = 1024 * 1024
    with pytest.raises(InvalidInputError, match="要素数 150，超过上限 100"):
        read_vector(tmp_path / "xm.shp", limits=ArchiveLimits(mb, mb, max_features=100))
    # 150 squares of 5 stored points (the ring is closed): 750 vertices.
    with pytest.raises(InvalidInputError, match="顶点数 750，超过上限 500"):
        read_vector(tmp_path / "xm.shp", limits=ArchiveLimits(mb, mb, max_vertices=500))
    read = read_vector(tmp_path / "xm.shp", limits=ArchiveLimits(mb, mb, 150, 750))
    assert len(read.frame) == 150
