"""非农化 screening: zonal shares of non-cropland cover against pixels counted by hand."""

import numpy as np
import pytest
from sqlalchemy import text

from etl.rasters import load_raster
from layers.nonfarm import nonfarm_screening
from tests.rasters.conftest import PLAIN_GK, gk_box, write_tif

RES = 10.0


@pytest.fixture
def screened(raster_db, tmp_path):
    engine, settings = raster_db
    left, _, _, top = gk_box(PLAIN_GK)
    x0, y0 = left + 3000.0, top - 3000.0  # well inside the district
    cover = np.ones((10, 10), "uint8")  # 耕地 everywhere…
    cover[2:4, 3:5] = 7  # …but a 2 × 2 block of 住宅用地: x 30–50 m, y 20–40 m below the top
    load_raster(
        engine, write_tif(tmp_path / "lc.tif", cover, origin=(x0, y0), res=RES, nodata=0), "landcover",
        settings=settings,
    )  # fmt: skip

    def square(xa, xb, ya, yb):  # metres from the raster's top-left, y downwards
        return (
            f"POLYGON(({x0 + xa} {y0 - ya},{x0 + xb} {y0 - ya},{x0 + xb} {y0 - yb},"
            f"{x0 + xa} {y0 - yb},{x0 + xa} {y0 - ya}))"
        )

    parcels = {
        "P-A": ("0101", square(20, 60, 10, 50)),  # 4 × 4 pixels holding the block: 4/16
        "P-B": ("0103", square(40, 60, 20, 30)),  # one block pixel, one 耕地 pixel: 1/2
        "P-C": ("0101", square(35, 55, 20, 40)),  # x 35–55 over the block's 30–50: 15/20 of it
        "P-D": ("0301", square(30, 50, 20, 40)),  # 林地: not 耕地, never screened
        "P-E": ("0101", square(90, 130, 0, 10)),  # 3/4 outside the raster: 无法判定
    }
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM farmland WHERE source = 'nonfarm-test'"))
        for bsm, (dlbm, wkt) in parcels.items():
            conn.execute(
                text(
                    "INSERT INTO farmland (bsm, dlbm, zldwmc, source, geom) VALUES (:b, :d, '甲村', "
                    "'nonfarm-test', ST_Multi(ST_Transform(ST_GeomFromText(:w, :srid), 4490)))"
                ),
                {"b": bsm, "d": dlbm, "w": wkt, "srid": PLAIN_GK},
            )
    yield engine, settings
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM farmland WHERE source = 'nonfarm-test'"))


def test_shares_are_the_hand_counted_pixels(screened) -> None:
    engine, settings = screened
    result = nonfarm_screening(engine, settings, threshold=0.0)
    shares = {c["bsm"]: c["nonfarm_share"] for c in result["candidates"]}
    assert shares == pytest.approx({"P-A": 4 / 16, "P-B": 1 / 2, "P-C": 15 / 20}, abs=1e-3)
    assert [u["bsm"] for u in result["undetermined"]] == ["P-E"]
    assert result["undetermined"][0]["covered"] == pytest.approx(0.25, abs=1e-3)
    assert "无法判定" in result["undetermined"][0]["reason"]


def test_threshold_lists_only_parcels_over_it(screened) -> None:
    engine, settings = screened
    result = nonfarm_screening(engine, settings, threshold=0.5)
    assert [c["bsm"] for c in result["candidates"]] == ["P-C"]  # 0.5 is not over 0.5


def test_api_and_excel(screened, tmp_path) -> None:
    from fastapi.testclient import TestClient
    from openpyxl import load_workbook

    from api.auth import create_token
    from api.cli.raster import _write_xlsx
    from api.main import create_app

    engine, settings = screened
    token = create_token(engine, "viewer", name="test-nonfarm")
    with TestClient(create_app(settings)) as client:
        response = client.get(
            "/api/rasters/landcover/nonfarm?threshold=0.3",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert client.get("/api/rasters/landcover/nonfarm?threshold=2").status_code in (401, 422)
    assert response.status_code == 200
    result = response.json()
    assert [c["bsm"] for c in result["candidates"]] == ["P-B", "P-C"]
    _write_xlsx(tmp_path / "候选.xlsx", result)
    rows = list(load_workbook(tmp_path / "候选.xlsx").active.values)
    assert rows[0][0] == "标识码 BSM"
    assert [r[0] for r in rows[1:]] == ["P-B", "P-C", "P-E"]
    assert rows[-1][5].endswith("无法判定")


def test_map_geojson_and_excel_download(screened) -> None:
    """The map's overlay: the candidates as GeoJSON in CGCS2000 with BSM, 坐落 and share, the
    parcels' own outlines; the Excel download lists the same candidates, then 无法判定."""
    from io import BytesIO

    import shapely
    from fastapi.testclient import TestClient
    from openpyxl import load_workbook

    from api.auth import create_token
    from api.main import create_app

    engine, settings = screened
    token = create_token(engine, "viewer", name="test-nonfarm")
    headers = {"Authorization": f"Bearer {token}"}
    with TestClient(create_app(settings)) as client:
        mapped = client.get("/api/rasters/landcover/nonfarm.geojson?threshold=0.3", headers=headers)
        book = client.get("/api/rasters/landcover/nonfarm.xlsx?threshold=0.3", headers=headers)
        anonymous = client.get("/api/rasters/landcover/nonfarm.xlsx")
    assert anonymous.status_code in (200, 401)  # reads need a token only if configured so
    body = mapped.json()
    assert body["type"] == "FeatureCollection" and body["threshold"] == 0.3
    assert (body["parcels"], body["undetermined"]) == (4, 1)  # P-A, P-B, P-C, P-E screened
    props = {f["properties"]["bsm"]: f["properties"] for f in body["features"]}
    assert set(props) == {"P-B", "P-C"}
    assert props["P-C"]["nonfarm_share"] == pytest.approx(15 / 20, abs=1e-3)
    assert props["P-C"]["zldwmc"] == "甲村" and props["P-C"]["dlbm"] == "0101"
    with engine.connect() as conn:
        stored = conn.execute(
            text("SELECT ST_AsBinary(geom) FROM farmland WHERE bsm = 'P-C'")
        ).scalar_one()
    drawn = next(f for f in body["features"] if f["properties"]["bsm"] == "P-C")
    # 7 decimals of a degree: within about a centimetre of the stored outline
    assert shapely.geometry.shape(drawn["geometry"]).equals_exact(
        shapely.from_wkb(bytes(stored)), 1e-7
    )
    assert book.status_code == 200
    assert "attachment" in book.headers["content-disposition"]
    rows = list(load_workbook(BytesIO(book.content))["非农化候选"].values)
    assert [r[0] for r in rows[1:]] == ["P-B", "P-C", "P-E"]
    assert rows[2][4] == pytest.approx(0.75, abs=1e-3) and "实地核查" in rows[2][5]
