"""FastAPI dependencies as ``Annotated`` aliases: what a route needs, and where it comes from."""

from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import URL

from sousei_kg.config import Settings
from sousei_kg.dataset.knowledge_graph import KnowledgeGraph
from sousei_kg.sparql.memo import bounded_memo

REMEMBERED_BASES = 256
"""Distinct (scheme, Host, server, root path) whose base URL is remembered."""
REMEMBERED_BASE_BYTES = 256 * 1024
"""Bytes those hold at most (a Host header is bounded by the request head's limit)."""

# Both are ``async def`` on purpose: FastAPI runs a plain ``def`` dependency in its thread pool,
# which cost every request two thread hops (~0.1 ms each) for an attribute lookup.


async def get_knowledge_graph(request: Request) -> KnowledgeGraph:
    """The graph opened by the app's lifespan."""
    graph: KnowledgeGraph = request.app.state.knowledge_graph
    return graph


async def get_app_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


GraphDep = Annotated[KnowledgeGraph, Depends(get_knowledge_graph)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]


def public_base(request: Request, settings: Settings) -> str:
    """The base URL users reach this server at, ending in ``/``."""
    if settings.public_base_url:
        return settings.public_base_url.rstrip("/") + "/"
    scope = request.scope
    host = next((value for name, value in scope["headers"] if name == b"host"), None)
    root = scope.get("app_root_path", scope.get("root_path", ""))
    server = scope.get("server")  # a list from some servers and test clients: not hashable
    return _base_url(scope["scheme"], host, tuple(server) if server else None, root)


@bounded_memo(REMEMBERED_BASES, REMEMBERED_BASE_BYTES)
def _base_url(
    scheme: str, host: bytes | None, server: tuple[str, int | None] | None, root_path: str
) -> str:
    """Starlette's ``request.base_url`` from the only parts of the request it reads, remembered
    per distinct parts: building it (a ``URL`` from a copy of the scope, the ``Host`` header
    parsed) was ~5 % of an uncached query's time on the event loop, for the same few values."""
    headers = [(b"host", host)] if host is not None else []
    scope = {
        "type": "http",
        "scheme": scheme,
        "server": server,
        "path": root_path if root_path.endswith("/") else root_path + "/",
        "root_path": root_path,
        "query_string": b"",
        "headers": headers,
    }
    return str(URL(scope=scope))
