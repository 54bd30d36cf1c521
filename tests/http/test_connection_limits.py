"""The connection caps' arithmetic (sousei_kg.http.connection_limits), with address strings: how
peers are grouped, what is counted, what is refused, and that a trusted proxy is counted only in
the total, by the same trust test as the server's X-Forwarded-For resolver."""

import pytest
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from sousei_kg.config import Settings
from sousei_kg.http.client_identity import address_group
from sousei_kg.http.connection_limits import ConnectionGate, Refusal, Ticket


@pytest.mark.parametrize(
    ("peer", "group"),
    [
        ("192.0.2.1", "192.0.2.1"),
        ("192.0.2.2", "192.0.2.2"),  # IPv4: each address alone
        ("2001:db8:1:2::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),  # the same /64
        ("2001:DB8:1:2:0:0:0:9", "2001:db8:1:2::/64"),  # any spelling of it
        ("2001:db8:1:3::1", "2001:db8:1:3::/64"),  # the next /64 is another group
        ("::1", "::/64"),
        ("fe80::1%eth0", "fe80::/64"),  # a scoped address (ip_network would refuse it)
        ("::ffff:192.0.2.1", "192.0.2.1"),  # IPv4 on a dual-stack socket: its IPv4 address
        ("::ffff:192.0.2.2", "192.0.2.2"),
        ("/run/sousei.sock", "/run/sousei.sock"),  # not an IP address: itself
    ],
)
def test_address_group(peer: str, group: str) -> None:
    assert address_group(peer) == group


def _admit(gate: ConnectionGate, peer: str | None) -> Ticket:
    admission = gate.admit(peer)
    assert isinstance(admission, Ticket), admission
    return admission


def test_a_peer_over_its_cap_is_refused_and_others_are_not() -> None:
    gate = ConnectionGate(total=100, per_address=2, trusted_proxies=[])
    first = _admit(gate, "192.0.2.1")
    _admit(gate, "192.0.2.1")
    refusal = gate.admit("192.0.2.1")
    assert isinstance(refusal, Refusal)
    assert "2 connections from your address" in refusal.reason
    _admit(gate, "192.0.2.2")
    gate.release(first)  # one closed: the address may open one more
    _admit(gate, "192.0.2.1")
    assert gate.open == 3 and gate.open_in("192.0.2.1") == 2


def test_ipv6_peers_in_one_64_share_a_cap() -> None:
    gate = ConnectionGate(total=100, per_address=2, trusted_proxies=[])
    _admit(gate, "2001:db8::1")
    _admit(gate, "2001:db8::2")
    assert isinstance(gate.admit("2001:db8::ffff:3"), Refusal)
    _admit(gate, "2001:db8:0:1::1")  # another /64


def test_ipv4_clients_on_a_dual_stack_socket_are_not_one_group() -> None:
    gate = ConnectionGate(total=100, per_address=1, trusted_proxies=[])
    _admit(gate, "::ffff:192.0.2.1")
    _admit(gate, "::ffff:192.0.2.2")
    assert isinstance(gate.admit("192.0.2.1"), Refusal)  # the same client, either spelling


def test_the_total_holds_whatever_the_addresses() -> None:
    gate = ConnectionGate(total=3, per_address=2, trusted_proxies=[])
    tickets = [_admit(gate, f"192.0.2.{n}") for n in range(3)]
    refusal = gate.admit("198.51.100.1")
    assert isinstance(refusal, Refusal) and "3 connections open" in refusal.reason
    gate.release(tickets[0])
    _admit(gate, "198.51.100.1")


def test_a_trusted_proxy_counts_only_in_the_total() -> None:
    gate = ConnectionGate(total=5, per_address=1, trusted_proxies=["10.0.0.0/8", "192.0.2.7"])
    tickets = [_admit(gate, "192.0.2.7") for _ in range(3)] + [_admit(gate, "10.1.2.3")]
    assert all(ticket.group is None for ticket in tickets)
    _admit(gate, "198.51.100.1")
    assert isinstance(gate.admit("192.0.2.7"), Refusal)  # the total
    for ticket in tickets:
        gate.release(ticket)
    assert gate.open == 1 and gate.open_in("198.51.100.1") == 1


def test_released_groups_leave_the_table() -> None:
    """The table holds only groups with open connections: a scan of many addresses leaves
    nothing behind."""
    gate = ConnectionGate(total=10_000, per_address=2, trusted_proxies=[])
    for n in range(1000):
        gate.release(_admit(gate, f"2001:db8:{n:x}::1"))
    assert gate.open == 0 and gate._by_group == {}


@pytest.mark.parametrize(
    "peer", ["127.0.0.1", "10.9.8.7", "::1", "::ffff:127.0.0.1", "192.0.2.1", "2001:db8::1"]
)
def test_the_gate_trusts_exactly_the_peers_the_proxy_resolver_trusts(peer: str) -> None:
    """The gate's trust test and ProxyHeadersMiddleware's, from the same validated setting:
    a peer whose X-Forwarded-For the server reads is the one not capped as an address."""
    proxies = Settings(trusted_proxies=["127.0.0.1", "10.0.0.1/8", "::1"]).trusted_proxies

    async def app(scope: object, receive: object, send: object) -> None:
        del scope, receive, send

    resolver = ProxyHeadersMiddleware(app, trusted_hosts=proxies)
    gate = ConnectionGate(total=10, per_address=1, trusted_proxies=proxies)
    ticket = _admit(gate, peer)
    assert (ticket.group is None) == (peer in resolver.trusted_hosts)
