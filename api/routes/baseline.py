"""`GET /api/baseline`: the bottom-line control list in force (底线管控清单)."""

from typing import Any

from fastapi import APIRouter

from api.auth import ReaderDep
from api.deps import SettingsDep
from gis.baseline import load_baseline

router = APIRouter(prefix="/api", tags=["baseline"])


@router.get("/baseline", summary="底线管控清单（全区与各片区）")
def baseline(settings: SettingsDep, _: ReaderDep) -> dict[str, Any]:
    """The list as loaded and validated from ``data/baselines/<WATERSHED_BASELINE>.yaml``:
    the district's lines, each watershed unit's, the 优良率 targets, and the places where the
    source text disagrees with its annex (``discrepancies``)."""
    return load_baseline(settings.baseline_path).model_dump(mode="json")
