"""Every write from the command line leaves an audit row with its actor (issue 16, defect 8):
`watershed load` (loaded and refused), `watershed token create` / `revoke`. Real subprocesses
on a database of their own in the test cluster."""

import getpass
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

from sqlalchemy import Engine, text

from layers.settings import Settings
from tests.conftest import DEMO_DIR, fresh_database

WATERSHED = str(Path(sys.executable).with_name("watershed"))


def test_cli_writes_are_audited_with_the_account(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    own, own_settings = fresh_database(engine, settings, "cli_audit")
    env = {**os.environ, "DATABASE_URL": own_settings.database_url}

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([WATERSHED, *args], env=env, capture_output=True, text=True)

    try:
        for part in DEMO_DIR.glob("rivers.*"):
            shutil.copy(part, tmp_path / part.name)
        assert run("load", str(tmp_path / "rivers.shp"), "--layer", "rivers").returncode == 0
        (tmp_path / "broken.geojson").write_text("{not json", encoding="utf-8")
        refused = run("load", str(tmp_path / "broken.geojson"), "--layer", "rivers")
        assert refused.returncode == 1
        assert run("token", "create", "--role", "viewer", "--name", "cli-audit").returncode == 0
        assert run("token", "revoke", "cli-audit").returncode == 0

        with own.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT actor, action, target, source_sha256, detail FROM audit_log ORDER BY id"
                )
            ).all()
            loads = conn.execute(text("SELECT actor, sha256 FROM loads")).all()
        actor = f"cli:{getpass.getuser()}@{socket.gethostname()}"
        assert [(r.actor, r.action, r.target) for r in rows] == [
            (actor, "load", "layers/rivers"),
            (actor, "load.refused", "layers/rivers"),
            (actor, "token.create", "tokens/cli-audit"),
            (actor, "token.revoke", "tokens/cli-audit"),
        ]
        loaded, refused_row, created, revoked = rows
        assert loaded.detail["file"] == "rivers.shp" and loaded.detail["loaded"] > 0
        assert loaded.source_sha256 == loads[0].sha256 and loads[0].actor == actor
        assert refused_row.detail["file"] == "broken.geojson" and refused_row.detail["refused"]
        assert str(tmp_path) not in str(refused_row.detail)  # no server folder in the log
        assert created.detail["token_role"] == "viewer" and revoked.detail["revoked"] == 1
        assert all(r.detail["role"] == "cli" for r in rows)
    finally:
        own.dispose()
