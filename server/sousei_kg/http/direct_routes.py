"""The hot query routes answered without FastAPI's router: the lean path for ``/sparql`` and the
named queries.

Profiling the uncached ``GET /sparql`` path (py-spy, ``wrk -c8``, docs/performance.md) showed a
third of the server process's time between Starlette's router and the endpoint: route matching
over every route, dependency solving, the request-handler wrapper, the exception and exit-stack
middlewares. These routes need none of it: their endpoints read the raw request themselves (the
SPARQL Protocol needs what FastAPI's parameter parsing hides) and return a finished response.

So this middleware sits innermost, below the limits, the response cache, CORS and compression
(all still apply), and calls the *same endpoint functions* the router would, for an exact path
and method. The routes stay registered with FastAPI: the OpenAPI document is unchanged, and the
router still answers every other method (OPTIONS, 405s) and path. Exceptions the app has handlers
for (406, 501, 502, 503) get those handlers; anything else propagates to the server-error
middleware as it would from the router.
"""

from collections.abc import Awaitable, Callable, Iterable

from fastapi import Request
from fastapi.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from sousei_kg.config import Settings
from sousei_kg.dataset.knowledge_graph import KnowledgeGraph

Endpoint = Callable[[Request, KnowledgeGraph, Settings], Awaitable[Response]]
ExceptionHandler = Callable[[Request, Exception], Awaitable[Response]]


class DirectRoutes:
    """Answer ``(method, path)`` pairs by calling their endpoints directly."""

    def __init__(
        self, app: ASGIApp, routes: Iterable[tuple[Iterable[str], str, Endpoint]] = ()
    ) -> None:
        self.app = app
        self.routes: dict[tuple[str, str], Endpoint] = {
            (method, path): endpoint for methods, path, endpoint in routes for method in methods
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        endpoint = (
            self.routes.get((scope["method"], scope["path"])) if scope["type"] == "http" else None
        )
        if endpoint is None:
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        state = scope["app"].state
        try:
            response = await endpoint(request, state.knowledge_graph, state.settings)
        except Exception as error:
            handler = _handler_for(scope["app"].exception_handlers, error)
            if handler is None:
                raise
            response = await handler(request, error)
        await response(scope, receive, send)


def _handler_for(
    handlers: dict[type[Exception] | int, ExceptionHandler], error: Exception
) -> ExceptionHandler | None:
    """The app's handler for ``error``'s class or its nearest base, as Starlette looks it up."""
    for cls in type(error).__mro__:
        if cls in handlers:
            return handlers[cls]
    return None
