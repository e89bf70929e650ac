"""Every layer card is complete, consistent with its table, and read by the map, the loader
and the overlap report (one place per layer: adding a layer = model module, migration, card)."""

import re
import typing

import pytest
from sqlalchemy import Engine, text

from etl import aliases
from gis.overlap import CoverageBasis, Severity
from layers import models, registry
from layers.models.base import LayerMixin
from layers.overlap import COVERAGE, RULES, overlap_sql
from layers.registry import LAYERS, PROTECTED_LAYERS, SPATIAL_LAYERS, PopupFormat
from layers.sql import quote_identifier
from webmap.layers import map_layers

CARDS = list(LAYERS.values())
HAN = re.compile(r"[\u4e00-\u9fff]")
SHARED = {"id", "source", "extra", "geom"}  # LayerMixin's columns and the geometry


def columns(spec) -> set[str]:
    return {c.name for c in spec.model.__table__.columns}


@pytest.mark.parametrize("spec", CARDS, ids=lambda s: s.key)
def test_schema_module_is_named_by_the_layer_key(spec):
    assert spec.table == spec.key
    assert spec.model.__module__ == f"layers.models.{spec.key}"
    assert getattr(models, spec.model.__name__) is spec.model  # layers.models still exports it
    assert HAN.search(spec.name_zh)


def test_every_layer_model_has_a_card():
    layer_models = {
        m.class_.__tablename__
        for m in models.Base.registry.mappers
        if issubclass(m.class_, LayerMixin)
    }
    assert layer_models == set(SPATIAL_LAYERS)


@pytest.mark.parametrize("spec", SPATIAL_LAYERS.values(), ids=lambda s: s.key)
def test_spatial_card_is_complete(spec):
    cols = columns(spec)
    assert spec.map_order is not None, "every spatial layer has a place on the map"
    assert spec.delivery in ("geojson", "tiles")
    assert spec.style.get("color") or spec.style.get("fillColor")
    for named in (spec.label_field, spec.code_field, spec.location_field):
        assert named is None or named in cols, named
    # Loader aliases: each key a real column the file can fill, each alias non-empty.
    assert spec.aliases, "the loader must know the bureau's field names"
    for column, names in spec.aliases.items():
        assert column in cols - SHARED, column
        assert names and all(n.strip() for n in names), column
    # A required column (NOT NULL, no default) the loader could never fill would refuse every
    # file: each one has aliases.
    assert set(aliases.required_columns(spec)) <= set(spec.aliases)
    # Popup fields: real columns, Chinese labels, known formats.
    formats = set(typing.get_args(PopupFormat))
    for f in spec.popup_fields:
        assert f.column in cols - {"geom"}, f.column
        assert HAN.search(f.label) and f.format in formats


def test_map_orders_are_distinct():
    orders = [s.map_order for s in SPATIAL_LAYERS.values()]
    assert len(set(orders)) == len(orders)
    assert list(registry.MAP_LAYERS) == sorted(SPATIAL_LAYERS, key=lambda k: LAYERS[k].map_order)


def test_attribute_only_tables_are_not_on_the_map():
    for spec in CARDS:
        if spec.geometry_type is None:
            assert spec.map_order is None and spec.delivery == "none" and not spec.protected


@pytest.mark.parametrize("key", PROTECTED_LAYERS)
def test_protected_card_carries_its_overlap_rule(key):
    spec = LAYERS[key]
    rule = spec.overlap
    assert rule.severity in typing.get_args(Severity)
    assert rule.coverage in typing.get_args(CoverageBasis)
    assert HAN.search(rule.advice) and rule.advice.endswith("。")
    assert spec.net_area_field is None or spec.net_area_field in columns(spec)


def test_overlap_only_settings_only_on_protected_cards():
    for spec in CARDS:
        if not spec.protected:
            assert spec.overlap_filter is None and spec.net_area_field is None, spec.key


