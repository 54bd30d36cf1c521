"""Cached answers to repeated GETs, written by the HTTP protocol before any ASGI work (issue 20).

Why: a hit of the response cache (:mod:`sousei_kg.http.response_cache`) still walked the whole
ASGI stack (metrics, access log, security headers, Starlette's error layer, the version header,
the protection) and uvicorn's request cycle (a task, two events, a scope): ~6–10k answers/s where
``oxigraph serve`` gives ~17k on the same machine. Everything those layers add to a hit is known
once the request line and headers are parsed, so the protocol (:mod:`sousei_kg.http.protocol`)
asks :meth:`Replayer.answer` right there, and a hit leaves in one ``send``.

The same answer, byte for byte (``tests/http/test_protocol_replay_live.py`` compares them):

* The cache is the middleware's own object and the key its :func:`~.response_cache.cache_key`.
* The layers outside the cache are checked, once per app, to be exactly the known ones
  (:func:`replayer_of`); what each adds is computed by that layer's own functions (the rate
  limit's :meth:`~.protection.ProtectionMiddleware.buckets_for`, :func:`~.protection.with_exposed`,
  :func:`~.security_headers.secured`, the version header, uvicorn's status line and default
  headers). Another stack, a wrapper uvicorn added (its proxy headers, a trace logger), a
  ``root_path`` on the app: no replayer, the ASGI path answers everything.
* The rate limit is taken before the replay from the same buckets at the same price. A refusal
  declines (a refused take spends nothing, so the ASGI path's own take decides again and answers
  the 429 with its own headers); after an allowed take the replay always completes.
* With ``--trusted-proxy``, the client address and scheme are resolved as the app's
  ``ProxyHeadersMiddleware`` resolves them, with that middleware's own ``_TrustedHosts``.
* The access log line (if on) and the request metrics are written as their layers write them.

Anything unusual declines: a method other than GET, a body (``Content-Length``,
``Transfer-Encoding``), ``Expect``, ``Upgrade``, HTTP/1.0 or ``Connection: close``, an answer of
the connection still being written (pipelining keeps its order), a transport that pushes back,
uvicorn's own access log or concurrency limit, a target past ``max_url_bytes``, a cache miss.
"""

import logging
import time
import urllib.parse
import weakref
from collections.abc import Callable
from dataclasses import dataclass

import httptools
from fastapi._body_limit import AppBodyLimitMiddleware
from fastapi.telemetry._asgi import ExceptionTelemetryMiddleware
from starlette.middleware.errors import ServerErrorMiddleware
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware, _TrustedHosts
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from sousei_kg.http.access_log import ROUTE_KEY, AccessLogMiddleware, access_line, write_line
from sousei_kg.http.cost_classes import class_of
from sousei_kg.http.dataset_version import VERSION_HEADER, DatasetVersionMiddleware
from sousei_kg.http.edge import EdgeApp
from sousei_kg.http.metrics import (
    PROTOCOL_REPLAYS,
    MetricsMiddleware,
    cache_lookup,
    count_request,
)
from sousei_kg.http.protection import (
    ProtectionMiddleware,
    decision_rate,
    rate_limit_headers,
    with_exposed,
)
from sousei_kg.http.response_cache import (
    CACHEABLE_PATHS,
    ResponseCacheMiddleware,
    cache_key,
    replayed,
)
from sousei_kg.http.security_headers import SecurityHeadersMiddleware, secured

Headers = list[tuple[bytes, bytes]]

DECLINED_HEADERS = frozenset({b"content-length", b"transfer-encoding", b"expect", b"upgrade"})
"""Request headers the replay leaves to the ASGI path: a body, a continuation, an upgrade.
(``Connection: close`` and HTTP/1.0 are declined by the protocol, which knows whether the
connection stays open: uvicorn's answer would then say ``connection: close``.)"""


