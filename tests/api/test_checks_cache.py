"""The API serves a repeated evaluation from its cache, and computes afresh once data change
through the platform (a load, a saved project) or the entry expires."""

import pytest

import api.routes.checks
from api.checks_cache import clear, data_version

SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [
            [114.001, 24.501],
            [114.002, 24.501],
            [114.002, 24.502],
            [114.001, 24.502],
            [114.001, 24.501],
        ]
    ],
}


@pytest.fixture
def evaluations(monkeypatch) -> list[tuple]:
    clear()
    calls: list[tuple] = []
    original = api.routes.checks._evaluate

    def counting(*args):
        calls.append(args[2:])
        return original(*args)

    monkeypatch.setattr(api.routes.checks, "_evaluate", counting)
    return calls


def test_repeat_is_cached_until_data_change(client, viewer, admin, engine, evaluations) -> None:
    first = client.get("/api/checks?period=2024", headers=viewer).json()
    again = client.get("/api/checks?period=2024", headers=viewer).json()
    assert again == first and len(evaluations) == 1
    client.get("/api/checks?period=2023", headers=viewer)  # another key: computed
    assert len(evaluations) == 2

    before = data_version(engine)
    saved = client.post("/api/overlap?save=true&name=缓存测试", json=SQUARE, headers=admin)
    assert saved.status_code == 200
    assert data_version(engine) != before
    client.get("/api/checks?period=2024", headers=viewer)
    assert len(evaluations) == 3


def test_cache_can_be_turned_off(client, viewer, settings, evaluations, monkeypatch) -> None:
    monkeypatch.setattr(client.app.state.settings, "checks_cache_seconds", 0)
    client.get("/api/checks?period=2024", headers=viewer)
    client.get("/api/checks?period=2024", headers=viewer)
    assert len(evaluations) == 2
