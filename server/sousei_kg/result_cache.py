"""A bounded in-memory cache of query answers, keyed by dataset version and the whole job.

Dashboards, harvesters and pages repeat the same queries; answering those from memory skips the
worker round trip. The key is (dataset version, the job: query text, dataset, parameters, format,
cap), so an answer is only ever reused for the exact request and data it was computed from; a write
changes the version, and the cache drops everything older. Memory is bounded by the total size of
the cached bodies (least recently used first out).
"""

import hashlib
from dataclasses import dataclass

from sousei_kg.bounded_cache import ENTRY_OVERHEAD_BYTES, VersionedLRU
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


class ResultCache(VersionedLRU[CacheKey, QueryOutcome]):
    """Answers by key, at most ``max_bytes`` of them in all (0 disables the cache)."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(max_bytes, _entry_size)

    def remember(self, key: CacheKey, outcome: QueryOutcome) -> None:
        """Remember an answer of ``key.version``."""
        self.put(key.version, key, outcome)


def _entry_size(key: CacheKey, outcome: QueryOutcome) -> int:
    job = key.job
    return len(outcome.body) + len(job.query) + len(repr(job.substitutions)) + ENTRY_OVERHEAD_BYTES
