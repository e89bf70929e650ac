"""The district's name and the map's first view come from the list in force and the loaded
boundary, not from constants (issue 15)."""

from shapely import Point, from_wkb
from sqlalchemy import text

from layers.district_view import district_view
from webmap.page import PageOptions, build_page, platform_title


def test_name_from_the_list_centre_inside_the_loaded_boundary(demo_database) -> None:
    engine, settings = demo_database
    view = district_view(engine, settings)
    assert view.name == "曾都区"
    with engine.connect() as conn:
        boundary = from_wkb(conn.execute(text("SELECT ST_AsBinary(geom) FROM district")).scalar())
    lat, lon = view.center
    assert boundary.contains(Point(lon, lat))


def test_a_list_centre_wins_and_the_page_says_the_list_s_district(demo_database, tmp_path) -> None:
    engine, settings = demo_database
    (tmp_path / "baselines").mkdir()
    (tmp_path / "baselines" / "other.yaml").write_text(
        "name: 某区清单\nmap_center: [30.5, 114.3, 11]\n"
        "district: {code: '421303', name: 某区, lines: []}\n",
        encoding="utf-8",
    )
    other = settings.model_copy(update={"data_dir": tmp_path, "baseline": "other"})
    view = district_view(engine, other)
    assert (view.name, view.center, view.zoom) == ("某区", (30.5, 114.3), 11)
    page = build_page(
        PageOptions(
            tiles_template="/t/{collection}/{z}/{x}/{y}",
            collection_prefix="public.",
            items_template="/i/{collection}",
            title=platform_title(view.name),
            center=view.center,
            zoom=view.zoom,
        )
    )
    assert '<h1 class="ws-title">某区流域底线管控</h1>' in page
    assert "<title>某区流域底线管控平台</title>" in page and "曾都区" not in page
