"""What ``/update`` and ``/store`` share: who may call, reading the body, committing, publishing.

A committed write is published before the client hears of it: the app's knowledge graph becomes
the new snapshot (new version hash, so ETags, ``X-Dataset-Version`` and every cache keyed by the
version move on) and the query workers reopen on it before their next query. So a query sent after
the 2xx sees the write.
"""

import hashlib

import mimeparse
from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from sousei_kg.config import Settings
from sousei_kg.dataset.validation import ValidationOutcome
from sousei_kg.errors import QuerySyntaxError
from sousei_kg.execution.pool import WorkerPool
from sousei_kg.execution.worker import StoreSource
from sousei_kg.http.auth import AuthError, Principal, authenticate, require_write
from sousei_kg.http.errors import error_response, response_for
from sousei_kg.writes.writer import Commit, Writer, WriteRefusedError, WriteRequest, open_writer

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


def writer_of(request: Request) -> Writer | None:
    """The app's writer, or ``None`` when writes are off."""
    writer: Writer | None = getattr(request.app.state, "writer", None)
    return writer


def principal_or_error(request: Request, settings: Settings, write: bool) -> Principal | Response:
    """Authenticate the request; for ``write``, also require a write token."""
    try:
        principal = authenticate(
            request.headers.get("authorization"), request.scope["query_string"], settings
        )
        if write:
            require_write(principal)
    except AuthError as error:
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


def report_response(outcome: ValidationOutcome, accept: str | None) -> Response:
    """409 with the SHACL validation report, in Turtle or JSON-LD as ``Accept`` prefers."""
    try:
        media = mimeparse.best_match(list(reversed(REPORT_TYPES)), accept or "text/turtle")
    except (mimeparse.MimeTypeParseException, ValueError, IndexError):
        media = ""
    media = media or "text/turtle"
    body = outcome.report_graph.serialize(format=REPORT_TYPES[media])
    return Response(body.encode("utf-8"), status_code=409, media_type=media)


def publish(app: FastAPI, commit: Commit, settings: Settings) -> None:
    """Serve ``commit`` from now on (newer commits only: writes may finish out of order)."""
    current = getattr(app.state, "knowledge_graph_seq", -1)
    if commit.seq <= current:
        return
    app.state.knowledge_graph_seq = commit.seq
    app.state.knowledge_graph = commit.graph
    pool: WorkerPool = app.state.query_pool
    pool.refresh(
        StoreSource(
            snapshot=commit.snapshot,
            resources=settings.resources,
            quad_count=commit.graph.quad_count,
        )
    )
    writer = writer_of_app(app)
    if writer is not None:
        writer.collect_snapshots(max(60.0, 2 * settings.query_timeout))


def writer_of_app(app: FastAPI) -> Writer | None:
    """The app's writer, or ``None``."""
    writer: Writer | None = getattr(app.state, "writer", None)
    return writer


async def commit_or_error(
    request: Request, writer: Writer, write: WriteRequest, settings: Settings
) -> Commit | Response:
    """Run the write (off the event loop: validation takes a while) and publish it.

    Returns:
        The commit, or the error answer: 400 syntax, 403 read-only graph, 404 missing graph,
        409 with the report, 503 when an earlier write failed half-way.
    """
    try:
        commit = await run_in_threadpool(writer.write, write)
    except QuerySyntaxError as error:
        return response_for(error)
    except WriteRefusedError as error:
        if error.outcome is not None:
            return report_response(error.outcome, request.headers.get("accept"))
        return response_for(error)
    publish(request.app, commit, settings)
    return commit


def open_write_side(app: FastAPI, settings: Settings) -> StoreSource | None:
    """At start-up: with write tokens, open the writer and serve its snapshot; returns where the
    query workers read, or ``None`` when writes are off (then nothing is set up).

    Raises:
        WriterSetupError: see :func:`sousei_kg.writes.writer.open_writer`.
    """
    writer = open_writer(settings)
    app.state.writer = writer
    if writer is None:
        return None
    app.state.knowledge_graph = writer.current.graph
    app.state.knowledge_graph_seq = writer.current.seq
    return StoreSource(
        snapshot=writer.current.snapshot,
        resources=settings.resources,
        quad_count=writer.current.graph.quad_count,
    )


def close_write_side(app: FastAPI) -> None:
    """At shutdown: release the store and the write lock."""
    writer = writer_of_app(app)
    if writer is not None:
        app.state.writer = None
        writer.close()
