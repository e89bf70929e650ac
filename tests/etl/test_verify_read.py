"""Loads verify what they read (issue 16, defects 1 and 4): a shapefile cut short, a shape
GDAL cannot read, a NaN vertex or one feature far outside the CRS's area of use refuses the
whole file, naming the file and what disagrees, and leaves the layer as it was.

The truncations are of the demonstration farmland (13,522 parcels) copied to tmp_path; the
expected figures come from the files' sizes and headers read here with ``struct``, not from
the code under test.
"""

from __future__ import annotations

import math
import shutil
import struct
from pathlib import Path

import numpy as np
import pyogrio
import pytest
import shapely

from etl.gdal import gdal_messages
from etl.loader import load_file
from gis.errors import CrsError, InvalidInputError
from tests.conftest import DEMO_DIR
from tests.etl.loader_helpers import farmland_frame, fingerprint, parcels, token, write_shapefile

PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")


@pytest.fixture
def farmland_copy(tmp_path) -> Path:
    for suffix in PARTS:
        shutil.copy(DEMO_DIR / f"farmland{suffix}", tmp_path / f"farmland{suffix}")
    return tmp_path / "farmland.shp"


def _head(path: Path, size: int) -> None:
    """``head -c size`` in place."""
    data = path.read_bytes()[:size]
    path.write_bytes(data)


def _refused(engine, settings, shp: Path, error=InvalidInputError) -> str:
    before = [fingerprint(engine, t) for t in ("farmland", "loads")]
    with pytest.raises(error) as caught:
        load_file(engine, shp, "farmland", settings=settings)
    assert [fingerprint(engine, t) for t in ("farmland", "loads")] == before
    return str(caught.value)


def test_the_demo_farmland_itself_passes_every_check(farmland_copy):
    from etl.archive import ArchiveLimits
    from etl.readers import read_vector
    from layers.settings import get_settings

    shx_records = (farmland_copy.with_suffix(".shx").stat().st_size - 100) // 8
    data = read_vector(farmland_copy, limits=ArchiveLimits.from_settings(get_settings()))
    assert len(data.frame) == shx_records == 13_522
    assert not any("GDAL" in w for w in data.warnings)


def test_a_shp_cut_by_head_c_is_refused_with_both_lengths(engine, settings, farmland_copy):
    shp = farmland_copy
    declared = struct.unpack(">i", shp.read_bytes()[24:28])[0] * 2
    assert declared == shp.stat().st_size  # the intact file agrees with its header
    _head(shp, 1_500_000)  # issue 16: 13,522 parcels became 8,191 with exit 0
    message = _refused(engine, settings, shp)
    assert "farmland.shp" in message
    assert f"{declared}" in message and "1500000" in message
    assert "length mismatch" in message


