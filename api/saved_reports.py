"""Saved red-line checks (已保存的核查) and project status, as services for the routers.

A check saved from the map is a ``projects`` row with its overlap ``report``; it is always 拟建
and never counts as occupation. Who may see and change one: an analyst or editor their own
(``submitted_by`` is the token's name), an admin any; a viewer none. Someone else's report
answers 404, as an unknown one does, so ids do not reveal what others checked.

Status (拟建/已批/在建/已建) with approval number and date belongs to projects loaded from the
bureau's register (no ``report``); an editor may correct it, audited. A saved what-if stays 拟建:
an approved project enters the list through the register, with its approval, not by promoting
a sketch drawn on the map.
"""

import datetime as dt
from typing import Any

from sqlalchemy import Engine, delete, select

from api.audit import record
from api.auth import Principal, ensure_role
from gis.compliance import PROJECT_STATUSES
from gis.errors import InvalidInputError, NotFoundError
from layers.db import session_scope
from layers.models import Project


def _not_found(project_id: int) -> NotFoundError:
    return NotFoundError(
        f"没有编号为 {project_id} 的已保存核查，或无权查看 (unknown saved check, or not yours)."
    )


def _may_see(caller: Principal, submitted_by: str | None) -> bool:
    return caller.allows("admin") or (submitted_by is not None and submitted_by == caller.name)


def list_reports(engine: Engine, caller: Principal) -> list[dict[str, Any]]:
    """The caller's saved checks (an admin's: everyone's), newest first."""
    ensure_role(caller, "analyst")
    query = select(
        Project.id,
        Project.name,
        Project.status,
        Project.submitted_by,
        Project.submitted_at,
        Project.report["verdict"]["label"].astext.label("verdict"),
        Project.report["project_area_mu"].as_float().label("project_area_mu"),
    ).where(Project.report.is_not(None))
    if not caller.allows("admin"):
        query = query.where(Project.submitted_by == caller.name)
    with engine.connect() as conn:
        rows = conn.execute(query.order_by(Project.id.desc())).all()
    return [dict(r._mapping) for r in rows]


def get_report(engine: Engine, caller: Principal, project_id: int) -> dict[str, Any]:
    """A saved report as it was saved (figures of the day it was checked)."""
    ensure_role(caller, "analyst")
    query = select(Project.report, Project.submitted_by, Project.status).where(
        Project.id == project_id, Project.report.is_not(None)
    )
    with engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None or not _may_see(caller, row.submitted_by):
        raise _not_found(project_id)
    return {**row.report, "project_status": row.status}


def _owned(session, caller: Principal, project_id: int) -> Project:
    row = session.get(Project, project_id, with_for_update=True)
    if row is None or row.report is None or not _may_see(caller, row.submitted_by):
        raise _not_found(project_id)
    return row


def rename_report(engine: Engine, caller: Principal, project_id: int, name: str) -> dict:
    ensure_role(caller, "analyst")
    name = name.strip()
    if not name:
        raise InvalidInputError("项目名称不能为空 (name must not be blank).")
    with session_scope(engine) as session:
        row = _owned(session, caller, project_id)
        old = row.name
        row.name = name
        row.report = {**row.report, "project_name": name}
        record(
            session,
            caller,
            "overlap.rename",
            f"projects/{project_id}",
            detail={"from": old, "to": name},
        )
        return {"id": project_id, "name": name}


def delete_report(engine: Engine, caller: Principal, project_id: int) -> None:
    ensure_role(caller, "analyst")
    with session_scope(engine) as session:
        row = _owned(session, caller, project_id)
        detail = {
            "name": row.name,
            "submitted_by": row.submitted_by,
            "verdict": (row.report.get("verdict") or {}).get("status"),
        }
        session.execute(delete(Project).where(Project.id == project_id))
        record(session, caller, "overlap.delete", f"projects/{project_id}", detail=detail)


def set_status(
    engine: Engine,
    caller: Principal,
    project_id: int,
    status: str,
    approval_no: str | None,
    approved_on: dt.date | None,
) -> dict[str, Any]:
    """Set a loaded project's status and approval (editor), audited with the values before."""
    ensure_role(caller, "editor")
    if status not in PROJECT_STATUSES:
        raise InvalidInputError(
            f"未知项目状态 '{status}' (unknown status).",
            hint=f"可用：{'、'.join(PROJECT_STATUSES)}",
        )
    with session_scope(engine) as session:
        row = session.get(Project, project_id, with_for_update=True)
        if row is None:
            raise NotFoundError(f"没有编号为 {project_id} 的项目 (unknown project).")
        if row.report is not None and status != PROJECT_STATUSES[0]:
            raise InvalidInputError(
                f"编号 {project_id} 是地图上保存的核查（拟建），不能改为 {status} "
                "(a saved what-if stays 拟建).",
                hint="已批、在建、已建项目请随批准文号一并通过项目图层文件导入。",
            )
        before = {
            "status": row.status,
            "approval_no": row.approval_no,
            "approved_on": row.approved_on.isoformat() if row.approved_on else None,
        }
        row.status, row.approval_no, row.approved_on = status, approval_no, approved_on
        after = {
            "status": status,
            "approval_no": approval_no,
            "approved_on": approved_on.isoformat() if approved_on else None,
        }
        record(
            session,
            caller,
            "project.status",
            f"projects/{project_id}",
            detail={"before": before, "after": after},
        )
        return {"id": project_id, "name": row.name, **after}
