"""`watershed token demo` (run by each `make run`) keeps the demo tokens that are still valid,
so tablets signed in with one stay signed in across restarts (issue 18, point 6)."""

import os
import stat
import subprocess
import sys
from pathlib import Path

from api.auth import principal_for, revoke_token
from layers.db import libpq_url

WATERSHED = str(Path(sys.executable).with_name("watershed"))


def _demo(env, *args) -> dict[str, str]:
    result = subprocess.run(
        [WATERSHED, "token", "demo", *args], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    lines = [line.split() for line in result.stdout.splitlines() if line.startswith("  ")]
    return {role: token for role, token in lines}


def test_demo_tokens_survive_a_restart_and_are_renewed_when_revoked(engine, settings, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("WATERSHED_")}
    env |= {"DATABASE_URL": libpq_url(settings), "WATERSHED_VAR_DIR": str(tmp_path)}
    try:
        first = _demo(env)
        assert set(first) == {"viewer", "admin"}
        assert principal_for(engine, first["viewer"]).role == "viewer"
        kept = tmp_path / "demo-tokens.json"
        assert stat.S_IMODE(kept.stat().st_mode) == 0o600
        again = _demo(env)  # the next `make run`
        assert again == first
        assert principal_for(engine, first["viewer"]) is not None  # still signed in
        assert principal_for(engine, first["admin"]).role == "admin"
        # revoked by an administrator: a new one, the old one stays revoked
        revoke_token(engine, "demo-viewer")
        renewed = _demo(env)
        assert renewed["viewer"] != first["viewer"] and renewed["admin"] == first["admin"]
        assert principal_for(engine, renewed["viewer"]).role == "viewer"
        assert principal_for(engine, first["viewer"]) is None
        # --new rotates both
        rotated = _demo(env, "--new")
        assert rotated["admin"] != first["admin"]
        assert principal_for(engine, first["admin"]) is None
        assert principal_for(engine, rotated["admin"]).role == "admin"
    finally:
        for name in ("demo-viewer", "demo-admin"):
            revoke_token(engine, name)
