"""Demo data never pass for real (issue 16, defect 10): the container loads the synthetic
dataset only when WATERSHED_LOAD_DEMO=true, and wherever it is loaded the API and the map say
示例数据; a database without it says nothing of the kind."""

import json
import re
import stat
import subprocess

import pytest
from fastapi.testclient import TestClient

from api.auth import create_token
from api.main import create_app
from layers.settings import REPO_ROOT


def _container_command() -> str:
    """The shell command of the Dockerfile's CMD (exec form: ["sh", "-c", "…"])."""
    text = (REPO_ROOT / "Dockerfile").read_text(encoding="utf-8")
    (cmd,) = re.findall(r"^CMD (\[.*\])$", text, flags=re.M)
    argv = json.loads(cmd)
    assert argv[:2] == ["sh", "-c"]
    return argv[2]


@pytest.mark.parametrize(
    ("setting", "loads_demo"),
    [(None, False), ("false", False), ("", False), ("1", False), ("true", True)],
)
def test_the_container_loads_demo_data_only_when_asked(tmp_path, setting, loads_demo):
    fake = tmp_path / "watershed"
    log = tmp_path / "calls.log"
    fake.write_text(f'#!/bin/sh\necho "$*" >> {log}\n')
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    env = {"PATH": f"{tmp_path}:/usr/bin:/bin"}
    default = re.search(
        r"^ENV .*WATERSHED_LOAD_DEMO=(\S+)", (REPO_ROOT / "Dockerfile").read_text(), re.M
    )
    assert default and default.group(1) == "false"  # the image's default
    env["WATERSHED_LOAD_DEMO"] = default.group(1) if setting is None else setting
    subprocess.run(["sh", "-c", _container_command()], env=env, check=True, timeout=30)
    calls = log.read_text().splitlines()
    assert calls[0] == "db upgrade" and calls[-1] == "serve"
    assert ("demo load --if-empty" in calls) is loads_demo


def test_compose_defaults_to_no_demo_data():
    compose = (REPO_ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    assert "WATERSHED_LOAD_DEMO: ${WATERSHED_LOAD_DEMO:-false}" in compose


def _catalogue(engine, settings) -> list[dict]:
    token = create_token(engine, "viewer", name="test-demo-opt-in")
    with TestClient(create_app(settings)) as client:
        response = client.get("/api/layers", headers={"Authorization": f"Bearer {token}"})
        page = client.get("/", headers={"Authorization": f"Bearer {token}"}).text
    assert response.status_code == 200
    return response.json(), page


def test_the_api_and_the_map_say_demo_data_where_they_are_loaded(demo_database):
    layers, page = _catalogue(*demo_database)
    marked = {layer["key"] for layer in layers if layer["demo"]}
    # Every spatial layer of the dataset is a demo file (data/shapefiles/*.shp).
    expected = {p.stem for p in (REPO_ROOT / "data" / "shapefiles").glob("*.shp")}
    assert marked == expected
    assert all("示例数据" in layer["data_note"] for layer in layers if layer["demo"])
    assert 'id="ws-demo-banner"' in page and "示例数据" in page
    assert "耕地" in page.split('id="ws-demo-banner"')[1].split("</div>")[0]


def test_a_database_without_demo_data_says_nothing_of_it(engine, settings, tmp_path):
    from tests.conftest import fresh_database

    own, own_settings = fresh_database(engine, settings, "no_demo")
    try:
        layers, page = _catalogue(own, own_settings)
    finally:
        own.dispose()
    assert not any(layer["demo"] for layer in layers)
    assert all(layer["data_note"] is None for layer in layers)
    assert "ws-demo-banner" not in page
