"""DBF encoding detection on real shapefiles, and the mojibake check."""

import warnings
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely

from etl.encoding import check_no_mojibake, detect_dbf_encoding
from gis.errors import EncodingError

# 㵐 (U+3D50, CJK Extension A) is in GB18030 but not in GBK/CP936: 㵐水 flows through 曾都区.
NAMES = ["涢水片区", "㵐水片区", "府河片区"]
DLMC = ["水田", "旱地", "水浇地"]


def _write(folder: Path, encoding: str, names=NAMES, dlmc=DLMC, *, keep_cpg: bool = True) -> Path:
    """Write a point shapefile with Chinese attributes; drop the .cpg like old ArcGIS."""
    frame = gpd.GeoDataFrame(
        {"NAME": names, "DLMC": dlmc},
        geometry=[shapely.Point(113.37, 31.72)] * len(names),
        crs=4490,
    )
    path = folder / "units.shp"
    pyogrio.write_dataframe(frame, path, encoding=encoding)
    if not keep_cpg:
        path.with_suffix(".cpg").unlink()
    return path


def _set_ldid(path: Path, ldid: int) -> None:
    dbf = path.with_suffix(".dbf")
    raw = bytearray(dbf.read_bytes())
    raw[29] = ldid
    dbf.write_bytes(bytes(raw))


def _replace_in_dbf(path: Path, old: bytes, new: bytes) -> None:
    dbf = path.with_suffix(".dbf")
    raw = dbf.read_bytes()
    assert old in raw and len(old) == len(new)
    dbf.write_bytes(raw.replace(old, new))


def test_gbk_cannot_hold_the_river_name_but_gb18030_can():
    with pytest.raises(UnicodeEncodeError):
        "㵐".encode("gbk")
    assert "㵐".encode("gb18030").decode("gb18030") == "㵐"


def test_utf8_with_cpg(tmp_path):
    path = _write(tmp_path, "UTF-8")
    assert path.with_suffix(".cpg").read_text() == "UTF-8"  # pyogrio writes the .cpg itself
    found = detect_dbf_encoding(path)
    assert (found.encoding, found.source) == ("utf-8", "cpg")
    assert ".cpg" in found.reason


def test_gb18030_with_cpg_keeps_every_name(tmp_path):
    path = _write(tmp_path, "GB18030")
    found = detect_dbf_encoding(path)
    assert (found.encoding, found.source) == ("gb18030", "cpg")
    names = pyogrio.read_dataframe(path, encoding=found.encoding)["NAME"].tolist()
    assert names == NAMES


@pytest.mark.parametrize(
    ("cpg", "codec"),
    [
        ("GBK", "gb18030"),
        ("936", "gb18030"),
        ("CP936", "gb18030"),
        ("GB2312", "gb18030"),
        ("gb18030\r\n", "gb18030"),
        ("ANSI 936", "gb18030"),
    ],
)
def test_gbk_family_cpg_values_map_to_gb18030(tmp_path, cpg, codec):
    path = _write(tmp_path, "GB18030")
    path.with_suffix(".cpg").write_text(cpg)
    assert detect_dbf_encoding(path).encoding == codec


@pytest.mark.parametrize(
    ("cpg", "codec"),
    [("UTF-8", "utf-8"), ("utf8", "utf-8"), ("65001", "utf-8"), ("1252", "cp1252")],
)
def test_other_cpg_values(tmp_path, cpg, codec):
    path = _write(tmp_path, "UTF-8", ["Yunshui"] * 3, ["0101", "0102", "0103"])
    path.with_suffix(".cpg").write_text(cpg)
    assert detect_dbf_encoding(path).encoding == codec


def test_cpg_with_a_byte_order_mark(tmp_path):
    path = _write(tmp_path, "UTF-8")
    path.with_suffix(".cpg").write_bytes(b"\xef\xbb\xbfUTF-8\r\n")  # saved by Notepad
    assert detect_dbf_encoding(path).encoding == "utf-8"


def test_unknown_cpg_is_refused(tmp_path):
    path = _write(tmp_path, "UTF-8")
    path.with_suffix(".cpg").write_text("KLINGON")
    with pytest.raises(EncodingError, match="--encoding"):
        detect_dbf_encoding(path)


def test_cpg_that_contradicts_the_bytes_is_refused(tmp_path):
    path = _write(tmp_path, "GB18030")
    path.with_suffix(".cpg").write_text("UTF-8")
    with pytest.raises(EncodingError, match="gb18030"):
        detect_dbf_encoding(path)


def test_old_arcgis_gbk_without_cpg_is_sniffed(tmp_path):
    path = _write(tmp_path, "GB18030", keep_cpg=False)
    assert path.with_suffix(".dbf").read_bytes()[29] == 0  # GDAL leaves the LDID empty
    found = detect_dbf_encoding(path)
    assert (found.encoding, found.source) == ("gb18030", "gb18030")
    assert "不是 UTF-8" in found.reason


