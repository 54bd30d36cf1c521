"""Cross-origin access: open for reading, closed for writing unless configured.

Every read endpoint (SPARQL, pages, descriptions, dumps) answers any origin (``*``), as the public
SPARQL services do: a browser script anywhere may query the dataset. The write path (``/update``,
``/store``) is another matter: a CORS preflight from ``https://evil.example`` used to be allowed
with ``Authorization``, and the answer was readable. Now a write path answers cross-origin
requests only from the origins in ``--write-cors-origin`` (none by default): a preflight from any
other origin is refused, and no answer carries ``Access-Control-Allow-Origin`` for it, so a page
on another site can neither send a token-bearing write nor read what came back.
"""

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

WRITE_PATHS = ("/update", "/store")
READ_METHODS = ["GET", "HEAD", "POST", "OPTIONS"]
WRITE_METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"]


def is_write_path(path: str) -> bool:
    """Whether ``path`` is one of the write endpoints (or below one)."""
    return any(path == prefix or path.startswith(prefix + "/") for prefix in WRITE_PATHS)


class SplitCORS:
    """Two CORS policies by path: open for reads, an allow-list for writes.

    Args:
        app: the application.
        expose_headers: response headers a browser script may read (on both).
        write_origins: origins allowed to send cross-origin requests to the write path.
    """

    def __init__(
        self, app: ASGIApp, *, expose_headers: list[str], write_origins: list[str]
    ) -> None:
        self.read = CORSMiddleware(
            app,
            allow_origins=["*"],
            allow_methods=READ_METHODS,
            allow_headers=["*"],
            expose_headers=expose_headers,
        )
        self.write = CORSMiddleware(
            app,
            allow_origins=write_origins,
            allow_methods=WRITE_METHODS,
            allow_headers=["authorization", "content-type", "accept"],
            expose_headers=expose_headers,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and is_write_path(scope["path"]):
            await self.write(scope, receive, send)
        else:
            await self.read(scope, receive, send)
