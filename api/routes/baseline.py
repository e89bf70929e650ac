"""`GET /api/baseline`: the bottom-line control list in force (底线管控清单)."""

from fastapi import APIRouter

from api.auth import ReaderDep
from api.deps import SettingsDep
from gis.baseline import Baseline, load_baseline

router = APIRouter(prefix="/api", tags=["baseline"])


@router.get("/baseline", response_model=Baseline, summary="底线管控清单（全区与各片区）")
def baseline(settings: SettingsDep, _: ReaderDep) -> Baseline:
    """The list as loaded and validated from ``data/baselines/<WATERSHED_BASELINE>.yaml``:
    the district's lines, each watershed unit's, the 优良率 targets, and the places where the
    source text disagrees with its annex (``discrepancies``)."""
    return load_baseline(settings.baseline_path)
