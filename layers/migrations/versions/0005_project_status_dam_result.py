"""projects.status (拟建/已批/在建/已建) with approval number and date; reservoirs.appraisal_result.

Only 已批/在建/已建 projects count as occupation in the list; a what-if saved from the map is 拟建.
Existing rows: a project saved from the map (it carries an overlap ``report``) becomes 拟建, since
it was a what-if; a project loaded from a bureau's file becomes 已批, since the list counted it as
occupation before this revision and the file came from the bureau's register of projects. The
upgrade prints how many rows took each status.

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PROJECT_STATUSES = ("拟建", "已批", "在建", "已建")
APPRAISAL_RESULTS = ("一类坝", "二类坝", "三类坝")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    op.add_column("projects", sa.Column("status", sa.String(4), nullable=True))
    op.add_column("projects", sa.Column("approval_no", sa.String(100), nullable=True))
    op.add_column("projects", sa.Column("approved_on", sa.Date, nullable=True))
    bind = op.get_bind()
    saved = bind.execute(
        sa.text("UPDATE projects SET status = '拟建' WHERE report IS NOT NULL")
    ).rowcount
    loaded = bind.execute(
        sa.text("UPDATE projects SET status = '已批' WHERE status IS NULL")
    ).rowcount
    if saved or loaded:
        print(
            f"projects.status: {saved} 个地图保存的核查设为 拟建 (saved what-ifs), "
            f"{loaded} 个文件导入的项目设为 已批 (loaded from files)"
        )
    op.alter_column("projects", "status", nullable=False, server_default="拟建")
    op.create_check_constraint("status", "projects", _in("status", PROJECT_STATUSES))
    op.add_column("reservoirs", sa.Column("appraisal_result", sa.String(4), nullable=True))
    op.create_check_constraint(
        "appraisal_result",
        "reservoirs",
        "appraisal_result IS NULL OR " + _in("appraisal_result", APPRAISAL_RESULTS),
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_reservoirs_appraisal_result"), "reservoirs", type_="check")
    op.drop_column("reservoirs", "appraisal_result")
    op.drop_constraint(op.f("ck_projects_status"), "projects", type_="check")
    for column in ("approved_on", "approval_no", "status"):
        op.drop_column("projects", column)
