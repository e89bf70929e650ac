"""SQLAlchemy models, one module per layer named by its registry key (``layers/models/<key>.py``);
importing this registers them all on ``Base``."""

from layers.models.base import Base
from layers.models.basic_farmland import BasicFarmland
from layers.models.district import District
from layers.models.eco_redline import EcoRedline
from layers.models.farmland import LandParcel
from layers.models.projects import Project
from layers.models.rasters import Catchment, Raster
from layers.models.reservoirs import Reservoir
from layers.models.rivers import River
from layers.models.samples import Sample, SampleExtra
from layers.models.saved_checks import SavedCheck
from layers.models.sections import Section
from layers.models.signin import SigninCode
from layers.models.system import ApiToken, AuditEntry, Load
from layers.models.units import Unit
from layers.models.urban_boundary import UrbanBoundary
from layers.models.water_source_zones import WaterSourceZone

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
    "SavedCheck",
    "Section",
    "SigninCode",
    "Unit",
    "UrbanBoundary",
    "WaterSourceZone",
]
