"""Server settings: flags of ``sousei-kg serve`` and ``SOUSEI_*`` environment variables.

Obtained through :func:`get_settings` or passed to ``create_app``; nothing reads the environment
at import.
"""

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

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
    isolate_network: bool = True
    """Run query workers in an empty network namespace where the platform allows it (Linux, as
    root): defence in depth behind the SERVICE/LOAD guard."""
    resources: Path | None = None
    """A folder holding ``ontology/``, ``shapes/``, ``data/`` and ``queries/`` in place of the
    shipped ones (tests and previews)."""


@lru_cache
def get_settings() -> Settings:
    """The settings from the environment (cached)."""
    return Settings()
