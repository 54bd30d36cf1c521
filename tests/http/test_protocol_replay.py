"""Which stacks the protocol's replay of cached answers (sousei_kg.http.protocol_replay) serves:
the app ``create_app`` builds (else the feature would be silently off), with or without the
access log and a trusted proxy; never a stack with a layer it does not know, an app uvicorn
wrapped, or with ``protocol_replay`` off."""

from collections.abc import Callable

from fastapi.testclient import TestClient
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from sousei_kg.app import create_app
from sousei_kg.config import Settings
from sousei_kg.http.protocol_replay import replayer_of


class Unknown:
    """A layer the replay cannot account for (it might add a header)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)


def test_the_app_create_app_builds_is_replayed(client_with: Callable[..., TestClient]) -> None:
    plain = client_with()
    assert replayer_of(plain.app) is not None
    proxied = client_with(trusted_proxies=["10.0.0.1"], access_log=False)
    replayer = replayer_of(proxied.app)
    assert replayer is not None
    assert replayer.proxies is not None
    assert replayer.access_log is None


def test_other_stacks_are_not(client_with: Callable[..., TestClient]) -> None:
    assert replayer_of(client_with(protocol_replay=False).app) is None
    wrapped = client_with()
    assert replayer_of(ProxyHeadersMiddleware(wrapped.app)) is None  # type: ignore[arg-type]
    extra = create_app(Settings())
    extra.add_middleware(Unknown)
    extra.middleware_stack = extra.build_middleware_stack()
    assert replayer_of(extra) is None
    known = create_app(Settings())
    known.middleware_stack = known.build_middleware_stack()
    assert replayer_of(known) is not None  # the same app without the unknown layer
