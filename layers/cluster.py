"""The embedded PostGIS cluster (内置数据库): initdb + pg_ctl under ``var/pg``.

With no ``DATABASE_URL`` the platform runs its own private cluster so one command brings
everything up on a fresh machine. It listens on a Unix socket in its own directory and on
127.0.0.1 (tipg refuses socket-only DSNs), with password authentication over TCP.

PostgreSQL refuses to run as root, so when we are root the server programs run as the
``postgres`` system user (created by Debian's postgresql packages) through ``runuser``.
"""

import os
import pwd
import secrets
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from gis.errors import DatabaseUnavailableError

DB_NAME = "watershed"
DB_USER = "watershed"  # the cluster's owner: migrations, loads from the CLI
#: The role the API serves with: no superuser, no DDL, audit_log INSERT-only (the grants
#: are applied by layers.migrate after each upgrade, to this role wherever it exists).
APP_USER = "watershed_app"
#: The role the OGC API (tipg, ``/ogc``) reads with: SELECT on the published layer tables and
#: nothing else (granted by layers.migrate.grant_ogc_role); tipg's start-up only creates
#: functions in its session's pg_temp schema, which the database's TEMPORARY privilege allows.
OGC_USER = "watershed_ogc"
SERVER_USER = "postgres"  # the OS account that owns the cluster when we run as root
INSTALL_HINT = "apt-get install postgresql-15-postgis-3（Debian/Ubuntu）"


def find_pg_bindir() -> Path:
    """Directory holding initdb/pg_ctl: PATH first, then Debian's /usr/lib/postgresql/N/bin."""
    on_path = shutil.which("pg_ctl")
    if on_path and shutil.which("initdb"):
        return Path(on_path).resolve().parent
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if candidates:
        return candidates[-1].parent
    raise DatabaseUnavailableError(
        "找不到 PostgreSQL 服务器程序 initdb / pg_ctl (PostgreSQL server binaries not found).",
        hint=f"请安装：{INSTALL_HINT}，或设置 DATABASE_URL 指向已有的 PostGIS。",
    )


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


