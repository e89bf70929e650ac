"""SQLAlchemy models, one module per layer; importing this registers them all on ``Base``."""

from layers.models.admin import District, Unit
from layers.models.base import Base
from layers.models.land import BasicFarmland, LandParcel
from layers.models.projects import Project
from layers.models.rasters import Catchment, Raster
from layers.models.reservoirs import Reservoir
from layers.models.rivers import River
from layers.models.sections import Sample, SampleExtra, Section
from layers.models.system import ApiToken, AuditEntry, Load
from layers.models.zones import EcoRedline, UrbanBoundary, WaterSourceZone

__all__ = [
    "ApiToken",
    "AuditEntry",
    "Base",
    "BasicFarmland",
    "Catchment",
    "District",
    "EcoRedline",
    "LandParcel",
    "Load",
    "Project",
    "Raster",
    "Reservoir",
    "River",
    "Sample",
    "SampleExtra",
    "Section",
    "Unit",
    "UrbanBoundary",
    "WaterSourceZone",
]
