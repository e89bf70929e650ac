"""samples: allow chlorophyll a (chla) and transparency (sd), the trophic-index parameters

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GB3838 = (
    "temp", "ph", "do", "codmn", "cod", "bod5", "nh3n", "tp", "tn", "cu", "zn", "fluoride",
    "se", "as", "hg", "cd", "cr6", "pb", "cn", "volatile_phenol", "petroleum", "las", "sulfide",
    "fecal_coliform",
)  # fmt: skip


def _check(keys: tuple[str, ...]) -> str:
    return "indicator IN (" + ", ".join(f"'{k}'" for k in keys) + ")"


def upgrade() -> None:
    op.drop_constraint(op.f("ck_samples_indicator"), "samples", type_="check")
    op.create_check_constraint("indicator", "samples", _check((*GB3838, "chla", "sd")))


def downgrade() -> None:
    op.execute("DELETE FROM samples WHERE indicator IN ('chla', 'sd')")
    op.drop_constraint(op.f("ck_samples_indicator"), "samples", type_="check")
    op.create_check_constraint("indicator", "samples", _check(GB3838))
