"""A warning that can recur thousands of times a second, logged at most once per interval.

Under a flood the same event repeats for every connection or every ``accept()`` attempt; a line
(or a traceback) each time fills the disk and costs the CPU the flood is already taking. The
first occurrence is logged at once, so an operator sees it start; later ones within the interval
are counted, and one line at the interval's end says how many there were, so a flood shows up as
one line per interval for as long as it lasts and stops when it stops.
"""

import logging
from collections.abc import Callable
from typing import Protocol


class Scheduler(Protocol):
    """What the throttle needs of an event loop: its clock and a timer (``asyncio`` loops have
    both; tests pass a fake)."""

    def time(self) -> float: ...

    def call_later(self, delay: float, callback: Callable[[], object], /) -> object: ...


class ThrottledLog:
    """Logs one kind of warning at most once per ``interval`` seconds, plus a count."""

    def __init__(self, logger: logging.Logger, interval: float, scheduler: Scheduler) -> None:
        self._logger = logger
        self.interval = interval
        self._scheduler = scheduler
        self._quiet_until = float("-inf")
        self._suppressed = 0
        self._last = ""
        self._flush_scheduled = False

    def warning(self, message: str) -> None:
        """Log ``message`` now, or count it if a line was logged less than an interval ago."""
        now = self._scheduler.time()
        if now >= self._quiet_until and not self._flush_scheduled:
            self._logger.warning("%s", message)
            self._quiet_until = now + self.interval
            return
        self._suppressed += 1
        self._last = message
        if not self._flush_scheduled:
            self._flush_scheduled = True
            self._scheduler.call_later(max(0.0, self._quiet_until - now), self._flush)

    def _flush(self) -> None:
        """At the interval's end: one line for what was counted, and a new quiet interval."""
        self._flush_scheduled = False
        if not self._suppressed:
            return
        count, self._suppressed = self._suppressed, 0
        self._logger.warning(
            "%s (and %d more like it in the last %g s)", self._last, count, self.interval
        )
        self._quiet_until = self._scheduler.time() + self.interval
