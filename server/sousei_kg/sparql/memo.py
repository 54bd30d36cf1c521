"""Remember a pure function of request texts, bounded in entries *and* in the bytes it holds.

Every query request asks the same few questions of its query text and its ``Accept`` header (may
the guard let it through, does it name a dataset, which formats fit) and the answers depend on
nothing else. Clients repeat texts and headers, so each answer is remembered per distinct input.
:func:`functools.lru_cache` bounds only the number of entries, and a query text may be as long as
the largest query the server accepts (``SOUSEI_MAX_QUERY_BYTES``, 100 KiB by default): 1,024 of
those would be 100 MB. So these memos also bound the total size of what they hold (keys and
values, as :func:`sys.getsizeof` counts a ``str``), drop the least recently used entries past
either bound, and do not store an entry larger than a quarter of the byte bound at all (it is
computed each time, and cannot flush everything else).

Only *values* are remembered: a function that refuses an input returns the refusal (a message,
``None``) and its caller raises a fresh exception from it, so a remembered refusal is refused
again with the same message, and no exception object (with its traceback and frames) is kept.
"""

import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from functools import update_wrapper
from typing import Generic, NamedTuple, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

ENTRY_OVERHEAD_BYTES = 200
"""What an entry holds besides its texts: the key tuple, the dictionary slot, the links of the
order. Counted so that many tiny entries also meet the byte bound."""


class MemoInfo(NamedTuple):
    """A memo's state: entries and bytes held, and its bounds."""

    entries: int
    bytes: int
    max_entries: int
    max_bytes: int
    hits: int
    misses: int


def held_bytes(value: object) -> int:
    """The bytes a key part or value holds that the memo counts: a ``str``'s (or ``bytes``') size
    in memory, a tuple's and its items'. Anything else (``None``, booleans, shared constants such
    as the server's formats) counts nothing: it is not a copy made per entry."""
    if isinstance(value, str | bytes):
        return sys.getsizeof(value)
    if isinstance(value, tuple):
        return sys.getsizeof(value) + sum(held_bytes(item) for item in value)
    return 0


class BoundedMemo(Generic[P, R]):
    """``function``, remembering its result per arguments (positional and hashable only).

    Args:
        function: a pure function: the same arguments always give the same result.
        max_entries: the most results held.
        max_bytes: the most bytes held, as :func:`held_bytes` counts keys and results plus
            :data:`ENTRY_OVERHEAD_BYTES` per entry; an entry over a quarter of it is not held.
    """

    def __init__(self, function: Callable[P, R], max_entries: int, max_bytes: int) -> None:
        self._function = function
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._results: OrderedDict[Hashable, tuple[R, int]] = OrderedDict()
        self._bytes = 0
        self._hits = 0
        self._misses = 0
        self._lock = threading.Lock()  # routes on the thread pool negotiate too
        update_wrapper(self, function)

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        if kwargs:
            return self._function(*args, **kwargs)
        with self._lock:
            found = self._results.get(args)
            if found is not None:
                self._results.move_to_end(args)
                self._hits += 1
                return found[0]
            self._misses += 1
        result = self._function(*args, **kwargs)
        size = ENTRY_OVERHEAD_BYTES + held_bytes(args) + held_bytes(result)
        if size > self.max_bytes // 4 or self.max_entries < 1:
            return result
        with self._lock:
            if args not in self._results:
                self._results[args] = (result, size)
                self._bytes += size
                while len(self._results) > self.max_entries or self._bytes > self.max_bytes:
                    _, (_, evicted) = self._results.popitem(last=False)
                    self._bytes -= evicted
        return result

    def cache_info(self) -> MemoInfo:
        """Entries and bytes held now, the bounds, and hits and misses since the last clear."""
        with self._lock:
            return MemoInfo(
                len(self._results),
                self._bytes,
                self.max_entries,
                self.max_bytes,
                self._hits,
                self._misses,
            )

    def cache_clear(self) -> None:
        """Forget every result (tests, and measuring the cold path)."""
        with self._lock:
            self._results.clear()
            self._bytes = 0
            self._hits = self._misses = 0


def bounded_memo(max_entries: int, max_bytes: int) -> Callable[[Callable[P, R]], BoundedMemo[P, R]]:
    """Decorate a pure function with a :class:`BoundedMemo`."""

    def decorate(function: Callable[P, R]) -> BoundedMemo[P, R]:
        return BoundedMemo(function, max_entries, max_bytes)

    return decorate
