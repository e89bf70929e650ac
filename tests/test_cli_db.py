"""`watershed db …` as a user runs it: a real subprocess, its own cluster under a temp var dir."""

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory

from layers.migrate import MIGRATIONS
from tests.conftest import free_port

WATERSHED = str(Path(sys.executable).with_name("watershed"))


@pytest.fixture(scope="module")
def cli_env() -> Iterator[dict[str, str]]:
    var = Path(tempfile.mkdtemp(prefix="watershed-cli-"))
    var.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= {"WATERSHED_VAR_DIR": str(var), "WATERSHED_PG_PORT": str(free_port())}
    yield env
    subprocess.run([WATERSHED, "db", "down"], env=env, capture_output=True)
    shutil.rmtree(var, ignore_errors=True)


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([WATERSHED, *args], env=env, capture_output=True, text=True)


def psql(url: str, sql: str) -> str:
    out = subprocess.run(["psql", url, "-XtAc", sql], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_up_is_idempotent_and_down_up_keeps_data(cli_env: dict[str, str]) -> None:
    first = run(cli_env, "db", "up")
    assert first.returncode == 0, first.stderr
    assert "已启动" in first.stdout and "PostGIS 3" in first.stdout

    second = run(cli_env, "db", "up")
    assert second.returncode == 0
    assert "无需操作" in second.stdout

    url = run(cli_env, "db", "url").stdout.strip()
    assert url.startswith("postgresql://watershed:") and "@127.0.0.1:" in url
    # libpq form, usable as is by psql (and so by ogr2ogr and QGIS).
    psql(url, "CREATE TABLE kept (name text); INSERT INTO kept VALUES ('㵐水片区')")

    assert run(cli_env, "db", "down").returncode == 0
    assert run(cli_env, "db", "status").returncode == 3
    assert run(cli_env, "db", "up").returncode == 0
    assert psql(url, "SELECT name FROM kept") == "㵐水片区"


def test_upgrade_and_status(cli_env: dict[str, str]) -> None:
    result = run(cli_env, "db", "upgrade")
    assert result.returncode == 0, result.stderr
    status = run(cli_env, "db", "status")
    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    head = ScriptDirectory.from_config(config).get_current_head()
    assert f"迁移版本 (revision)：{head}" in status.stdout, status.stdout


def test_port_taken_is_a_clear_error(cli_env: dict[str, str]) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        var = Path(tempfile.mkdtemp(prefix="watershed-busy-"))
        var.chmod(0o755)
        env = cli_env | {"WATERSHED_VAR_DIR": str(var), "WATERSHED_PG_PORT": str(port)}
        try:
            result = run(env, "db", "up")
        finally:
            shutil.rmtree(var, ignore_errors=True)
    assert result.returncode == 1
    assert f"端口 {port} 已被占用" in result.stderr
    assert "WATERSHED_PG_PORT" in result.stderr
    assert "Traceback" not in result.stderr


def test_external_database_url_is_only_verified(cli_env: dict[str, str]) -> None:
    url = run(cli_env, "db", "url").stdout.strip()
    env = cli_env | {"DATABASE_URL": url, "WATERSHED_VAR_DIR": "/nonexistent-var"}
    result = run(env, "db", "up")
    assert result.returncode == 0, result.stderr
    assert "PostGIS 3" in result.stdout and "内置数据库" not in result.stdout
    assert not Path("/nonexistent-var").exists()
