"""Delineation on small synthetic DEMs whose catchments are known: by hand for a tilted plane,
by an independent steepest-descent walk (written here) for two valleys meeting."""

import numpy as np
import pytest
from rasterio.transform import from_origin

from gis.catchments import BURN_M, delineate, polygons

RES = 10.0
TRANSFORM = from_origin(0.0, 200.0, RES, RES)  # 20 rows × 21 cols, row 0 at y = 200


def plane(rows: int = 20, cols: int = 21) -> np.ndarray:
    """Falling 1 m per row southwards: every cell's steepest descent is due south."""
    return 100.0 - np.arange(rows)[:, None] * 1.0 + np.zeros((1, cols))


def centre(row: int, col: int) -> tuple[float, float]:
    return col * RES + RES / 2, 200.0 - row * RES - RES / 2


def test_tilted_plane_with_one_river() -> None:
    """River down column 10, section at row 12: the river's cells of rows 0–12 and the cells
    either side, which drop 10 m into it rather than 1 m southwards: 3 × 13 = 39 cells."""
    streams = np.zeros((20, 21), bool)
    streams[:, 10] = True
    result = delineate(plane(), -9999.0, TRANSFORM, streams, [("S", *centre(12, 10))])
    mask = result.cells("S")
    assert mask.sum() == 39
    assert mask[:13, 9:12].all()
    [(incremental, whole)] = polygons(result, TRANSFORM).values()
    assert incremental.area == pytest.approx(39 * RES * RES)
    assert whole.equals(incremental)


def test_snapping_distance() -> None:
    streams = np.zeros((20, 21), bool)
    streams[:, 10] = True
    x, y = centre(12, 10)
    result = delineate(
        plane(), -9999.0, TRANSFORM, streams, [("near", x + 100, y), ("far", x + 160, y)]
    )
    near, far = result.snaps
    assert (near.row, near.col, near.distance_m) == (12, 10, 100.0)
    assert far.row is None and "超过 150 m" in far.reason
    assert not result.cells("far").any()


def _two_valleys() -> tuple[np.ndarray, dict[str, tuple[int, int]]]:
    streams = np.zeros((20, 21), bool)
    for r in range(10):
        streams[r, 5] = streams[r, 15] = True
    for k in range(6):
        streams[10 + k, 5 + k] = streams[10 + k, 15 - k] = True  # both meet at (15, 10)
    streams[15:, 10] = True
    sections = {"A": (8, 5), "B": (8, 15), "C": (15, 10), "D": (18, 10)}
    return streams, sections


def _walk(z: np.ndarray, outlets: dict[tuple[int, int], str]) -> np.ndarray:
    """Expected labels: follow each cell's steepest descent (D8, drop / distance) until a
    section's cell; none when the walk ends in a cell without a lower neighbour."""
    rows, cols = z.shape
    labels = np.full(z.shape, "", dtype=object)
    for r in range(rows):
        for c in range(cols):
            here = (r, c)
            while here not in outlets:
                best, step = 0.0, None
                for dr in (-1, 0, 1):
                    for dc in (-1, 0, 1):
                        rr, cc = here[0] + dr, here[1] + dc
                        if (dr or dc) and 0 <= rr < rows and 0 <= cc < cols:
                            slope = (z[here] - z[rr, cc]) / np.hypot(dr, dc)
                            if slope > best:
                                best, step = slope, (rr, cc)
                if step is None:
                    break
                here = step
            labels[r, c] = outlets.get(here, "")
    return labels


def test_two_valleys_meeting_and_a_section_at_the_confluence() -> None:
    streams, sections = _two_valleys()
    dem = plane()
    result = delineate(
        dem, -9999.0, TRANSFORM, streams, [(k, *centre(*rc)) for k, rc in sections.items()]
    )
    expected = _walk(dem - BURN_M * streams, {rc: k for k, rc in sections.items()})
    for code in sections:
        np.testing.assert_array_equal(result.cells(code), expected == code, err_msg=code)
    assert result.downstream == {"A": "C", "B": "C", "C": "D", "D": None}
    assert sorted(result.upstream("D")) == ["A", "B", "C"]
    # The confluence's catchment holds both valleys' and nests inside the outlet's.
    whole_c = result.cells("C", incremental=False)
    assert whole_c.sum() == sum((expected == k).sum() for k in "ABC")
    assert (whole_c <= result.cells("D", incremental=False)).all()
    shapes = polygons(result, TRANSFORM)
    assert shapes["C"][1].area == pytest.approx(whole_c.sum() * RES * RES)
    assert shapes["D"][1].contains(shapes["C"][1].buffer(-1))


def test_bracket_of_a_failing_section() -> None:
    from gis.catchments import bracket

    upstream = [("C", "fail"), ("A", "pass"), ("B", "insufficient"), ("E", "nodata"), ("F", "fail")]
    assert bracket(upstream) == {
        "upstream_failing": ["C", "F"],
        "upstream_passing": ["A"],
        "upstream_unknown": ["B", "E"],
    }
