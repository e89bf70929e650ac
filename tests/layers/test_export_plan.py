"""The fields of a bureau-named export (layers.export.field_plan and dbf_names): names from
the newest load that had them, the file's order, extras typed, normalised raw text not
duplicated, DBF names cut on characters and unique without case."""

from layers.export import OutputField, dbf_names, field_plan

COLUMNS = ["id", "bsm", "dlbm", "dlmc", "zldwmc", "qsdwdm", "source", "extra", "geom"]
DEFAULTS = {"bsm": "BSM", "dlbm": "DLBM", "dlmc": "DLMC", "zldwmc": "ZLDWMC", "qsdwdm": "QSDWDM"}


def test_names_and_order_come_from_the_newest_load() -> None:
    loads = [  # newest first
        ({"bsm": "标识码", "dlbm": "DLBM"}, ["DLBM", "标识码", "SZXZ"]),
        ({"bsm": "BSM", "dlmc": "地类名称"}, ["BSM", "地类名称", "GDPDJB"]),
    ]
    plan = field_plan(
        COLUMNS,
        {"bsm", "dlbm", "dlmc", "source"},
        {"SZXZ": "string", "GDPDJB": "integer"},
        loads,
        DEFAULTS,
    )
    assert [f.name for f in plan] == ["DLBM", "标识码", "SZXZ", "地类名称", "GDPDJB", "source"]
    assert plan[1] == OutputField("标识码", column="bsm")
    assert plan[4] == OutputField("GDPDJB", extra_key="GDPDJB", kind="integer")


def test_unfilled_columns_no_file_had_are_left_out_and_defaults_name_the_rest() -> None:
    plan = field_plan(COLUMNS, {"bsm", "zldwmc", "source"}, {}, [], DEFAULTS)
    assert [f.name for f in plan] == ["BSM", "ZLDWMC", "source"]


def test_a_normalised_columns_raw_text_is_not_a_second_field() -> None:
    """The loader keeps 101 (a DBF number that ate 0101's zero) in extra as DLBM beside the
    checked 0101: one DLBM field, the column's."""
    plan = field_plan(
        COLUMNS, {"dlbm"}, {"DLBM": "integer"}, [({"dlbm": "DLBM"}, ["DLBM"])], DEFAULTS
    )
    assert plan == [OutputField("DLBM", column="dlbm")]


def test_dbf_names() -> None:
    names = ["BSM", "权属性质说明", "YJJBNTTBBH", "bsm", "ABCDEFGHIJKL", "ABCDEFGHIJKM"]
    assert dbf_names(names, "UTF-8") == {
        "BSM": "BSM",
        "权属性质说明": "权属性",  # 9 bytes: a fourth character would make 12
        "YJJBNTTBBH": "YJJBNTTBBH",
        "bsm": "bsm_1",  # DBF readers ignore case
        "ABCDEFGHIJKL": "ABCDEFGHIJ",
        "ABCDEFGHIJKM": "ABCDEFGH_1",
    }
    assert dbf_names(["权属性质说明"], "CP936") == {"权属性质说明": "权属性质说"}
