"""A recurring warning is logged at most once per interval with a count
(sousei_kg.http.log_throttle), on a fake clock and timer so that the schedule is exact."""

import logging
from collections.abc import Callable

import pytest

from sousei_kg.http.log_throttle import ThrottledLog


class FakeLoop:
    """A clock the test moves and the timers it runs when their time comes."""

    def __init__(self) -> None:
        self.now = 100.0
        self.timers: list[tuple[float, Callable[[], object]]] = []

    def time(self) -> float:
        return self.now

    def call_later(self, delay: float, callback: Callable[[], object], /) -> object:
        self.timers.append((self.now + delay, callback))
        return None

    def advance(self, seconds: float) -> None:
        self.now += seconds
        due = [timer for timer in self.timers if timer[0] <= self.now]
        self.timers = [timer for timer in self.timers if timer[0] > self.now]
        for _, callback in sorted(due, key=lambda timer: timer[0]):
            callback()


@pytest.fixture
def lines(caplog: pytest.LogCaptureFixture) -> Callable[[], list[str]]:
    caplog.set_level(logging.WARNING, logger="throttle-test")
    return lambda: [r.getMessage() for r in caplog.records if r.name == "throttle-test"]


def test_a_flood_is_one_line_then_one_per_interval_with_a_count(
    lines: Callable[[], list[str]],
) -> None:
    loop = FakeLoop()
    log = ThrottledLog(logging.getLogger("throttle-test"), 10.0, loop)
    for _ in range(1000):  # 1000 in the first second
        log.warning("accept() failed")
        loop.advance(0.001)
    assert lines() == ["accept() failed"]  # the first at once, the rest counted
    loop.advance(9.0)  # the interval ends: one line for the 999 others
    assert lines()[1:] == ["accept() failed (and 999 more like it in the last 10 s)"]
    for _ in range(50):  # the flood goes on through the next interval
        loop.advance(0.1)
        log.warning("accept() failed")
    loop.advance(5.5)
    assert lines()[2:] == ["accept() failed (and 50 more like it in the last 10 s)"]
    loop.advance(60.0)  # it stopped: nothing more is logged
    assert len(lines()) == 3


def test_an_occasional_warning_is_logged_each_time(lines: Callable[[], list[str]]) -> None:
    loop = FakeLoop()
    log = ThrottledLog(logging.getLogger("throttle-test"), 10.0, loop)
    for n in range(3):
        log.warning(f"refused {n}")
        loop.advance(11.0)
    assert lines() == ["refused 0", "refused 1", "refused 2"]
    assert loop.timers == []


def test_the_summary_names_the_last_occurrence(lines: Callable[[], list[str]]) -> None:
    loop = FakeLoop()
    log = ThrottledLog(logging.getLogger("throttle-test"), 10.0, loop)
    log.warning("192.0.2.1: refused")
    log.warning("192.0.2.2: refused")
    log.warning("192.0.2.3: refused")
    loop.advance(10.0)
    assert lines() == [
        "192.0.2.1: refused",
        "192.0.2.3: refused (and 2 more like it in the last 10 s)",
    ]
