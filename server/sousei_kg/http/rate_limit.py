"""The per-client request budget: one token bucket per client, kept in SQLite.

Why SQLite: ``sousei-kg serve --workers N`` runs N processes, and a client's budget must hold
across all of them (otherwise N processes would grant N times the budget). A small SQLite file
in WAL mode is shared by every process of one server without a broker: each request is one short
``BEGIN IMMEDIATE`` transaction (read the bucket, refill it, take a token, write it back), so two
processes can never both spend the same token.

The state is disposable: ``synchronous=OFF`` because losing the last bucket updates in a crash
only hands clients a fresher budget. A bucket left alone for ``burst / per_second`` seconds is
full again, which is what a missing row means too, so idle rows are deleted without changing any
answer; that keeps the table as small as the set of recently active clients (and a hard cap
bounds it under a flood of distinct clients).
"""

import logging
import math
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

#: The database file in ``Settings.state_dir``.
FILE_NAME = "rate-limit.sqlite3"

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS bucket ("
    " client BLOB PRIMARY KEY, tokens REAL NOT NULL, updated REAL NOT NULL) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS bucket_updated ON bucket (updated)",
)
_SELECT = "SELECT tokens, updated FROM bucket WHERE client = ?"
_UPSERT = (
    "INSERT INTO bucket (client, tokens, updated) VALUES (?, ?, ?) "
    "ON CONFLICT (client) DO UPDATE SET tokens = excluded.tokens, updated = excluded.updated"
)
_EXPIRE = "DELETE FROM bucket WHERE updated < ?"
_COUNT = "SELECT count(*) FROM bucket"
_EVICT = "DELETE FROM bucket WHERE client IN (SELECT client FROM bucket ORDER BY updated LIMIT ?)"


@dataclass(frozen=True)
class Bucket:
    """One token bucket a request draws from: its key, size and refill rate."""

    key: bytes
    burst: int
    per_second: float
    price: float = 1.0
    """Tokens one request takes (below 1 for the cheapest requests, :mod:`.cost_classes`)."""


@dataclass(frozen=True)
class Decision:
    """The answer for one request, with what the ``RateLimit-*`` headers announce."""

    allowed: bool
    limit: int
    """The bucket's size (``RateLimit-Limit``)."""
    remaining: int
    """Whole requests left right now (``RateLimit-Remaining``)."""
    reset: int
    """Seconds until the bucket is full again (``RateLimit-Reset``)."""
    retry_after: int
    """Seconds until the next request is allowed (``Retry-After``); 0 when allowed."""


def refill(tokens: float, updated: float, now: float, burst: int, per_second: float) -> float:
    """The bucket's content at ``now``. A clock that went backwards refills nothing (rather than
    leaving the bucket stuck until the clock catches up)."""
    return min(float(burst), tokens + max(0.0, now - updated) * per_second)


def decide(
    tokens: float, burst: int, per_second: float, price: float = 1.0
) -> tuple[Decision, float]:
    """Take ``price`` tokens if there are as many: the decision and the bucket's new content.

    A refused request costs nothing, so a client that keeps sending is still served at the
    refill rate.
    """
    allowed = tokens >= price - 1e-9  # 120 tokens are 600 fifths, whatever the rounding
    left = max(0.0, tokens - price) if allowed else tokens
    retry_after = 0 if allowed else max(1, math.ceil((price - left) / per_second))
    decision = Decision(
        allowed=allowed,
        limit=burst,
        remaining=math.floor(left),
        reset=math.ceil((burst - left) / per_second),
        retry_after=retry_after,
    )
    return decision, left