@dataclass(frozen=True, slots=True)
class Replayer:
    """What one app's stack adds to a cached answer, and the objects its layers share."""

    app: EdgeApp
    cache: ResponseCacheMiddleware
    protection: ProtectionMiddleware
    proxies: _TrustedHosts | None
    """The trusted proxies of the app's ``ProxyHeadersMiddleware``, if it has one."""
    access_log: logging.Logger | None
    """The access log's logger, if the app writes one."""

    def answer(self, protocol: HttpToolsProtocol, write: Callable[[bytes], None]) -> bool:
        """Write the cached answer to the request whose head ``protocol`` just parsed, if the
        cache holds one and the request is an ordinary one; ``False`` leaves it to the app."""
        started = time.perf_counter()
        if protocol.parser.get_method() != b"GET":
            return False
        headers = protocol.headers
        if any(name in DECLINED_HEADERS for name, _ in headers):
            return False
        try:  # as uvicorn builds the scope (httptools_impl.on_headers_complete)
            parsed = httptools.parse_url(protocol.url)
            path = parsed.path.decode("ascii")
        except (httptools.HttpParserInvalidURLError, UnicodeDecodeError):
            return False
        if "%" in path:
            path = urllib.parse.unquote(path)
        root_path = protocol.root_path
        path = root_path + path
        query = parsed.query or b""
        settings = self.protection.settings
        if (
            not path.startswith(CACHEABLE_PATHS)
            or len(root_path.encode("ascii")) + len(parsed.path) + len(query)
            > settings.max_url_bytes
        ):
            return False
        client: tuple[str, int] | None = protocol.client
        scheme: str = protocol.scheme or "http"
        if self.proxies is not None:
            client, scheme = resolved(self.proxies, client, scheme, headers)
        graph = getattr(self.app.state, "knowledge_graph", None)
        if graph is None or self.cache.max_bytes <= 0:
            return False
        key = cache_key(graph.version, scheme, root_path, path, query, headers)
        stored = None if key is None else self.cache.lookup(key)
        if stored is None:
            return False  # the ASGI path looks again, and counts the miss
        address = str(client[0]) if client else ""
        announced: Headers = []
        if self.protection.buckets is not None:  # no cacheable path is exempt
            cost = class_of("GET", path, self.protection.classes)
            user_agent = b",".join(v for n, v in headers if n == b"user-agent").decode("latin-1")
            buckets = self.protection.buckets_for(address, user_agent, "GET", path, cost)
            decision = self.protection.buckets.take_all(buckets)
            if not decision.allowed:
                return False  # nothing was spent: the ASGI path decides again and answers 429
            announced = rate_limit_headers(decision, decision_rate(decision, cost))
        cache_lookup("response", hit=True)
        status, answer_headers, body = replayed(stored, headers)
        if announced:  # ProtectionMiddleware
            answer_headers = with_exposed(answer_headers, announced)
        answer_headers.append((VERSION_HEADER, graph.version.encode("ascii")))
        answer_headers = secured(answer_headers)  # SecurityHeadersMiddleware
        head = [STATUS_LINE[status]]  # uvicorn's RequestResponseCycle.send
        for name, value in [*protocol.server_state.default_headers, *answer_headers]:
            head.extend((name.lower(), b": ", value, b"\r\n"))
        head.append(b"\r\n")
        head.append(body)
        write(b"".join(head))
        if self.access_log is not None and self.access_log.isEnabledFor(logging.INFO):
            request = {"client": client, "method": "GET", "path": path, ROUTE_KEY: path}
            milliseconds = (time.perf_counter() - started) * 1000
            line = access_line(
                request,
                status=status,
                milliseconds=milliseconds,
                sent=len(body),
                outcome="complete",
            )
            write_line(self.access_log, line)
        count_request("GET", path, status, time.perf_counter() - started, graph.version)
        PROTOCOL_REPLAYS.inc()
        return True


def resolved(
    proxies: _TrustedHosts,
    client: tuple[str, int] | None,
    scheme: str,
    headers: Headers,
) -> tuple[tuple[str, int] | None, str]:
    """The client and scheme uvicorn's ``ProxyHeadersMiddleware`` (0.55) makes of a request: its
    ``__call__``, line for line, on its own trusted hosts."""
    if (client[0] if client else None) not in proxies:
        return client, scheme
    forwarded_proto: bytes | None = None
    forwarded_for: list[bytes] = []
    for name, value in headers:
        if name == b"x-forwarded-proto":
            forwarded_proto = value
        elif name == b"x-forwarded-for":
            forwarded_for.append(value)
    if forwarded_proto is not None:
        proto = forwarded_proto.decode("latin1").strip()
        if proto in {"http", "https", "ws", "wss"}:
            scheme = proto
    if forwarded_for:
        host, port = proxies.get_trusted_client_address(b", ".join(forwarded_for).decode("latin1"))
        if host:
            client = (host, port)
    return client, scheme


def _traced(app: EdgeApp) -> bool:
    """Whether FastAPI's own OpenTelemetry spans are on (a provider was configured, which
    instrumentation does before the app serves): every request would be traced, a replay not.
    Asked once, when the replayer is built (asking costs ~10 µs, a third of a replay)."""
    telemetry = getattr(app, "_native_telemetry", None)
    return telemetry is not None and bool(telemetry.enabled())


_REPLAYERS: "weakref.WeakKeyDictionary[object, Replayer | None]" = weakref.WeakKeyDictionary()


def replayer_of(app: object) -> Replayer | None:
    """The replayer of ``app`` (the application uvicorn runs), or ``None`` if its stack is not
    exactly the one whose additions :meth:`Replayer.answer` computes, or replaying is off."""
    if not isinstance(app, EdgeApp):
        return None  # wrapped by uvicorn (proxy headers, trace logging) or not ours
    if app in _REPLAYERS:
        return _REPLAYERS[app]
    if app.middleware_stack is None:
        return None  # not started yet: look again on the next request
    replayer = _built(app)
    _REPLAYERS[app] = replayer
    return replayer


def _built(app: EdgeApp) -> Replayer | None:
    settings = getattr(app.state, "settings", None)
    if settings is None or not settings.protocol_replay or app.root_path or _traced(app):
        return None
    chain: list[object] = []
    layer: object = app.middleware_stack
    while layer is not None and not isinstance(layer, ResponseCacheMiddleware):
        chain.append(layer)
        layer = getattr(layer, "app", None)
    if layer is None:
        return None
    kinds = [type(each) for each in chain]
    access_log = next((c.logger for c in chain if type(c) is AccessLogMiddleware), None)
    proxy = next((c for c in chain if type(c) is ProxyHeadersMiddleware), None)
    expected: list[type] = [
        MetricsMiddleware,
        *([AccessLogMiddleware] if access_log is not None else []),
        SecurityHeadersMiddleware,
        ServerErrorMiddleware,
        # FastAPI's own (0.165): the first acts only on an exception; the second is a pass-through
        # without a body limit (with one, its limiter would be the next layer and not match).
        ExceptionTelemetryMiddleware,
        AppBodyLimitMiddleware,
        *([ProxyHeadersMiddleware] if proxy is not None else []),
        DatasetVersionMiddleware,
        ProtectionMiddleware,
    ]
    if kinds != expected:
        return None
    protection = chain[-1]
    if not isinstance(protection, ProtectionMiddleware):  # for the type checker: kinds matched
        return None
    return Replayer(
        app=app,
        cache=layer,
        protection=protection,
        proxies=None if proxy is None else proxy.trusted_hosts,
        access_log=access_log,
    )
