"""`watershed db …`: the embedded cluster's lifecycle, or a check of an external server."""

import shutil
import subprocess
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import text

from api.cli.common import console, friendly_errors
from gis.errors import DatabaseUnavailableError, InvalidInputError
from layers import migrate
from layers.cluster import find_pg_bindir
from layers.db import embedded_cluster, libpq_url, make_engine, server_info
from layers.settings import get_settings

app = typer.Typer(
    help="数据库：内置 PostGIS 的启动、停止、状态与迁移 (database)", no_args_is_help=True
)


def ensure_up() -> bool:
    """Bring the embedded cluster up (no-op when running or when DATABASE_URL is set)."""
    settings = get_settings()
    if not settings.embedded:
        return False
    changed = embedded_cluster(settings).up()
    if changed:
        # The API's roles may be new (a cluster from before they existed): give them grants
        # now if the schema is there, so `watershed serve` works without an upgrade first.
        engine = make_engine(settings)
        try:
            if migrate.current_revision(engine):
                with engine.begin() as conn:
                    migrate.grant_app_role(conn)
                    migrate.grant_ogc_role(conn)
        finally:
            engine.dispose()
    return changed


def _report_server() -> None:
    engine = make_engine(get_settings())
    try:
        info = server_info(engine)
    finally:
        engine.dispose()
    postgis = info.postgis or "未安装 (not installed)"
    console.print(f"PostgreSQL {info.postgres}，PostGIS {postgis}")


@app.command()
@friendly_errors
def up() -> None:
    """创建（首次）并启动内置数据库；设置了 DATABASE_URL 时只检查该服务器。"""
    settings = get_settings()
    changed = ensure_up()
    if settings.embedded:
        console.print("内置数据库已启动" if changed else "内置数据库已在运行（无需操作）")
    _report_server()


@app.command()
@friendly_errors
def down() -> None:
    """停止内置数据库（数据保留在 var/pg）。"""
    settings = get_settings()
    if not settings.embedded:
        console.print("使用外部数据库（DATABASE_URL），不做停止操作。")
        return
    stopped = embedded_cluster(settings).stop()
    console.print("内置数据库已停止" if stopped else "内置数据库未在运行")


@app.command()
@friendly_errors
def status() -> None:
    """数据库状态：是否运行、版本、迁移版本。"""
    settings = get_settings()
    if settings.embedded:
        cluster = embedded_cluster(settings)
        if not cluster.running():
            console.print(f"内置数据库未运行（{cluster.data_dir}）。运行 `watershed db up` 启动。")
            raise typer.Exit(code=3)
        console.print(f"内置数据库运行中：端口 {cluster.port}，目录 {cluster.data_dir}")
    _report_server()
    engine = make_engine(settings)
    try:
        console.print(f"迁移版本 (revision)：{migrate.current_revision(engine) or '未迁移'}")
    finally:
        engine.dispose()


@app.command()
@friendly_errors
def url() -> None:
    """打印 libpq 形式的连接串（psql、ogr2ogr、QGIS 可直接使用）。"""
    typer.echo(libpq_url(get_settings()))


@app.command()
@friendly_errors
def upgrade(revision: str = typer.Argument("head", help="目标迁移版本")) -> None:
    """把数据库结构迁移到最新版本（alembic upgrade）。"""
    ensure_up()
    engine = make_engine(get_settings())
    try:
        migrate.upgrade(engine, revision)
        console.print(f"数据库结构已是 {migrate.current_revision(engine)}")
    finally:
        engine.dispose()


@app.command()
@friendly_errors
def downgrade(revision: str = typer.Argument(..., help="目标迁移版本，base 为清空")) -> None:
    """回退数据库结构（alembic downgrade）。"""
    engine = make_engine(get_settings())
    try:
        migrate.downgrade(engine, revision)
        console.print(f"数据库结构已回退到 {migrate.current_revision(engine) or 'base'}")
    finally:
        engine.dispose()


