"""``public_base`` (the base URL links are built from) says what Starlette's ``request.base_url``
says, for every mix of the parts it reads, though it is remembered per distinct parts."""

import itertools

import pytest
from starlette.requests import Request

from sousei_kg.config import Settings
from sousei_kg.http.deps import public_base

SCHEMES = ["http", "https"]
HOSTS = [None, b"example.org", b"example.org:8080", b"[::1]:80", b"EXAMPLE.org:443", b"x:80"]
SERVERS = [None, ("127.0.0.1", 8000), ("::1", 443), ("h", None), ("h", 80), ["testserver", 80]]
ROOTS = ["", "/x", "/x/"]
APP_ROOTS = [None, "/y"]


def _scope(
    scheme: str,
    host: bytes | None,
    server: tuple[str, int | None] | list[object] | None,
    root: str,
    app_root: str | None,
) -> dict[str, object]:
    scope: dict[str, object] = {
        "type": "http",
        "method": "GET",
        "scheme": scheme,
        "server": server,
        "path": "/sparql",
        "root_path": root,
        "query_string": b"query=ASK%7B%7D",
        "headers": ([(b"host", host)] if host else []) + [(b"accept", b"*/*")],
    }
    if app_root is not None:
        scope["app_root_path"] = app_root
    return scope


@pytest.mark.parametrize(
    "parts", list(itertools.product(SCHEMES, HOSTS, SERVERS, ROOTS, APP_ROOTS))
)
def test_public_base_is_starlettes_base_url(
    parts: tuple[str, bytes | None, tuple[str, int | None] | list[object] | None, str, str | None],
) -> None:
    scope = _scope(*parts)
    expected = str(Request(scope).base_url)
    settings = Settings(public_base_url=None)
    assert public_base(Request(scope), settings) == expected
    assert public_base(Request(scope), settings) == expected  # remembered: the same answer


def test_a_configured_public_base_wins() -> None:
    scope = _scope("http", b"internal:8000", ("10.0.0.1", 8000), "", None)
    settings = Settings(public_base_url="https://sousei.example.org/kg")
    assert public_base(Request(scope), settings) == "https://sousei.example.org/kg/"
