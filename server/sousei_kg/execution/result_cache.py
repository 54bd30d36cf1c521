"""A bounded in-memory cache of query answers, keyed by dataset version and the whole job.

Dashboards, harvesters and pages repeat the same queries; answering those from memory skips the
worker round trip. The key is (dataset version, the job: query text, dataset, parameters, format,
cap), so an answer is only ever reused for the exact request and data it was computed from; a write
changes the version, and the cache drops everything older. Memory is bounded by what the entries
hold (bodies and a per-entry cost, ``execution/versioned_lru``; least recently used first out).
"""

import hashlib
from dataclasses import dataclass
from functools import cached_property

from sousei_kg.execution.jobs import QueryForm, QueryJob, QueryOutcome
from sousei_kg.execution.versioned_lru import ENTRY_OVERHEAD_BYTES, VersionedLRU


@dataclass(frozen=True)
class CacheKey:
    """What an answer depends on."""

    version: str
    job: QueryJob

    @cached_property
    def digest(self) -> str:
        """SHA-256 of the version and the whole job: the same request on the same data, the
        same digest (what the cache files the answer under, and the ETag)."""
        return hashlib.sha256(repr((self.version, self.job)).encode("utf-8")).hexdigest()

    @property
    def etag(self) -> str:
        """A strong ETag for this answer."""
        return f'"{self.digest[:32]}"'


_Packed = tuple[QueryForm, str, bytes, int, bool]
"""An outcome as the cache holds it: a plain tuple of plain values, which the garbage collector
stops tracking (a dataclass per entry is one more object every full collection walks)."""


class ResultCache:
    """Answers by key, at most ``max_bytes`` of them in all (0 disables the cache)."""

    def __init__(self, max_bytes: int) -> None:
        self._entries: VersionedLRU[str, _Packed] = VersionedLRU(max_bytes, _entry_size)

    def get(self, key: CacheKey) -> QueryOutcome | None:
        """The answer stored for ``key``, if any."""
        packed = self._entries.get(key.version, key.digest)
        return None if packed is None else QueryOutcome(*packed)

    def remember(self, key: CacheKey, outcome: QueryOutcome) -> None:
        """Remember an answer of ``key.version``."""
        packed = (outcome.form, outcome.format_key, outcome.body, outcome.rows, outcome.truncated)
        self._entries.put(key.version, key.digest, packed)

    def __len__(self) -> int:
        return len(self._entries)


def _entry_size(digest: str, packed: _Packed) -> int:
    return len(packed[2]) + len(digest) + ENTRY_OVERHEAD_BYTES
