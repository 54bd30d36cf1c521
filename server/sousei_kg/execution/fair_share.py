"""Fair use of the query workers: no client can take them all while others wait.

Two heavy queries from one client used to hold both workers of a 2-core server, and every other
client waited for the whole time limit. This scheduler sits in front of the runner and decides
which waiting query gets the next free worker. What it guarantees (docs/security.md, "Fair query
capacity"):

* **A worker is kept for clients with nothing running.** An address group (an IPv4 address, or an
  IPv6 /64; :func:`sousei_kg.http.client_identity.address_group`) may run at most
  ``slots - 1`` queries at once (1 when there is a single slot), so while one address keeps
  queries in flight, a query from any other address finds a worker at once.
* **Waiting is fair.** Waiting queries are served group by group: the group with the fewest
  queries running first, then the one whose query has waited longest. A group with nothing
  running is never queued behind another group's backlog.
* **Waiting is short and does not eat the query's time.** A query waits at most
  ``queue_timeout`` seconds (then :class:`QueueTimeoutError`, answered 503 with ``Retry-After``);
  its own time limit starts when it gets a worker.
* **A flood is refused where it comes from.** A client (address and User-Agent) may have at most
  ``max_waiting_per_client`` queries waiting, and its group four clients' worth; more are refused
  at once (:class:`QueueFullError`, 429 with ``Retry-After``), so the others' queries are not.
* **Cost feedback.** Each group has a budget of worker-seconds per minute (``seconds_per_minute``,
  a token bucket refilled continuously, charged with each query's time on its worker: one query
  running all the time costs what the bucket refills). A group in deficit has its queries served
  only when no group in credit waits, and at most one at a time; one whose deficit passes a
  minute's budget (several long queries at once) is refused (:class:`QueryBudgetError`, 429 with
  ``Retry-After`` until its deficit is back within a minute's budget).

State is per server process and bounded: groups are forgotten once idle with a full budget, and
at most ``max_groups`` are tracked (the longest idle are forgotten first).
"""

import asyncio
import math
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field

GROUP_SHARE_OF_CLIENTS = 4
"""An address group may have as many queries waiting as this many clients (so rotating the
User-Agent gains little)."""


@dataclass(frozen=True)
class Requester:
    """Who asks for a query, as the HTTP layer identified them.

    Attributes:
        client: the rate-limit identity (a digest of address and User-Agent).
        group: the address group (an IPv4 address or an IPv6 /64), shared by every User-Agent of
            one address.
    """

    client: bytes
    group: str


ANONYMOUS = Requester(b"", "")
"""Work the server does for itself (no client waits on a budget)."""