@dataclass(frozen=True)
class EmbeddedCluster:
    """A private PostgreSQL cluster rooted at ``base`` (normally ``var/pg``)."""

    base: Path
    port: int

    @property
    def data_dir(self) -> Path:
        return self.base / "data"

    @property
    def socket_dir(self) -> Path:
        return self.base / "run"

    @property
    def log_file(self) -> Path:
        return self.base / "postgres.log"

    @property
    def password_file(self) -> Path:
        return self.base / "password"

    @property
    def app_password_file(self) -> Path:
        return self.base / "app_password"

    @property
    def ogc_password_file(self) -> Path:
        return self.base / "ogc_password"

    @property
    def initialised(self) -> bool:
        return (self.data_dir / "PG_VERSION").exists()

    def url(self, driver: str = "postgresql") -> str:
        """Connection string in libpq URI form (psql, ogr2ogr, QGIS); ``driver`` for SQLAlchemy."""
        password = quote(self.password_file.read_text().strip(), safe="")
        return f"{driver}://{DB_USER}:{password}@127.0.0.1:{self.port}/{DB_NAME}"

    def app_url(self) -> str | None:
        """The API's connection string (role :data:`APP_USER`), None for a cluster created
        before the role existed (then the API keeps the owner's)."""
        if not self.app_password_file.exists():
            return None
        password = quote(self.app_password_file.read_text().strip(), safe="")
        return f"postgresql://{APP_USER}:{password}@127.0.0.1:{self.port}/{DB_NAME}"

    def ogc_url(self) -> str | None:
        """The OGC API's read-only connection string (role :data:`OGC_USER`), None for a
        cluster created before the role existed."""
        if not self.ogc_password_file.exists():
            return None
        password = quote(self.ogc_password_file.read_text().strip(), safe="")
        return f"postgresql://{OGC_USER}:{password}@127.0.0.1:{self.port}/{DB_NAME}"

    # -- running server programs -------------------------------------------------------

    def _run(self, program: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        cmd = [str(find_pg_bindir() / program), *args]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", SERVER_USER, "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, check=check)

    def _hand_over(self, path: Path) -> None:
        """Give ``path`` to the server account when running as root."""
        if os.geteuid() != 0:
            return
        try:
            account = pwd.getpwnam(SERVER_USER)
        except KeyError as exc:
            raise DatabaseUnavailableError(
                f"以 root 运行时需要系统用户 {SERVER_USER}（PostgreSQL 不能以 root 运行）。",
                hint=f"请安装：{INSTALL_HINT}",
            ) from exc
        for p in [path, *path.rglob("*")]:
            os.chown(p, account.pw_uid, account.pw_gid)

    # -- lifecycle -------------------------------------------------------------------------

    def running(self) -> bool:
        if not self.initialised:
            return False
        return self._run("pg_ctl", "status", "-D", str(self.data_dir), check=False).returncode == 0

    def init(self) -> bool:
        """Create the cluster once; returns False when it already existed."""
        if self.initialised:
            return False
        self.base.mkdir(parents=True, exist_ok=True)
        self.socket_dir.mkdir(exist_ok=True)
        if not self.password_file.exists():
            self.password_file.write_text(secrets.token_urlsafe(24) + "\n")
            self.password_file.chmod(0o600)
        self._hand_over(self.base)
        result = self._run(
            "initdb",
            "-D",
            str(self.data_dir),
            "-U",
            DB_USER,
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            f"--pwfile={self.password_file}",
            check=False,
        )
        if result.returncode != 0:
            raise DatabaseUnavailableError(f"initdb 失败 (initdb failed): {result.stderr.strip()}")
        return True

    def start(self) -> bool:
        """Start the server; returns False when it was already running."""
        if self.running():
            return False
        if port_in_use(self.port):
            raise DatabaseUnavailableError(
                f"端口 {self.port} 已被占用 (port {self.port} is already in use).",
                hint="请设置 WATERSHED_PG_PORT 为其他端口，或停止占用该端口的程序。",
            )
        options = (
            f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1 "
            "-c unix_socket_permissions=0700 -c fsync=on -c jit=off"
        )
        result = self._run(
            "pg_ctl",
            "start",
            "-D",
            str(self.data_dir),
            "-l",
            str(self.log_file),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            check=False,
        )
        if result.returncode != 0:
            tail = (
                self.log_file.read_text(errors="replace")[-1500:] if self.log_file.exists() else ""
            )
            raise DatabaseUnavailableError(
                f"PostgreSQL 启动失败 (start failed): {result.stderr}\n{tail}"
            )
        return True

    def stop(self) -> bool:
        if not self.running():
            return False
        self._run("pg_ctl", "stop", "-D", str(self.data_dir), "-m", "fast", "-w")
        return True

    def ensure_database(self) -> None:
        """Create the application database and the PostGIS extension if missing."""
        psql = ["psql", "-h", str(self.socket_dir), "-p", str(self.port), "-U", DB_USER, "-X", "-q"]
        exists = self._run(
            *psql, "-d", "postgres", "-tAc", f"SELECT 1 FROM pg_database WHERE datname='{DB_NAME}'"
        ).stdout.strip()
        if not exists:
            self._run(*psql, "-d", "postgres", "-c", f"CREATE DATABASE {DB_NAME}")
        result = self._run(
            *psql, "-d", DB_NAME, "-c", "CREATE EXTENSION IF NOT EXISTS postgis", check=False
        )
        if result.returncode != 0:
            raise DatabaseUnavailableError(
                f"无法启用 PostGIS 扩展 (CREATE EXTENSION postgis failed): {result.stderr.strip()}",
                hint=f"请安装：{INSTALL_HINT}",
            )
        self._ensure_role(psql, APP_USER, self.app_password_file)
        self._ensure_role(psql, OGC_USER, self.ogc_password_file)

    def _ensure_role(self, psql: list[str], role: str, password_file: Path) -> None:
        """A role the API connects as (:data:`APP_USER`, :data:`OGC_USER`): it logs in with a
        password of its own and can do nothing the grants of :mod:`layers.migrate` do not
        give it."""
        if not password_file.exists():
            password_file.write_text(secrets.token_urlsafe(24) + "\n")
            password_file.chmod(0o600)
            self._hand_over(password_file)
        password = password_file.read_text().strip()  # url-safe: no quote to escape
        exists = self._run(
            *psql, "-d", "postgres", "-tAc", f"SELECT 1 FROM pg_roles WHERE rolname='{role}'"
        ).stdout.strip()
        verb = "ALTER" if exists else "CREATE"
        self._run(
            *psql,
            "-d",
            "postgres",
            "-c",
            f"{verb} ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION "
            f"PASSWORD '{password}'",
        )

    def up(self) -> bool:
        """Init (once), start (if stopped) and make sure the database exists. Idempotent.

        Returns True when anything had to be done.
        """
        created = self.init()
        started = self.start()
        if created or started:
            self.ensure_database()
        return created or started
