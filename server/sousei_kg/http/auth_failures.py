"""Failed authentications: counted, logged, and answered with a back-off per address.

13,752 wrong-token guesses in 10 s were neither logged nor slowed. Now every failed
authentication on the write side (``/update``, ``/store``) is counted per address group (an IPv4
address or an IPv6 /64) and logged: the first line at once, then one line per interval with how
many more there were, so a guessing flood cannot fill the log either. An address that fails
``max_failures`` times within ``window`` seconds is answered 429 with ``Retry-After`` for
``backoff`` seconds, without its token even being checked; each repeat doubles the back-off, up
to ``max_backoff``. The state is per server process and bounded in size.
"""

import asyncio
import logging
import math
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field

from sousei_kg.http.log_throttle import ThrottledLog
from sousei_kg.http.metrics import AUTH_FAILURES

LOG = logging.getLogger("sousei_kg.auth")


@dataclass
class _Address:
    failures: deque[float] = field(default_factory=deque)
    blocked_until: float = 0.0
    strikes: int = 0


class AuthFailures:
    """Failures per address group, and the back-off they earn.

    Args:
        max_failures: failures within ``window`` seconds that start a back-off.
        window: seconds over which failures are counted.
        backoff: the first back-off, in seconds (doubled at each repeat).
        max_backoff: the longest back-off.
        clock: monotonic seconds (injectable for tests).
        max_addresses: addresses tracked at most (the longest quiet are forgotten).
    """

    def __init__(
        self,
        max_failures: int = 10,
        window: float = 60.0,
        backoff: float = 60.0,
        max_backoff: float = 900.0,
        clock: Callable[[], float] = time.monotonic,
        max_addresses: int = 10_000,
    ) -> None:
        self.max_failures = max_failures
        self.window = window
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.clock = clock
        self.max_addresses = max_addresses
        self.total = 0
        """Failed authentications since the process started (for monitoring)."""
        self._addresses: OrderedDict[str, _Address] = OrderedDict()
        self._log: ThrottledLog | None = None

    def retry_after(self, group: str) -> int | None:
        """Seconds ``group`` must wait before its next attempt, or ``None`` if it may try now."""
        state = self._addresses.get(group)
        if state is None:
            return None
        wait = state.blocked_until - self.clock()
        return math.ceil(wait) if wait > 0 else None

    def record(self, group: str, reason: str) -> None:
        """Count one failure of ``group``, log it, and start a back-off if it earned one."""
        now = self.clock()
        self.total += 1
        AUTH_FAILURES.inc()
        state = self._addresses.pop(group, None) or _Address()
        self._addresses[group] = state  # most recent last
        while len(self._addresses) > self.max_addresses:
            self._addresses.popitem(last=False)
        state.failures.append(now)
        while state.failures and state.failures[0] < now - self.window:
            state.failures.popleft()
        message = f"authentication failed from {group}: {reason}"
        if len(state.failures) >= self.max_failures:
            seconds = min(self.backoff * 2**state.strikes, self.max_backoff)
            state.blocked_until = now + seconds
            state.strikes += 1
            state.failures.clear()
            message += f"; {self.max_failures} failures within {self.window:g} s: "
            message += f"refused for {seconds:g} s"
        self._throttled().warning(message)

    def _throttled(self) -> ThrottledLog:
        if self._log is None:
            self._log = ThrottledLog(LOG, 10.0, asyncio.get_running_loop())
        return self._log
