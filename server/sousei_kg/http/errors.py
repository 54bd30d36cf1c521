"""The one map from what went wrong to an HTTP answer.

Domain modules raise exceptions that say what went wrong in their own terms (a protocol rule a
request broke, a query that does not parse, a write that would break the shapes), never an HTTP
status. This module decides the status and what the body says: what is wrong and what to do, never
a stack trace and never the engine's own text for an engine failure. Every route and middleware
that answers with an error builds it here, so the statuses and the error bodies are the same
everywhere. The body's form follows the client (:mod:`sousei_kg.http.error_bodies`): plain text
(``<status> <reason phrase>: <message>``), RFC 9457 problem details for a client that names JSON,
or a page for a browser.

A SPARQL text the engine refuses is explained for people (:mod:`sousei_kg.sparql.explain`): the
mistake in one sentence (a prefix to declare, the keyword meant, an update sent as a query, a
variable to group), the line with a caret, and the parser's own message as detail.

:func:`install` registers a handler for every exception class below, and for the router's own 404
and 405, on the router and, through :mod:`sousei_kg.http.direct_routes`, on the lean path too.
"""

from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import BaseRoute, Match

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
from sousei_kg.http.error_bodies import ErrorDetails, ErrorResponse
from sousei_kg.http.negotiation import NotAcceptableError
from sousei_kg.linked_data.short_keys import ShortKeysUnavailableError
from sousei_kg.named_queries.parameters import ParameterError
from sousei_kg.namespaces import CANONICAL_BASE
from sousei_kg.publication.change_feed import FeedUnavailableError
from sousei_kg.publication.fragment_pattern import FragmentPageNotFoundError, FragmentRequestError
from sousei_kg.publication.fragments import FragmentsBusyError
from sousei_kg.remote.compatibility import UnsupportedOnEngineError
from sousei_kg.remote.sparql_client import RemoteRefusedError, RemoteUnavailableError
from sousei_kg.sparql.explain import TITLES, QueryProblem, explain
from sousei_kg.sparql.formats import DATASET_FORMATS, GRAPH_FORMATS, RESULT_FORMATS
from sousei_kg.sparql.graph_payload import PayloadError
from sousei_kg.sparql.guard import ForbiddenQueryError
from sousei_kg.sparql.query_protocol import UPDATES_REFUSED, ProtocolError
from sousei_kg.writes.refusals import WriteRefusedError
from sousei_kg.writes.write_side import WriteFailedError

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
    ShortKeysUnavailableError: 503,
    PoolUnavailableError: 503,
    QueryMemoryError: 503,
    QueueFullError: 429,
    QueryBudgetError: 429,
    QueueTimeoutError: 503,
    QueryTimeoutError: 503,
    FragmentRequestError: 400,
    FragmentPageNotFoundError: 404,
    FragmentsBusyError: 503,
    FeedUnavailableError: 404,
}
RETRY_AFTER_SECONDS = 5
"""What a 503 for a passing condition (a busy pool, an unreachable engine) asks clients to wait."""
ERROR_HEADERS: Mapping[str, str] = {"Vary": "Accept", "Cache-Control": "no-store"}
PROBLEM_TYPES = CANONICAL_BASE + "problems#"
"""Where the ``type`` of a SPARQL problem points: ``/problems`` documents each kind."""


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


def error_response(
    status: int,
    message: str,
    headers: Mapping[str, str] | None = None,
    *,
    details: ErrorDetails | None = None,
) -> Response:
    """An error answer saying ``message`` (or ``details``), cached by nobody, in the form the
    client reads (:class:`~sousei_kg.http.error_bodies.ErrorResponse`)."""
    all_headers = {**ERROR_HEADERS, **(headers or {})}
    if status == 503 and "Retry-After" not in all_headers:
        all_headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return ErrorResponse(details or ErrorDetails(status, message), all_headers)


def updates_sentence(writes_on: bool) -> str:
    """Where an update goes instead of the query endpoint, on this server."""
    if writes_on:
        return "send updates to /update (POST, with a write token; see docs/writes.md)"
    return (
        "this server is read-only and takes no updates (a server started with --write-token "
        "takes them at /update)"
    )


def _updates_refused(request: Request | None) -> str:
    if request is None:
        return UPDATES_REFUSED
    writes_on = bool(request.app.state.settings.write_tokens)
    return f"{UPDATES_REFUSED}: {updates_sentence(writes_on)}"