def test_a_shp_whose_header_was_rewritten_to_its_cut_length_is_caught_by_the_shx(
    engine, settings, farmland_copy
):
    shp = farmland_copy
    _head(shp, 1_500_000)
    raw = bytearray(shp.read_bytes())
    raw[24:28] = struct.pack(">i", len(raw) // 2)
    shp.write_bytes(bytes(raw))
    shx = shp.with_suffix(".shx").read_bytes()
    index = np.frombuffer(shx[100:], ">i4").reshape(-1, 2).astype(np.int64) * 2
    past = (index[:, 0] + 8 + index[:, 1]) > len(raw)
    first = int(np.argmax(past)) + 1
    message = _refused(engine, settings, shp)
    assert "farmland.shx" in message and f"第 {first} 条记录" in message
    assert f"共 {int(past.sum())} 条" in message and "past the end" in message


def test_a_cut_shx_is_refused(engine, settings, farmland_copy):
    shx = farmland_copy.with_suffix(".shx")
    size = shx.stat().st_size
    _head(shx, 50_000)
    message = _refused(engine, settings, farmland_copy)
    assert "farmland.shx" in message and f"{size}" in message and "50000" in message


def test_a_shx_cut_at_a_record_boundary_disagrees_with_the_dbf(engine, settings, farmland_copy):
    shx = farmland_copy.with_suffix(".shx")
    raw = bytearray(shx.read_bytes())
    kept = 100 + 8 * 8_191
    raw = raw[:kept]
    raw[24:28] = struct.pack(">i", kept // 2)  # a consistent, shorter index
    shx.write_bytes(bytes(raw))
    dbf_records = struct.unpack("<I", farmland_copy.with_suffix(".dbf").read_bytes()[4:8])[0]
    message = _refused(engine, settings, farmland_copy)
    assert "8191 条记录" in message and f"{dbf_records} 条" in message
    assert "farmland.dbf" in message


def test_a_cut_dbf_is_refused(engine, settings, farmland_copy):
    dbf = farmland_copy.with_suffix(".dbf")
    raw = dbf.read_bytes()
    declared = struct.unpack("<I", raw[4:8])[0]
    header_len, record_len = struct.unpack("<HH", raw[8:12])
    _head(dbf, 1_500_000)
    present = (1_500_000 - header_len) // record_len
    message = _refused(engine, settings, farmland_copy)
    assert "farmland.dbf" in message and f"{declared}" in message and f"{present}" in message


def _corrupt_parts(shp: Path, record: int) -> None:
    """Give polygon ``record`` (1-based) an absurd part count, lengths untouched."""
    shx = shp.with_suffix(".shx").read_bytes()
    offset = struct.unpack(">i", shx[100 + 8 * (record - 1) : 104 + 8 * (record - 1)])[0] * 2
    raw = bytearray(shp.read_bytes())
    assert struct.unpack("<i", raw[offset + 8 : offset + 12])[0] == 5  # a polygon
    raw[offset + 44 : offset + 48] = struct.pack("<i", 10_000_000)  # nParts
    shp.write_bytes(bytes(raw))


def test_gdal_errors_during_a_read_are_collected(farmland_copy):
    _corrupt_parts(farmland_copy, 7)
    with gdal_messages() as messages:
        frame = pyogrio.read_dataframe(farmland_copy, columns=[])
    assert frame.geometry.isna().sum() == 1  # GDAL "succeeds" with a parcel short
    assert len(messages) >= 1 and messages[0].level == 3  # CE_Failure


def test_a_shape_gdal_cannot_read_refuses_the_file(engine, settings, farmland_copy):
    _corrupt_parts(farmland_copy, 7)
    message = _refused(engine, settings, farmland_copy)
    assert "farmland.shp" in message and "GDAL" in message


def _nonfinite(tmp_path: Path, value: float) -> Path:
    """Three parcels; the second has one vertex whose x is ``value`` (GDAL will not write a
    NaN, so a placeholder x is written and its bytes replaced in the .shp)."""
    prefix = f"NF{token()}"
    geoms = parcels(3)
    x0, y0, x1, y1 = geoms[1].bounds
    placeholder = x1 + 0.000123456789
    # A convex pentagon: without the odd vertex it is still a valid polygon, which is how
    # make_valid used to "repair" it into a different shape.
    geoms[1] = shapely.Polygon(
        [(x0, y0), (x1, y0), (placeholder, (y0 + y1) / 2), (x1, y1), (x0, y1)]
    )
    shp = write_shapefile(farmland_frame(prefix, geoms), tmp_path / "nonfinite.shp")
    raw = shp.read_bytes()
    old, new = struct.pack("<d", placeholder), struct.pack("<d", value)
    assert raw.count(old) >= 1
    shp.write_bytes(raw.replace(old, new))
    return shp


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_a_non_finite_vertex_refuses_the_file(engine, settings, tmp_path, value):
    shp = _nonfinite(tmp_path, value)
    message = _refused(engine, settings, shp)
    assert "第 2 个要素" in message and "non-finite" in message


def test_one_feature_outside_china_among_two_thousand_refuses_the_file(engine, settings, tmp_path):
    prefix = f"OC{token()}"
    x0, y0 = 113.2731, 31.7452
    geoms = [
        shapely.box(
            x0 + (i % 50) * 0.001,
            y0 + (i // 50) * 0.001,
            x0 + (i % 50) * 0.001 + 0.0005,
            y0 + (i // 50) * 0.001 + 0.0005,
        )
        for i in range(2_000)
    ]
    geoms[1_001] = shapely.box(2.35, 48.85, 2.351, 48.851)  # Paris, not in the CRS's sample
    shp = write_shapefile(farmland_frame(prefix, geoms), tmp_path / "outside.shp")
    message = _refused(engine, settings, shp, CrsError)
    assert "第 1002 个要素" in message and "1 个要素" in message
    assert "EPSG:4490" in message and "area of use" in message


def test_a_projected_feature_far_outside_its_zone_is_refused(engine, settings, tmp_path):
    from tests.etl.loader_helpers import esri_prj, reproject

    prefix = f"OZ{token()}"
    geoms = list(parcels(3))
    geoms[2] = shapely.box(118.60, 31.74, 118.61, 31.75)  # 4.6° east of 114°E: zone 40's land
    projected = reproject(geoms, 4547)  # CGCS2000 / 3-degree GK CM 114E, 112.5–115.5°E
    frame = farmland_frame(prefix, list(projected)).set_crs(4547, allow_override=True)
    shp = write_shapefile(frame, tmp_path / "zone.shp", prj=esri_prj(4547))
    message = _refused(engine, settings, shp, CrsError)
    assert "第 3 个要素" in message and "EPSG:4547" in message
