"""What ``/update`` and ``/store`` share: who may call, reading the body, committing, publishing.

A committed write is published before the client hears of it: the app's knowledge graph becomes
the new snapshot (new version hash, so ETags, ``X-Dataset-Version`` and every cache keyed by the
version move on) and the query workers reopen on it before their next query. So a query sent after
the 2xx sees the write.
"""

import hashlib
import logging
from datetime import UTC, datetime

import mimeparse
from fastapi import FastAPI, Request
from fastapi.responses import Response
from rdflib import Graph

from sousei_kg.config import Settings
from sousei_kg.dataset.knowledge_graph import KnowledgeGraph, moment
from sousei_kg.execution.pool import WorkerPool
from sousei_kg.execution.runner import QueryRunner
from sousei_kg.execution.worker import StoreSource
from sousei_kg.http.auth import AuthError, Principal, authenticate, require_write
from sousei_kg.http.auth_failures import AuthFailures
from sousei_kg.http.client_identity import address_group, client_address
from sousei_kg.http.errors import error_response, response_for
from sousei_kg.store.directory import open_snapshot
from sousei_kg.store.label_lookup import LabelIndex
from sousei_kg.writes.orders import ProcessSettings, WriteOrder
from sousei_kg.writes.refusals import WriteLimits
from sousei_kg.writes.write_side import WriteFailedError, WriteSide
from sousei_kg.writes.writer import Commit
from sousei_kg.writes.writer_setup import check_write_setup

LOG = logging.getLogger("sousei_kg.writes")

REPORT_TYPES = {"text/turtle": "turtle", "application/ld+json": "json-ld"}


def writes_off(settings: Settings) -> str:
    """Why this server takes no writes (the answer to every write when there is no writer)."""
    if settings.backend == "remote":
        return (
            "writes are off on this server: it reads from a remote SPARQL engine, whose data "
            "changes only through `sousei-kg load --to GSP_URL` (validated before it is sent)"
        )
    return (
        "writes are off on this server: it has no write tokens (sousei-kg serve --write-token, "
        "or SOUSEI_WRITE_TOKENS)"
    )


def write_side_of(request: Request) -> WriteSide | None:
    """The app's write process, or ``None`` when writes are off."""
    side: WriteSide | None = getattr(request.app.state, "write_side", None)
    return side


def principal_or_error(request: Request, settings: Settings, write: bool) -> Principal | Response:
    """Authenticate the request; for ``write``, also require a write token. An address that
    failed too often lately is refused (429) before its token is looked at; every failure is
    counted and logged (:mod:`sousei_kg.http.auth_failures`)."""
    failures: AuthFailures = request.app.state.auth_failures
    group = address_group(client_address(request.scope))
    wait = failures.retry_after(group)
    if wait is not None:
        return error_response(
            429,
            "too many failed authentications from your address; check the token and retry in "
            f"{wait} s",
            {"Retry-After": str(wait)},
        )
    try:
        principal = authenticate(
            request.headers.get("authorization"), request.scope["query_string"], settings
        )
        if write:
            require_write(principal)
    except AuthError as error:
        if error.failure != "read-only-token":
            failures.record(group, error.message)
        return response_for(error)
    return principal


async def body_or_error(request: Request, settings: Settings) -> bytes | Response:
    """The request body, or 413 past ``max_update_bytes``."""
    limit = settings.max_update_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return error_response(413, f"the body is larger than the limit of {limit} bytes")
    body = await request.body()
    if len(body) > limit:
        return error_response(413, f"the body is larger than the limit of {limit} bytes")
    return body


def payload_hash(body: bytes) -> str:
    """SHA-256 of the body as received: what the audit log records."""
    return hashlib.sha256(body).hexdigest()


