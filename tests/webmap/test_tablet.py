"""Tablet comfort (issue 18, point 6): names on the map without hovering, and search."""

from tests.webmap.conftest import set_view
from tests.webmap.fixture_data import SECTIONS

RESERVOIRS = {"先觉庙水库", "两河口水库", "新庙水库"}
RIVERS = {"府澴河", "漂水"}
CENTRE = (31.725, 113.35)


def visible_labels(page, key: str) -> set[str]:
    return set(
        page.evaluate(
            """key => [...document.querySelectorAll('.ws-label-' + key)]
                .filter(el => getComputedStyle(el).display !== 'none')
                .map(el => el.textContent)""",
            key,
        )
    )


def test_labels_appear_at_their_zoom_and_not_before(map_page):
    set_view(map_page, *CENTRE, 10)  # the whole district: names would crowd
    for key in ("sections", "reservoirs", "rivers"):
        assert visible_labels(map_page, key) == set(), key
    set_view(map_page, *CENTRE, 11)
    assert visible_labels(map_page, "rivers") == RIVERS
    assert visible_labels(map_page, "sections") == set()
    set_view(map_page, *CENTRE, 12)
    assert visible_labels(map_page, "sections") == {name for name, *_ in SECTIONS.values()}
    assert visible_labels(map_page, "reservoirs") == RESERVOIRS
    # a label is text on the map, not a box that catches taps meant for the features
    assert (
        map_page.evaluate(
            "getComputedStyle(document.querySelector('.ws-label-sections')).pointerEvents"
        )
        == "none"
    )
