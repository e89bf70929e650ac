"""Writes the project-input fixtures (界址点 TXT in the 部标 format, DXF) under
``tests/etl/fixtures/project_inputs/``: three plots in the API tests' fixture area, as a bureau
hands them in, and the malformed variants. Regenerate with
``PYTHONPATH=. python -m tests.etl.project_inputs``; the files are committed so a reader can
open them, and the tests compare what the readers make of them with the plots below.
"""

from pathlib import Path

import ezdxf
import shapely
from pyproj import Transformer
from shapely.geometry import Polygon, box
from shapely.geometry.polygon import orient

FOLDER = Path(__file__).parent / "fixtures" / "project_inputs"
ZONE = 38
ZONE_EPSG = 4526  # CGCS2000 3-degree zone 38, zone number in the easting

#: (name, code, lon/lat outline): in 生态保护红线 A (with a hole), in 永久基本农田 B, in the orchard
PLOTS = (
    (
        "一号地块",
        "DK01",
        box(114.005, 24.505, 114.012, 24.512).difference(box(114.007, 24.507, 114.009, 24.509)),
    ),
    ("二号地块", "DK02", box(114.025, 24.505, 114.032, 24.512)),
    ("三号地块", "DK03", box(114.012, 24.522, 114.018, 24.528)),
)

_TO_GK = Transformer.from_crs(4490, ZONE_EPSG, always_xy=True)


def gk(polygon: Polygon) -> Polygon:
    """The outline's vertices in zone 38 (easting with the zone number, northing), to the mm."""

    def ring(coords):
        return [tuple(round(v, 3) for v in _TO_GK.transform(x, y)) for x, y in coords]

    polygon = orient(polygon, sign=-1.0)
    return Polygon(ring(polygon.exterior.coords), [ring(h.coords) for h in polygon.interiors])


def _header(zone: int | None = ZONE, system: str = "2000国家大地坐标系") -> list[str]:
    lines = [
        "[属性描述]",
        "格式版本号=1.01",
        "数据产生单位=曾都区自然资源和规划局",
        "数据产生日期=2026-11-30",
        f"坐标系={system}",
        "几度分带=3",
        "投影类型=高斯克吕格",
        "计量单位=米",
    ]
    if zone is not None:
        lines.append(f"带号={zone}")
    return [*lines, "精度=0.001", "[地块坐标]"]


def txt(*, zone_in_y: bool = True, header_zone: int | None = ZONE, swap: bool = False) -> str:
    lines = _header(header_zone)
    for name, code, outline in PLOTS:
        polygon = gk(outline)
        rings = [polygon.exterior, *polygon.interiors]
        count = sum(len(r.coords) for r in rings)
        lines.append(f"{count},{polygon.area / 10_000:.4f},{code},{name},面,,建设用地,,@")
        number = 0
        for ring_no, ring in enumerate(rings, start=1):
            coords = list(ring.coords)[:-1]
            labels = [number + i + 1 for i in range(len(coords))]
            number += len(coords)
            # each ring closes on its first point, as the format writes it
            for label, (east, north) in zip(
                [*labels, labels[0]], [*coords, coords[0]], strict=True
            ):
                y = east if zone_in_y else east - ZONE * 1_000_000
                x_text, y_text = f"{north:.3f}", f"{y:.3f}"
                if swap:
                    x_text, y_text = y_text, x_text
                lines.append(f"J{label},{ring_no},{x_text},{y_text}")
    return "\n".join(lines) + "\n"


def dxf(path: Path, *, zone_in_x: bool = True, closed: bool = True) -> None:
    doc = ezdxf.new("R2000")
    space = doc.modelspace()
    for name, _, outline in PLOTS:
        polygon = gk(outline)
        doc.layers.add(name)
        for ring in (polygon.exterior, *polygon.interiors):
            coords = list(ring.coords)[:-1]
            if not zone_in_x:
                coords = [(e - ZONE * 1_000_000, n) for e, n in coords]
            space.add_lwpolyline(coords, close=closed, dxfattribs={"layer": name})
        space.add_text(name, dxfattribs={"layer": name})  # a label, not a boundary
    doc.saveas(path)


def write_all() -> None:
    FOLDER.mkdir(parents=True, exist_ok=True)
    (FOLDER / "three_plots.txt").write_text(txt(), encoding="utf-8")
    plain = txt(zone_in_y=False)
    (FOLDER / "zone_in_header_only_gbk.txt").write_bytes(plain.encode("gbk"))
    (FOLDER / "swapped_columns.txt").write_text(txt(swap=True), encoding="utf-8")
    good = txt().splitlines()
    bad_number = [*good]
    bad_number[14] = bad_number[14].replace(".", "x", 1)
    (FOLDER / "malformed_coordinate.txt").write_text("\n".join(bad_number), encoding="utf-8")
    mismatch = txt(header_zone=37)
    (FOLDER / "malformed_zone_mismatch.txt").write_text(mismatch, encoding="utf-8")
    (FOLDER / "malformed_no_zone.txt").write_text(
        txt(zone_in_y=False, header_zone=None), encoding="utf-8"
    )
    no_plot = [line for line in good if not line.endswith("@")]
    (FOLDER / "malformed_no_plot_line.txt").write_text("\n".join(no_plot), encoding="utf-8")
    dxf(FOLDER / "three_plots.dxf")
    dxf(FOLDER / "no_zone.dxf", zone_in_x=False)
    dxf(FOLDER / "malformed_open_polylines.dxf", closed=False)
    (FOLDER / "malformed_not_a_dxf.dxf").write_text("0\nSECTION\n2\nHEADER\n", encoding="ascii")


def expected_plot_gk(index: int) -> shapely.Geometry:
    return gk(PLOTS[index][2])


if __name__ == "__main__":
    write_all()
