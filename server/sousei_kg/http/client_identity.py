"""Who a client is, for the budgets: its address and its User-Agent, as at Wikidata.

The address is the one uvicorn's ``ProxyHeadersMiddleware`` resolved from ``X-Forwarded-For``
when the peer is a trusted proxy (``create_app`` adds it; the server's one resolver), else the
socket's peer.
"""

import hashlib
import ipaddress

from starlette.types import Scope

from sousei_kg.execution.fair_share import Requester

IPV6_GROUP_PREFIX = 64
"""IPv6 clients are grouped by their /64: one subscriber usually holds a whole /64 (RFC 6177) and
can pick any address in it, so a budget or a cap per single IPv6 address would bound nothing."""


def client_key(address: str, user_agent: str) -> bytes:
    """The rate-limit identity: a digest, so that stored keys reveal no address."""
    return hashlib.sha256(f"{address}\x00{user_agent}".encode()).digest()


def address_group(host: str) -> str:
    """The group an address is counted in (budgets, connection caps, the fair share of the
    query workers): an IPv4 address alone, an IPv6 address by its /64 (``2001:db8:1:2::/64``).
    An IPv4-mapped IPv6 address (``::ffff:192.0.2.1``, what a dual-stack socket reports for an
    IPv4 client) is its IPv4 address: grouped by /64, every IPv4 client would share one group.
    Anything that is not an IP address (a Unix socket's name, a test client) is its own group,
    unchanged."""
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        # From the integer, not ip_network(): that refuses a scoped address (fe80::1%eth0).
        prefix = int(address) >> (128 - IPV6_GROUP_PREFIX) << (128 - IPV6_GROUP_PREFIX)
        return str(ipaddress.IPv6Network((prefix, IPV6_GROUP_PREFIX)))
    return str(address)


def client_address(scope: Scope) -> str:
    """The client's address as the server resolved it (``scope["client"]``, rewritten by the
    X-Forwarded-For resolver for trusted proxies)."""
    peer = scope.get("client")
    return str(peer[0]) if peer else ""


def requester_of(scope: Scope) -> Requester:
    """Who sends this request, for the fair share of the query workers."""
    address = client_address(scope)
    user_agent = ",".join(
        value.decode("latin-1") for name, value in scope["headers"] if name == b"user-agent"
    )
    return Requester(client_key(address, user_agent), address_group(address))
