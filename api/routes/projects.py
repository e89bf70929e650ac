"""`/api/projects`: the status of a project loaded from the bureau's register (项目状态).

Only 已批/在建/已建 projects count as occupation in the list. An editor may correct a loaded
project's status, approval number and date (audited as ``project.status``); a check saved from
the map stays 拟建 (see :mod:`api.saved_reports`).
"""

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from api.auth import EditorDep
from api.deps import EngineDep
from api.saved_reports import set_status

router = APIRouter(prefix="/api/projects", tags=["projects"])

ProjectId = Annotated[int, Path(ge=1, le=2**31 - 1, description="项目编号")]


class StatusChange(BaseModel):
    status: Literal["拟建", "已批", "在建", "已建"] = Field(description="项目状态")
    approval_no: str | None = Field(default=None, max_length=100, description="批准文号")
    approved_on: dt.date | None = Field(default=None, description="批准日期")


class StatusChanged(StatusChange):
    id: int
    name: str


@router.patch(
    "/{project_id}", response_model=StatusChanged, summary="修改项目状态（已批/在建/已建）"
)
def change_status(
    project_id: ProjectId, body: StatusChange, engine: EngineDep, caller: EditorDep
) -> dict:
    """Set a loaded project's status, approval number and date (role editor); the audit log
    keeps the values before and after. The list's occupation figures follow at once."""
    return set_status(engine, caller, project_id, body.status, body.approval_no, body.approved_on)
