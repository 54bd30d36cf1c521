"""A bounded in-memory cache of query answers, keyed by dataset version and the whole job.

Dashboards, harvesters and pages repeat the same queries; answering those from memory skips the
worker round trip. The key is (dataset version, the job: query text, dataset, parameters, format,
cap), so an answer is only ever reused for the exact request and data it was computed from; a write
changes the version, and the cache drops everything older. Memory is bounded by the total size of
the cached bodies (least recently used first out).
"""

import hashlib
from collections import OrderedDict
from dataclasses import dataclass

from sousei_kg.execution.jobs import QueryJob, QueryOutcome


@dataclass(frozen=True)
class CacheKey:
    """What an answer depends on."""

    version: str
    job: QueryJob

    @property
    def etag(self) -> str:
        """A strong ETag for this answer: the same request on the same data, the same tag."""
        digest = hashlib.sha256(repr((self.version, self.job)).encode("utf-8")).hexdigest()
        return f'"{digest[:32]}"'


class ResultCache:
    """Answers by key, at most ``max_bytes`` of bodies in all (0 disables the cache)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[CacheKey, QueryOutcome] = OrderedDict()
        self._bytes = 0
        self._version: str | None = None

    def get(self, key: CacheKey) -> QueryOutcome | None:
        """The cached answer, if any (and mark it recently used)."""
        outcome = self._entries.get(key)
        if outcome is not None:
            self._entries.move_to_end(key)
        return outcome

    def put(self, key: CacheKey, outcome: QueryOutcome) -> None:
        """Remember an answer; answers of older dataset versions are dropped first."""
        if key.version != self._version:
            self._entries.clear()
            self._bytes = 0
            self._version = key.version
        size = len(outcome.body)
        if size > self.max_bytes // 4 or key in self._entries:
            return  # one huge answer must not flush everything else
        self._entries[key] = outcome
        self._bytes += size
        while self._bytes > self.max_bytes and self._entries:
            _, evicted = self._entries.popitem(last=False)
            self._bytes -= len(evicted.body)

    def __len__(self) -> int:
        return len(self._entries)
