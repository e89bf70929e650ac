"""Saved red-line checks (已保存的核查) and project status, as services for the routers.

A check saved from the map is a ``saved_checks`` row (:class:`SavedCheck`) with its overlap
``report``, never a project: no layer endpoint, export or OGC collection serves it, and it never
counts as occupation (its report says 拟建). Who may see and change one: an analyst or editor
their own (``owner`` is the token's name), an admin any; a viewer none. Someone else's report
answers 404, as an unknown one does, so ids do not reveal what others checked.

Status (拟建/已批/在建/已建) with approval number and date belongs to the projects of the
bureau's register (``projects``, loaded from files); an editor may correct it, audited. A saved
what-if is not in the register: an approved project enters the list through the register, with
its approval, not by promoting a sketch drawn on the map.
"""

import datetime as dt
from typing import Any

from sqlalchemy import Engine, delete, func, select

from api.audit import record
from api.auth import Principal, ensure_role
from gis.compliance import PROJECT_STATUSES
from gis.errors import InvalidInputError, NotFoundError
from layers.db import session_scope
from layers.models import Project, SavedCheck


def _not_found(project_id: int) -> NotFoundError:
    return NotFoundError(
        f"没有编号为 {project_id} 的已保存核查，或无权查看 (unknown saved check, or not yours)."
    )


def _may_see(caller: Principal, owner: str | None) -> bool:
    return caller.allows("admin") or (owner is not None and owner == caller.name)


def list_reports(engine: Engine, caller: Principal) -> list[dict[str, Any]]:
    """The caller's saved checks (an admin's: everyone's), newest first."""
    ensure_role(caller, "analyst")
    query = select(
        SavedCheck.id,
        SavedCheck.name,
        func.coalesce(SavedCheck.report["project_status"].astext, PROJECT_STATUSES[0]).label(
            "status"
        ),
        SavedCheck.owner.label("submitted_by"),
        SavedCheck.created_at.label("submitted_at"),
        SavedCheck.report["verdict"]["label"].astext.label("verdict"),
        SavedCheck.report["project_area_mu"].as_float().label("project_area_mu"),
    )
    if not caller.allows("admin"):
        query = query.where(SavedCheck.owner == caller.name)
    with engine.connect() as conn:
        rows = conn.execute(query.order_by(SavedCheck.id.desc())).all()
    return [dict(r._mapping) for r in rows]


def get_report(engine: Engine, caller: Principal, project_id: int) -> dict[str, Any]:
    """A saved report as it was saved (figures of the day it was checked)."""
    ensure_role(caller, "analyst")
    query = select(
        SavedCheck.report, SavedCheck.owner, SavedCheck.created_at, SavedCheck.updated_at
    ).where(SavedCheck.id == project_id)
    with engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None or not _may_see(caller, row.owner):
        raise _not_found(project_id)
    return {
        **row.report,
        "project_status": PROJECT_STATUSES[0],
        "submitted_by": row.owner,
        "checked_at": row.report.get("checked_at") or row.created_at.isoformat(),
    }


def _owned(session, caller: Principal, project_id: int) -> SavedCheck:
    row = session.get(SavedCheck, project_id, with_for_update=True)
    if row is None or not _may_see(caller, row.owner):
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
        row.updated_at = func.now()
        record(
            session,
            caller,
            "overlap.rename",
            f"saved_checks/{project_id}",
            detail={"from": old, "to": name},
        )
        return {"id": project_id, "name": name}


def delete_report(engine: Engine, caller: Principal, project_id: int) -> None:
    ensure_role(caller, "analyst")
    with session_scope(engine) as session:
        row = _owned(session, caller, project_id)
        detail = {
            "name": row.name,
            "submitted_by": row.owner,
            "verdict": (row.report.get("verdict") or {}).get("status"),
        }
        session.execute(delete(SavedCheck).where(SavedCheck.id == project_id))
        record(session, caller, "overlap.delete", f"saved_checks/{project_id}", detail=detail)


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
