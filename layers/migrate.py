"""Schema migrations (数据库迁移): Alembic driven from code, no alembic.ini needed."""

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, text

from layers.cluster import APP_USER, OGC_USER

MIGRATIONS = "layers:migrations"


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    config.attributes["url"] = engine.url.render_as_string(hide_password=False)
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    with engine.begin() as connection:
        config = alembic_config(engine)
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        grant_app_role(connection)
        grant_ogc_role(connection)


def grant_app_role(connection: Connection, role: str = APP_USER) -> bool:
    """Least privilege for the API's role, when it exists (the embedded cluster creates it;
    compose's init script too): read and write the data tables and their sequences, no DDL
    (it owns nothing and has no CREATE on the schema), and ``audit_log`` INSERT-only (plus
    reading back the new row's id). Run after every upgrade, so new tables are covered."""
    exists = connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role})
    if exists.first() is None:
        return False
    role_sql = connection.dialect.identifier_preparer.quote(role)
    for statement in (
        f"REVOKE CREATE ON SCHEMA public FROM PUBLIC, {role_sql}",
        f"GRANT USAGE ON SCHEMA public TO {role_sql}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA public "
        f"TO {role_sql}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role_sql}",
        f"REVOKE SELECT, UPDATE, DELETE, TRUNCATE ON audit_log FROM {role_sql}",
        f"GRANT SELECT (id, at) ON audit_log TO {role_sql}",  # the ORM reads them back
        f"REVOKE ALL ON alembic_version FROM {role_sql}",
        f"GRANT SELECT ON alembic_version TO {role_sql}",
    ):
        connection.execute(text(statement))
    return True


def grant_ogc_role(connection: Connection, role: str = OGC_USER) -> bool:
    """Read-only for the OGC API's role (tipg), when it exists: SELECT on the tables the OGC
    API publishes (the registry's spatial layers) and on nothing else — not the tokens, the
    sessions, the audit log or the non-spatial tables. tipg's start-up creates its catalogue
    functions in the session's ``pg_temp`` (tipg 1.x, ``tipg_schema`` = pg_temp), which needs
    the database's TEMPORARY privilege and no CREATE on any schema. Run after every upgrade."""
    from layers.registry import SPATIAL_LAYERS

    exists = connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role})
    if exists.first() is None:
        return False
    quote = connection.dialect.identifier_preparer.quote
    role_sql = quote(role)
    database = quote(connection.execute(text("SELECT current_database()")).scalar_one())
    published = ", ".join(quote(spec.table) for spec in SPATIAL_LAYERS.values())
    for statement in (
        f"REVOKE CREATE ON SCHEMA public FROM PUBLIC, {role_sql}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role_sql}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {role_sql}",
        f"GRANT CONNECT, TEMPORARY ON DATABASE {database} TO {role_sql}",
        f"GRANT USAGE ON SCHEMA public TO {role_sql}",
        f"GRANT SELECT ON {published} TO {role_sql}",
    ):
        connection.execute(text(statement))
    return True


def downgrade(engine: Engine, revision: str = "base") -> None:
    with engine.begin() as connection:
        config = alembic_config(engine)
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
