"""One dataset version's worth of cached values, bounded by their total size.

Shared by the two caches of query answers (``execution/result_cache``: evaluated outcomes by job;
``http/response_cache``: finished HTTP answers by request). Both hold values computed from one
dataset version: storing a value of a newer version drops everything older, and the least recently
used values leave first once the total size passes the bound. One value larger than a quarter of
the bound is not stored, so it cannot flush everything else.

A value's size is what it holds in memory, not only its body: small answers are the common case
(a 212-byte JSON answer cost ~1.6 KB in each cache, measured with tracemalloc), and counting bodies
alone let 64 MB of bodies hold ~1 GB and ~1 M objects that each full garbage collection walked
(pauses of 40-80 ms under load).
"""

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

ENTRY_OVERHEAD_BYTES = 1536
"""What an entry holds besides its variable-length parts: key and value objects, the dict slot."""

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class VersionedLRU(Generic[K, V]):
    """Values by key, at most ``max_bytes`` of them by ``size`` (0 stores nothing).

    Args:
        max_bytes: the bound on the total size of the values.
        size: an entry's size in bytes, from its key and value: its body, key text and headers, and
            :data:`ENTRY_OVERHEAD_BYTES`.
    """

    def __init__(self, max_bytes: int, size: Callable[[K, V], int]) -> None:
        self.max_bytes = max_bytes
        self._size = size
        self._values: OrderedDict[K, V] = OrderedDict()
        self._bytes = 0
        self._version: str | None = None

    def get(self, version: str, key: K) -> V | None:
        """The value computed from dataset ``version``, if any (and mark it recently used). A
        value of another version is never returned, whether or not the key names the version:
        the entries are dropped only when the first value of a new version is stored."""
        if version != self._version:
            return None
        value = self._values.get(key)
        if value is not None:
            self._values.move_to_end(key)
        return value

    def put(self, version: str, key: K, value: V) -> None:
        """Remember a value computed from dataset ``version``."""
        if version != self._version:
            self._values.clear()
            self._bytes = 0
            self._version = version
        size = self._size(key, value)
        if size > self.max_bytes // 4 or key in self._values:
            return
        self._values[key] = value
        self._bytes += size
        while self._bytes > self.max_bytes and self._values:
            old_key, evicted = self._values.popitem(last=False)
            self._bytes -= self._size(old_key, evicted)

    def __len__(self) -> int:
        return len(self._values)
