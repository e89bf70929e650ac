"""GeoJSON and KML are counted while streaming, before GDAL opens them (issue 16, defect 5).

Expected counts are worked out from shapely (``get_num_coordinates``) or by hand, not from
the counter. A file of 10^6 features is refused by the counter — its message says
"已读到 <limit + 1>", which only a count stopping at the first feature over the limit can
say (GDAL's count reports the whole file's) — and nothing is written.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import shapely
from shapely.geometry import mapping

from etl.counting import check_streamed_counts
from etl.loader import load_file
from gis.errors import InvalidInputError
from tests.etl.loader_helpers import fingerprint

KML_NS = "http://www.opengis.net/kml/2.2"
POLYGON = shapely.Polygon(
    [(113.0, 31.0), (113.01, 31.0), (113.01, 31.01), (113.0, 31.01)],
    holes=[[(113.002, 31.002), (113.004, 31.002), (113.004, 31.004)]],
)
LINE = shapely.LineString([(113.0, 31.0), (113.1, 31.1), (113.2, 31.0)])
MULTI = shapely.MultiPolygon([POLYGON, shapely.box(113.1, 31.1, 113.2, 31.2)])
SHAPES = [POLYGON, LINE, MULTI, shapely.Point(113.5, 31.5)]


def geojson(path: Path, geometries) -> Path:
    features = [
        {"type": "Feature", "properties": {"名称": f"地块{i}", "coordinates": [1, 2]},
         "geometry": mapping(g)}
        for i, g in enumerate(geometries)
    ]  # fmt: skip
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def test_geojson_counts_are_exact(tmp_path: Path) -> None:
    path = geojson(tmp_path / "a.geojson", SHAPES)
    vertices = int(shapely.get_num_coordinates(SHAPES).sum())
    assert vertices == 9 + 3 + 14 + 1  # by hand: rings of 5 + 4 positions, 3, 9 + 5, 1
    # A property named "coordinates" is not a position: only geometry arrays count.
    assert check_streamed_counts(path, None, None) == (4, vertices)


def test_a_lone_feature_or_geometry_is_one_feature(tmp_path: Path) -> None:
    lone = tmp_path / "lone.json"
    lone.write_text(json.dumps({"type": "Feature", "properties": {}, "geometry": mapping(LINE)}))
    assert check_streamed_counts(lone, None, None) == (1, 3)
    bare = tmp_path / "bare.geojson"
    bare.write_text(json.dumps(mapping(POLYGON)))
    assert check_streamed_counts(bare, None, None) == (1, 9)


def kml(path: Path, placemarks: list[str], head: str = "") -> Path:
    body = "".join(placemarks)
    path.write_text(
        f'<?xml version="1.0" encoding="UTF-8"?>{head}<kml xmlns="{KML_NS}" '
        'xmlns:gx="http://www.google.com/kml/ext/2.2"><Document><Folder>'
        f"{body}</Folder></Document></kml>",
        encoding="utf-8",
    )
    return path


RING = "113,31,0 113.01,31,0\n 113.01,31.01,0  113,31.01,0 113,31,0"  # 5 tuples
PLACEMARKS = [
    f"<Placemark><name>甲</name><Polygon><outerBoundaryIs><LinearRing><coordinates>{RING}"
    "</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>",
    "<Placemark><MultiGeometry><Point><coordinates>113,31</coordinates></Point>"
    "<LineString><coordinates>113,31 113.1,31.1</coordinates></LineString></MultiGeometry>"
    "</Placemark>",
    "<Placemark><gx:Track><gx:coord>113 31 0</gx:coord><gx:coord>113.1 31 0</gx:coord>"
    "</gx:Track></Placemark>",
]


def test_kml_counts_are_exact(tmp_path: Path) -> None:
    path = kml(tmp_path / "a.kml", PLACEMARKS)
    assert check_streamed_counts(path, None, None) == (3, 5 + 1 + 2 + 2)


def test_kml_declaring_entities_is_refused_before_any_is_expanded(tmp_path: Path) -> None:
    laughs = (
        '<!DOCTYPE kml [<!ENTITY a "aaaaaaaaaa">'
        + "".join(
            f'<!ENTITY {c} "{("&" + p + ";") * 10}">'
            for p, c in zip("abcdefgh", "bcdefghi", strict=True)
        )
        + "]>"
    )
    path = kml(tmp_path / "bomb.kml", ["<Placemark><name>&i;</name></Placemark>"], laughs)
    with pytest.raises(InvalidInputError, match="DTD/entities forbidden"):
        check_streamed_counts(path, 10, 10)
    external = kml(
        tmp_path / "file.kml",
        ["<Placemark><name>&x;</name></Placemark>"],
        '<!DOCTYPE kml [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
    )
    with pytest.raises(InvalidInputError, match="DTD/entities forbidden"):
        check_streamed_counts(external, 10, 10)
    # A bare DOCTYPE declares nothing: counted as usual.
    plain = kml(tmp_path / "plain.kml", PLACEMARKS[:1], "<!DOCTYPE kml>")
    assert check_streamed_counts(plain, 10, 10) == (1, 5)


def test_a_utf8_bom_is_read_past_and_a_gbk_kml_is_refused(tmp_path: Path) -> None:
    # GDAL reads a GeoJSON past its BOM (Windows tools write one); so does the count.
    bom = tmp_path / "bom.geojson"
    body = json.dumps({"type": "Feature", "properties": {}, "geometry": mapping(LINE)})
    bom.write_bytes(b"\xef\xbb\xbf" + body.encode())
    assert check_streamed_counts(bom, 10, 10) == (1, 3)
    # A KML declared GBK: expat (GDAL's too) cannot read it; refused by name, not a 500.
    gbk = tmp_path / "gbk.kml"
    gbk.write_bytes(
        '<?xml version="1.0" encoding="GBK"?><kml><Placemark><name>红线</name></Placemark></kml>'.encode(
            "gbk"
        )
    )
    with pytest.raises(InvalidInputError, match=r"gbk\.kml 声明的字符编码无法读取"):
        check_streamed_counts(gbk, 10, 10)


def test_broken_files_are_refused_by_name(tmp_path: Path) -> None:
    bad = tmp_path / "bad.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": [{"type": ')
    with pytest.raises(InvalidInputError, match=r"bad\.geojson 不是有效的 JSON") as refused:
        check_streamed_counts(bad, 10, 10)
    assert "\n" not in refused.value.message
    broken = tmp_path / "broken.kml"
    broken.write_text("<kml><Document><Placemark>")
    with pytest.raises(InvalidInputError, match=r"broken\.kml 不是有效的 KML/XML"):
        check_streamed_counts(broken, 10, 10)


MILLION = 1_000_000


def million_geojson(path: Path) -> Path:
    item = (
        b'{"type":"Feature","properties":null,"geometry":{"type":"Point","coordinates":[113,31]}}'
    )
    with path.open("wb") as f:
        f.write(b'{"type":"FeatureCollection","features":[')
        f.write(b",".join([item] * MILLION))
        f.write(b"]}")
    return path


def million_kml(path: Path) -> Path:
    item = b"<Placemark><Point><coordinates>113,31</coordinates></Point></Placemark>"
    with path.open("wb") as f:
        f.write(f'<?xml version="1.0" encoding="UTF-8"?><kml xmlns="{KML_NS}"><Document>'.encode())
        f.write(item * MILLION)
        f.write(b"</Document></kml>")
    return path


@pytest.mark.parametrize("make", [million_geojson, million_kml], ids=["geojson", "kml"])
def test_a_million_features_are_refused_by_the_streaming_count(
    make, tmp_path: Path, engine, settings
) -> None:
    path = make(tmp_path / f"big.{'kml' if make is million_kml else 'geojson'}")
    limited = settings.model_copy(update={"max_features": 10_000})
    before = [fingerprint(engine, t) for t in ("eco_redline", "loads")]
    with pytest.raises(InvalidInputError) as refused:
        load_file(engine, path, "eco_redline", settings=limited)
    assert str(refused.value).startswith(
        f"{path.name} 的要素数 超过 10000（已读到 10001），超过上限 10000（too many features）。"
    )
    assert [fingerprint(engine, t) for t in ("eco_redline", "loads")] == before


def test_vertices_over_the_limit_stop_the_count(tmp_path: Path) -> None:
    ring = shapely.Point(113, 31).buffer(0.01, quad_segs=500)  # 4 × 500 + 1 = 2001 positions
    path = geojson(tmp_path / "v.geojson", [ring, ring])
    with pytest.raises(InvalidInputError, match="顶点数 超过 3000（已读到 3001）"):
        check_streamed_counts(path, None, 3000)
    assert check_streamed_counts(path, None, 4002) == (2, 4002)
