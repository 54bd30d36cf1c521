"""The fair scheduler of the query workers (sousei_kg.execution.fair_share), with a fake clock."""

import asyncio

import pytest

from sousei_kg.execution.fair_share import (
    FairScheduler,
    Lease,
    QueryBudgetError,
    QueueFullError,
    QueueTimeoutError,
    Requester,
)
from sousei_kg.http.client_identity import address_group


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def who(group: str, client: str = "ua") -> Requester:
    return Requester(f"{group}/{client}".encode(), group)


async def settle() -> None:
    """Let every ready task run until it waits again."""
    for _ in range(10):
        await asyncio.sleep(0)


async def pending(scheduler: FairScheduler, requester: Requester) -> "asyncio.Task[Lease]":
    """Start an acquire and let it run until it waits (or is granted)."""
    task = asyncio.get_running_loop().create_task(scheduler.acquire(requester))
    await settle()
    return task


def test_a_worker_is_kept_for_other_addresses() -> None:
    """One address holds at most slots - 1 workers; another address gets the last one at once,
    and the first address's next query runs when its own first one ends."""

    async def scenario() -> None:
        scheduler = FairScheduler(2, queue_timeout=5)
        first = await scheduler.acquire(who("a"))
        second = await pending(scheduler, who("a", "other-ua"))
        assert not second.done()  # a free worker, but the last one: kept for others
        other = await asyncio.wait_for(scheduler.acquire(who("b")), 1)
        scheduler.release(first)
        await settle()
        assert second.done()
        scheduler.release(other)
        scheduler.release(second.result())
        assert scheduler.running == 0 and scheduler.waiting() == 0

    asyncio.run(scenario())


def test_waiting_queries_are_served_group_by_group() -> None:
    """A group with fewer queries running is served first, whatever the arrival order: a backlog
    of one address never delays another address's query."""

    async def scenario() -> None:
        scheduler = FairScheduler(3, queue_timeout=5, max_waiting_per_client=5)
        held = [await scheduler.acquire(who("a")), await scheduler.acquire(who("a"))]
        held.append(await scheduler.acquire(who("b")))
        backlog = [await pending(scheduler, who("a")) for _ in range(3)]
        late = await pending(scheduler, who("c"))
        scheduler.release(held.pop())  # b's query ends: c (nothing running) goes before a
        await settle()
        assert late.done() and not any(task.done() for task in backlog)
        for task in [late, *backlog]:
            task.cancel()

    asyncio.run(scenario())


def test_a_flood_is_refused_where_it_comes_from() -> None:
    async def scenario() -> None:
        scheduler = FairScheduler(2, queue_timeout=5, max_waiting_per_client=2)
        await scheduler.acquire(who("a"))
        waiting = [await pending(scheduler, who("a")) for _ in range(2)]
        with pytest.raises(QueueFullError) as refused:
            await scheduler.acquire(who("a"))
        assert refused.value.retry_after >= 1
        # Another User-Agent of the same address gets a budget of its own, up to four clients'.
        others = [await pending(scheduler, who("a", f"ua{n}")) for n in range(6)]
        with pytest.raises(QueueFullError):
            await scheduler.acquire(who("a", "ua-9"))
        # And another address is not affected at all.
        await asyncio.wait_for(scheduler.acquire(who("b")), 1)
        for task in [*waiting, *others]:
            task.cancel()

    asyncio.run(scenario())


def test_waiting_ends_at_the_queue_timeout_and_frees_nothing() -> None:
    async def scenario() -> None:
        scheduler = FairScheduler(1, queue_timeout=0.05)
        held = await scheduler.acquire(who("a"))
        with pytest.raises(QueueTimeoutError):
            await scheduler.acquire(who("b"))
        assert scheduler.waiting() == 0
        scheduler.release(held)
        assert scheduler.running == 0

    asyncio.run(scenario())


def test_a_cancelled_wait_leaves_no_slot_behind() -> None:
    async def scenario() -> None:
        scheduler = FairScheduler(1, queue_timeout=5)
        held = await scheduler.acquire(who("a"))
        task = await pending(scheduler, who("b"))
        task.cancel()
        await settle()
        scheduler.release(held)
        assert scheduler.running == 0 and scheduler.waiting() == 0
        await asyncio.wait_for(scheduler.acquire(who("c")), 1)

    asyncio.run(scenario())


def test_long_queries_cost_an_address_its_priority() -> None:
    """Worker time is charged to the address: in deficit, its queries run one at a time and wait
    behind everyone else's."""
    clock = Clock()

    async def scenario() -> None:
        scheduler = FairScheduler(3, queue_timeout=5, seconds_per_minute=60, clock=clock)
        one, two = await scheduler.acquire(who("heavy")), await scheduler.acquire(who("heavy"))
        clock.now += 45
        scheduler.release(one)
        scheduler.release(two)  # 60 s of budget, 90 s used: 30 s in deficit
        first = await scheduler.acquire(who("heavy"))
        second = await pending(scheduler, who("heavy"))
        assert not second.done()  # in deficit: one at a time, though a worker is free
        light = await pending(scheduler, who("light"))
        assert light.done()  # an address in credit is served at once
        scheduler.release(light.result())
        scheduler.release(first)
        await settle()
        assert second.done()
        scheduler.release(second.result())

    asyncio.run(scenario())


def test_several_long_queries_at_once_are_refused_until_the_budget_refills() -> None:
    clock = Clock()

    async def scenario() -> None:
        scheduler = FairScheduler(3, queue_timeout=5, seconds_per_minute=60, clock=clock)
        one, two = await scheduler.acquire(who("heavy")), await scheduler.acquire(who("heavy"))
        clock.now += 90
        scheduler.release(one)
        scheduler.release(two)  # 180 s used against 60: 120 s in deficit, past a minute's budget
        with pytest.raises(QueryBudgetError) as refused:
            await scheduler.acquire(who("heavy"))
        assert refused.value.retry_after == 60
        scheduler.release(await scheduler.acquire(who("light")))  # others are not refused
        clock.now += refused.value.retry_after
        scheduler.release(await scheduler.acquire(who("heavy")))  # back within a minute: served

    asyncio.run(scenario())


@pytest.mark.parametrize(
    ("address", "group"),
    [
        ("192.0.2.7", "192.0.2.7"),
        ("2001:db8:1:2:a:b:c:d", "2001:db8:1:2::/64"),
        ("2001:db8:1:2::ffff", "2001:db8:1:2::/64"),
        ("[2001:db8:1:3::1]", "2001:db8:1:3::/64"),
        ("::ffff:192.0.2.9", "192.0.2.9"),
        ("testclient", "testclient"),
    ],
)
def test_address_groups(address: str, group: str) -> None:
    assert address_group(address) == group
