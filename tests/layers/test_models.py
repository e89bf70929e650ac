"""Every model round-trips a row with geometry; the database refuses bad geometries."""

import datetime as dt

import pytest
from geoalchemy2.shape import from_shape, to_shape
from shapely import wkt
from sqlalchemy import func, select
from sqlalchemy.exc import DataError, IntegrityError, InternalError
from sqlalchemy.orm import Session

from layers import models

SQUARE = "MULTIPOLYGON(((113.30 31.70, 113.31 31.70, 113.31 31.71, 113.30 31.71, 113.30 31.70)))"
BOWTIE = "MULTIPOLYGON(((113.30 31.70, 113.31 31.71, 113.31 31.70, 113.30 31.71, 113.30 31.70)))"
POINT = "POINT(113.37 31.72)"
LINE = "MULTILINESTRING((113.30 31.70, 113.35 31.75))"


def geom(text_: str, srid: int = 4490):
    return from_shape(wkt.loads(text_), srid=srid)


ROWS = [
    models.District(code="421303", name="曾都区", geom=geom(SQUARE)),
    models.Unit(code="421303-02", name="㵐水片区", geom=geom(SQUARE)),
    models.River(name="㵐水", alias="㵐水河", geom=geom(LINE)),
    models.Reservoir(
        code="R1",
        name="先觉庙水库",
        scale="中型",
        normal_level_m=95.5,
        flood_limit_level_m=94.0,
        capacity_10k_m3=3200,
        completed_on=dt.date(1958, 10, 1),
        last_appraisal_on=dt.date(2019, 6, 1),
        drinking_source=True,
        geom=geom(POINT),
    ),
    models.Section(
        code="S1",
        name="漂水河大桥",
        control_level="省控",
        waterbody="river",
        target_grade=3,
        river="漂水",
        geom=geom(POINT),
    ),
    models.WaterSourceZone(
        name="先觉庙水库一级保护区", level="一级", source_name="先觉庙水库", geom=geom(SQUARE)
    ),
    models.LandParcel(
        bsm="1",
        dlbm="0103",
        dlmc="旱地",
        zldwmc="何店镇",
        tbmj=1000.0,
        kcdlbm="1203",
        kcxs=0.08,
        kcmj=80.0,
        tbdlmj=920.0,
        geom=geom(SQUARE),
    ),
    models.BasicFarmland(yjjbnttbbh="JB1", dlbm="0101", yjjbntmj=1000.0, geom=geom(SQUARE)),
    models.EcoRedline(
        code="HX1",
        name="大洪山水源涵养红线",
        redline_type="水源涵养",
        area_m2=1.0,
        geom=geom(SQUARE),
    ),
    models.UrbanBoundary(name="中心城区", geom=geom(SQUARE)),
    models.Project(name="某物流园", kind="建设项目", geom=geom(SQUARE)),
]


@pytest.mark.parametrize("row", ROWS, ids=lambda r: type(r).__name__)
def test_round_trip(db: Session, row) -> None:
    original = to_shape(row.geom)
    db.add(row)
    db.flush()
    model = type(row)
    stored = db.execute(
        select(model.geom, func.ST_SRID(model.geom), model.extra).where(model.id == row.id)
    ).one()
    assert to_shape(stored[0]).equals(original)
    assert stored[1] == 4490
    assert stored[2] == {}
    db.expire_all()
    again = db.get(model, row.id)
    for column in ("name", "code", "dlmc", "zldwmc"):
        if hasattr(model, column):
            assert getattr(again, column) == getattr(row, column)  # Chinese text intact


def test_sample_round_trip_and_below_detection(db: Session) -> None:
    db.add(
        models.Section(
            code="S2",
            name="浪河出境",
            control_level="市控",
            waterbody="river",
            target_grade=3,
            geom=geom(POINT),
        )
    )
    db.flush()
    db.add_all(
        [
            models.Sample(
                section_code="S2", sampled_on=dt.date(2025, 1, 5), indicator="nh3n", value=0.42
            ),
            models.Sample(
                section_code="S2",
                sampled_on=dt.date(2025, 1, 5),
                indicator="cu",
                value=None,
                below_dl=True,
                detection_limit=0.001,
            ),
        ]
    )
    db.flush()
    count = (
        select(func.count()).select_from(models.Sample).where(models.Sample.section_code == "S2")
    )
    assert db.scalar(count) == 2


@pytest.mark.parametrize(
    ("row", "why"),
    [
        (lambda: models.EcoRedline(name="x", geom=geom(BOWTIE)), "self-intersecting polygon"),
        (lambda: models.EcoRedline(name="x", geom=geom(POINT)), "point into a polygon layer"),
        (
            lambda: models.Reservoir(code="R", name="x", scale="中型", geom=geom(SQUARE)),
            "polygon into a point layer",
        ),
        (lambda: models.EcoRedline(name="x", geom=geom(SQUARE, srid=4326)), "wrong SRID"),
        (
            lambda: models.Reservoir(code="R", name="x", scale="巨型", geom=geom(POINT)),
            "unknown reservoir scale",
        ),
        (
            lambda: models.Section(
                code="S",
                name="x",
                control_level="乡控",
                waterbody="river",
                target_grade=3,
                geom=geom(POINT),
            ),
            "unknown control level",
        ),
        (
            lambda: models.Section(
                code="S",
                name="x",
                control_level="国控",
                waterbody="sea",
                target_grade=3,
                geom=geom(POINT),
            ),
            "unknown waterbody",
        ),
        (
            lambda: models.Section(
                code="S",
                name="x",
                control_level="国控",
                waterbody="lake",
                target_grade=3,
                drinking_source=True,
                drinking_source_level="村级",
                geom=geom(POINT),
            ),
            "unknown drinking-source level",
        ),
        (lambda: models.LandParcel(dlbm="0103", tbmj=-1.0, geom=geom(SQUARE)), "negative area"),
        (lambda: models.LandParcel(dlbm="耕地", geom=geom(SQUARE)), "malformed land-class code"),
        (
            lambda: models.WaterSourceZone(name="x", level="三级", geom=geom(SQUARE)),
            "unknown protection level",
        ),
    ],
)
def test_bad_rows_are_refused(db: Session, row, why: str) -> None:
    with pytest.raises((IntegrityError, DataError, InternalError)), db.begin_nested():
        db.add(row())
        db.flush()


def test_unique_natural_keys(db: Session) -> None:
    db.add(models.Unit(code="U", name="涢水片区", geom=geom(SQUARE)))
    db.flush()
    with pytest.raises(IntegrityError), db.begin_nested():
        db.add(models.Unit(code="U", name="另一片区", geom=geom(SQUARE)))
        db.flush()


def test_samples_refuse_unknown_indicator_and_impossible_values(db: Session) -> None:
    db.add(
        models.Section(
            code="S3",
            name="涢水大桥",
            control_level="国控",
            waterbody="river",
            target_grade=3,
            geom=geom(POINT),
        )
    )
    db.flush()
    for indicator, value in [("chlorophyll", 1.0), ("ph", 15.0), ("nh3n", -0.1)]:
        with pytest.raises(IntegrityError), db.begin_nested():
            db.add(
                models.Sample(
                    section_code="S3",
                    sampled_on=dt.date(2025, 1, 1),
                    indicator=indicator,
                    value=value,
                )
            )
            db.flush()
