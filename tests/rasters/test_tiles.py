"""Basemap tiles through the API: drawn where data exist, transparent outside, legend colours
exact, cached by checksum, and only for readers."""

import math
from collections.abc import Iterator

import numpy as np
import pytest
from fastapi.testclient import TestClient
from rasterio.io import MemoryFile
from sqlalchemy import text

from api.auth import create_token
from api.main import create_app
from api.raster_tiles import empty_png
from etl.rasters import load_raster
from gis.rasters import LANDCOVER_CLASSES
from tests.rasters.conftest import DISTRICT, gk_box, plane, write_tif


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    """The Web Mercator (XYZ) tile holding a point: the slippy-map formula."""
    n = 2**z
    x = int((lon + 180.0) / 360.0 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def rgba(png: bytes) -> np.ndarray:
    with MemoryFile(png) as mem, mem.open() as src:
        return src.read()


@pytest.fixture(scope="module")
def client(raster_db, tmp_path_factory) -> Iterator[tuple[TestClient, dict]]:
    engine, settings = raster_db
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM rasters"))
    folder = tmp_path_factory.mktemp("tiles")
    load_raster(engine, write_tif(folder / "dem.tif", plane()), "dem", settings=settings)
    classes = np.where(np.arange(plane().shape[1]) < plane().shape[1] // 2, 1, 3)
    landcover = (classes[None, :] + np.zeros((plane().shape[0], 1))).astype("uint8")
    load_raster(
        engine, write_tif(folder / "lc.tif", landcover, nodata=0), "landcover", settings=settings
    )
    photo = np.stack([np.full(plane().shape, v, "uint8") for v in (10, 200, 30)])
    load_raster(engine, write_tif(folder / "photo.tif", photo), "ortho", settings=settings)
    token = create_token(engine, "viewer", name="test-raster-viewer")
    with TestClient(create_app(settings)) as http:
        yield http, {"Authorization": f"Bearer {token}"}


def _get(client, kind: str, z: int, x: int, y: int):
    http, headers = client
    return http.get(f"/api/rasters/{kind}/tiles/{z}/{x}/{y}.png", headers=headers)


def test_dem_tile_inside_is_opaque_and_shaded(client) -> None:
    centre = ((DISTRICT[0] + DISTRICT[2]) / 2, (DISTRICT[1] + DISTRICT[3]) / 2)
    response = _get(client, "dem", 14, *tile_of(*centre, 14))
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    image = rgba(response.content)
    assert image.shape == (4, 256, 256)
    assert (image[3] == 255).all()
    # A plane rising eastwards: tints brighten from west to east.
    assert image[:3, :, -1].astype(int).sum() > image[:3, :, 0].astype(int).sum()


def test_tile_outside_is_transparent(client) -> None:
    response = _get(client, "dem", 14, *tile_of(116.0, 31.65, 14))
    assert response.status_code == 200
    assert response.content == empty_png()
    assert (rgba(response.content)[3] == 0).all()


def test_tile_on_the_edge_is_partly_transparent(client) -> None:
    west_edge_lon = gk_box_west_lon()
    alpha = rgba(_get(client, "dem", 12, *tile_of(west_edge_lon, 31.65, 12)).content)[3]
    assert (alpha == 0).any() and (alpha == 255).any()


def gk_box_west_lon() -> float:
    from pyproj import Transformer

    left, bottom, _, top = gk_box(4547)
    return Transformer.from_crs(4547, 4490, always_xy=True).transform(left, (bottom + top) / 2)[0]


def test_landcover_tile_has_the_legend_colour(client) -> None:
    colour = next(c.colour for c in LANDCOVER_CLASSES if c.value == 1)
    expected = [int(colour[i : i + 2], 16) for i in (1, 3, 5)] + [255]
    image = rgba(_get(client, "landcover", 15, *tile_of(DISTRICT[0] + 0.01, 31.65, 15)).content)
    assert (expected == image.reshape(4, -1).T).all()


def test_ortho_tile_is_true_colour(client) -> None:
    image = rgba(_get(client, "ortho", 15, *tile_of(113.35, 31.65, 15)).content)
    assert (image.reshape(4, -1).T == [10, 200, 30, 255]).all()


def test_kind_not_loaded_is_404(raster_db, client) -> None:
    engine, _ = raster_db
    with engine.begin() as conn:
        saved = conn.execute(text("SELECT * FROM rasters WHERE kind = 'ortho'")).mappings().one()
        conn.execute(text("DELETE FROM rasters WHERE kind = 'ortho'"))
    try:
        response = _get(client, "ortho", 14, 0, 0)
        assert response.status_code == 404
        assert "尚未导入" in response.json()["detail"]
    finally:
        columns = ", ".join(saved.keys())
        values = ", ".join(f":{k}" for k in saved)
        with engine.begin() as conn:
            conn.execute(text(f"INSERT INTO rasters ({columns}) VALUES ({values})"), dict(saved))


def test_a_registered_raster_whose_file_is_gone_is_404_with_what_to_do(raster_db, client) -> None:
    """The data directory moved or wiped under a registered raster: a clear 404, never a 500."""
    from etl.rasters import web_path
    from layers.rasters import get_raster

    engine, settings = raster_db
    path = web_path(settings.var_dir / get_raster(engine, "ortho").path)
    moved = path.with_suffix(".moved")
    path.rename(moved)
    try:
        response = _get(client, "ortho", 15, *tile_of(113.35, 31.65, 15))
        assert response.status_code == 404
        assert (
            "文件缺失" in response.json()["detail"] and "raster load" in response.json()["detail"]
        )
    finally:
        moved.rename(path)
    assert _get(client, "ortho", 15, *tile_of(113.35, 31.65, 15)).status_code == 200


def test_legend_lists_every_class(client) -> None:
    http, headers = client
    legend = http.get("/api/rasters/landcover/legend", headers=headers).json()
    assert [c["name"] for c in legend][:3] == ["耕地", "园地", "林地"]
    assert len(legend) == 12


def test_list_and_etag(client) -> None:
    http, headers = client
    listed = {r["kind"]: r for r in http.get("/api/rasters", headers=headers).json()}
    assert set(listed) == {"dem", "landcover", "ortho"}
    assert listed["dem"]["tiles"] == "/api/rasters/dem/tiles/{z}/{x}/{y}.png"
    first = _get(client, "dem", 14, *tile_of(113.35, 31.65, 14))
    etag = first.headers["etag"]
    assert etag == f'"{listed["dem"]["sha256"][:16]}"'
    again = http.get(
        f"/api/rasters/dem/tiles/14/{tile_of(113.35, 31.65, 14)[0]}/{tile_of(113.35, 31.65, 14)[1]}.png",
        headers={**headers, "If-None-Match": etag},
    )
    assert again.status_code == 304


def test_refusals(client) -> None:
    http, _ = client
    assert _get(client, "slope", 14, 0, 0).status_code == 422
    assert _get(client, "dem", 3, 8, 0).status_code == 404  # x beyond 2^z
    assert http.get("/api/rasters/dem/tiles/14/0/0.png").status_code == 401


def test_a_reloaded_raster_is_drawn_at_once(raster_db, client, tmp_path) -> None:
    """The tile drawn ahead from the previous lookup's raster is served only when this
    request's lookup finds the same raster: right after a reload (through the loader, or a
    row deleted by hand and a new one loaded, which leaves the old file on disk) the tile is
    the new raster's, byte for byte as drawn in-process from the registered row, with its
    ETag."""
    from api.raster_tiles import render_tile
    from etl.rasters import web_path
    from layers.rasters import get_raster

    engine, settings = raster_db
    centre = ((DISTRICT[0] + DISTRICT[2]) / 2, (DISTRICT[1] + DISTRICT[3]) / 2)
    where = tile_of(*centre, 14)

    def served_is_registered() -> bool:
        response = _get(client, "dem", 14, *where)
        row = get_raster(engine, "dem")
        path = web_path(settings.var_dir / row.path)
        expected = render_tile("dem", path, 14, *where, (row.value_min, row.value_max))
        assert response.headers["etag"] == f'"{row.sha256[:16]}"'
        return response.content == expected

    def load(name: str, data: np.ndarray) -> None:
        load_raster(engine, write_tif(tmp_path / name, data), "dem", settings=settings)

    rising, steep = plane(), plane() * 3 - 200  # same shape, other relief: other tiles
    first = _get(client, "dem", 14, *where).content  # primes the server's last lookup
    try:
        load("steep.tif", steep)
        assert served_is_registered() and _get(client, "dem", 14, *where).content != first
        with engine.begin() as conn:  # by hand: the steep plane's file stays on disk, and
            conn.execute(text("DELETE FROM rasters WHERE kind = 'dem'"))  # is still the guess
        load("rising.tif", rising)
        assert served_is_registered() and _get(client, "dem", 14, *where).content == first
        load("steep2.tif", steep)
        assert served_is_registered()
    finally:
        load("back.tif", rising)
