"""Server settings: flags of ``sousei-kg serve`` and ``SOUSEI_*`` environment variables.

Obtained through :func:`get_settings` or passed to ``create_app``; nothing reads the environment
at import.
"""

from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

CANONICAL_BASE = "https://w3id.org/sousei-kg/"


class Settings(BaseSettings):
    """How one server process runs."""

    model_config = SettingsConfigDict(env_prefix="SOUSEI_", extra="ignore", env_ignore_empty=True)

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
    query_timeout: float = 30.0
    """Seconds a query may run (waiting for a free worker included); then it is stopped (the
    worker process is killed) and the client gets 503."""
    result_cap: int = 10_000
    """At most this many rows (SELECT) or triples (CONSTRUCT/DESCRIBE) per answer; a capped answer
    says so in ``X-Result-Truncated`` and, in JSON and XML, in the body."""
    query_workers: int = 2
    """Worker processes evaluating queries in parallel, each with its own copy of the store."""
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
    body_timeout: float = 10.0
    """Seconds a client may take to send its request body; a stalled upload is answered 408."""
    rate_limit: bool = True
    """Per-client rate limiting (client = address plus User-Agent); off only for benchmarks."""
    rate_limit_burst: int = 60
    """Requests a client may send at once before it must slow down (the bucket's size)."""
    rate_limit_per_second: float = 5.0
    """Sustained requests per second per client (the bucket's refill rate)."""
    trusted_proxies: Annotated[list[str], NoDecode] = []
    """Addresses or CIDR ranges of reverse proxies whose ``X-Forwarded-For`` names the client;
    comma-separated in ``SOUSEI_TRUSTED_PROXIES``. Empty: the socket's peer is the client."""
    state_dir: Path | None = None
    """Folder for state shared by the server's processes (the rate-limit budget); a temporary
    folder per server when ``None``."""
    write_tokens: Annotated[list[str], NoDecode] = []
    """Bearer tokens allowed to write (/update, /store); comma-separated in
    ``SOUSEI_WRITE_TOKENS``. None configured: writes are off."""
    read_tokens: Annotated[list[str], NoDecode] = []
    """Bearer tokens allowed to read /store but not to write; ``SOUSEI_READ_TOKENS``."""
    resources: Path | None = None
    """A folder holding ``ontology/``, ``shapes/``, ``data/`` and ``queries/`` in place of the
    shipped ones (tests and previews)."""

    @field_validator("trusted_proxies", "write_tokens", "read_tokens", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        """Environment variables hold these lists comma-separated."""
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value


@lru_cache
def get_settings() -> Settings:
    """The settings from the environment (cached)."""
    return Settings()
