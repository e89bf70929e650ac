"""saved_checks: checks saved from the map move out of the projects register

A check saved on the map was a ``projects`` row (拟建, with its ``report``), so every layer
endpoint, export and OGC collection of ``projects`` served every saved report and its
submitter to any viewer. Rows with a report move to ``saved_checks`` with their ids (audit
entries ``projects/{id}`` of ``overlap.*`` still name them), and ``projects.report`` goes:
``projects`` is the bureau's register as loaded from its files. The number moved is printed.

Revision ID: 0007_report
Revises: 0007_field
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision: str = "0007_report"
down_revision: str | None = "0007_field"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_geospatial_table(
        "saved_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("owner", sa.String(100), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("report", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="MULTIPOLYGON",
                srid=4490,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.CheckConstraint("NOT ST_IsEmpty(geom)", name=op.f("ck_saved_checks_geom_not_empty")),
        sa.CheckConstraint("ST_IsValid(geom)", name=op.f("ck_saved_checks_geom_valid")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_checks")),
    )
    op.create_geospatial_index(
        "idx_saved_checks_geom", "saved_checks", ["geom"], postgresql_using="gist"
    )
    op.create_index(op.f("ix_saved_checks_owner"), "saved_checks", ["owner"])
    moved = op.get_bind().execute(
        sa.text(
            "WITH moved AS (DELETE FROM projects WHERE report IS NOT NULL RETURNING *) "
            "INSERT INTO saved_checks (id, name, owner, created_at, updated_at, report, geom) "
            "SELECT id, name, COALESCE(submitted_by, '（未知）'), submitted_at, submitted_at, "
            "report, geom FROM moved"
        )
    )
    op.execute(
        "SELECT setval(pg_get_serial_sequence('saved_checks', 'id'), "
        "GREATEST((SELECT max(id) FROM saved_checks), "
        "(SELECT last_value FROM projects_id_seq), 1))"
    )
    if moved.rowcount:
        print(f"saved_checks: {moved.rowcount} 个地图保存的核查移出 projects (saved checks moved)")
    op.drop_column("projects", "report")


def downgrade() -> None:
    op.add_column(
        "projects", sa.Column("report", postgresql.JSONB(astext_type=sa.Text()), nullable=True)
    )
    op.execute(
        "INSERT INTO projects (id, name, kind, status, submitted_by, submitted_at, report, geom) "
        "SELECT id, name, '拟建项目', '拟建', owner, created_at, report, geom FROM saved_checks"
    )
    op.execute(
        "SELECT setval(pg_get_serial_sequence('projects', 'id'), "
        "GREATEST((SELECT max(id) FROM projects), 1))"
    )
    op.drop_table("saved_checks")
