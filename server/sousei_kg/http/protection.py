"""Request limits and per-client rate limiting, in front of everything else (issue 5).

One pure ASGI middleware, outermost in the app so that a refused request costs no routing,
negotiation or compression, and so that a streamed body is never buffered:

* **414** when the request target (path and query string) is longer than ``max_url_bytes``;
* **413** when ``Content-Length`` is over the body limit of the path (``max_update_bytes`` for
  ``/update`` and ``/store``, ``max_query_bytes`` for everything else), before any byte of the
  body is read; a chunked body is counted as it arrives and refused as soon as it passes the
  limit, and the app's own answer (it saw only part of the body) is discarded;
* **408** when the body does not arrive within ``body_timeout`` seconds of the app asking for
  it, so a client that stalls mid-upload cannot hold a request open;
* **429** with ``Retry-After`` once a client has spent its token bucket
  (:mod:`sousei_kg.http.rate_limit`, shared by all server processes). A client is its address plus
  its User-Agent, as at Wikidata; the address is the one uvicorn's ``ProxyHeadersMiddleware``
  resolved (the right-most untrusted address of ``X-Forwarded-For`` when the socket's peer is one
  of ``trusted_proxies``; the peer otherwise), set up by ``create_app``. Every
  limited answer announces the budget in ``RateLimit-Limit``, ``RateLimit-Remaining``,
  ``RateLimit-Reset`` and ``RateLimit-Policy`` (draft-ietf-httpapi-ratelimit-headers-06).
  ``/health`` (monitoring) and ``/static/`` are not rate limited; size limits hold everywhere.

What this cannot see: the request line and headers are read by uvicorn before the app runs.
The HTTP protocol (:mod:`sousei_kg.http.protocol`) bounds them there: their size at
``max_url_bytes`` + 16 KiB (more gets a 431 and the connection closed), the time they take at
``header_timeout`` (408 and closed), and the connections a process holds, overall and per address
(503). The idle time between requests on a kept-alive connection is uvicorn's
``timeout_keep_alive`` (5 s).

Errors are short ``text/plain`` messages naming the limit; never a stack trace.
"""

import hashlib
import math

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sousei_kg.config import Settings
from sousei_kg.http.body_guard import BodyGuard
from sousei_kg.http.client_identity import address_group, client_address, client_key
from sousei_kg.http.cors import is_write_path
from sousei_kg.http.cost_classes import CostClass, class_of, cost_classes, price_of
from sousei_kg.http.metrics import RATE_LIMITED
from sousei_kg.http.rate_limit import FILE_NAME, Bucket, Decision, TokenBuckets

Headers = list[tuple[bytes, bytes]]

#: The headers a browser script may read on a cross-origin answer (the app's CORS policy is
#: ``allow_origins=["*"]``; these are added to what it exposes).
EXPOSED = b"RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, RateLimit-Policy, Retry-After"
WRITE_PATHS = ("/update", "/store")
EXEMPT_PATHS = ("/health", "/static", "/metrics")


def _under(path: str, prefixes: tuple[str, ...]) -> bool:
    return any(path == prefix or path.startswith(prefix + "/") for prefix in prefixes)


def _has_body(fields: dict[bytes, list[str]]) -> bool:
    """Whether the request announces a body: one refused unread is not worth draining, so the
    answer closes the connection."""
    lengths = fields.get(b"content-length", [])
    return b"transfer-encoding" in fields or any(v.strip() not in ("", "0") for v in lengths)


def decision_rate(decision: Decision, cost: CostClass) -> float:
    """The refill rate of the bucket a decision announces (the client's or its address's)."""
    return cost.per_second * (decision.limit / cost.burst)


