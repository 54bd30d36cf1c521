"""Confining the processes that run untrusted work (query workers, the write process): no network,
and a memory limit of their address space at rest plus a budget.

**No network.** Before it opens the store, such a process tries to leave the network: on Linux,
as root, ``unshare(CLONE_NEWNET)`` puts it in an empty network namespace, so even a ``SERVICE``
or ``LOAD`` that slipped past the guard could not connect anywhere (defence in depth). Where that
is not permitted the process runs on and reports it (``/health``, and a warning at start-up).

**Bounded memory.**
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
import ctypes
import ctypes.util
import os
import resource
from collections.abc import Iterator
from pathlib import Path

STATM = Path("/proc/self/statm")
CLONE_NEWNET = 0x40000000
PR_SET_PDEATHSIG = 1


def leave_network() -> bool:
    """Move this process into a new, empty network namespace. Returns whether it worked.

    Call it before any thread starts: a namespace is per thread, and threads inherit their
    creator's.
    """
    unshare = getattr(os, "unshare", None)
    try:
        if unshare is not None:  # Python 3.12+
            unshare(CLONE_NEWNET)
            return True
        library = ctypes.util.find_library("c")
        if library is None:
            return False
        return bool(ctypes.CDLL(library, use_errno=True).unshare(CLONE_NEWNET) == 0)
    except (OSError, AttributeError):
        return False


def die_with_parent(signal_number: int) -> bool:
    """Have the kernel send ``signal_number`` to this process when its parent dies (Linux
    ``PR_SET_PDEATHSIG``): a child that owns a lock or runs a write must not outlive a server
    that was killed. Returns whether it worked."""
    library = ctypes.util.find_library("c")
    if library is None:
        return False
    try:
        return bool(
            ctypes.CDLL(library, use_errno=True).prctl(PR_SET_PDEATHSIG, signal_number) == 0
        )
    except (OSError, AttributeError):
        return False


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
