"""farmland.dlbm: accept 三调 codes with letters in the second pair (05H1, 08H1, 08H2)

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_constraint(op.f("ck_farmland_dlbm"), "farmland", type_="check")
    op.create_check_constraint("dlbm", "farmland", "dlbm ~ '^[0-9]{2}([0-9A-Z]{2})?[A-Z]?$'")


def downgrade() -> None:
    op.drop_constraint(op.f("ck_farmland_dlbm"), "farmland", type_="check")
    op.create_check_constraint("dlbm", "farmland", "dlbm ~ '^[0-9]{2}([0-9]{2})?[A-Z]*$'")