def rate_limit_headers(decision: Decision, per_second: float) -> Headers:
    """The ``RateLimit-*`` fields announcing the budget (and ``Retry-After`` when refused)."""
    window = max(1, math.ceil(decision.limit / per_second))
    headers = [
        (b"ratelimit-limit", str(decision.limit).encode()),
        (b"ratelimit-remaining", str(decision.remaining).encode()),
        (b"ratelimit-reset", str(decision.reset).encode()),
        (b"ratelimit-policy", f"{decision.limit};w={window}".encode()),
    ]
    if not decision.allowed:
        headers.append((b"retry-after", str(decision.retry_after).encode()))
    return headers


def with_exposed(headers: Headers, extra: Headers) -> Headers:
    """``headers`` plus ``extra``; on a CORS answer, ``extra`` is also exposed to scripts."""
    result = [*headers, *extra]
    if not any(name.lower() == b"access-control-allow-origin" for name, _ in result):
        return result
    for index, (name, value) in enumerate(result):
        if name.lower() == b"access-control-expose-headers":
            result[index] = (name, value + b", " + EXPOSED)
            return result
    return [*result, (b"access-control-expose-headers", EXPOSED)]


class ProtectionMiddleware:
    """The limits above, as a pure ASGI middleware (it never buffers a body).

    Args:
        app: the application to protect.
        settings: the limits (``max_*_bytes``, ``body_timeout``, ``rate_limit*``,
            ``state_dir``).
        buckets: the rate-limit store; by default built from ``settings`` (``None`` when rate
            limiting is off). Tests pass one with their own clock.
    """

    def __init__(
        self, app: ASGIApp, settings: Settings, buckets: TokenBuckets | None = None
    ) -> None:
        self.app = app
        self.settings = settings
        self.classes = cost_classes(settings)
        self.address_clients = settings.address_budget_clients
        if buckets is None and settings.rate_limit:
            path = settings.state_dir / FILE_NAME if settings.state_dir is not None else None
            longest = max(c.burst / c.per_second for c in self.classes)
            buckets = TokenBuckets(
                path,
                settings.rate_limit_burst,
                settings.rate_limit_per_second,
                max_idle_seconds=longest,
            )
        self.buckets = buckets if settings.rate_limit else None

    def _buckets(
        self, scope: Scope, fields: dict[bytes, list[str]], cost: CostClass
    ) -> list[Bucket]:
        """The buckets of this request. The address is the one uvicorn's ProxyHeadersMiddleware
        resolved (from X-Forwarded-For when the peer is a trusted proxy): the one resolver of the
        server."""
        user_agent = ",".join(fields.get(b"user-agent", []))
        return self.buckets_for(
            client_address(scope), user_agent, scope["method"], scope["path"], cost
        )

    def buckets_for(
        self, address: str, user_agent: str, method: str, path: str, cost: CostClass
    ) -> list[Bucket]:
        """The client's bucket and its address group's, of the request's cost class and at its
        price (also used by the protocol's replay of cached answers, which takes the same
        tokens: :mod:`sousei_kg.http.protocol_replay`)."""
        group = hashlib.sha256(address_group(address).encode("utf-8")).digest()
        scale = self.address_clients
        price = price_of(method, path)
        return [
            Bucket(
                cost.name.encode() + b":client:" + client_key(address, user_agent),
                cost.burst,
                cost.per_second,
                price,
            ),
            Bucket(
                cost.name.encode() + b":address:" + group,
                cost.burst * scale,
                cost.per_second * scale,
                price,
            ),
        ]

    def body_limit(self, path: str) -> tuple[int, str]:
        """The body limit for ``path`` and what it is called in messages."""
        if _under(path, WRITE_PATHS):
            return self.settings.max_update_bytes, "writes (/update, /store)"
        return self.settings.max_query_bytes, "queries and other requests"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        fields: dict[bytes, list[str]] = {}
        for name, value in scope["headers"]:
            fields.setdefault(name, []).append(value.decode("latin-1"))
        path: str = scope["path"]
        announced: Headers = []
        if self.buckets is not None and not _under(path, EXEMPT_PATHS):
            cost = class_of(scope["method"], path, self.classes)
            decision = self.buckets.take_all(self._buckets(scope, fields, cost))
            announced = rate_limit_headers(decision, decision_rate(decision, cost))
            if not decision.allowed:
                RATE_LIMITED.labels(cost.name).inc()
                message = (
                    f"429 Too Many Requests: each client (address and User-Agent) may send "
                    f"{cost.burst} requests at once and {cost.per_second:g} per second after "
                    f"that for {cost.description}, and each address (an IPv6 /64) "
                    f"{self.address_clients} times that; retry in {decision.retry_after} s"
                )
                await self._answer(
                    send, 429, message, announced, close=_has_body(fields), path=path
                )
                return
        refusal = self._check_head(scope, path, fields.get(b"content-length", []))
        if refusal is not None:
            await self._answer(send, *refusal, announced, close=_has_body(fields), path=path)
            return
        await self._forward(scope, receive, send, announced)

    def _check_head(
        self, scope: Scope, path: str, content_length: list[str]
    ) -> tuple[int, str] | None:
        """414, 413 or 400 from the request line and headers alone; ``None`` if they pass."""
        raw_path: bytes = scope.get("raw_path") or path.encode()
        target = len(raw_path) + len(scope.get("query_string", b""))
        if target > self.settings.max_url_bytes:
            return 414, (
                f"414 URI Too Long: the request target is {target} bytes, more than the limit "
                f"of {self.settings.max_url_bytes} bytes; send a long query in the body of a "
                "POST instead (Content-Type: application/sparql-query, or a form)"
            )
        if not content_length:
            return None
        limit, what = self.body_limit(path)
        values = {value.strip() for value in content_length}
        value = values.pop()
        if values or not value.isdigit():
            return 400, f"400 Bad Request: Content-Length {value[:40]!r} is not one number of bytes"
        if int(value) > limit:
            return 413, (
                f"413 Content Too Large: the request body is {int(value)} bytes "
                f"(Content-Length), more than the limit of {limit} bytes for {what}"
            )
        return None

    async def _forward(
        self, scope: Scope, receive: Receive, send: Send, announced: Headers
    ) -> None:
        """Run the app with the body guarded; answer 413 or 408 in its place if the guard trips."""
        guard = BodyGuard(receive, *self.body_limit(scope["path"]), self.settings.body_timeout)
        started = False

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if guard.refusal is not None:
                return  # the app answered a body it only partly saw: ours replaces it
            if message["type"] == "http.response.start":
                started = True
                if announced:
                    headers = with_exposed(list(message.get("headers", [])), announced)
                    message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, guard.receive, guarded_send)
        except Exception:
            # Whatever the app made of the refused body (a re-raised BodyRefusedError, or a
            # framework error wrapping it), the refusal is the answer; anything else propagates.
            if guard.refusal is None:
                raise
        if guard.refusal is not None and not started:
            await self._answer(send, *guard.refusal, announced, close=True, path=scope["path"])

    @staticmethod
    async def _answer(
        send: Send, status: int, message: str, announced: Headers, *, close: bool, path: str
    ) -> None:
        """A short text/plain error that no cache keeps; ``close`` when the body was not read.
        Readable by scripts of any origin, like every read answer; not on the write path, which
        answers other origins only as configured (sousei_kg.http.cors)."""
        body = (message + "\n").encode()
        headers: Headers = [
            (b"content-type", b"text/plain; charset=utf-8"),
            (b"content-length", str(len(body)).encode()),
            (b"cache-control", b"no-store"),
            (b"vary", b"Accept"),
        ]
        if not is_write_path(path):
            headers.append((b"access-control-allow-origin", b"*"))
        if close:
            headers.append((b"connection", b"close"))
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": with_exposed(headers, announced),
            }
        )
        await send({"type": "http.response.body", "body": body})
