"""``/limits`` (routes/health.py) lists the connection limits with the others."""

from collections.abc import Callable

from fastapi.testclient import TestClient


def test_limits_lists_the_head_deadline_and_the_connection_caps(
    client_with: Callable[..., TestClient],
) -> None:
    client = client_with(header_timeout=3, max_connections=100, max_connections_per_address=8)
    limits = client.get("/limits").json()
    assert limits["request"]["header_timeout_seconds"] == 3
    assert limits["connections"] == {
        "per_server_process": 100,
        "per_address_per_server_process": 8,
        "address": "IPv4 address or IPv6 /64; a trusted proxy counts only in the total",
    }