def report_response(report: bytes, accept: str | None) -> Response:
    """409 with the SHACL validation report (N-Triples from the write process), in Turtle or
    JSON-LD as ``Accept`` prefers."""
    try:
        media = mimeparse.best_match(list(reversed(REPORT_TYPES)), accept or "text/turtle")
    except (mimeparse.MimeTypeParseException, ValueError, IndexError):
        media = ""
    media = media or "text/turtle"
    graph = Graph()
    graph.parse(data=report, format="nt")
    body = graph.serialize(format=REPORT_TYPES[media])
    return Response(body.encode("utf-8"), status_code=409, media_type=media)


def publish(app: FastAPI, commit: Commit, settings: Settings) -> None:
    """Serve ``commit`` from now on (newer commits only: writes may finish out of order)."""
    current = getattr(app.state, "knowledge_graph_seq", -1)
    if commit.seq <= current:
        return
    app.state.knowledge_graph_seq = commit.seq
    previous: KnowledgeGraph | None = getattr(app.state, "knowledge_graph", None)
    labels = previous.labels if previous is not None else None
    if labels is None and settings.store is not None:
        labels = LabelIndex.open_file(settings.store)  # the write process keeps it in step
    app.state.knowledge_graph = KnowledgeGraph(
        store=open_snapshot(commit.snapshot),
        version=commit.version,
        quad_count=commit.quad_count,
        graphs=dict(commit.graphs),
        loaded_at=datetime.now(UTC),
        resources=settings.resources,
        labels=labels,
        changed_at=moment(commit.time),
        store_directory=settings.store,
    )
    pool: QueryRunner | None = getattr(app.state, "query_pool", None)  # None while starting
    if isinstance(pool, WorkerPool):
        pool.refresh(_source(commit, settings))


def _source(commit: Commit, settings: Settings) -> StoreSource:
    return StoreSource(
        snapshot=commit.snapshot, resources=settings.resources, quad_count=commit.quad_count
    )


async def commit_or_error(
    request: Request, order: WriteOrder, settings: Settings
) -> Commit | Response:
    """Have the write process apply ``order`` and publish the commit.

    Returns:
        The commit, or the error answer (the error map's status for the refusal; 409 with the
        SHACL report in Turtle or JSON-LD).
    """
    side = write_side_of(request)
    assert side is not None  # noqa: S101 (the routes check that writes are on)
    try:
        commit = await side.submit(order)
    except WriteFailedError as error:
        if error.report is not None:
            return report_response(error.report, request.headers.get("accept"))
        return response_for(error)
    publish(request.app, commit, settings)
    return commit


async def open_write_side(app: FastAPI, settings: Settings) -> StoreSource | None:
    """At start-up: with write tokens, start the write process and serve its snapshot; returns
    where the query workers read, or ``None`` when writes are off (then nothing is set up).

    Raises:
        WriterSetupError: see :func:`sousei_kg.writes.writer_setup.check_write_setup`.
        OSError: the write process did not start.
    """
    app.state.write_side = None
    if not settings.write_tokens:
        return None
    directory = check_write_setup(settings)
    side = WriteSide(
        ProcessSettings(
            directory=directory,
            resources=settings.resources,
            limits=WriteLimits(settings.max_write_quads, settings.max_literal_bytes),
            isolate_network=settings.isolate_network,
            memory_budget=settings.write_memory_mib * 1024 * 1024,
            snapshot_grace_seconds=max(60.0, 2 * settings.query_timeout),
        )
    )
    commit = await side.start()
    if not side.network_isolated:
        LOG.warning(
            "the write process has network access (isolation needs Linux and root): LOAD and "
            "remote contexts are refused by the guard alone; /health says so too"
        )
    app.state.write_side = side
    publish(app, commit, settings)
    return _source(commit, settings)


async def close_write_side(app: FastAPI) -> None:
    """At shutdown: stop the write process (promptly; see ``WriteSide.close``)."""
    side: WriteSide | None = getattr(app.state, "write_side", None)
    if side is not None:
        app.state.write_side = None
        await side.close()
