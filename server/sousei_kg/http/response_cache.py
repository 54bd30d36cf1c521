"""Whole answers to repeated GETs, replayed before CORS, compression and routing run again.

Dashboards, harvesters and pages send the same request again and again. The result cache
(:mod:`sousei_kg.execution.result_cache`) already skips the engine for those, but a hit still
costs about 0.9 ms of framework path (routing, dependencies, negotiation, CORS, gzip at level 9 on
every answer). This ASGI middleware sits just inside the request limits and the rate limit, so
those still apply to every request. It keeps the finished answer, compressed body and headers
included, and replays it for the same request on the same dataset version.

What an answer depends on is the key: the dataset version, the path and raw query string, the
scheme, and every request header that can change the answer (``Accept``, ``Accept-Encoding``,
``Accept-Language``, ``Origin``, ``Host`` and the forwarded headers a trusted proxy sets).
Requests with credentials or cookies are never cached. Only ``200`` answers that carry a strong
``ETag`` are kept: the routes set one exactly where an answer depends on nothing but the request
and the dataset version. A write publishes a new version, so older answers can no longer match,
and they are dropped when the first answer of the new version is stored. Memory is bounded by the
bodies' total size, evicting the least recently used first.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sousei_kg.execution.versioned_lru import ENTRY_OVERHEAD_BYTES, VersionedLRU
from sousei_kg.http.access_log import ROUTE_KEY
from sousei_kg.http.metrics import cache_lookup

CACHEABLE_PATHS = ("/sparql", "/queries/", "/fragments")
"""Where repeated GETs are common and answers are pure functions of request and version."""

VARYING_HEADERS = (
    b"accept",
    b"accept-encoding",
    b"accept-language",
    b"origin",
    b"host",
    b"x-forwarded-proto",
    b"x-forwarded-host",
    b"forwarded",
)
BYPASS_HEADERS = frozenset({b"authorization", b"cookie", b"range"})
# Dropped from a 304 (RFC 9110 §15.4.5: a 304 describes the stored answer without its body).
_BODY_HEADERS = frozenset({b"content-length", b"content-type", b"content-encoding"})

CacheKey = tuple[object, ...]


@dataclass(frozen=True)
class StoredAnswer:
    """A finished ``200`` answer: its headers (raw ASGI pairs), body and entity tag."""

    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes
    etag: bytes


_Packed = tuple[tuple[tuple[bytes, bytes], ...], bytes, bytes]
"""A stored answer as the cache holds it: plain tuples of bytes, which the garbage collector stops
tracking (an object per entry would be walked by every full collection)."""


MAX_VARYING_VALUE_BYTES = 256
"""Longest value of a header the answer varies on that is still cached: a 46 KB
``Accept-Language`` (sent 18,000 times, each a new key) grew a server from 214 MB to 900 MB
against a 64 MiB bound, since keys were not counted. Longer values are answered, not cached."""


def _key_bytes(part: object) -> int:
    """Every byte a key holds, its nested header values included."""
    if isinstance(part, str | bytes):
        return len(part)
    if isinstance(part, tuple):
        return sum(_key_bytes(item) for item in part)
    return 0


def _entry_size(key: CacheKey, packed: _Packed) -> int:
    """The answer's bytes, its headers' and its key's (path, query string and the header values
    it varies on), and the objects."""
    headers, body, _etag = packed
    header_bytes = sum(len(name) + len(value) for name, value in headers)
    return len(body) + header_bytes + _key_bytes(key) + ENTRY_OVERHEAD_BYTES


_CASELESS = frozenset({b"accept", b"accept-encoding", b"accept-language"})


def _normalised(name: bytes, value: bytes) -> bytes:
    """A header value as the answer depends on it: in content negotiation, case and spacing do
    not matter (the host and origin are kept as sent: links are built from them)."""
    return b" ".join(value.lower().split()) if name in _CASELESS else value


def cache_key(
    version: str,
    scheme: str,
    root_path: str,
    path: str,
    query_string: bytes,
    headers: Iterable[tuple[bytes, bytes]],
) -> CacheKey | None:
    """The key of a GET's answer, or ``None`` when it is not to be cached (credentials, a cookie,
    a range, or a varying header longer than :data:`MAX_VARYING_VALUE_BYTES`). One function for
    the middleware and the protocol's replay (:mod:`sousei_kg.http.protocol_replay`), so that
    both find the same answers."""
    varying: dict[bytes, list[bytes]] = {}
    for name, value in headers:
        if name in BYPASS_HEADERS:
            return None
        if name in VARYING_HEADERS:
            if len(value) > MAX_VARYING_VALUE_BYTES:
                return None  # answered, not cached: see MAX_VARYING_VALUE_BYTES
            varying.setdefault(name, []).append(_normalised(name, value))
    return (
        version,
        scheme,
        root_path,
        path,
        query_string,
        tuple(tuple(varying.get(name, ())) for name in VARYING_HEADERS),
    )


class ResponseCacheMiddleware:
    """Replays stored answers to repeated GETs (see the module docstring).

    Args:
        app: the application (CORS, compression and the routes).
        max_bytes: total size of the stored answers (bodies, headers, keys and the objects
            holding them); 0 turns the cache off.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self._answers: VersionedLRU[CacheKey, _Packed] = VersionedLRU(max_bytes, _entry_size)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = self._key(scope)
        if key is None:
            await self.app(scope, receive, send)
            return
        stored = self.lookup(key)
        cache_lookup("response", hit=stored is not None)
        if stored is not None:
            scope[ROUTE_KEY] = scope["path"]  # cacheable paths are routes of their own
            await _replay(stored, scope["headers"], send)
            return
        await self.app(scope, receive, self._recorder(key, send))

    def lookup(self, key: CacheKey) -> StoredAnswer | None:
        """The answer stored under ``key`` (of the version it names), without counting the
        lookup: the caller counts it where it decides (here, or the protocol's replay)."""
        packed = self._answers.get(str(key[0]), key)
        return None if packed is None else StoredAnswer(*packed)

    def _key(self, scope: Scope) -> CacheKey | None:
        if (
            self.max_bytes <= 0
            or scope["type"] != "http"
            or scope["method"] != "GET"
            or not scope["path"].startswith(CACHEABLE_PATHS)
        ):
            return None
        graph = getattr(scope["app"].state, "knowledge_graph", None)
        if graph is None:
            return None
        return cache_key(
            graph.version,
            scope["scheme"],
            scope.get("root_path", ""),
            scope["path"],
            scope["query_string"],
            scope["headers"],
        )

    def _recorder(self, key: CacheKey, send: Send) -> Send:
        """``send``, also collecting a cacheable answer and storing it once it is complete."""
        start: Message | None = None
        chunks: list[bytes] = []
        size = 0

        async def record(message: Message) -> None:
            nonlocal start, size
            if message["type"] == "http.response.start":
                start = message if _cacheable(message) else None
            elif message["type"] == "http.response.body" and start is not None:
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > self.max_bytes // 4:
                    start = None  # one huge answer must not flush everything else
                    chunks.clear()  # nor be held while it streams on
                else:
                    chunks.append(chunk)
                    if not message.get("more_body", False):
                        self._store(key, start, b"".join(chunks))
            await send(message)

        return record

    def _store(self, key: CacheKey, start: Message, body: bytes) -> None:
        headers = tuple((bytes(n), bytes(v)) for n, v in start.get("headers", ()))
        etag = next(v for n, v in headers if n.lower() == b"etag")
        self._answers.put(str(key[0]), key, (headers, body, etag))

    def __len__(self) -> int:
        return len(self._answers)


