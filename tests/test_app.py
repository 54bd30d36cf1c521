"""The application core: start-up, headers every response carries, and a real server."""

import httpx
from fastapi.testclient import TestClient

from sousei_kg.app import create_app
from sousei_kg.config import Settings


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
    assert "X-Dataset-Version" in response.headers["access-control-expose-headers"]
    assert preflight.status_code == 200


def test_live_server_answers(live_server: str) -> None:
    response = httpx.get(live_server + "health", timeout=10)
    assert response.status_code == 200
    assert response.headers["x-dataset-version"] == response.json()["dataset_version"]
