"""``/metrics``: the Prometheus metrics (:mod:`sousei_kg.http.metrics`), for operators only.

Readable with a read (or write) token, or without one from loopback: when the client address
the server resolved (uvicorn's ``ProxyHeadersMiddleware``, for ``--trusted-proxy`` peers) is a
loopback address. A request that carries forwarding headers while no proxy is trusted is not
taken for a local one: it came through a proxy the server was not told about, whose clients
could be anyone. A wrong token is counted and backed off like on the write path.
"""

import ipaddress

from fastapi import APIRouter, Request
from fastapi.responses import Response

from sousei_kg.config import Settings
from sousei_kg.http.client_identity import client_address
from sousei_kg.http.deps import SettingsDep
from sousei_kg.http.metrics import exposition
from sousei_kg.routes._writes import principal_or_error

router = APIRouter(tags=["operations"])

FORWARDING_HEADERS = frozenset({b"x-forwarded-for", b"forwarded", b"x-real-ip"})


def is_local(request: Request, settings: Settings) -> bool:
    """Whether the request comes from this machine (the resolved address is loopback)."""
    try:
        address = ipaddress.ip_address(client_address(request.scope))
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    if not (address.is_loopback or (mapped is not None and mapped.is_loopback)):
        return False
    forwarded = any(name in FORWARDING_HEADERS for name, _ in request.scope["headers"])
    return not forwarded or bool(settings.trusted_proxies)


@router.get("/metrics", include_in_schema=False, response_model=None)
async def metrics(request: Request, settings: SettingsDep) -> Response:
    """The metrics in Prometheus's text format (every server process's). On the event loop:
    reading them takes about a millisecond, and a failed authentication is counted there."""
    if not is_local(request, settings):
        principal = principal_or_error(request, settings, write=False)
        if isinstance(principal, Response):
            return principal
    body, content_type = exposition()
    return Response(body, media_type=content_type, headers={"Cache-Control": "no-store"})
