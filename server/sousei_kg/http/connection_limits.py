"""How many connections a server process holds open: overall, and per client address.

An idle or slow connection costs the process a file descriptor for as long as it is open, and
the process has a fixed number of them (the open-file limit): past it, ``accept()`` fails and
nobody new is served. :class:`ConnectionGate` admits a connection when it is made, before any
request of it is read, and refuses it when the process already holds ``total`` connections or
its address already holds ``per_address`` of them; the protocol (:mod:`sousei_kg.http.protocol`)
answers a refusal 503 and closes it.

At connection time only the socket's peer is known, not the client a proxy speaks for. The
server's one ``X-Forwarded-For`` resolver is uvicorn's ``ProxyHeadersMiddleware`` (added by
``create_app``); the gate asks the same trust question it does (``_TrustedHosts``, built from the
same ``trusted_proxies``): a trusted proxy carries many clients, so it is counted only in the
total, never capped as one address.

The counts live in one process (each uvicorn worker has its own): the open-file limit they
protect is per process too.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from uvicorn.middleware.proxy_headers import _TrustedHosts

from sousei_kg.http.client_identity import address_group


@dataclass(frozen=True, slots=True)
class Ticket:
    """An admitted connection: hand it back to :meth:`ConnectionGate.release` when it closes."""

    group: str | None
    """The address group it is counted in; ``None`` for a trusted proxy (or no address)."""


@dataclass(frozen=True, slots=True)
class Refusal:
    """A connection over a cap, and why, in words for the client."""

    reason: str


class ConnectionGate:
    """Counts a process's open connections, overall and per address group."""

    def __init__(self, total: int, per_address: int, trusted_proxies: Sequence[str]) -> None:
        self.total = total
        self.per_address = per_address
        self._trusted = _TrustedHosts(list(trusted_proxies))
        self.open = 0
        """Connections admitted and not yet released."""
        self._by_group: dict[str, int] = {}

    def open_in(self, group: str) -> int:
        """Connections open in an address group now."""
        return self._by_group.get(group, 0)

    def admit(self, peer: str | None) -> Ticket | Refusal:
        """Count a new connection from ``peer`` (the socket's peer address), or refuse it."""
        if self.open >= self.total:
            return Refusal(f"the server has {self.total} connections open, its limit")
        group = None if not peer or peer in self._trusted else address_group(peer)
        if group is not None:
            held = self._by_group.get(group, 0)
            if held >= self.per_address:
                return Refusal(
                    f"{self.per_address} connections from your address are open, the limit"
                    " per address"
                )
            self._by_group[group] = held + 1
        self.open += 1
        return Ticket(group)

    def release(self, ticket: Ticket) -> None:
        """Uncount a closed connection (once per ticket)."""
        self.open -= 1
        if ticket.group is not None:
            left = self._by_group[ticket.group] - 1
            if left:
                self._by_group[ticket.group] = left
            else:  # dropped, so the table holds only groups with open connections
                del self._by_group[ticket.group]
