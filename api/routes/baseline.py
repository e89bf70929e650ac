"""`GET /api/baselines`, `GET /api/baseline`: the bottom-line lists (底线管控清单)."""

from typing import Any

from fastapi import APIRouter

from api.auth import ReaderDep
from api.check_schemas import BaselineOut, ListOut
from api.deps import SettingsDep
from api.params import ListQuery
from gis.baseline import load_baseline
from gis.errors import WatershedError

router = APIRouter(prefix="/api", tags=["baseline"])


@router.get("/baselines", response_model=list[ListOut], summary="可用的底线管控清单")
def baselines(settings: SettingsDep, _: ReaderDep) -> list[ListOut]:
    """Every list in ``data/baselines/``, valid or not (an invalid one says why)."""
    out = []
    for name in settings.list_names():
        in_force = name == settings.baseline
        try:
            b = load_baseline(settings.list_path(name))
        except WatershedError as exc:
            out.append(ListOut(name=name, in_force=in_force, valid=False, error=exc.message))
            continue
        out.append(
            ListOut(
                name=name,
                title=b.name,
                district={"code": b.district.code, "name": b.district.name},
                units=len(b.units),
                lines=sum(len(a.lines) for a in b.areas()),
                in_force=in_force,
                valid=True,
            )
        )
    return out


@router.get("/baseline", response_model=BaselineOut, summary="底线管控清单（全区与各片区）")
def baseline(settings: SettingsDep, _: ReaderDep, list_name: ListQuery = None) -> dict[str, Any]:
    """A list as loaded and validated from ``data/baselines/<name>.yaml`` (default: the one in
    force): the district's lines and each unit's, each with its ``type``, target and the
    ``title`` and ``target_text`` people read, and where the source text disagrees with itself
    (``discrepancies``)."""
    b = load_baseline(settings.list_path(list_name or settings.baseline))
    data = b.model_dump(mode="json")
    for area, dumped in zip(b.areas(), [data["district"], *data["units"]], strict=True):
        for line, out in zip(area.lines, dumped["lines"], strict=True):
            out |= {"key": line.key(), "title": line.title(), "target_text": line.target_text()}
    return data
