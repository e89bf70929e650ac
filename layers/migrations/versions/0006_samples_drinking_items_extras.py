"""samples: the GB 3838 Table 2 drinking-source items; sample_extras keeps unknown columns

A lab sheet's columns that name no GB 3838 item (电导率, 浊度 …) used to refuse the whole file;
they are now kept as written in ``sample_extras`` and listed in the load report as not
evaluated. The five Table 2 items (硫酸盐, 氯化物, 硝酸盐(以N计), 铁, 锰) become indicators of
``samples``, judged at drinking-water sources only. Existing rows are unchanged.

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BEFORE = (
    "temp", "ph", "do", "codmn", "cod", "bod5", "nh3n", "tp", "tn", "cu", "zn", "fluoride",
    "se", "as", "hg", "cd", "cr6", "pb", "cn", "volatile_phenol", "petroleum", "las", "sulfide",
    "fecal_coliform", "chla", "sd",
)  # fmt: skip
DRINKING = ("sulfate", "chloride", "nitrate", "fe", "mn")


def _check(keys: tuple[str, ...]) -> str:
    return "indicator IN (" + ", ".join(f"'{k}'" for k in keys) + ")"


def upgrade() -> None:
    op.drop_constraint(op.f("ck_samples_indicator"), "samples", type_="check")
    op.create_check_constraint("indicator", "samples", _check((*BEFORE, *DRINKING)))
    op.create_table(
        "sample_extras",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("section_code", sa.String(32), nullable=False),
        sa.Column("sampled_on", sa.Date(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("source", sa.String(255), nullable=True),
        sa.ForeignKeyConstraint(
            ["section_code"],
            ["sections.code"],
            name=op.f("fk_sample_extras_section_code_sections"),
            onupdate="CASCADE",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sample_extras")),
        sa.UniqueConstraint("section_code", "sampled_on", "name", name="uq_sample_extras_reading"),
    )
    op.create_index(op.f("ix_sample_extras_source"), "sample_extras", ["source"])
    op.create_index(op.f("ix_sample_extras_section_code"), "sample_extras", ["section_code"])


def downgrade() -> None:
    op.drop_table("sample_extras")
    op.execute(
        "DELETE FROM samples WHERE indicator IN ('sulfate', 'chloride', 'nitrate', 'fe', 'mn')"
    )
    op.drop_constraint(op.f("ck_samples_indicator"), "samples", type_="check")
    op.create_check_constraint("indicator", "samples", _check(BEFORE))
