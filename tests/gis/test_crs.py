"""CRS detection from .prj + sample coordinates; Gauss-Krüger codes checked against pyproj."""

import numpy as np
import pytest
from pyproj import CRS, Transformer
from pyproj.enums import WktVersion

from gis.crs import (
    CGCS2000,
    WGS84,
    detect_crs,
    gk3_epsg,
    gk3_of_epsg,
    gk3_zone,
    transformer_to_storage,
)
from gis.errors import CrsError

# What ArcGIS writes into .prj files (ESRI WKT1, one line).
_GEOGCS_CGCS2000 = (
    'GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",'
    'SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],'
    'UNIT["Degree",0.0174532925199433]]'
)
ESRI_WGS84 = (
    'GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],'
    'PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]'
)


def _esri_gk(name: str, false_easting: float, cm: float = 114.0, geogcs=_GEOGCS_CGCS2000):
    return (
        f'PROJCS["{name}",{geogcs},PROJECTION["Gauss_Kruger"],'
        f'PARAMETER["False_Easting",{false_easting}],PARAMETER["False_Northing",0.0],'
        f'PARAMETER["Central_Meridian",{cm}],PARAMETER["Scale_Factor",1.0],'
        'PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]'
    )


ESRI_ZONE_38 = _esri_gk("CGCS2000_3_Degree_GK_Zone_38", 38500000.0)
ESRI_CM_114E = _esri_gk("CGCS2000_3_Degree_GK_CM_114E", 500000.0)

# Points in and around 曾都区 (lon, lat), CGCS2000.
ZENGDU = np.array([[113.20, 31.60], [113.37, 31.72], [113.55, 31.95]])


def _sample(epsg: int, lonlat=ZENGDU) -> np.ndarray:
    """The (x = easting, y = northing) a shapefile in ``epsg`` would hold for ``lonlat``."""
    to_file = Transformer.from_crs(CGCS2000, epsg, always_xy=True)
    return np.column_stack(to_file.transform(lonlat[:, 0], lonlat[:, 1]))


# --- Gauss-Krüger codes -------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:You will likely lose important projection information")
@pytest.mark.parametrize("zone", range(25, 46))
def test_gk3_codes_agree_with_pyproj(zone):
    prefixed = CRS.from_epsg(gk3_epsg(zone, prefixed=True)).to_dict()
    plain = CRS.from_epsg(gk3_epsg(zone * 3, prefixed=False)).to_dict()
    for params in (prefixed, plain):
        assert (params["proj"], params["lon_0"], params["k"]) == ("tmerc", zone * 3, 1)
        assert (params["lat_0"], params["y_0"], params["ellps"]) == (0, 0, "GRS80")
    assert prefixed["x_0"] == zone * 1_000_000 + 500_000
    assert plain["x_0"] == 500_000


def test_gk3_named_examples():
    assert gk3_epsg(38, prefixed=True) == 4526
    assert gk3_epsg(114, prefixed=True) == 4526
    assert gk3_epsg(114, prefixed=False) == 4547
    assert gk3_epsg(38, prefixed=False) == 4547
    assert (gk3_epsg(25, True), gk3_epsg(45, True)) == (4513, 4533)
    assert (gk3_epsg(75, False), gk3_epsg(135, False)) == (4534, 4554)
    assert gk3_of_epsg(4526) == (38, True)
    assert gk3_of_epsg(4547) == (38, False)
    assert gk3_of_epsg(4490) is None
    assert gk3_zone(113.37) == 38
    assert gk3_zone(115.4) == 38
    assert gk3_zone(112.5) == 38  # a zone edge goes to the east zone, not banker's rounding


@pytest.mark.parametrize("bad", [24, 46, 115, 138])
def test_gk3_epsg_rejects_non_zones(bad):
    with pytest.raises(CrsError):
        gk3_epsg(bad, prefixed=False)


def test_axis_order_easting_first():
    # EPSG:4526 declares northing first; the storage transformer takes easting first.
    lon, lat = transformer_to_storage(4526).transform(38_500_000, 3_510_000)
    assert lon == pytest.approx(114.0, abs=1e-9)
    assert lat == pytest.approx(31.7, abs=0.05)
    assert transformer_to_storage(4526) is transformer_to_storage(4526)


# --- detection from the .prj ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("prj", "epsg", "words"),
    [
        (ESRI_ZONE_38, 4526, ["带号38", "X含带号"]),
        (ESRI_CM_114E, 4547, ["中央经线114°E", "X不含带号"]),
        (_GEOGCS_CGCS2000, 4490, ["CGCS2000 经纬度"]),
        (ESRI_WGS84, 4326, ["WGS84"]),
    ],
)
def test_esri_prj(prj, epsg, words):
    found = detect_crs(prj, _sample(epsg))
    assert found.epsg == epsg
    assert all(word in found.reason for word in words)
    assert found.reason.startswith("依据 .prj")


@pytest.mark.parametrize("version", [WktVersion.WKT1_GDAL, WktVersion.WKT2_2019])
@pytest.mark.parametrize("epsg", [4526, 4547, 4490, 4326, 4545])
def test_ogc_wkt_from_pyproj(epsg, version):
    lonlat = ZENGDU + ([-6.0, 0.0] if epsg == 4545 else [0.0, 0.0])  # CM 108E for 4545
    found = detect_crs(CRS.from_epsg(epsg).to_wkt(version), _sample(epsg, lonlat))
    assert found.epsg == epsg


def test_zone_recognised_from_parameters_when_pyproj_has_no_code():
    prj = _esri_gk(
        "Gauss_Kruger_114",
        38500000.0,
        geogcs=_GEOGCS_CGCS2000.replace("D_China_2000", "D_CGCS2000"),
    )
    assert CRS.from_wkt(prj).to_epsg() is None
    found = detect_crs(prj, _sample(4526))
    assert found.epsg == 4526
    assert "带号38" in found.reason