@pytest.mark.parametrize("ldid", [0x4D, 0x7A])
def test_language_driver_byte_936(tmp_path, ldid):
    path = _write(tmp_path, "GB18030", keep_cpg=False)
    _set_ldid(path, ldid)
    found = detect_dbf_encoding(path)
    assert (found.encoding, found.source) == ("gb18030", "ldid")
    assert f"0x{ldid:02X}" in found.reason and "936" in found.reason


def test_ansi_language_driver_falls_through_to_the_bytes(tmp_path):
    path = _write(tmp_path, "UTF-8", keep_cpg=False)
    _set_ldid(path, 0x57)
    found = detect_dbf_encoding(path)
    assert (found.encoding, found.source) == ("utf-8", "utf8")
    assert "0x57" in found.reason


def test_utf8_without_cpg_is_sniffed(tmp_path):
    path = _write(tmp_path, "UTF-8", keep_cpg=False)
    assert detect_dbf_encoding(path).source == "utf8"


def test_utf8_cut_mid_character_by_the_field_width_is_still_utf8(tmp_path):
    path = _write(tmp_path, "UTF-8", keep_cpg=False)
    # Every 片区 loses the last byte of 区, as writers that truncate by bytes leave it.
    _replace_in_dbf(path, "区 ".encode(), b"\xe5\x8c  ")
    assert detect_dbf_encoding(path).encoding == "utf-8"


def test_ascii_only_reads_as_utf8(tmp_path):
    path = _write(tmp_path, "UTF-8", ["A1", "B2", "C3"], ["0101", "0103", "0102"], keep_cpg=False)
    found = detect_dbf_encoding(path)
    assert (found.encoding, found.source) == ("utf-8", "utf8")
    assert "ASCII" in found.reason


def test_override_wins_and_gbk_means_gb18030(tmp_path):
    path = _write(tmp_path, "GB18030")
    path.with_suffix(".cpg").write_text("UTF-8")  # wrong, but the user knows better
    found = detect_dbf_encoding(path, override="GBK")
    assert (found.encoding, found.source) == ("gb18030", "override")


def test_undecodable_bytes_are_refused(tmp_path):
    path = _write(tmp_path, "GB18030", keep_cpg=False)
    _replace_in_dbf(path, "府河".encode("gb18030"), b"\xff\xfe\xff\xfe")
    with pytest.raises(EncodingError, match="--encoding"):
        detect_dbf_encoding(path)


def test_upper_case_extensions_from_windows(tmp_path):
    path = _write(tmp_path, "GB18030")
    for suffix in (".dbf", ".cpg"):
        path.with_suffix(suffix).rename(path.with_suffix(suffix.upper()))
    found = detect_dbf_encoding(path)
    assert (found.encoding, found.source) == ("gb18030", "cpg")


def test_missing_dbf(tmp_path):
    with pytest.raises(EncodingError, match=r"\.dbf"):
        detect_dbf_encoding(tmp_path / "nothing.shp")


# --- mojibake ------------------------------------------------------------------------------


def test_gbk_read_as_latin1_by_gdal_is_caught(tmp_path):
    path = _write(tmp_path, "GB18030", names=["涢水片区", "府河片区", "曾都区"], keep_cpg=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        names = pyogrio.read_dataframe(path)["NAME"].tolist()  # GDAL assumes ISO-8859-1
    assert names[0] != "涢水片区"
    with pytest.raises(EncodingError, match="NAME"):
        check_no_mojibake(names, field="NAME")


def test_utf8_read_as_gbk_is_caught(tmp_path):
    path = _write(tmp_path, "UTF-8", names=["涢水片区", "府河片区", "曾都区"])
    names = pyogrio.read_dataframe(path, encoding="gb18030")["DLMC"].tolist()
    assert names == ["姘寸敯", "鏃卞湴", "姘存祰鍦"]
    with pytest.raises(EncodingError, match="乱码"):
        check_no_mojibake(names)


@pytest.mark.parametrize(
    "bad",
    [
        "ÖÐ¹ú",  # 中国, GBK read as Latin-1
        "Ë®Ìï",  # 水田, GBK read as Latin-1
        "æ°´ç”°",  # 水田, UTF-8 read as cp1252
        "ä¸\xadå\x9b½",  # 中国, UTF-8 read as Latin-1
        "鏃卞湴",  # 旱地, UTF-8 read as GBK
        "姘镐箙鍩烘湰鍐滅敯",  # 永久基本农田, UTF-8 read as GBK
        "涢水\ufffd",  # replacement character
        "\udcd6\udcd0",  # surrogateescape leftovers
    ],
)
def test_mojibake_patterns(bad):
    with pytest.raises(EncodingError):
        check_no_mojibake(["水田", bad])


def test_clean_values_pass():
    check_no_mojibake(
        [
            *NAMES,
            *DLMC,
            "永久基本农田",
            "生态保护红线",
            "10°C",
            "面积 m²",
            "±0.5",
            "买买提·艾力",
            "“水田”……——",
            "Café",
            "",
            None,
        ]
    )
