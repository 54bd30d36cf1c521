"""The application class whose outermost layers see every answer.

Starlette wraps the layers added with ``add_middleware`` inside its own server-error middleware,
which writes the 500 for an unexpected exception straight to the server. An answer a layer must
see without exception (security headers, the access log) would miss that 500 there. ``EdgeApp``
puts its :attr:`~EdgeApp.edge` layers outside the whole stack instead, server-error middleware
included.
"""

from collections.abc import Callable, Sequence

from fastapi import FastAPI
from starlette.types import ASGIApp

Layer = Callable[[ASGIApp], ASGIApp]


class EdgeApp(FastAPI):
    """FastAPI with :attr:`edge` layers around everything, innermost first."""

    edge: Sequence[Layer] = ()
    """Layers wrapped around the built stack (set before the app first runs)."""

    def build_middleware_stack(self) -> ASGIApp:
        """Starlette's stack (its server-error middleware outermost), wrapped in :attr:`edge`."""
        app = super().build_middleware_stack()
        for layer in self.edge:
            app = layer(app)
        return app
