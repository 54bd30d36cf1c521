"""The open-file budget of a server process: its connections and its own files, under the limit.

Every connection is a file descriptor, and so is everything else the process holds: its log, the
listening socket, the query workers' pipes, the store's files. Past the open-file limit
(``RLIMIT_NOFILE``) ``accept()`` fails, and so does every other ``open()``; the process stays up
but serves nobody new. ``sousei-kg serve`` therefore raises the soft limit to the hard one (the
most an unprivileged process may take; both are inherited by ``--workers N`` processes), then
checks that ``max_connections`` fits under it next to what the server needs for itself
(:func:`own_files`), counted per process, like the limit.

The figures are upper bounds measured on this project (a server with two query workers and the
shipped data holds 16 files), with room to spare; :func:`connection_room` is what is left.
"""

import os
import resource
from pathlib import Path

from sousei_kg.config import Settings

BASE_FILES = 64
"""Standard streams, log files, the event loop's own descriptors, listening sockets, the shared
rate-limit database, a template or package file being read: measured 8, reserved 64."""
FILES_PER_QUERY_WORKER = 8
"""Per query worker: its pipe, its process handle, a streamed answer's channel (on the remote
backend: its connection to the engine)."""
STORE_FILES_MARGIN = 64
"""Beyond the store's files at start: tables RocksDB writes later, snapshots of a writer."""
FILES_PER_CONNECTION = 2
"""A connection's socket, and the file it may be sent (a static file or a dump)."""
NR_OPEN_FALLBACK = 1024 * 1024
"""The most Linux allows when the hard limit says "unlimited" (``fs.nr_open``'s default)."""


def raise_open_file_limit() -> int:
    """Raise this process's soft ``RLIMIT_NOFILE`` to its hard limit and return the soft limit
    in force afterwards (unchanged when the system refuses)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return NR_OPEN_FALLBACK
    target = NR_OPEN_FALLBACK if hard == resource.RLIM_INFINITY else hard
    if soft >= target:
        return soft
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    except (ValueError, OSError):
        return soft
    return target


def store_files(store: Path | None) -> int:
    """Files in a persistent store's directory (RocksDB keeps each open once read), or 0."""
    if store is None:
        return 0
    return sum(len(files) for _, _, files in os.walk(store))


def own_files(settings: Settings, accept_backlog: int) -> int:
    """Descriptors a server process needs besides its connections: its own files, the query
    workers', the store's, and ``accept_backlog``: asyncio accepts up to that many connections
    in one turn of the loop before any of them can be refused."""
    own = BASE_FILES + FILES_PER_QUERY_WORKER * settings.query_workers + accept_backlog
    if settings.store is not None:
        own += store_files(settings.store) + STORE_FILES_MARGIN
    return own


def connection_room(settings: Settings, limit: int, accept_backlog: int) -> int:
    """How many connections fit under an open-file ``limit`` next to the server's own files."""
    return max(0, (limit - own_files(settings, accept_backlog)) // FILES_PER_CONNECTION)