def test_the_map_reads_the_cards():
    shown = map_layers("/ogc/collections/{collection}/tiles/{z}/{x}/{y}", lambda t: f"public.{t}")
    assert [m.key for m in shown] == list(registry.MAP_LAYERS)
    assert set(registry.MAP_LAYERS) == set(SPATIAL_LAYERS)
    for layer in shown:
        config = layer.config()
        spec = LAYERS[layer.key]
        assert config["name"] == spec.name_zh
        assert config["popup_fields"] == [list(f) for f in spec.popup_fields]
        assert config["style"] == dict(spec.style)
        if spec.delivery == "tiles":  # the tiles carry exactly the popup's attributes
            props = layer.tiles_url.split("?properties=")[1].split(",")
            assert props == ["id", *(f.column for f in spec.popup_fields)]


def test_the_loader_reads_the_cards():
    for spec in SPATIAL_LAYERS.values():
        assert [c.name for c in aliases.model_columns(spec)] == [
            c.name for c in spec.model.__table__.columns if c.name in spec.aliases
        ]
        for column, names in spec.aliases.items():
            assert aliases.accepted_names(spec.key, column)[: len(names)] == names
            # The first alias of each column, as a file would name it, is matched to it.
            assert aliases.match_fields(spec.key, [names[0].lower()]) == {column: names[0].lower()}
    # Value normalisers are keyed by a real layer column the loader fills.
    for layer, column in aliases.NORMALISERS:
        assert column in LAYERS[layer].aliases, (layer, column)


def test_the_overlap_report_reads_the_cards():
    assert set(RULES) == set(PROTECTED_LAYERS)
    assert all(RULES[k] is LAYERS[k].overlap for k in PROTECTED_LAYERS)
    assert {k: LAYERS[k].overlap.coverage for k in PROTECTED_LAYERS} == COVERAGE
    statement = overlap_sql()
    for key in PROTECTED_LAYERS:
        assert quote_identifier(LAYERS[key].table) in statement
    assert LAYERS["farmland"].overlap_filter in statement


def test_projects_card_names_every_kind_of_project():
    # The layer holds 拟建 outlines and 已批/在建/已建 projects alike.
    assert LAYERS["projects"].name_zh == "建设项目"


def test_presence_probes_cover_every_spatial_table():
    from layers.checks.context import PRESENCE_LAYERS as probed_by_checks

    assert set(registry.PRESENCE_LAYERS) == {s.table for s in SPATIAL_LAYERS.values()}
    assert set(probed_by_checks) <= set(registry.PRESENCE_LAYERS)


def test_cards_match_the_migrated_tables(engine: Engine):
    """The columns the cards name exist in the database the migrations built (not only in
    the models), with the geometry type the card declares."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT table_name, column_name FROM information_schema.columns "
                "WHERE table_schema = 'public' AND table_name = ANY(:tables)"
            ),
            {"tables": [s.table for s in CARDS]},
        ).all()
        geometry = dict(
            conn.execute(
                text(
                    "SELECT f_table_name, type FROM geometry_columns "
                    "WHERE f_table_schema = 'public' AND f_geometry_column = 'geom'"
                )
            ).all()
        )
    in_db: dict[str, set[str]] = {}
    for table, column in rows:
        in_db.setdefault(table, set()).add(column)
    for spec in CARDS:
        named = {*spec.aliases, *(f.column for f in spec.popup_fields)}
        named |= {spec.label_field, spec.code_field, spec.location_field} - {None}
        if spec.net_area_field:
            named.add(spec.net_area_field)
        assert named <= in_db[spec.table], (spec.key, named - in_db[spec.table])
        if spec.geometry_type:
            assert geometry[spec.table] == spec.geometry_type, spec.key


def test_cards_are_read_only():
    spec = LAYERS["eco_redline"]
    with pytest.raises(TypeError):
        spec.style["color"] = "#000000"  # type: ignore[index]
    with pytest.raises(TypeError):
        spec.aliases["name"] = ()  # type: ignore[index]
