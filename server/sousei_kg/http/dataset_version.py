"""``X-Dataset-Version`` on every answer (in ``http/`` so that the protocol's replay of cached
answers, :mod:`sousei_kg.http.protocol_replay`, can recognise this layer and add what it adds)."""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

VERSION_HEADER = b"x-dataset-version"


class DatasetVersionMiddleware:
    """Adds ``X-Dataset-Version`` to every HTTP response (a plain ASGI middleware: it does not
    buffer or re-wrap streamed bodies)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope["app"].state

        async def send_with_version(message: Message) -> None:
            # Read the graph when the answer starts, not when the request came in: a write swaps
            # it, and the write's own answer must name the new version.
            graph = getattr(state, "knowledge_graph", None)
            if message["type"] == "http.response.start" and graph is not None:
                headers = list(message.get("headers", []))
                headers.append((VERSION_HEADER, graph.version.encode("ascii")))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_version)
