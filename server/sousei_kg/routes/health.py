"""``/health``: liveness plus the software and dataset versions, so a deployment can check that
every replica serves the same release."""

from typing import Any

from fastapi import APIRouter, Request

from sousei_kg import __version__
from sousei_kg.config import Settings
from sousei_kg.execution.runner import QueryRunner
from sousei_kg.http.cost_classes import cost_classes
from sousei_kg.http.deps import GraphDep, SettingsDep
from sousei_kg.writes.write_side import WriteSide

router = APIRouter(tags=["service"])


@router.get("/health", summary="Service health and versions")
def health(request: Request, graph: GraphDep, settings: SettingsDep) -> dict[str, Any]:
    """Report that the service answers, with the software version, the dataset version hash,
    where the data is read (``embedded``, or ``remote`` with the engine's query endpoint) and how
    queries are confined (``isolation``: without network, within a memory limit)."""
    pool: QueryRunner = request.app.state.query_pool
    side: WriteSide | None = getattr(request.app.state, "write_side", None)
    return {
        "status": "ok",
        "software_version": __version__,
        "dataset_version": graph.version,
        "backend": settings.backend,
        "query_endpoint": settings.query_endpoint,
        "engine": settings.engine if settings.backend == "remote" else None,
        "quads": graph.quad_count,
        "loaded_at": graph.loaded_at.isoformat(timespec="seconds"),
        "isolation": {
            "queries_without_network": pool.network_isolated,
            "queries_memory_limited": pool.memory_limited,
            "writes_without_network": side.network_isolated if side else None,
            "writes_memory_limited": side.memory_limited if side else None,
        },
    }


@router.get("/limits", summary="The limits this endpoint enforces")
def limits(settings: SettingsDep) -> dict[str, Any]:
    """Every limit a client is held to (docs/security.md explains each); the query limits are
    also announced in each answer's headers, the rate limit in ``RateLimit-*`` headers."""
    return {
        "query_time_limit_seconds": settings.query_timeout,
        "result_cap": _result_cap(settings),
        "query_workers": settings.query_workers,
        "query_capacity": {
            "worker_kept_for_other_addresses": settings.query_workers > 1,
            "queue_timeout_seconds": min(settings.query_queue_timeout, settings.query_timeout),
            "waiting_queries_per_client": settings.max_waiting_queries,
            "query_seconds_per_minute_per_address": settings.query_seconds_per_minute or None,
            "address": "IPv4 address or IPv6 /64",
        },
        "query_memory_mib": settings.query_memory_mib or None,
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
            "address": (
                f"an IPv4 address or an IPv6 /64, with a budget of "
                f"{settings.address_budget_clients} clients in each class"
            ),
            "classes": {
                cost.name: {
                    "for": cost.description,
                    "burst": cost.burst,
                    "per_second": cost.per_second,
                }
                for cost in cost_classes(settings)
            },
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
        "bytes": settings.result_max_bytes or None,
        "signalled_by": (
            "X-Result-Truncated: true on every capped answer; in SPARQL JSON and XML also a "
            "link to this page in the results' head (CSV and TSV: headers only)"
        ),
    }


def _writes(settings: Settings) -> str:
    if settings.backend == "remote":
        return "off (the remote backend is read-only here; data changes go through sousei-kg load)"
    return "enabled" if settings.write_tokens else "off (no write tokens configured)"
