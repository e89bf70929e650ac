"""Declarative base and the columns every layer table shares."""

from typing import Any

from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import CheckConstraint, MetaData, String, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from gis.crs import CGCS2000

# Predictable constraint names, so migrations can drop and recreate them by name.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def geometry_column(geometry_type: str) -> Mapped[WKBElement]:
    """A NOT NULL geometry in CGCS2000 (EPSG:4490) with a GiST index.

    The typmod ``geometry(TYPE, 4490)`` makes PostgreSQL refuse other types and SRIDs.
    """
    return mapped_column(Geometry(geometry_type, srid=CGCS2000, spatial_index=True), nullable=False)


class LayerMixin:
    """Columns of every spatial layer: surrogate id, provenance and unmapped attributes."""

    id: Mapped[int] = mapped_column(primary_key=True)
    # The file a row came from: re-loading the same source replaces its rows.
    source: Mapped[str | None] = mapped_column(String(255), index=True)
    # Attributes of the bureau's file that have no column of their own are kept, not dropped.
    extra: Mapped[dict[str, Any]] = mapped_column(
        JSONB, nullable=False, server_default=text("'{}'::jsonb")
    )


def valid_geometry_checks() -> tuple[CheckConstraint, ...]:
    """Validity and non-emptiness: cheap next to a load, and they keep broken rows out."""
    return (
        CheckConstraint("ST_IsValid(geom)", name="geom_valid"),
        CheckConstraint("NOT ST_IsEmpty(geom)", name="geom_not_empty"),
    )


def in_list(column: str, values: list[str] | tuple[str, ...]) -> str:
    """SQL text for ``column IN (...)`` from constants defined in code (never user input)."""
    quoted = ", ".join("'" + v.replace("'", "''") + "'" for v in values)
    return f"{column} IN ({quoted})"
