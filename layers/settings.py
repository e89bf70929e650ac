"""Application settings (配置): one pydantic-settings class, driven by environment variables.

Every variable is prefixed ``WATERSHED_`` except ``DATABASE_URL``, the conventional name.
Tests build ``Settings(_env_file=None, ...)`` so a developer's ``.env`` never leaks in.
"""

import re
from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from gis.errors import BaselineError

REPO_ROOT = Path(__file__).resolve().parents[1]


class Settings(BaseSettings):
    """All settings of the platform; see README "Configuration" for each variable."""

    model_config = SettingsConfigDict(
        env_prefix="WATERSHED_", env_file=".env", extra="ignore", populate_by_name=True
    )

    # Database: with no DATABASE_URL the CLI runs a private PostGIS cluster under var_dir.
    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL", "WATERSHED_DATABASE_URL")
    )
    # The API's least-privilege role (compose); unset: the embedded cluster's own, or DATABASE_URL.
    app_database_url: str | None = None
    # The OGC API's read-only role (compose); unset: the embedded cluster's, else the API's.
    ogc_database_url: str | None = None
    var_dir: Path = REPO_ROOT / "var"
    pg_port: int = Field(default=54329, ge=1024, le=65535)

    # Data shipped with the project and the bottom-line list in force.
    data_dir: Path = REPO_ROOT / "data"
    baseline: str = "zengdu"

    # HTTP service.
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)

    # Access control: writes always need a token with a role; reads only when this is true
    # (red-line vectors are sensitive data in China, so the default is to ask).
    read_requires_token: bool = True
    # The OpenAPI description and its pages (/docs, /redoc, /openapi.json, /ogc's) need a
    # token too: they list every route and parameter an attacker would try.
    openapi_requires_token: bool = True

    # Optional 天地图 basemap (CGCS2000-aligned); without a token the map shows the DEM relief.
    tianditu_token: str | None = None

    # Checks: a met line whose margin is below this share of the target is 预警.
    warn_margin: float = Field(default=0.005, ge=0, lt=1)
    # How long an evaluation may be served from the API's cache; it is dropped at once when
    # data are loaded or projects saved through the platform. 0 turns the cache off.
    checks_cache_seconds: float = Field(default=600, ge=0)
    # Evaluate the list in the background when the API starts and after each load through it,
    # so the map's first request after either is served from the cache (not a cold 2-3 s).
    warm_checks: bool = True
    # Dam-safety appraisal (《水库大坝安全鉴定办法》 art. 5): the first within N years of
    # completion, then every 6–10 years: 预警 once warn_years have passed since the last one,
    # 不达标 past interval_years (or past first_years with no appraisal at all).
    appraisal_first_years: int = Field(default=5, ge=1)
    appraisal_warn_years: int = Field(default=6, ge=1)
    appraisal_interval_years: int = Field(default=10, ge=1)

    # Limits on uploaded input.
    max_upload_mb: float = Field(default=50, gt=0)
    max_unzipped_mb: float = Field(default=500, gt=0)
    max_vertices: int = Field(default=200_000, gt=0)
    # A layer load reads at most this many features (the district's 地类图斑: ~210,000).
    max_features: int = Field(default=2_000_000, gt=0)
    # An overlap check (any viewer) takes a project's outline: a smaller upload, few
    # features, and max_vertices vertices in all, checked before geometry is built.
    overlap_max_upload_mb: float = Field(default=10, gt=0)
    overlap_max_features: int = Field(default=10_000, gt=0)

    # API output: whole-layer GeoJSON above this many features is refused (use tiles or export);
    # the OGC (tipg) catalogue of extents is refreshed at most every this many seconds.
    geojson_max_features: int = Field(default=20_000, gt=0)
    ogc_catalog_ttl: int = Field(default=300, ge=0)

    @model_validator(mode="after")
    def _appraisal_years(self) -> "Settings":
        if self.appraisal_warn_years > self.appraisal_interval_years:
            raise ValueError(
                "WATERSHED_APPRAISAL_WARN_YEARS 不能大于 WATERSHED_APPRAISAL_INTERVAL_YEARS "
                "(the warning must come before the deadline)"
            )
        return self

    @model_validator(mode="after")
    def _resolve_paths(self) -> "Settings":
        self.var_dir = self.var_dir.resolve()
        self.data_dir = self.data_dir.resolve()
        return self

    @property
    def embedded(self) -> bool:
        """True when the platform runs its own PostGIS cluster under ``var_dir``."""
        return not self.database_url

    @property
    def baseline_path(self) -> Path:
        return self.list_path(self.baseline)

    @property
    def baselines_dir(self) -> Path:
        return self.data_dir / "baselines"

    def list_path(self, name: str) -> Path:
        """The file of the list called ``name`` (``data/baselines/<name>.yaml``); a name is a
        file stem, never a path."""
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", name or ""):
            raise BaselineError(
                f"清单名称 '{name}' 无效 (bad list name).",
                hint="名称为 data/baselines/ 下 YAML 文件名（不含 .yaml），如 zengdu。",
            )
        return self.baselines_dir / f"{name}.yaml"

    def list_names(self) -> list[str]:
        return sorted(p.stem for p in self.baselines_dir.glob("*.yaml"))


@lru_cache
def get_settings() -> Settings:
    return Settings()