class SchedulerRefusedError(Exception):
    """The query is not run; ``retry_after`` says when asking again may succeed (seconds)."""

    def __init__(self, message: str, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class QueueFullError(SchedulerRefusedError):
    """The client (or its address) already has as many queries waiting as it may."""


class QueryBudgetError(SchedulerRefusedError):
    """The address's queries used more worker time than its budget allows, for now."""


class QueueTimeoutError(SchedulerRefusedError):
    """No worker became free for this client within the queue timeout."""


@dataclass
class _Group:
    running: int = 0
    waiting: deque["_Waiter"] = field(default_factory=deque)
    budget: float = 0.0
    """Worker-seconds available (negative: in deficit)."""
    updated: float = 0.0


@dataclass(eq=False)
class _Waiter:
    requester: Requester
    arrived: float
    granted: asyncio.Future[None]


@dataclass(frozen=True)
class Lease:
    """A worker slot held by one query; give it back with :meth:`FairScheduler.release`."""

    requester: Requester
    started: float


class FairScheduler:
    """Grants worker slots fairly (see the module docstring).

    Args:
        slots: queries that may run at once (the runner's workers).
        queue_timeout: seconds a query may wait for a slot.
        max_waiting_per_client: queries one client may have waiting.
        seconds_per_minute: worker-seconds an address group may use per minute; 0 turns the
            cost budget off.
        clock: monotonic seconds (injectable for tests).
        max_groups: address groups tracked at most.
    """

    def __init__(
        self,
        slots: int,
        *,
        queue_timeout: float,
        max_waiting_per_client: int = 2,
        seconds_per_minute: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        max_groups: int = 10_000,
    ) -> None:
        self.slots = max(1, slots)
        self.queue_timeout = queue_timeout
        self.max_waiting_per_client = max(1, max_waiting_per_client)
        self.seconds_per_minute = seconds_per_minute
        self.clock = clock
        self.max_groups = max_groups
        self.group_cap = max(1, self.slots - 1)
        """Queries one address group may run at once: one slot stays for the others."""
        self._running = 0
        self._groups: OrderedDict[str, _Group] = OrderedDict()

    # -- what a request does -------------------------------------------------------------------

    async def acquire(self, requester: Requester) -> Lease:
        """Wait for a slot for ``requester``'s query.

        Raises:
            QueueFullError: the client or its address has too many queries waiting.
            QueryBudgetError: the address is deep in deficit of worker time.
            QueueTimeoutError: no slot became free within the queue timeout.
        """
        now = self.clock()
        group = self._group(requester.group, now)
        self._check_budget(group)
        waiting_of_client = sum(w.requester.client == requester.client for w in group.waiting)
        if waiting_of_client >= self.max_waiting_per_client or len(group.waiting) >= (
            self.max_waiting_per_client * GROUP_SHARE_OF_CLIENTS
        ):
            raise QueueFullError(
                f"too many queries waiting from your address (at most "
                f"{self.max_waiting_per_client} per client); wait for an answer before "
                "sending more",
                retry_after=max(1, math.ceil(self.queue_timeout)),
            )
        waiter = _Waiter(requester, now, asyncio.get_running_loop().create_future())
        group.waiting.append(waiter)
        self._dispatch()
        if waiter.granted.done():  # a slot was free: granted at once, without waiting a turn
            return Lease(requester, self.clock())
        try:
            await asyncio.wait_for(asyncio.shield(waiter.granted), self.queue_timeout)
        except TimeoutError:
            if waiter.granted.done():  # granted at the last moment: keep it
                return Lease(requester, self.clock())
            group.waiting.remove(waiter)
            raise QueueTimeoutError(
                f"every query worker stayed busy for {self.queue_timeout:g} s; try again shortly",
                retry_after=max(1, math.ceil(self.queue_timeout)),
            ) from None
        except BaseException:
            # Cancelled (the client went away): give back a slot granted meanwhile.
            if waiter.granted.done() and not waiter.granted.cancelled():
                self.release(Lease(requester, self.clock()))
            elif waiter in group.waiting:
                group.waiting.remove(waiter)
            raise
        return Lease(requester, self.clock())

    def release(self, lease: Lease) -> None:
        """Give a slot back and charge its time to the requester's group."""
        now = self.clock()
        self._running = max(0, self._running - 1)
        group = self._groups.get(lease.requester.group)
        if group is not None:
            group.running = max(0, group.running - 1)
            self._refill(group, now)
            if self.seconds_per_minute > 0:
                group.budget -= max(0.0, now - lease.started)
        self._dispatch()
        self._forget_idle(now)

    # -- what the server reports ----------------------------------------------------------------

    @property
    def running(self) -> int:
        """Slots held now."""
        return self._running

    def waiting(self) -> int:
        """Queries waiting now."""
        return sum(len(g.waiting) for g in self._groups.values())

    # -- the policy -----------------------------------------------------------------------------

    def _group(self, name: str, now: float) -> _Group:
        group = self._groups.get(name)
        if group is None:
            group = _Group(budget=self.seconds_per_minute, updated=now)
            self._groups[name] = group
            while len(self._groups) > self.max_groups:
                oldest = next(iter(self._groups))
                if self._groups[oldest].running or self._groups[oldest].waiting:
                    break
                del self._groups[oldest]
        else:
            self._groups.move_to_end(name)
            self._refill(group, now)
        return group

    def _refill(self, group: _Group, now: float) -> None:
        rate = self.seconds_per_minute / 60.0
        group.budget = min(
            self.seconds_per_minute, group.budget + max(0.0, now - group.updated) * rate
        )
        group.updated = now

    def _check_budget(self, group: _Group) -> None:
        if self.seconds_per_minute <= 0 or group.budget >= -self.seconds_per_minute:
            return
        rate = self.seconds_per_minute / 60.0
        wait = max(1, math.ceil((-self.seconds_per_minute - group.budget) / rate))
        raise QueryBudgetError(
            f"your address used more than {self.seconds_per_minute:g} s of query time per minute; "
            f"try again in {wait} s (cheaper queries use less)",
            retry_after=wait,
        )

    def _eligible(self, group: _Group) -> bool:
        cap = 1 if group.budget < 0 else self.group_cap
        return bool(group.waiting) and group.running < cap

    def _dispatch(self) -> None:
        """Grant free slots to waiting queries, fairest first."""
        while self._running < self.slots:
            candidates = [g for g in self._groups.values() if self._eligible(g)]
            if not candidates:
                return
            in_credit = [g for g in candidates if g.budget >= 0] or candidates
            chosen = min(in_credit, key=lambda g: (g.running, g.waiting[0].arrived))
            waiter = chosen.waiting.popleft()
            if waiter.granted.done():  # timed out or cancelled meanwhile
                continue
            chosen.running += 1
            self._running += 1
            waiter.granted.set_result(None)

    def _forget_idle(self, now: float) -> None:
        """Drop groups with nothing running or waiting and a full budget again (a forgotten
        group starts with a full budget, so nothing changes for it)."""
        if len(self._groups) < 64:
            return
        for name, group in list(self._groups.items()):
            if not group.running and not group.waiting:
                self._refill(group, now)
                if group.budget >= self.seconds_per_minute:
                    del self._groups[name]
