"""signin_codes.role: a QR sign-in may give the tablet an analyst token (to record 巡查记录)

A field team signing its tablet in by QR code needs to create inspection records, which takes
the analyst role; the issuer chooses viewer (the default) or analyst, never above its own role.

Revision ID: 0012_qr_role
Revises: 0011_records
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_qr_role"
down_revision: str | None = "0011_records"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "signin_codes",
        sa.Column("role", sa.String(20), nullable=False, server_default="viewer"),
    )
    op.create_check_constraint(
        "signin_codes_role_tablet", "signin_codes", "role IN ('viewer', 'analyst')"
    )


def downgrade() -> None:
    # the CHECK constraint goes with its column
    op.drop_column("signin_codes", "role")