def response_for(
    error: Exception, headers: Mapping[str, str] | None = None, request: Request | None = None
) -> Response:
    """The answer to ``error``, with its own headers (``WWW-Authenticate``) and ``headers``;
    ``request``, when given, completes what depends on the server (where updates go)."""
    own: Mapping[str, str] = {}
    if isinstance(error, AuthError):
        own = error.headers
    elif isinstance(error, SchedulerRefusedError):
        own = {"Retry-After": str(error.retry_after)}
    message = message_for(error)
    if isinstance(error, ProtocolError) and message == UPDATES_REFUSED:
        message = _updates_refused(request)
    return error_response(status_for(error), message, {**own, **(headers or {})})


ExceptionHandler = Callable[[Request, Exception], Awaitable[Response]]


async def _handle(request: Request, error: Exception) -> Response:
    return response_for(error, request=request)


async def _handle_http(request: Request, error: Exception) -> Response:
    """The router's own refusals (an unknown path, a method a path does not take) as the map
    writes every error, with a sentence that says what to do."""
    if not isinstance(error, StarletteHTTPException):  # registered for that class only
        raise error
    path = request.url.path
    headers = dict(error.headers or {})
    if error.detail != HTTPStatus(error.status_code).phrase:  # a route's own words
        message = str(error.detail)
    elif error.status_code == 404:
        message = f"there is nothing at {path}; the landing page / lists what this server offers"
    elif error.status_code == 405:
        allowed = _allowed_methods(request) or headers.get("Allow", "")
        headers = {k: v for k, v in headers.items() if k.lower() != "allow"}
        if allowed:
            headers["Allow"] = allowed
        use = f"; use {allowed}" if allowed else ""
        message = f"method {request.method} is not allowed at {path}{use}"
    else:
        message = str(error.detail)
    return error_response(error.status_code, message, headers)


def _allowed_methods(request: Request) -> str:
    """Every method some route takes at this path: the router's 405 names only the first route's
    (``HEAD`` for a path whose ``GET`` is declared apart)."""
    methods: set[str] = set()
    for route in _flat(request.app.router.routes):
        match, _ = route.matches(request.scope)
        if match != Match.NONE:
            methods |= getattr(route, "methods", None) or set()
    return ", ".join(sorted(methods))


def _flat(routes: Iterable[BaseRoute]) -> Iterator[BaseRoute]:
    """The routes of included routers too (FastAPI keeps each included router whole; ours are
    included without a prefix, so their routes match the request's path as they are)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _flat(inner.routes)
        else:
            yield route


def install(app: FastAPI) -> None:
    """Answer every mapped exception a route raises through :func:`response_for`, and the
    router's 404 and 405 in the same forms."""
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
    app.add_exception_handler(StarletteHTTPException, _handle_http)


def problem_details(problem: QueryProblem, status: int = 400) -> ErrorDetails:
    """A SPARQL problem for every form of error answer: its headline as the message, the line
    with a caret and the parser's message below, and the pieces as problem-details members."""
    more = problem.text().removeprefix(problem.headline).strip("\n")
    members: dict[str, object] = {"line": problem.line, "column": problem.column}
    if problem.source_line is not None:
        members["excerpt"] = problem.excerpt()
    if problem.suggestion:
        members["suggestion"] = problem.suggestion
    members["engineMessage"] = problem.engine_message
    return ErrorDetails(
        status,
        problem.headline,
        more=more,
        problem_type=PROBLEM_TYPES + problem.kind,
        title=TITLES[problem.kind],
        members=members,
    )


def syntax_error_response(
    query: str,
    line: int | None,
    column: int | None,
    message: str,
    *,
    writes_on: bool,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """400 for a query the engine refused to parse, explained for people."""
    problem = explain(query, line, column, message, where_updates_go=updates_sentence(writes_on))
    return error_response(400, problem.headline, headers, details=problem_details(problem))


GRAPH_OFFER = (*GRAPH_FORMATS, *DATASET_FORMATS)


def failure_response(
    failure: QueryFailure, headers: dict[str, str], query: str = "", *, writes_on: bool = False
) -> Response:
    """The answer for a query the engine refused: 4xx with a message naming the problem (a
    syntax error explained from ``query``, the text sent), or 500 with a generic message for an
    engine failure (docs/security.md; its ``detail`` is for the server's log, never for the
    client)."""
    if failure.kind == "syntax":
        return syntax_error_response(
            query,
            failure.line,
            failure.column,
            failure.message,
            writes_on=writes_on,
            headers=headers,
        )
    if failure.kind == "parameter":
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
