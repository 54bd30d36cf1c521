"""Starting and stopping ``sousei-kg serve`` cleanly.

Before the banner, :func:`preflight` checks what would otherwise stop the server after it,
behind a page of uvicorn's traceback and exit code 3: write tokens without a store (or with
several processes), a store folder that is empty or holds something else, a port in use or not
permitted, an address the machine does not have. Each is a user error: one line, exit code 2.

:func:`stopping_cleanly` makes SIGTERM and Ctrl+C end the command normally once uvicorn has shut
down. uvicorn re-raises the signal it caught after its graceful shutdown; with the default
SIGTERM handler that killed the process on the spot, before the state folder in the temporary
directory was removed (``/tmp/sousei-kg-state-*`` was left behind).
"""

import errno
import signal
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from sousei_kg.cli.group import UserError
from sousei_kg.config import Settings
from sousei_kg.store.directory import check_store
from sousei_kg.writes.writer_setup import check_write_setup

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def preflight(settings: Settings) -> None:
    """Refuse a start that cannot work, before anything is printed.

    Raises:
        WriterSetupError: write tokens without a store, or with several server processes.
        StoreNotFoundError: ``--store`` is not a built store.
        UserError: the address and port cannot be listened on.
    """
    if settings.write_tokens:
        check_write_setup(settings)
    if settings.store is not None:
        check_store(settings.store)
    check_listening(settings.host, settings.port)


def check_listening(host: str, port: int) -> None:
    """Bind ``host``:``port`` as uvicorn will (``SO_REUSEADDR``), then let it go.

    Raises:
        UserError: saying why it cannot be bound and what to do.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        raise UserError(
            f"--host {host}: not an address of this machine ({error.strerror})"
        ) from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except PermissionError:
            raise UserError(
                f"not permitted to listen on port {port} (ports below 1024 need privileges); "
                "choose another with --port, or let a reverse proxy hold that port"
            ) from None
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise UserError(
                    f"port {port} on {host} is in use (another server?); stop it, or choose "
                    "another port with --port"
                ) from None
            if error.errno == errno.EADDRNOTAVAIL:
                raise UserError(
                    f"cannot listen on {host}: this machine has no such address; use --host "
                    "127.0.0.1 (this machine only) or 0.0.0.0 (every interface)"
                ) from None
            raise UserError(f"cannot listen on {host}:{port}: {error.strerror}") from None


class Stopped(Exception):  # noqa: N818 (not an error: the server was asked to stop)
    """SIGTERM or Ctrl+C arrived: the server has shut down and the command should end."""


def _stop(_signal: int, _frame: FrameType | None) -> None:
    raise Stopped


@contextmanager
def stopping_cleanly() -> Iterator[None]:
    """Run the server so that SIGTERM and Ctrl+C end it normally (``with`` blocks around it
    clean up), restoring the previous handlers afterwards."""
    previous = {sig: signal.signal(sig, _stop) for sig in STOP_SIGNALS}
    try:
        yield
    except Stopped:
        pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
