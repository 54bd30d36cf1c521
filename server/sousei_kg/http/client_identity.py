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
"""An IPv6 client usually holds a whole /64 (SLAAC, privacy addresses): budgets are per /64."""


def client_key(address: str, user_agent: str) -> bytes:
    """The rate-limit identity: a digest, so that stored keys reveal no address."""
    return hashlib.sha256(f"{address}\x00{user_agent}".encode()).digest()


def address_group(address: str) -> str:
    """The address group whose clients share one budget: the IPv4 address itself, the /64 of an
    IPv6 address (an IPv4-mapped IPv6 address is its IPv4 address), or the text as given for
    anything that is not an IP address (a Unix socket, a test client)."""
    try:
        ip = ipaddress.ip_address(address.strip().strip("[]"))
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/{IPV6_GROUP_PREFIX}", strict=False))
    return str(ip)


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
