"""sections.drinking_source_level: 地市级 / 县级 / 乡镇级 (the list counts 县级及以上 only)

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("sections", sa.Column("drinking_source_level", sa.String(8), nullable=True))
    op.create_check_constraint(
        "drinking_source_level",
        "sections",
        "drinking_source_level IS NULL OR drinking_source_level IN ('地市级', '县级', '乡镇级')",
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_sections_drinking_source_level"), "sections", type_="check")
    op.drop_column("sections", "drinking_source_level")
