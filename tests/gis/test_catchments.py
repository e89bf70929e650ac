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


def tilted() -> np.ndarray:
    """The plane falling also 0.013 m per column eastwards: no two drops tie, so the
    expected walk needs no tie-breaking rule."""
    return plane() - 0.013 * np.arange(21)[None, :]


def _ties(z: np.ndarray) -> np.ndarray:
    """Cells whose two steepest drops are equal: a filled lake is level with its spill cell,
    so the cell beside both may go either way; the comparisons leave these out."""
    rows, cols = z.shape
    out = np.zeros(z.shape, bool)
    for r in range(rows):
        for c in range(cols):
            drops = sorted(
                (z[r, c] - z[r + dr, c + dc]) / np.hypot(dr, dc)
                for dr in (-1, 0, 1)
                for dc in (-1, 0, 1)
                if (dr or dc) and 0 <= r + dr < rows and 0 <= c + dc < cols
            )
            out[r, c] = drops[-1] > 0 and abs(drops[-1] - drops[-2]) < 1e-9
    return out


def _walk_to_lake(z: np.ndarray, lake: np.ndarray, outlets: dict[tuple[int, int], str], code):
    """Expected labels with a lake: the steepest-descent walk of :func:`_walk`, where a walk
    that enters a lake cell belongs to the lake's section ``code``."""
    marked = dict(outlets)
    marked.update({tuple(rc): code for rc in np.argwhere(lake)})
    return _walk(z, marked)


def test_section_in_a_reservoir_far_from_any_river_gets_the_lakes_catchment() -> None:
    """Lake rows 4–7 × cols 1–6, river down column 20, section at (5, 3): 170 m from the river,
    so without the lake it is not delineated. Burned as a flat sink the lake fills to its
    lowest rim (cell (8, 7): 100 − 8 − 7 × 0.013 m, worked out by hand), and the section takes everything
    whose steepest descent on that surface enters the lake."""
    dem = tilted()
    streams = np.zeros((20, 21), bool)
    streams[:, 20] = True
    lake = np.zeros((20, 21), bool)
    lake[4:8, 1:7] = True
    section = [("L", *centre(5, 3))]
    without = delineate(dem, -9999.0, TRANSFORM, streams, section)
    assert without.snaps[0].row is None and "170 m" in without.snaps[0].reason
    result = delineate(dem, -9999.0, TRANSFORM, streams, section, lakes=lake)
    [snap] = result.snaps
    assert snap.lake and snap.distance_m == 0.0 and lake[snap.row, snap.col]
    conditioned = dem - BURN_M * streams
    conditioned[lake] = 100.0 - 8 - 7 * 0.013
    expected = _walk_to_lake(conditioned, lake, {}, "L") == "L"
    judged = ~_ties(conditioned)
    assert (~judged).sum() <= 2
    np.testing.assert_array_equal(result.cells("L")[judged], expected[judged])
    assert expected[:4, 1:7].all() and not expected[8:].any()  # the slope above, nothing below
    assert result.downstream == {"L": None}


def test_lake_on_a_river_sits_between_the_sections_up_and_down() -> None:
    """River down column 10 through a lake (rows 6–9 × cols 7–13); sections U (row 2) and D
    (row 16) on the river, L in the lake off the river line. L snaps to the lake's outlet,
    U drains to L and L to D; the increments match independent walks."""
    streams = np.zeros((20, 21), bool)
    streams[:, 10] = True
    lake = np.zeros((20, 21), bool)
    lake[6:10, 7:14] = True
    sections = {"U": (2, 10), "L": (7, 8), "D": (16, 10)}
    dem = tilted()
    result = delineate(
        dem,
        -9999.0,
        TRANSFORM,
        streams,
        [(k, *centre(*rc)) for k, rc in sections.items()],
        lakes=lake,
    )
    snap = result.snaps[1]
    # the outlet: one of the lake's cells beside (10, 10), where the river leaves the lake
    assert snap.lake and snap.row == 9 and snap.col in (9, 10, 11)
    assert result.downstream == {"U": "L", "L": "D", "D": None}
    conditioned = dem - BURN_M * streams
    conditioned[lake] = (100.0 - 9 - 13 * 0.013) - BURN_M  # lowest lake cell less the burn
    expected = _walk_to_lake(conditioned, lake, {(2, 10): "U", (16, 10): "D"}, "L")
    judged = ~_ties(conditioned)
    assert (~judged).sum() <= 2
    for code in sections:
        got, want = result.cells(code)[judged], (expected == code)[judged]
        np.testing.assert_array_equal(got, want, err_msg=code)
    whole = result.cells("L", incremental=False)
    assert (result.cells("U") <= whole).all() and (whole <= result.cells("D", False)).all()


def test_two_sections_in_one_lake_share_its_outlet() -> None:
    streams = np.zeros((20, 21), bool)
    streams[:, 10] = True
    lake = np.zeros((20, 21), bool)
    lake[6:10, 7:14] = True
    result = delineate(
        plane(),
        -9999.0,
        TRANSFORM,
        streams,
        [("A", *centre(7, 8)), ("B", *centre(8, 12))],
        lakes=lake,
    )
    assert result.shared == {"B": "A"}
    assert result.cells("A").sum() > lake.sum() and not result.cells("B").any()