def test_unnamed_datum_on_the_cgcs2000_ellipsoid():
    prj = _GEOGCS_CGCS2000.replace("D_China_2000", "D_Unknown")
    found = detect_crs(prj, ZENGDU)
    assert found.epsg == 4490
    assert any("椭球参数" in w for w in found.warnings)


def test_nad83_is_not_mistaken_for_cgcs2000():
    prj = CRS.from_epsg(4269).to_wkt(WktVersion.WKT1_ESRI)  # same ellipsoid, other datum
    with pytest.raises(CrsError, match="不在中国范围内"):
        detect_crs(prj, np.array([[-77.0, 38.9]]))
    assert detect_crs(prj, None).epsg == 4269


def test_wgs84_warns_about_gcj02():
    found = detect_crs(ESRI_WGS84, _sample(WGS84))
    assert any("GCJ-02" in w for w in found.warnings)


def test_other_datum_is_accepted_with_a_warning():
    lonlat = np.array([[117.2, 31.8], [117.3, 31.9]])  # 合肥, CM 117E
    prj = CRS.from_epsg(2436).to_wkt(WktVersion.WKT1_ESRI)  # Beijing 1954 / GK CM 117E
    found = detect_crs(prj, _sample(2436, lonlat))
    assert found.epsg == 2436
    assert any("Beijing 1954" in w and "数十米" in w for w in found.warnings)


def test_unknown_crs_is_refused_by_name():
    prj = _esri_gk("My_Local_Grid", 123.0, cm=114.5).replace(
        'SPHEROID["CGCS2000",6378137.0,298.257222101]', 'SPHEROID["Mine",6378000.0,300.0]'
    )
    with pytest.raises(CrsError, match="My_Local_Grid"):
        detect_crs(prj, None)


def test_unreadable_prj():
    with pytest.raises(CrsError, match="无法解析"):
        detect_crs("this is not WKT", None)


@pytest.mark.parametrize("prj", [None, "", "  \n"])
def test_missing_prj_tells_how_to_fix(prj):
    with pytest.raises(CrsError) as excinfo:
        detect_crs(prj, _sample(4526))
    assert "--crs" in str(excinfo.value)
    assert "4526" in str(excinfo.value) and "4547" in str(excinfo.value)


def test_no_sample_is_allowed_but_noted():
    found = detect_crs(ESRI_ZONE_38, None)
    assert found.epsg == 4526
    assert any("未核对" in w for w in found.warnings)


# --- the coordinates against the .prj ------------------------------------------------------


def test_mislabelled_prj_plain_but_x_has_zone():
    sample = _sample(4526)
    assert np.all((sample[:, 0] > 38_400_000) & (sample[:, 0] < 38_500_000))
    found = detect_crs(ESRI_CM_114E, sample)
    assert found.epsg == 4526
    assert "依据坐标" in found.reason and "EPSG:4547" in found.reason
    assert "38 4" in found.reason  # the X values quoted
    assert any("mislabelled" in w for w in found.warnings)


def test_mislabelled_prj_zone_but_x_has_none():
    found = detect_crs(ESRI_ZONE_38, _sample(4547))
    assert found.epsg == 4547
    assert any("mislabelled" in w for w in found.warnings)


def test_x_zone_wins_over_prj_zone():
    sample = _sample(4525, ZENGDU - [3.0, 0.0])  # zone 37 data under a zone-38 .prj
    found = detect_crs(ESRI_ZONE_38, sample)
    assert found.epsg == 4525


def test_mixed_zones_are_refused():
    sample = np.vstack([_sample(4526), _sample(4525, ZENGDU - [3.0, 0.0])])
    with pytest.raises(CrsError, match="带号不一致"):
        detect_crs(ESRI_ZONE_38, sample)


def test_geographic_prj_with_metres_is_refused():
    with pytest.raises(CrsError) as excinfo:
        detect_crs(_GEOGCS_CGCS2000, _sample(4526))
    assert "超出经纬度范围" in str(excinfo.value)
    assert "--crs 4526" in str(excinfo.value)


def test_projected_prj_with_degrees_is_refused():
    with pytest.raises(CrsError, match="像经纬度"):
        detect_crs(ESRI_CM_114E, ZENGDU)


def test_coordinates_outside_china_are_refused():
    paris = np.array([[2.35, 48.86]])
    with pytest.raises(CrsError, match="不在中国范围内"):
        detect_crs(_GEOGCS_CGCS2000, paris)


def test_nan_rows_are_ignored():
    sample = np.vstack([_sample(4526), [np.nan, np.nan]])
    assert detect_crs(ESRI_ZONE_38, sample).epsg == 4526


# --- --crs override ------------------------------------------------------------------------


def test_override_wins_without_prj():
    found = detect_crs(None, _sample(4547), override_epsg=4547)
    assert found.epsg == 4547
    assert "--crs" in found.reason
    assert found.warnings == ()


def test_override_wins_but_disagreement_is_reported():
    found = detect_crs(ESRI_ZONE_38, _sample(4526), override_epsg=4547)
    assert found.epsg == 4547
    assert any("EPSG:4526" in w and ".prj" in w for w in found.warnings)
    assert any("X 坐标更像 EPSG:4526" in w for w in found.warnings)
    assert any("不在中国范围内" in w for w in found.warnings)


def test_override_cannot_make_metres_into_degrees():
    with pytest.raises(CrsError, match="超出经纬度范围"):
        detect_crs(None, _sample(4526), override_epsg=4490)


def test_override_must_be_a_real_code():
    with pytest.raises(CrsError, match="不是有效的 EPSG"):
        detect_crs(None, None, override_epsg=999999)
