"""An answer's head and body in one send (see :mod:`sousei_kg.http.protocol`, which uses it for
every answer): uvicorn writes the status line and headers, then the body, with two
``transport.write`` calls, two system calls and two TCP segments per answer."""

import asyncio

HELD_WRITE_BYTES = 8 * 1024
"""Writes up to this size are held for the next one; larger ones go out at once."""
JOINED_WRITE_BYTES = 64 * 1024
"""A held write is joined with a next one up to this size (one copy); a larger one follows it."""


class HeadJoiningTransport:
    """The transport as an answer's cycle sees it: a small write is held until the next write
    or the end of the loop's turn, so a head and its body leave in one ``send``. At most one
    small write is ever held; everything else is the connection's own transport."""

    def __init__(self, transport: asyncio.Transport) -> None:
        self._transport = transport
        self._held: bytes | None = None

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if self._held is not None:
            held, self._held = self._held, None
            if len(data) <= JOINED_WRITE_BYTES:
                data = held + bytes(data)
            else:  # a large body is not copied to save one small segment
                self._transport.write(held)
        elif len(data) <= HELD_WRITE_BYTES:
            self._held = bytes(data)
            asyncio.get_running_loop().call_soon(self.flush)
            return
        self._transport.write(data)

    def flush(self) -> None:
        """Send what is held (called at the end of the turn, and before closing)."""
        if self._held is not None:
            held, self._held = self._held, None
            if not self._transport.is_closing():
                self._transport.write(held)

    def write_now(self, data: bytes) -> None:
        """Write a whole answer at once, after what is held (nothing is left to join it)."""
        if self._held is not None:
            data, self._held = self._held + data, None
        self._transport.write(data)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def write_eof(self) -> None:
        self.flush()
        self._transport.write_eof()

    def get_write_buffer_size(self) -> int:
        return self._transport.get_write_buffer_size() + len(self._held or b"")

    def __getattr__(self, name: str) -> object:
        return getattr(self._transport, name)
