"""A memory limit for each query a worker evaluates: its address space at rest plus a budget.

A 925-byte query that doubles a string 27 times with ``BIND(CONCAT(?s, ?s) …)`` grew the server's
processes by 3.8 GB; a few more doublings reach the OOM killer, which may pick any process. So a
worker limits its own address space (``RLIMIT_AS``) to what it uses once its store is open and
idle, plus ``budget`` bytes for one query. The baseline has to be measured: a worker that opened a
read-only store already maps about 1 GB of address space (RocksDB, the 512 MiB engine stack) at
30 MB of real memory, so a fixed limit would be either useless or fatal.

What happens at the limit: an allocation fails. In Python that is a ``MemoryError`` (the query is
answered 503, the worker lives on); in pyoxigraph's Rust code the process aborts (SIGABRT, no
Python exception), and the pool counts a worker that died that way during a query as "memory
limit exceeded" and replaces it, as after a timeout.

Only the soft limit is set, so the worker can raise it again before it opens a newer snapshot
(:func:`lifted`) and set it anew from the new baseline. Linux only (``/proc/self/statm``);
elsewhere nothing is limited and the worker says so.
"""

import contextlib
import os
import resource
from collections.abc import Iterator
from pathlib import Path

STATM = Path("/proc/self/statm")


def address_space_bytes() -> int | None:
    """This process's address space now (``VmSize``), or ``None`` where it cannot be read."""
    try:
        pages = int(STATM.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE")


def limit_to_baseline_plus(budget: int) -> bool:
    """Limit the address space to what is mapped now plus ``budget`` bytes (soft limit).

    Returns whether a limit is in force (``False`` for ``budget`` 0, or where it cannot be set).
    """
    if budget <= 0:
        return False
    baseline = address_space_bytes()
    if baseline is None:
        return False
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    wanted = baseline + budget
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    try:
        resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))
    except (ValueError, OSError):
        return False
    return True


@contextlib.contextmanager
def lifted() -> Iterator[None]:
    """No soft limit while the block runs (opening a newer store maps more), then none either:
    the caller sets a new one from the new baseline."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (hard, hard))
    yield