def _pg_program(name: str) -> str:
    """pg_dump/pg_restore of the server's major version when Debian's per-version directory
    has it (a newer pg_dump reads older servers; an older one refuses newer ones)."""
    try:
        return str(find_pg_bindir() / name)
    except DatabaseUnavailableError:
        found = shutil.which(name)
        if not found:
            raise
        return found


def _run_pg(program: str, *args: str) -> None:
    result = subprocess.run([_pg_program(program), *args], capture_output=True, text=True)
    if result.returncode != 0:
        # pg_restore/pg_dump messages name objects, never passwords (the URL is an argument).
        raise DatabaseUnavailableError(
            f"{program} 失败 (failed): {result.stderr.strip()[-800:]}",
            hint="请检查数据库是否在运行（watershed db status）以及备份文件是否完整。",
        )


def _user_tables(engine) -> int:
    """Tables outside PostgreSQL's and PostGIS's own: a database holding any is not empty."""
    sql = text(
        "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', "
        "'information_schema', 'topology', 'tiger', 'tiger_data') "
        "AND tablename <> 'spatial_ref_sys'"
    )
    with engine.connect() as conn:
        return conn.execute(sql).scalar_one()


@app.command()
@friendly_errors
def dump(
    path: Annotated[
        Path, typer.Argument(help="备份文件路径（pg_dump 自定义格式，如 watershed.dump）")
    ],
) -> None:
    """备份整个数据库到一个文件（pg_dump 自定义格式，可用 watershed db restore 恢复）。"""
    ensure_up()
    if path.is_dir():
        raise InvalidInputError(
            f"{path} 是目录，请给出文件名 (a file name is needed, not a folder).",
            hint="例如 watershed db dump backups/watershed-$(date +%F).dump",
        )
    partial = path.with_name(path.name + ".partial")
    # Written beside the target, then renamed: an interrupted dump never leaves a file that
    # looks like a complete backup.
    _run_pg("pg_dump", "--format=custom", "--file", str(partial), "--dbname", _url())
    partial.replace(path)
    console.print(f"已备份到 {path}（{path.stat().st_size / 1024 / 1024:.1f} MB）")


@app.command()
@friendly_errors
def restore(
    path: Annotated[Path, typer.Argument(help="watershed db dump 生成的备份文件")],
    force: bool = typer.Option(
        False, "--force", help="数据库已有数据时仍然恢复（先删除备份中包含的全部对象）"
    ),
) -> None:
    """从备份文件恢复数据库；数据库已有数据时需要 --force。"""
    if not path.is_file():
        raise InvalidInputError(f"找不到备份文件 {path} (backup file not found).")
    ensure_up()
    # The archive's table of contents first: a file that is not a pg_dump archive is refused
    # before anything in the database is touched.
    _run_pg("pg_restore", "--list", str(path))
    engine = make_engine(get_settings())
    try:
        tables = _user_tables(engine)
    finally:
        engine.dispose()
    if tables and not force:
        raise InvalidInputError(
            f"目标数据库不是空的（{tables} 张表），未恢复 (the database is not empty; nothing "
            "was restored).",
            hint="确认要用备份覆盖当前数据时加 --force；或先用 watershed db dump 备份当前数据。",
        )
    args = ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
    if tables:
        args += ["--clean", "--if-exists"]
    _run_pg("pg_restore", *args, "--dbname", _url(), str(path))
    # Grants are not restored (--no-privileges: role names differ between servers): the
    # API's role and the OGC API's read-only role get their own again.
    engine = make_engine(get_settings())
    try:
        with engine.begin() as conn:
            migrate.grant_app_role(conn)
            migrate.grant_ogc_role(conn)
    finally:
        engine.dispose()
    console.print(f"已从 {path} 恢复数据库" + ("（已覆盖原有数据）" if tables else ""))


def _url() -> str:
    return libpq_url(get_settings())
