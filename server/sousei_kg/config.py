"""Server settings: flags of ``sousei-kg serve`` and ``SOUSEI_*`` environment variables.

Obtained through :func:`get_settings` or passed to ``create_app``; nothing reads the environment
at import.
"""

import ipaddress
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

Engine = Literal["generic", "oxigraph", "virtuoso", "fuseki"]
"""Remote SPARQL engines whose non-standard time limits the remote backend knows."""
ENGINES: tuple[Engine, ...] = ("generic", "oxigraph", "virtuoso", "fuseki")

MIN_TOKEN_CHARS = 22
"""Shortest bearer token accepted: 22 URL-safe characters carry about 128 random bits."""


def _read_token_file(path: Path) -> list[str]:
    """The tokens of a token file: one per line; blank lines and ``#`` comments skipped.

    Raises:
        ValueError: if the file cannot be read (naming it, never its content).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not UTF-8"
        raise ValueError(f"cannot read the token file {path}: {reason}") from None
    lines = (line.strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


class Settings(BaseSettings):
    """How one server process runs."""

    # Errors never echo the values given: they may be tokens.
    model_config = SettingsConfigDict(
        env_prefix="SOUSEI_", extra="ignore", env_ignore_empty=True, hide_input_in_errors=True
    )

    host: str = "127.0.0.1"
    """Address to bind."""
    port: int = 8000
    """Port to bind."""
    store: Path | None = None
    """A store built by ``sousei-kg build --store DIR``; ``None`` loads the shipped files into
    memory."""
    public_base_url: str | None = None
    """The base URL users reach this server at (``https://example.org/``). HTML links to
    canonical ``https://w3id.org/sousei-kg/`` IRIs are rewritten to it. ``None``: the request's
    own base URL."""
    contact_name: str = "The sousei-kg project"
    """Whom the data catalogue (``/dataset``) names as the contact point (``dcat:contactPoint``).
    The default is the project; whoever runs a deployment for others names themselves, and never
    a government office that has not agreed to it."""
    contact_url: str = "https://w3id.org/sousei-kg/"
    """How to reach the contact point: a ``mailto:`` address or an ``http(s)://`` page. The
    default is the project's own w3id.org address."""
    planned_availability: Literal["temporary", "experimental", "available", "stable"] = "temporary"
    """How long the downloads are planned to stay available (``dcatap:availability``, the EU
    planned-availability table): a promise only the operator can make, so the default promises
    nothing ("temporary": may disappear at any time)."""
    query_timeout: float = 30.0
    """Seconds a query may run (waiting for a free worker included); then it is stopped (the
    worker process is killed) and the client gets 503."""
    result_cap: int = Field(default=10_000, ge=0)
    """At most this many rows (SELECT) or triples (CONSTRUCT/DESCRIBE) per answer; a capped answer
    says so in ``X-Result-Truncated`` and, in JSON and XML, in the body. 0: no cap, and answers
    are streamed as the engine writes them (memory stays flat; one that cannot be finished within
    the time limit is broken off)."""
    result_max_bytes: int = Field(default=16 * 1024 * 1024, ge=0)
    """At most this many bytes per capped answer: fewer rows are sent, marked like a row-capped
    answer (``X-Result-Truncated``); announced in ``X-Result-Byte-Limit``. 0: no byte cap. An
    uncapped answer (``result_cap`` 0) is streamed and bounded by the time limit instead."""
    query_workers: int = Field(default=2, ge=0)
    """Worker processes evaluating queries in parallel, each with its own copy of the store.
    0 evaluates on threads of the server process instead: nothing can stop a query past the time
    limit (it is answered 503 and runs on), so 0 is for measuring what isolation costs
    (docs/performance.md), refused with write tokens, and never for a public endpoint. On the
    remote backend: queries sent to the engine at once."""
    query_queue_timeout: float = Field(default=5.0, gt=0)
    """Seconds a query may wait for a free worker (then 503 with ``Retry-After``); its own time
    limit starts when it gets one. A worker is always kept for clients with nothing running
    (docs/security.md, "Fair query capacity")."""
    max_waiting_queries: int = Field(default=2, ge=1)
    """Queries one client (address and User-Agent) may have waiting for a worker; its address
    may have four clients' worth. More are refused at once with 429."""
    query_seconds_per_minute: float = Field(default=60.0, ge=0)
    """Worker time an address may use per minute (a token bucket): past it, its queries wait
    behind everyone else's; past twice it, they are refused with 429 until it recovers. 0: no
    budget."""
    query_memory_mib: int = Field(default=512, ge=0)
    """Memory one query may allocate above its worker's at rest (an address-space limit each
    worker sets from its measured baseline); past it the query is stopped and answered 503.
    0: no limit. Linux only; ``/health`` says whether it is in force."""
    result_cache_bytes: int = 64 * 1024 * 1024
    """Memory for cached query answers (keyed by dataset version and the exact request); 0 turns
    the cache off."""
    isolate_network: bool = True
    """Run query workers in an empty network namespace where the platform allows it (Linux, as
    root): defence in depth behind the SERVICE/LOAD guard."""
    workers: int = 1
    """Server processes (uvicorn workers) answering requests; each has its own query workers and
    caches, and they share the rate-limit budget."""
    max_url_bytes: int = 32 * 1024
    """Longest request target (path and query string) accepted; longer gets 414."""
    max_query_bytes: int = 100 * 1024
    """Largest query body (POST to /sparql) accepted; larger gets 413 before it is read."""
    max_update_bytes: int = 10 * 1024 * 1024
    """Largest write body (/update, /store) accepted; larger gets 413 before it is read."""
    write_timeout: float = Field(default=30.0, gt=0)
    """Seconds a write may take to parse, apply and validate; past it, it is not committed, the
    write process is replaced and the client gets 503 (nothing changed)."""
    max_write_quads: int = Field(default=50_000, ge=1)
    """Quads one write may add plus remove (413 past it)."""
    max_literal_bytes: int = Field(default=64 * 1024, ge=1)
    """Longest literal a write may add, in UTF-8 bytes (413 past it)."""
    max_payload_depth: int = Field(default=64, ge=1)
    """Deepest nesting (JSON-LD objects and arrays, Turtle collections and blank-node property
    lists, RDF/XML elements, quoted triples) a write's body may have; checked before any parser
    reads it (400 past it)."""
    write_memory_mib: int = Field(default=1024, ge=0)
    """Memory the write process may allocate above its own at rest while it applies a write;
    past it the write is refused and the process replaced. 0: no limit."""
    body_timeout: float = 10.0
    """Seconds a client may take to send its request body; a stalled upload is answered 408."""
    header_timeout: float = Field(default=5.0, gt=0)
    """Seconds a client may take to send a request line and headers, from the connection's start
    (its first request) or from the first byte of a next request; then 408 and the connection is
    closed. The idle time between requests is uvicorn's keep-alive timeout (5 s)."""
    max_connections: int = Field(default=1024, ge=1)
    """Open connections per server process; one more is answered 503 and closed. ``serve``
    raises the soft open-file limit to the hard one and checks that these fit under it."""
    max_connections_per_address: int = Field(default=32, ge=1)
    """Open connections per client address (IPv6: per /64) per server process; one more is
    answered 503. A trusted proxy's connections count only towards ``max_connections``."""
    rate_limit: bool = True
    """Per-client rate limiting (client = address plus User-Agent); off only for benchmarks."""
    rate_limit_burst: int = 60
    """SPARQL queries, named queries, searches and writes a client may send at once before it
    must slow down (the bucket's size)."""
    rate_limit_per_second: float = 5.0
    """Sustained SPARQL requests per second per client (the bucket's refill rate)."""
    page_rate_limit_burst: int = Field(default=120, ge=1)
    """Requests a client may send at once for pages, documents, descriptions and dumps (cheap,
    cached answers: a polite crawler is not throttled)."""
    page_rate_limit_per_second: float = Field(default=25.0, gt=0)
    """Sustained requests per second per client for pages, documents, descriptions and dumps."""
    address_budget_clients: int = Field(default=4, ge=1)
    """An address (an IPv6 /64) has a budget of its own in each class, worth this many clients:
    rotating the User-Agent gains little."""
    trusted_proxies: Annotated[list[str], NoDecode] = []
    """Addresses or CIDR ranges of reverse proxies whose ``X-Forwarded-For`` names the client;
    comma-separated in ``SOUSEI_TRUSTED_PROXIES``. Empty: the socket's peer is the client."""
    state_dir: Path | None = None
    """Folder for state shared by the server's processes (the rate-limit budget); a temporary
    folder per server when ``None``."""
    write_tokens: Annotated[list[str], NoDecode] = []
    """Bearer tokens allowed to write (/update, /store); comma-separated in
    ``SOUSEI_WRITE_TOKENS``. None configured: writes are off."""
    write_cors_origins: Annotated[list[str], NoDecode] = []
    """Origins (``https://editor.example``) whose browser scripts may call the write path
    (/update, /store) cross-origin; none by default. Reads are open to every origin.
    Comma-separated in ``SOUSEI_WRITE_CORS_ORIGINS``."""
    read_tokens: Annotated[list[str], NoDecode] = []
    """Bearer tokens allowed to read /store but not to write; ``SOUSEI_READ_TOKENS``."""
    auth_failure_limit: int = Field(default=10, ge=1)
    """Failed authentications one address (an IPv6 /64) may have within a minute; then it is
    refused (429) for a minute, doubling at each repeat up to 15 minutes."""
    write_token_file: Path | None = None
    """A file of write tokens, one per line (``#`` comments): unlike ``--write-token``, never
    visible to other users in ``ps``. Added to ``write_tokens``."""
    read_token_file: Path | None = None
    """A file of read tokens, one per line; added to ``read_tokens``."""
    resources: Path | None = None
    """A folder holding ``ontology/``, ``shapes/``, ``data/`` and ``queries/`` in place of the
    shipped ones (tests and previews)."""
    backend: Literal["embedded", "remote"] = "embedded"
    """Where the data is read: the embedded pyoxigraph store (``store``, or the shipped files),
    or a SPARQL 1.1 engine the publisher operates (``query_endpoint``; docs/deployment.md)."""
    query_endpoint: str | None = None
    """The remote engine's SPARQL query endpoint (``backend=remote``)."""
    update_endpoint: str | None = None
    """The remote engine's update endpoint; recorded for ``/health``, never written to."""
    gsp_endpoint: str | None = None
    """The remote engine's Graph Store Protocol endpoint (what ``sousei-kg load --to`` fills)."""
    engine: Engine = "generic"
    """Which engine the remote is, for its non-standard per-query time limit (``virtuoso``,
    ``fuseki``); ``generic`` and ``oxigraph`` rely on the request's socket timeout."""
    extra_graphs: Annotated[list[str], NoDecode] = []
    """Named graphs the remote engine holds for this dataset beyond the shipped ones (loaded with
    ``sousei-kg load --extra``); comma-separated in ``SOUSEI_EXTRA_GRAPHS``."""
    dataset_version: str | None = None
    """The version hash ``sousei-kg load`` printed, for a remote engine too large to hash at
    start-up; without it the server computes the hash from the engine's graphs."""
    access_log: bool = True
    """One JSON line per request (time, client, method, path and route, status, duration, bytes)
    on the ``sousei_kg.access`` logger, which ``sousei-kg serve`` writes to standard error
    (sousei_kg.http.access_log); ``--no-access-log`` turns it off."""
    protocol_replay: bool = True
    """Answer repeated GETs the response cache holds from the HTTP protocol, before the ASGI
    layers (sousei_kg.http.protocol_replay); the same bytes either way, so this is for measuring
    and for ruling it out (``SOUSEI_PROTOCOL_REPLAY=false``)."""

    @field_validator(
        "trusted_proxies",
        "write_tokens",
        "read_tokens",
        "extra_graphs",
        "write_cors_origins",
        mode="before",
    )
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        """Environment variables hold these lists comma-separated."""
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("contact_url", mode="after")
    @classmethod
    def _contact_url(cls, value: str) -> str:
        """The catalogue states the contact's address as an IRI: a ``mailto:`` address or an
        absolute web address, with no character an IRI cannot hold."""
        url = value.strip()
        scheme, _, rest = url.partition(":")
        shaped = (scheme.lower() == "mailto" and "@" in rest) or (
            scheme.lower() in ("http", "https") and rest.startswith("//") and len(rest) > 2
        )
        if not shaped or any(c.isspace() or c in '<>"{}|\\^`' for c in url):
            raise ValueError(f"contact URL {value!r} is not a mailto: or http(s):// address")
        return url

    @field_validator("trusted_proxies", mode="after")
    @classmethod
    def _proxy_networks(cls, value: list[str]) -> list[str]:
        """Each proxy is an IP address or a CIDR range, normalised (``10.0.0.1/8`` becomes
        ``10.0.0.0/8``): uvicorn would silently never match a malformed entry."""
        networks = []
        for entry in value:
            try:
                network = ipaddress.ip_network(entry.strip(), strict=False)
            except ValueError:
                raise ValueError(
                    f"trusted proxy {entry!r} is not an IP address or range (10.0.0.0/8, ::1)"
                ) from None
            networks.append(str(network.network_address if network.num_addresses == 1 else network))
        return networks

    @model_validator(mode="after")
    def _tokens_from_files_and_long_enough(self) -> "Settings":
        """Add the tokens of the token files, and refuse tokens too short to resist guessing."""
        for path, tokens in (
            (self.write_token_file, self.write_tokens),
            (self.read_token_file, self.read_tokens),
        ):
            if path is not None:
                tokens.extend(_read_token_file(path))
        for kind, tokens in (("write", self.write_tokens), ("read", self.read_tokens)):
            short = [token for token in tokens if len(token) < MIN_TOKEN_CHARS]
            if short:
                raise ValueError(
                    f"a {kind} token must be at least {MIN_TOKEN_CHARS} characters (about 128 bits "
                    f"when random); one has {len(short[0])}: make one with `python3 -c 'import "
                    "secrets; print(secrets.token_urlsafe(24))'`"
                )
        return self

    @model_validator(mode="after")
    def _backend_is_complete(self) -> "Settings":
        """A remote backend needs its endpoint and takes no local store and no writes."""
        if self.backend == "remote":
            if not self.query_endpoint:
                raise ValueError("the remote backend needs --query-endpoint URL")
            if self.store is not None:
                raise ValueError("--store names an embedded store; the remote backend has none")
            if self.write_tokens:
                raise ValueError(
                    "writes are off on the remote backend: load data with `sousei-kg load --to "
                    "GSP_URL` (validated before it is sent), not with --write-token"
                )
        elif self.query_endpoint:
            raise ValueError("--query-endpoint is for --backend remote")
        elif self.query_workers == 0 and self.write_tokens:
            raise ValueError(
                "--query-workers 0 evaluates in the server process; writes need worker processes"
            )
        return self


@lru_cache
def get_settings() -> Settings:
    """The settings from the environment (cached)."""
    return Settings()
