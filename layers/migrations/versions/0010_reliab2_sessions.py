"""sessions: the map's sign-in cookie carries a server-side session id, not the token

Signing in with a token creates a session (only the id's SHA-256 is stored, bound to the
token); the cookie carries the session id; signing out revokes the session, and revoking
the token ends all its sessions. Existing data are unchanged.

Revision ID: 0007_reliab2
Revises: 0007_raster
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_reliab2"
down_revision: str | None = "0007_raster"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sid_sha256", sa.String(64), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(
            ["token_id"],
            ["api_tokens.id"],
            name=op.f("fk_sessions_token_id_api_tokens"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessions")),
        sa.UniqueConstraint("sid_sha256", name=op.f("uq_sessions_sid_sha256")),
    )


def downgrade() -> None:
    op.drop_table("sessions")
