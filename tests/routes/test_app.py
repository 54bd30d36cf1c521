"""The application core: start-up, headers every response carries, and a real server."""

from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from sousei_kg.app import create_app
from sousei_kg.config import Settings
from sousei_kg.dataset.graph_naming import shipped_files
from sousei_kg.store.directory import build_store


def test_health_names_versions() -> None:
    with TestClient(create_app(Settings())) as client:
        response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert len(body["dataset_version"]) == 64
    assert response.headers["X-Dataset-Version"] == body["dataset_version"]
    assert body["quads"] > 1000


def test_cors_is_open_for_reads() -> None:
    with TestClient(create_app(Settings())) as client:
        response = client.get("/health", headers={"Origin": "https://example.org"})
        preflight = client.options(
            "/health",
            headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET"},
        )
    assert response.headers["access-control-allow-origin"] == "*"
    exposed = response.headers["access-control-expose-headers"]
    for header in ("X-Dataset-Version", "X-Result-Truncated", "X-Result-Limit", "ETag"):
        assert header in exposed
    assert preflight.status_code == 200


@pytest.mark.live
def test_live_server_answers(live_server: str) -> None:
    response = httpx.get(live_server + "health", timeout=10)
    assert response.status_code == 200
    assert response.headers["x-dataset-version"] == response.json()["dataset_version"]


def test_serves_a_built_store_without_reloading(tmp_path: Path) -> None:
    """``serve --store DIR`` opens the store ``build`` made, and takes its version from the
    manifest written at build time (no reload, no recount)."""
    manifest = build_store(tmp_path / "store", shipped_files())
    with TestClient(create_app(Settings(store=tmp_path / "store"))) as client:
        health = client.get("/health").json()
        goals = client.get(
            "/sparql",
            params={
                "query": "SELECT ?g WHERE { ?g a <https://w3id.org/sousei-kg/def#PolicyGoal> }"
            },
        ).json()
    assert health["dataset_version"] == manifest.version_hash
    assert health["quads"] == manifest.quad_count
    assert len(goals["results"]["bindings"]) == 3


def test_even_refusals_name_the_dataset_version() -> None:
    with TestClient(create_app(Settings())) as client:
        version = client.get("/health").json()["dataset_version"]
        too_long = client.get("/sparql", params={"query": "#" + "x" * 40_000})
    assert too_long.status_code == 414
    assert too_long.headers["X-Dataset-Version"] == version
