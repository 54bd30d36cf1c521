"""Keep long-running processes lean: short full collections, and freed memory given back.

CPython's cyclic collector occasionally walks every tracked object (a "generation 2"
collection). A server process holds tens of thousands of long-lived objects from start-up
(FastAPI's routes and models, templates, the catalogue, rdflib's namespaces), so each such walk
stopped request handling for several milliseconds: with the collector off, the 99th-percentile
latency of a cheap uncached query fell from 8–17 ms to 1.5 ms at one connection and from 44 ms to
10 ms at eight (docs/performance.md). Freezing what exists once start-up is done moves it out of
the collector's sight (``gc.freeze``), as Instagram's Django servers do; what requests allocate
is still collected as usual.

The engine (Rust, on the C allocator) frees what a large query used when it ends, but glibc keeps
those pages in the process: a query worker that had sorted 57,000 labels at 10 M triples stayed
~130 MB larger for the rest of its life. ``malloc_trim`` gives free pages back.

glibc also gives each new thread its own allocation arena (up to eight per core), and each arena
keeps what it once held. The server process runs blocking work on a pool of up to 40 threads
(label index reads, hints, page building), so every thread that once built a large answer kept
its own high-water mark: on the 10 M store the server process held 237-267 MB after rounds of the
named queries, creeping a few MB a round, and 172-174 MB, flat, with two arenas
(docs/performance.md). :func:`limit_malloc_arenas` caps them.
"""

import ctypes
import ctypes.util
import gc
from functools import cache


def freeze_startup_objects() -> None:
    """Collect start-up garbage, then exempt every object alive now from future collections.

    Call once a process has loaded what it keeps for its lifetime. Objects frozen and later
    dropped are still freed by reference counting; only reference cycles among them would stay.
    """
    gc.collect()
    gc.freeze()


@cache
def _glibc(name: str) -> "ctypes._NamedFuncPointer | None":
    library = ctypes.util.find_library("c")
    if library is None:
        return None
    try:
        return getattr(ctypes.CDLL(library), name)  # type: ignore[no-any-return]
    except AttributeError:  # not glibc (musl, macOS): nothing to call
        return None


M_ARENA_MAX = -8
"""glibc's ``mallopt`` parameter for the most arenas (``malloc.h``)."""
SERVER_ARENAS = 2
"""Arenas of a server process: its event loop and its thread pool (the pool's threads run short
jobs, so they wait little for a shared arena on a 2-core machine: ``bench/run.py --quick`` with
the cap gave the same uncached and repeated ratios as without it, 20261203T221815Z)."""


def limit_malloc_arenas(count: int = SERVER_ARENAS) -> bool:
    """Let glibc's allocator use at most ``count`` arenas in this process (``mallopt``, the same as
    ``MALLOC_ARENA_MAX``, which must be set before a process starts; this works from inside it).
    Arenas that exist stay; threads started later share them. Returns whether it was applied
    (glibc only)."""
    mallopt = _glibc("mallopt")
    return mallopt is not None and bool(mallopt(M_ARENA_MAX, count))


def release_free_memory() -> bool:
    """Give the C allocator's free pages back to the system (glibc ``malloc_trim(0)``).

    Returns whether the call was available. It walks the free lists (about a millisecond after a
    large query), so call it after work that allocated much, not after every request.
    """
    trim = _glibc("malloc_trim")
    if trim is None:
        return False
    trim(0)
    return True
