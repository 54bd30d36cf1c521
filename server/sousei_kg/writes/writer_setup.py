"""Whether writes can work here, and the writer's lock: checked before a writer starts.

Kept apart from :mod:`sousei_kg.writes.writer` so that ``serve``'s start-up check and the write
routes can refuse a setup that cannot work (no store, several processes) without loading the
writer, its validation and its store machinery.
"""

import fcntl
import time
from pathlib import Path
from typing import IO

from sousei_kg.config import Settings
from sousei_kg.errors import SouseiError


class WriterSetupError(SouseiError):
    """Writes are configured in a way that cannot work (no store, several processes, a lock
    held by another process)."""


def check_write_setup(settings: Settings) -> Path:
    """The store a server with write tokens writes to, once its setup is known to work.

    Raises:
        WriterSetupError: without a persistent store, or with several server processes.
    """
    if settings.store is None:
        raise WriterSetupError(
            "writes need a persistent store: build one with `sousei-kg build --store DIR` and "
            "serve it with --store DIR (write tokens are configured, no store is)"
        )
    if settings.workers > 1:
        raise WriterSetupError(
            f"writes need exactly one server process, and --workers is {settings.workers}: one "
            "process owns the store's write lock; use --workers 1 with write tokens (query "
            "workers still run in parallel, see --query-workers)"
        )
    return settings.store


LOCK_WAIT_SECONDS = 5.0
"""How long a new writer waits for the lock: the write process of a server that was just killed
dies with it (``PR_SET_PDEATHSIG``), but not in the same instant."""


def lock_within(lock: IO[bytes], seconds: float) -> bool:
    """Take the exclusive writer lock, waiting up to ``seconds`` for another holder to go."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
