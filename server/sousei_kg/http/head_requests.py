"""HEAD wherever GET is answered (RFC 9110 §9.3.2: a general-purpose server MUST support it).

FastAPI registers a ``GET`` route for ``GET`` only: ``HEAD /``, ``/kpis`` or ``/limits`` got
405, though crawlers and link checkers ask ``HEAD`` first to learn a page's type and size. Adding
``HEAD`` to every route would also add a ``head`` operation per route to the OpenAPI document, so
this middleware does it below the router instead: a ``HEAD`` request that no route takes as
``HEAD`` but one takes as ``GET`` is answered by that ``GET`` route, as Starlette's own routes
do: the layers outside (compression, caching, the security headers) see a ``HEAD`` and the
server (uvicorn) sends the status and headers, ``Content-Length`` included, without the body.
Routes that answer ``HEAD`` themselves (the dumps, the SPARQL endpoint, the Graph Store) keep
doing so, cheaper.
"""

from collections.abc import Sequence

from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Receive, Scope, Send


class HeadAsGet:
    """Answer ``HEAD`` through the ``GET`` route of a path that has no ``HEAD`` route.

    Args:
        app: the next application (the router).
        routes: the application's routes (``app.router.routes``), read at each request so that
            routes included after the middleware is added count too.
    """

    def __init__(self, app: ASGIApp, routes: Sequence[BaseRoute]) -> None:
        self.app = app
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD" or self._takes_head(scope):
            await self.app(scope, receive, send)
            return
        as_get = dict(scope, method="GET")
        if not any(route.matches(as_get)[0] is Match.FULL for route in self.routes):
            await self.app(scope, receive, send)  # the router's own 404 or 405
            return

        await self.app(as_get, receive, send)

    def _takes_head(self, scope: Scope) -> bool:
        return any(route.matches(scope)[0] is Match.FULL for route in self.routes)
