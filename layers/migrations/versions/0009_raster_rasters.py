"""rasters: registered Cloud-Optimized GeoTIFFs (DEM, land cover, orthophoto), one per kind;
catchments: each monitoring section's catchment and incremental catchment from the DEM.

New tables only; nothing existing changes.

Revision ID: 0007_raster
Revises: 0007_report
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision: str = "0007_raster"
down_revision: str | None = "0007_report"
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

    op.create_geospatial_table(
        "catchments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("section_code", sa.String(32), nullable=False),
        sa.Column("downstream_code", sa.String(32), nullable=True),
        sa.Column("snap_distance_m", sa.Float(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("incremental_km2", sa.Float(), nullable=True),
        sa.Column("catchment_km2", sa.Float(), nullable=True),
        sa.Column("dem_sha256", sa.String(64), nullable=False),
        sa.Column(
            "computed_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("incremental", _multipolygon(), nullable=True),
        sa.Column("catchment", _multipolygon(), nullable=True),
        sa.ForeignKeyConstraint(
            ["section_code"],
            ["sections.code"],
            name=op.f("fk_catchments_section_code_sections"),
            onupdate="CASCADE",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catchments")),
        sa.UniqueConstraint("section_code", name=op.f("uq_catchments_section_code")),
    )
    for column in ("incremental", "catchment"):
        op.create_geospatial_index(
            f"idx_catchments_{column}",
            "catchments",
            [column],
            unique=False,
            postgresql_using="gist",
        )


def _multipolygon() -> Geometry:
    return Geometry(
        geometry_type="MULTIPOLYGON",
        srid=4490,
        dimension=2,
        spatial_index=False,
        from_text="ST_GeomFromEWKT",
        name="geometry",
        nullable=True,
    )


def downgrade() -> None:
    for column in ("incremental", "catchment"):
        op.drop_geospatial_index(
            f"idx_catchments_{column}",
            table_name="catchments",
            postgresql_using="gist",
            column_name=column,
        )
    op.drop_geospatial_table("catchments")
    op.drop_geospatial_index(
        "idx_rasters_extent", table_name="rasters", postgresql_using="gist", column_name="extent"
    )
    op.drop_geospatial_table("rasters")
