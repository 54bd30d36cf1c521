"""Who a client is, for the budgets: its address and its User-Agent, as at Wikidata.

The address is the one uvicorn's ``ProxyHeadersMiddleware`` resolved from ``X-Forwarded-For``
when the peer is a trusted proxy (``create_app`` adds it; the server's one resolver), else the
socket's peer.
"""

import hashlib


def client_key(address: str, user_agent: str) -> bytes:
    """The rate-limit identity: a digest, so that stored keys reveal no address."""
    return hashlib.sha256(f"{address}\x00{user_agent}".encode()).digest()
