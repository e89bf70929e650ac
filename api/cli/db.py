"""`watershed db …`: the embedded cluster's lifecycle, or a check of an external server."""

import typer

from api.cli.common import console, friendly_errors
from layers import migrate
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
    return embedded_cluster(settings).up()


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
