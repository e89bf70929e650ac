"""rasters: registered Cloud-Optimized GeoTIFFs (DEM, land cover, orthophoto), one per kind.

A new table only; nothing existing changes.

Revision ID: 0007_raster
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision: str = "0007_raster"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_geospatial_table(
        "rasters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("path", sa.String(255), nullable=False),
        sa.Column("source", sa.String(255), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("epsg", sa.Integer(), nullable=False),
        sa.Column("res_x", sa.Float(), nullable=False),
        sa.Column("res_y", sa.Float(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("bands", sa.Integer(), nullable=False),
        sa.Column("dtype", sa.String(16), nullable=False),
        sa.Column("nodata", sa.Float(), nullable=True),
        sa.Column("value_min", sa.Float(), nullable=True),
        sa.Column("value_max", sa.Float(), nullable=True),
        sa.Column("as_of", sa.Date(), nullable=True),
        sa.Column(
            "loaded_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("actor", sa.String(100), nullable=True),
        sa.Column(
            "extent",
            Geometry(
                geometry_type="POLYGON",
                srid=4490,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.CheckConstraint("kind IN ('dem', 'landcover', 'ortho')", name=op.f("ck_rasters_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rasters")),
        sa.UniqueConstraint("kind", name=op.f("uq_rasters_kind")),
    )
    op.create_geospatial_index(
        "idx_rasters_extent", "rasters", ["extent"], unique=False, postgresql_using="gist"
    )


def downgrade() -> None:
    op.drop_geospatial_index(
        "idx_rasters_extent", table_name="rasters", postgresql_using="gist", column_name="extent"
    )
    op.drop_geospatial_table("rasters")
