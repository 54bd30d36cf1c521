"""An ASGI layer that only changes the headers of every answer, when the answer starts.

The edge layers that add headers (security headers, the dataset version) are each this and one
function; what they add is that function, which the protocol's replay of cached answers
(:mod:`sousei_kg.http.protocol_replay`) calls too.
"""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

Headers = list[tuple[bytes, bytes]]


class HeaderLayer:
    """Passes every message on, and an answer's start with :meth:`headers_for` its headers (a
    plain ASGI layer: it never buffers or re-wraps a streamed body)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    def headers_for(self, scope: Scope, headers: Headers) -> Headers:
        """The answer's headers as this layer sends them (called when the answer starts)."""
        raise NotImplementedError

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_changed(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = self.headers_for(scope, list(message.get("headers", [])))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_changed)
