"""Bounding a request body as it arrives: its size, and the time it takes.

The app reads a body through :class:`BodyGuard`'s ``receive``: past the size limit or the time
limit it raises :class:`BodyRefusedError` into the app, and the protection middleware answers 413
or 408 in the app's place (:mod:`sousei_kg.http.protection`).
"""

import anyio
from starlette.types import Message, Receive


class BodyRefusedError(Exception):
    """Raised into the app when its request body is refused (too large, or too slow)."""


class BodyGuard:
    """Wraps ``receive``: counts body bytes and bounds the time they take to arrive."""

    def __init__(self, receive: Receive, limit: int, what: str, timeout: float) -> None:
        self._receive = receive
        self.limit, self.what, self.timeout = limit, what, timeout
        self.received = 0
        self.complete = False
        self.deadline: float | None = None
        self.refusal: tuple[int, str] | None = None

    async def receive(self) -> Message:
        """The next message; raises :class:`BodyRefusedError` past the size or time limit."""
        if self.refusal is not None:
            raise BodyRefusedError(self.refusal[1])
        if self.complete:  # e.g. a streaming response waiting for the client to disconnect
            return await self._receive()
        if self.deadline is None:
            self.deadline = anyio.current_time() + self.timeout
        with anyio.move_on_after(max(0.0, self.deadline - anyio.current_time())):
            message = await self._receive()
            if message["type"] != "http.request":
                self.complete = True
                return message
            self.received += len(message.get("body", b""))
            if self.received > self.limit:
                return self._refuse(
                    413,
                    f"413 Content Too Large: the request body passed the limit of {self.limit} "
                    f"bytes for {self.what}; it was not used",
                )
            self.complete = not message.get("more_body", False)
            return message
        return self._refuse(
            408,
            f"408 Request Timeout: the request body did not arrive within "
            f"{self.timeout:g} s; it was not used",
        )

    def _refuse(self, status: int, message: str) -> Message:
        self.refusal = (status, message)
        raise BodyRefusedError(message)
