"""Connections: one place that turns settings into a database URL and an engine."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from gis.errors import DatabaseUnavailableError
from layers.cluster import EmbeddedCluster
from layers.settings import Settings


def embedded_cluster(settings: Settings) -> EmbeddedCluster:
    return EmbeddedCluster(base=settings.var_dir / "pg", port=settings.pg_port)


def libpq_url(settings: Settings) -> str:
    """The connection string in libpq form (``postgresql://…``), usable by psql, ogr2ogr, QGIS."""
    if settings.database_url:
        url = make_url(settings.database_url)
        return url.set(drivername="postgresql").render_as_string(hide_password=False)
    cluster = embedded_cluster(settings)
    if not cluster.initialised:
        raise DatabaseUnavailableError(
            "内置数据库尚未创建 (the embedded database does not exist yet).",
            hint="请先运行 `watershed db up`，或设置 DATABASE_URL。",
        )
    return cluster.url()


def sqlalchemy_url(settings: Settings) -> str:
    return (
        make_url(libpq_url(settings))
        .set(drivername="postgresql+psycopg")
        .render_as_string(hide_password=False)
    )


# PostgreSQL's JIT compiles expressions for queries with high cost estimates — spatial joins
# always look expensive — and spends more time compiling than the queries take (measured on
# the checks: 0.65 s → 0.03 s for the 三线 overlaps without it).
CONNECT_OPTIONS = "-c jit=off"


# No pool_pre_ping: a ping is one more round trip on every checkout (~0.4 ms, a tenth of a
# small overlap request). After a database restart the first statement on a stale connection
# fails; SQLAlchemy then discards every pooled connection at once, so one request gets the
# 503 "database unavailable" answer and the next ones reconnect.
def make_engine(settings: Settings, **kwargs) -> Engine:
    return create_engine(
        sqlalchemy_url(settings),
        connect_args={"options": CONNECT_OPTIONS},
        **kwargs,
    )


def app_url(settings: Settings) -> str:
    """The API's connection (SQLAlchemy form): ``WATERSHED_APP_DATABASE_URL`` when set (compose:
    the least-privilege role its init script creates), the embedded cluster's
    ``watershed_app`` role when it has one, else the owner's (``DATABASE_URL``)."""
    if settings.app_database_url:
        url = make_url(settings.app_database_url)
    elif settings.embedded and (app := embedded_cluster(settings).app_url()) is not None:
        url = make_url(app)
    else:
        return sqlalchemy_url(settings)
    return url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


def ogc_url(settings: Settings) -> str:
    """The OGC API's (tipg's) connection, libpq form: ``WATERSHED_OGC_DATABASE_URL`` when set
    (compose: the read-only role its init script creates), the embedded cluster's
    ``watershed_ogc`` role when it has one, else the API's own (:func:`app_url`)."""
    if settings.ogc_database_url:
        url = make_url(settings.ogc_database_url)
    elif settings.embedded and (ogc := embedded_cluster(settings).ogc_url()) is not None:
        url = make_url(ogc)
    else:
        url = make_url(app_url(settings))
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def make_app_engine(settings: Settings, **kwargs) -> Engine:
    """The engine the API serves with: no superuser, no DDL, audit_log INSERT-only
    (:func:`layers.migrate.grant_app_role`). Migrations and CLI loads use :func:`make_engine`."""
    return create_engine(app_url(settings), connect_args={"options": CONNECT_OPTIONS}, **kwargs)


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A connection for one read-only statement. Autocommit, because a transaction would cost
    two more round trips (BEGIN, ROLLBACK) — a tenth of a small overlap request."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        yield conn


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: committed on success, rolled back on any error."""
    with sessionmaker(engine)() as session, session.begin():
        yield session


@dataclass(frozen=True)
class ServerInfo:
    postgres: str
    postgis: str | None


def server_info(engine: Engine) -> ServerInfo:
    """Versions of PostgreSQL and PostGIS; raises a clear error when unreachable."""
    try:
        with engine.connect() as conn:
            pg = conn.execute(text("SHOW server_version")).scalar_one()
            postgis = conn.execute(
                text("SELECT extversion FROM pg_extension WHERE extname = 'postgis'")
            ).scalar_one_or_none()
    except OperationalError as exc:
        raise DatabaseUnavailableError(
            f"无法连接数据库 (cannot connect): {exc.orig}",
            hint="内置数据库请运行 `watershed db up`；外部数据库请检查 DATABASE_URL。",
        ) from exc
    return ServerInfo(postgres=pg, postgis=postgis)