def _cacheable(start: Message) -> bool:
    """A ``200`` with a strong ETag, no cookie and nothing that forbids storing it."""
    if start.get("status") != 200:
        return False
    names = {}
    for name, value in start.get("headers", ()):
        names[bytes(name).lower()] = bytes(value)
    etag = names.get(b"etag", b"")
    no_store = b"no-store" in names.get(b"cache-control", b"")
    return etag.startswith(b'"') and b"set-cookie" not in names and not no_store


def _header(headers: Iterable[tuple[bytes, bytes]], wanted: bytes) -> bytes | None:
    return next((value for name, value in headers if name == wanted), None)


def _matches(if_none_match: bytes, etag: bytes) -> bool:
    tags: Iterable[bytes] = (t.strip().removeprefix(b"W/") for t in if_none_match.split(b","))
    return any(tag in (etag, b"*") for tag in tags)


def replayed(
    stored: StoredAnswer, request_headers: Iterable[tuple[bytes, bytes]]
) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """Status, headers and body of the replay of ``stored`` for a request with these headers:
    ``304`` without the body and its headers when ``If-None-Match`` names the stored ETag."""
    if_none_match = _header(request_headers, b"if-none-match")
    if if_none_match is not None and _matches(if_none_match, stored.etag):
        headers = [(n, v) for n, v in stored.headers if n.lower() not in _BODY_HEADERS]
        return 304, headers, b""
    return 200, list(stored.headers), stored.body


async def _replay(
    stored: StoredAnswer, request_headers: list[tuple[bytes, bytes]], send: Send
) -> None:
    status, headers, body = replayed(stored, request_headers)
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
