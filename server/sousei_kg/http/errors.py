"""The one map from what went wrong to an HTTP answer.

Domain modules raise exceptions that say what went wrong in their own terms (a protocol rule a
request broke, a query that does not parse, a write that would break the shapes), never an HTTP
status. This module decides the status and writes the body: ``<status> <reason phrase>: <what is
wrong and what to do>`` as ``text/plain``, never a stack trace and never the engine's own text for
an engine failure. Every route and middleware that answers with an error builds it here, so the
statuses and the shape of error bodies are the same everywhere.

:func:`install` registers a handler for every exception class below, on the router and, through
:mod:`sousei_kg.http.direct_routes`, on the lean path too.
"""

from collections.abc import Awaitable, Callable, Mapping
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, Response

from sousei_kg.errors import QueryParameterError, QuerySyntaxError
from sousei_kg.execution.fair_share import (
    QueryBudgetError,
    QueueFullError,
    QueueTimeoutError,
    SchedulerRefusedError,
)
from sousei_kg.execution.jobs import QueryFailure
from sousei_kg.execution.pool import PoolUnavailableError, QueryMemoryError, QueryTimeoutError
from sousei_kg.http.auth import AuthError
from sousei_kg.http.negotiation import NotAcceptableError
from sousei_kg.named_queries.parameters import ParameterError
from sousei_kg.publication.change_feed import FeedUnavailableError
from sousei_kg.publication.fragment_pattern import FragmentPageNotFoundError, FragmentRequestError
from sousei_kg.remote.compatibility import UnsupportedOnEngineError
from sousei_kg.remote.sparql_client import RemoteRefusedError, RemoteUnavailableError
from sousei_kg.sparql.formats import DATASET_FORMATS, GRAPH_FORMATS, RESULT_FORMATS
from sousei_kg.sparql.graph_payload import PayloadError
from sousei_kg.sparql.guard import ForbiddenQueryError
from sousei_kg.sparql.query_protocol import ProtocolError
from sousei_kg.writes.write_side import WriteFailedError
from sousei_kg.writes.writer import WriteRefusedError

RULE_STATUS: Mapping[str, int] = {"malformed": 400, "method": 405, "media-type": 415}
"""Protocol rules (:data:`sousei_kg.sparql.query_protocol.ProtocolRule`) by status."""
AUTH_STATUS: Mapping[str, int] = {
    "token-in-url": 400,
    "unauthenticated": 401,
    "read-only-token": 403,
}
REFUSAL_STATUS: Mapping[str, int] = {
    "read-only": 403,
    "invalid-data": 409,
    "unfinished-write": 503,
    "default-graph": 400,
    "too-large": 413,
    "deadline": 503,
    "missing-graph": 404,
    "graph-exists": 409,
    "not-applicable": 400,
    "syntax": 400,
    "payload": 400,
    "payload-media-type": 415,
    "crashed": 400,
    "internal": 500,
}
"""Why a write was not applied (:data:`sousei_kg.writes.orders.RefusalKind`), by status."""
CLASS_STATUS: Mapping[type[Exception], int] = {
    ForbiddenQueryError: 400,
    QuerySyntaxError: 400,
    QueryParameterError: 400,
    ParameterError: 400,
    NotAcceptableError: 406,
    UnsupportedOnEngineError: 501,
    RemoteRefusedError: 502,
    RemoteUnavailableError: 503,
    PoolUnavailableError: 503,
    QueryMemoryError: 503,
    QueueFullError: 429,
    QueryBudgetError: 429,
    QueueTimeoutError: 503,
    QueryTimeoutError: 503,
    FragmentRequestError: 400,
    FragmentPageNotFoundError: 404,
    FeedUnavailableError: 404,
}
RETRY_AFTER_SECONDS = 5
"""What a 503 for a passing condition (a busy pool, an unreachable engine) asks clients to wait."""
ERROR_HEADERS: Mapping[str, str] = {"Vary": "Accept", "Cache-Control": "no-store"}


def status_for(error: Exception) -> int:
    """The HTTP status ``error`` is answered with (500 for anything unknown: a bug of ours)."""
    if isinstance(error, ProtocolError | PayloadError):
        return RULE_STATUS[error.rule]
    if isinstance(error, AuthError):
        return AUTH_STATUS[error.failure]
    if isinstance(error, WriteRefusedError):
        return REFUSAL_STATUS[error.reason]
    if isinstance(error, WriteFailedError):
        return REFUSAL_STATUS[error.kind]
    for cls in type(error).__mro__:
        if cls in CLASS_STATUS:
            return CLASS_STATUS[cls]
    return 500


def message_for(error: Exception) -> str:
    """What the client is told: the exception's text, written for clients by its module."""
    return str(error)


def error_response(status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
    """An error answer: ``<status> <phrase>: <message>`` as text, cached by nobody."""
    phrase = HTTPStatus(status).phrase
    all_headers = {**ERROR_HEADERS, **(headers or {})}
    if status == 503 and "Retry-After" not in all_headers:
        all_headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return PlainTextResponse(f"{status} {phrase}: {message}\n", status, headers=all_headers)


def response_for(error: Exception, headers: Mapping[str, str] | None = None) -> Response:
    """The answer to ``error``, with its own headers (``WWW-Authenticate``) and ``headers``."""
    own: Mapping[str, str] = {}
    if isinstance(error, AuthError):
        own = error.headers
    elif isinstance(error, SchedulerRefusedError):
        own = {"Retry-After": str(error.retry_after)}
    return error_response(status_for(error), message_for(error), {**own, **(headers or {})})


ExceptionHandler = Callable[[Request, Exception], Awaitable[Response]]


async def _handle(_request: Request, error: Exception) -> Response:
    return response_for(error)


def install(app: FastAPI) -> None:
    """Answer every mapped exception a route raises through :func:`response_for`."""
    handled: tuple[type[Exception], ...] = (
        ProtocolError,
        PayloadError,
        AuthError,
        WriteRefusedError,
        WriteFailedError,
        *CLASS_STATUS,
    )
    for cls in handled:
        app.add_exception_handler(cls, _handle)


GRAPH_OFFER = (*GRAPH_FORMATS, *DATASET_FORMATS)


def failure_response(failure: QueryFailure, headers: dict[str, str]) -> Response:
    """The answer for a query the engine refused: 4xx with a message naming the problem (500,
    with a generic message, for an engine failure: docs/security.md; its ``detail`` is for the
    server's log, never for the client)."""
    if failure.kind == "syntax":
        where = f" at line {failure.line}, column {failure.column}" if failure.line else ""
        message, status = f"SPARQL syntax error{where}: {failure.message}", 400
    elif failure.kind == "parameter":
        message, status = f"bad parameter: {failure.message}", 400
    elif failure.kind == "refused":
        message, status = f"the SPARQL engine refused the query: {failure.message}", 400
    elif failure.kind == "not-acceptable":
        offered = RESULT_FORMATS if failure.form in ("solutions", "boolean") else GRAPH_OFFER
        names = ", ".join(f"{f.media_type} (format={f.key})" for f in offered)
        message = (
            f"the query gives {failure.message}, which are available as: "
            f"{names}; none matches Accept or format="
        )
        status = 406
    elif failure.kind == "memory":
        message = (
            "the query needed more memory than a query may use and was stopped; make it more "
            "selective (LIMIT, fewer or shorter computed values)"
        )
        status = 503
    else:
        message, status = "internal error: the query could not be evaluated", 500
    return error_response(status, message, headers)
