"""The reservoirs layer keeps the latest dam-safety appraisal result (大坝安全类别), however the
bureau's file names and writes it."""

import geopandas as gpd
import pytest
import shapely
from sqlalchemy import text

from etl.loader import load_file
from gis.errors import InvalidInputError
from tests.etl.loader_helpers import rows, token, write_shapefile


def _frame(prefix: str, field: str, values: list[str]) -> gpd.GeoDataFrame:
    n = len(values)
    return gpd.GeoDataFrame(
        {
            "SKBM": [f"{prefix}{i}" for i in range(n)],
            "SKMC": [f"测试水库{i}" for i in range(n)],
            "GCGM": ["小(1)型"] * n,
            field: values,
        },
        # Far from 曾都区, so no test counting the district's reservoirs ever sees them.
        geometry=shapely.points([99.5 + 0.01 * i for i in range(n)], [40.0] * n),
        crs=4490,
    )


@pytest.mark.parametrize("field", ["AQLB", "鉴定结论", "大坝安全类别"])
def test_appraisal_result_is_read_and_normalised(engine, settings, tmp_path, field) -> None:
    prefix = token()
    values = ["一类", "2", "Ⅲ类坝", "二类坝", ""]
    shp = write_shapefile(_frame(prefix, field, values), tmp_path / f"sk_{prefix}.shp")
    load_file(engine, shp, "reservoirs", settings=settings)
    stored = rows(
        engine, "SELECT appraisal_result FROM reservoirs WHERE source = :s ORDER BY id", s=shp.name
    )
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM reservoirs WHERE source = :s"), {"s": shp.name})
    assert [r.appraisal_result for r in stored] == ["一类坝", "二类坝", "三类坝", "二类坝", None]


def test_an_unknown_result_is_refused_by_name(engine, settings, tmp_path) -> None:
    prefix = token()
    shp = write_shapefile(_frame(prefix, "AQLB", ["一类", "四类"]), tmp_path / f"sk_{prefix}.shp")
    with pytest.raises(InvalidInputError) as err:
        load_file(engine, shp, "reservoirs", settings=settings)
    assert "四类" in str(err.value) and "三类坝" in str(err.value)