class TokenBuckets:
    """Token buckets of ``burst`` requests refilled at ``per_second``, one per client key.

    Args:
        path: the SQLite file shared by the server's processes; ``None`` keeps the buckets in
            this process's memory (one process only: tests, or an app run without ``serve``).
        burst: requests a client may send at once.
        per_second: sustained requests per second.
        clock: seconds, the same in every process (wall-clock time; injectable for tests).
        max_clients: rows kept at most; beyond, the longest-idle clients are forgotten.
        max_idle_seconds: the longest any bucket :meth:`take_all` is given takes to refill
            (when they differ from ``burst`` and ``per_second``): rows idle longer are forgotten.
    """

    def __init__(
        self,
        path: Path | None,
        burst: int,
        per_second: float,
        clock: Callable[[], float] = time.time,
        max_clients: int = 100_000,
        max_idle_seconds: float | None = None,
    ) -> None:
        if burst < 1 or per_second <= 0:
            raise ValueError("the rate limit needs a burst of at least 1 and a positive rate")
        self.path = path
        self.burst = burst
        self.per_second = per_second
        self.clock = clock
        self.max_clients = max_clients
        # An idle bucket is full after this long; with buckets of several sizes, the longest.
        self._idle = max(burst / per_second, max_idle_seconds or 0.0)
        self._connection: sqlite3.Connection | None = None
        self._pid = 0
        self._lock = threading.Lock()  # the event loop is one thread, but TestClient may not be
        self._last_sweep = 0.0
        self._writes_since_sweep = 0
        self._last_warning = -math.inf

    def _connect(self) -> sqlite3.Connection:
        """The connection of this process, opened on first use (after a fork or spawn)."""
        if self._connection is not None and self._pid == os.getpid():
            return self._connection
        target = ":memory:" if self.path is None else str(self.path)
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(
            target, timeout=2.0, isolation_level=None, check_same_thread=False
        )
        if self.path is not None:
            connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=OFF")
        for statement in _SCHEMA:
            connection.execute(statement)
        self._connection, self._pid = connection, os.getpid()
        return connection

    def take(self, client: bytes) -> Decision:
        """Spend one token of ``client``'s bucket (of this object's size and rate)."""
        return self.take_all([Bucket(client, self.burst, self.per_second)])

    def take_all(self, buckets: Sequence["Bucket"]) -> Decision:
        """Spend one token of every bucket if each has one, else none (one transaction).

        The decision announces the bucket with the least left (or, refused, the one that needs
        the longest wait). If the database cannot be used (a locked or unwritable file) the
        request is allowed and a warning is logged at most once a minute: the limiter must not
        take the service down.
        """
        with self._lock:
            try:
                return self._take(buckets)
            except sqlite3.Error as error:
                now = time.monotonic()
                if now - self._last_warning > 60:
                    self._last_warning = now
                    logger.warning("rate limit store unavailable, not limiting: %s", error)
                first = buckets[0]
                return Decision(True, first.burst, first.burst - 1, 0, 0)

    def _take(self, buckets: Sequence["Bucket"]) -> Decision:
        connection = self._connect()
        now = self.clock()
        connection.execute("BEGIN IMMEDIATE")
        try:
            outcomes = []
            for bucket in buckets:
                row = connection.execute(_SELECT, (bucket.key,)).fetchone()
                rate = (bucket.burst, bucket.per_second)
                tokens = float(bucket.burst) if row is None else refill(row[0], row[1], now, *rate)
                outcomes.append((bucket, tokens, *decide(tokens, *rate, bucket.price)))
            allowed = all(decision.allowed for _, _, decision, _ in outcomes)
            for bucket, tokens, _decision, left in outcomes:
                # A refused request spends nothing, in any bucket.
                connection.execute(_UPSERT, (bucket.key, left if allowed else tokens, now))
            self._writes_since_sweep += len(outcomes)
            if self._writes_since_sweep >= 1000 or now - self._last_sweep >= self._idle:
                self._sweep(connection, now)
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
        if allowed:
            return min((d for _, _, d, _ in outcomes), key=lambda d: d.remaining)
        refusals = [d for _, _, d, _ in outcomes if not d.allowed]
        return max(refusals, key=lambda d: d.retry_after)

    @property
    def _rate(self) -> tuple[int, float]:
        return self.burst, self.per_second

    def _sweep(self, connection: sqlite3.Connection, now: float) -> None:
        """Forget full buckets, and the longest-idle ones past ``max_clients``."""
        self._last_sweep, self._writes_since_sweep = now, 0
        connection.execute(_EXPIRE, (now - self._idle,))
        (count,) = connection.execute(_COUNT).fetchone()
        if count > self.max_clients:
            connection.execute(_EVICT, (count - self.max_clients,))

    def clients(self) -> int:
        """How many client rows the table holds (for tests and monitoring)."""
        with self._lock:
            (count,) = self._connect().execute(_COUNT).fetchone()
            return int(count)

    def close(self) -> None:
        """Close this process's connection."""
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
