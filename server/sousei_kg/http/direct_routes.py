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
for (the error map, :mod:`sousei_kg.http.errors`) get those handlers; anything else propagates to
the server-error middleware as it would from the router.

What the lean path skips is FastAPI's dependency injection, so it only takes endpoints whose every
parameter it supplies itself: the request, the knowledge graph and the settings, as the router's
dependencies (``GraphDep``, ``SettingsDep``) would. :func:`check_endpoint` refuses any other
signature when the app is built: a dependency added to an endpoint would otherwise show in the
OpenAPI document and be silently skipped here. And while the app has ``dependency_overrides``
(tests), these routes go through the router, so an override always takes effect.
"""

import inspect
from collections.abc import Awaitable, Callable, Iterable
from typing import Annotated, get_args, get_origin, get_type_hints

from fastapi import Request
from fastapi.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from sousei_kg.config import Settings
from sousei_kg.dataset.knowledge_graph import KnowledgeGraph
from sousei_kg.http.access_log import ROUTE_KEY
from sousei_kg.http.deps import get_app_settings, get_knowledge_graph

Endpoint = Callable[[Request, KnowledgeGraph, Settings], Awaitable[Response]]
ExceptionHandler = Callable[[Request, Exception], Awaitable[Response]]


_SUPPLIED: tuple[tuple[type, Callable[..., object] | None], ...] = (
    (Request, None),
    (KnowledgeGraph, get_knowledge_graph),
    (Settings, get_app_settings),
)
"""What the lean path passes, in order: each parameter's type and the FastAPI dependency that
provides it on the router (``None``: the request itself)."""


class LeanPathError(TypeError):
    """An endpoint asks for something the lean path would not supply (found at start-up)."""


def check_endpoint(endpoint: Endpoint) -> None:
    """Refuse an endpoint the lean path cannot call exactly as the router would.

    Raises:
        LeanPathError: naming the endpoint and the parameter, if it takes anything but
            ``(request, graph, settings)`` supplied by the dependencies the lean path stands in for.
    """
    target = endpoint if inspect.isfunction(endpoint) else type(endpoint).__call__
    name = getattr(endpoint, "__qualname__", type(endpoint).__qualname__)
    hints = get_type_hints(target, include_extras=True)
    parameters = list(inspect.signature(endpoint).parameters.values())
    if len(parameters) != len(_SUPPLIED):
        raise LeanPathError(
            f"{name} takes {len(parameters)} parameters; the lean path passes exactly "
            "(request, graph, settings): route it through the router instead"
        )
    for parameter, (expected, dependency) in zip(parameters, _SUPPLIED, strict=True):
        hint = hints.get(parameter.name)
        provided = None
        if get_origin(hint) is Annotated:
            hint, *extras = get_args(hint)
            provided = next((getattr(e, "dependency", None) for e in extras), None)
        if hint is not expected or (provided is not None and provided is not dependency):
            raise LeanPathError(
                f"{name}: parameter {parameter.name!r} is not the {expected.__name__} the lean "
                "path supplies; route it through the router instead"
            )


class DirectRoutes:
    """Answer ``(method, path)`` pairs by calling their endpoints directly.

    Raises:
        LeanPathError: if an endpoint's signature is not one the lean path can call.
    """

    def __init__(
        self, app: ASGIApp, routes: Iterable[tuple[Iterable[str], str, Endpoint]] = ()
    ) -> None:
        self.app = app
        self.routes: dict[tuple[str, str], Endpoint] = {}
        for methods, path, endpoint in routes:
            check_endpoint(endpoint)
            self.routes.update({(method, path): endpoint for method in methods})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        endpoint = (
            self.routes.get((scope["method"], scope["path"])) if scope["type"] == "http" else None
        )
        if endpoint is None or scope["app"].dependency_overrides:
            await self.app(scope, receive, send)
            return
        scope[ROUTE_KEY] = scope["path"]  # an exact path is its own route (for the access log)
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
