"""``/health``: liveness plus the software and dataset versions, so a deployment can check that
every replica serves the same release."""

from typing import Any

from fastapi import APIRouter

from sousei_kg import __version__
from sousei_kg.config import Settings
from sousei_kg.http.deps import GraphDep, SettingsDep

router = APIRouter(tags=["service"])


@router.get("/health", summary="Service health and versions")
def health(graph: GraphDep, settings: SettingsDep) -> dict[str, Any]:
    """Report that the service answers, with the software version, the dataset version hash and
    where the data is read (``embedded``, or ``remote`` with the engine's query endpoint)."""
    return {
        "status": "ok",
        "software_version": __version__,
        "dataset_version": graph.version,
        "backend": settings.backend,
        "query_endpoint": settings.query_endpoint,
        "engine": settings.engine if settings.backend == "remote" else None,
        "quads": graph.quad_count,
        "loaded_at": graph.loaded_at.isoformat(timespec="seconds"),
    }


@router.get("/limits", summary="The limits this endpoint enforces")
def limits(settings: SettingsDep) -> dict[str, Any]:
    """Every limit a client is held to (docs/security.md explains each); the query limits are
    also announced in each answer's headers, the rate limit in ``RateLimit-*`` headers."""
    return {
        "query_time_limit_seconds": settings.query_timeout,
        "result_cap": _result_cap(settings),
        "query_workers": settings.query_workers,
        "request": {
            "max_url_bytes": settings.max_url_bytes,
            "max_query_body_bytes": settings.max_query_bytes,
            "max_update_body_bytes": settings.max_update_bytes,
            "body_timeout_seconds": settings.body_timeout,
            "header_timeout_seconds": settings.header_timeout,
        },
        "connections": {
            "per_server_process": settings.max_connections,
            "per_address_per_server_process": settings.max_connections_per_address,
            "address": "IPv4 address or IPv6 /64; a trusted proxy counts only in the total",
        },
        "rate_limit": {
            "enabled": settings.rate_limit,
            "client": "address plus User-Agent",
            "burst": settings.rate_limit_burst,
            "per_second": settings.rate_limit_per_second,
        },
        "network": "SERVICE and LOAD are refused; graph names are local names, never fetched",
        "writes": _writes(settings),
    }


def _result_cap(settings: Settings) -> dict[str, Any]:
    if not settings.result_cap:
        return {
            "rows_or_triples": None,
            "streamed": (
                "answers are sent as the engine writes them; one that cannot be finished within "
                "the time limit is broken off (the chunked body never ends)"
            ),
        }
    return {
        "rows_or_triples": settings.result_cap,
        "signalled_by": (
            "X-Result-Truncated: true on every capped answer; in SPARQL JSON and XML also a "
            "link to this page in the results' head (CSV and TSV: headers only)"
        ),
    }


def _writes(settings: Settings) -> str:
    if settings.backend == "remote":
        return "off (the remote backend is read-only here; data changes go through sousei-kg load)"
    return "enabled" if settings.write_tokens else "off (no write tokens configured)"
