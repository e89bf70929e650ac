"""Tablet comfort (issue 18, point 6): names on the map without hovering, and search."""

import httpx
import pytest

from tests.webmap.conftest import set_view
from tests.webmap.fixture_data import FARMLAND_BOXES, REDLINE_BOX, SECTIONS

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


@pytest.fixture(scope="module")
def client(server):
    with httpx.Client(
        base_url=server.base_url, timeout=20, headers={"Authorization": f"Bearer {server.token}"}
    ) as http:
        yield http


def _search(client, q):
    response = client.get("/map/search", params={"q": q})
    assert response.status_code == 200, response.text
    return response.json()


def test_search_finds_features_by_the_bureaus_codes_and_names(client):
    parcel = _search(client, "WM0002")[0]  # the third parcel: 0702 农村宅基地
    assert (parcel["kind"], parcel["code"], parcel["label"]) == (
        "parcel",
        "WM0002",
        "农村宅基地 · 何店镇",
    )
    assert parcel["bbox"] == pytest.approx(list(FARMLAND_BOXES["0702"]))
    redline = _search(client, "hx-01")[0]
    assert (redline["kind"], redline["code"]) == ("eco_redline", "HX-01")
    assert redline["bbox"] == pytest.approx(list(REDLINE_BOX))
    assert _search(client, "JB-002")[0]["code"] == "JB-002"
    village = [h for h in _search(client, "何店") if h["kind"] == "village"]
    assert [h["label"] for h in village] == ["何店镇"]  # one result for all its parcels
    boxes = list(FARMLAND_BOXES.values())
    union = [
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    ]
    assert village[0]["bbox"] == pytest.approx(union)
    by_name = {(h["kind"], h["label"]) for h in _search(client, "水库")}
    assert {("reservoir", name) for name in RESERVOIRS} <= by_name
    section = _search(client, "ZD-01")[0]
    assert (section["kind"], section["label"]) == ("section", SECTIONS["ZD-01"][0])
    # an exact code comes before codes it prefixes
    assert _search(client, "XM")[0]["code"] == "XM"
    assert _search(client, "%") == [] and _search(client, "_") == []  # literal, not wildcards


def test_search_needs_a_reader_and_a_query(server):
    with httpx.Client(base_url=server.base_url, timeout=20) as anonymous:
        assert anonymous.get("/map/search", params={"q": "HX"}).status_code == 401
    with httpx.Client(
        base_url=server.base_url, headers={"Authorization": f"Bearer {server.token}"}
    ) as reader:
        assert reader.get("/map/search", params={"q": ""}).status_code == 422


def test_search_box_takes_the_map_there_online_and_offline(context, map_page):
    map_page.fill("#ws-search", "HX-01")
    map_page.press("#ws-search", "Enter")
    hit = map_page.locator('.ws-search-hit[data-kind="eco_redline"]')
    hit.first.wait_for()
    hit.first.click()
    map_page.wait_for_function(
        "([w, s, e, n]) => WS.map.getBounds().contains([[s, w], [n, e]]) && WS.map.getZoom() >= 12",
        arg=list(REDLINE_BOX),
    )
    # offline the layers the page holds are searched on the device
    context.set_offline(True)
    map_page.fill("#ws-search", "先觉庙")
    map_page.press("#ws-search", "Enter")
    map_page.locator(".ws-search-note").wait_for()
    assert "离线" in map_page.inner_text(".ws-search-note")
    labels = map_page.locator(".ws-search-hit .ws-search-label").all_inner_texts()
    assert "先觉庙水库" in labels
    context.set_offline(False)
