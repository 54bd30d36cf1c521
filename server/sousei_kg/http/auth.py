"""Bearer tokens for the write side (``/update``, ``/store``).

Tokens come only in ``Authorization: Bearer …``. A token in the URL (``?access_token=``, RFC 6750
§2.3) is refused, never used: URLs end up in logs, histories and ``Referer`` headers. The
presented token is compared with every configured token in constant time (SHA-256 digests compared
with :func:`hmac.compare_digest`, no early exit), so timing does not tell how much of a guess was
right. Only :func:`token_id`, a SHA-256 prefix, is ever written down (the audit log).
"""

import hashlib
import hmac
from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qsl

from sousei_kg.config import Settings

Role = Literal["read", "write"]
REALM = 'Bearer realm="sousei-kg"'
URL_TOKEN_PARAMS = frozenset({"access_token", "token", "bearer_token"})


@dataclass(frozen=True)
class Principal:
    """Who sent a request: the role its token grants and the token's id."""

    role: Role
    token_id: str


AuthFailure = Literal["token-in-url", "unauthenticated", "read-only-token"]
"""Why a request may not proceed: a token sent in the URL, no valid token, or a read token
asking to write."""


class AuthError(Exception):
    """The request may not do what it asks.

    Args:
        failure: why (the error map turns it into 400, 401 or 403).
        message: what to tell the client.
        headers: ``WWW-Authenticate`` for a missing or unknown token.
    """

    def __init__(
        self, failure: AuthFailure, message: str, headers: dict[str, str] | None = None
    ) -> None:
        self.failure: AuthFailure = failure
        self.message = message
        self.headers = headers or {}
        super().__init__(message)


def token_id(token: str) -> str:
    """The id under which a token is recorded: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()[:16]


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8")).digest()


def authenticate(authorization: str | None, query_string: bytes, settings: Settings) -> Principal:
    """The principal of a request to the write side.

    Args:
        authorization: the ``Authorization`` header, if any.
        query_string: the raw URL query string (checked for tokens that do not belong there).
        settings: the configured tokens.

    Raises:
        AuthError: 400 for a token in the URL, 401 for a missing, malformed or unknown token.
    """
    names = {name for name, _ in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)}
    if names & URL_TOKEN_PARAMS:
        raise AuthError(
            "token-in-url",
            "tokens are never accepted in the URL (it ends up in logs); send the header "
            "Authorization: Bearer TOKEN, and replace the token you just exposed",
        )
    scheme, _, token = (authorization or "").strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise AuthError(
            "unauthenticated",
            "authentication required: send Authorization: Bearer TOKEN",
            {"WWW-Authenticate": REALM},
        )
    presented = _digest(token)
    role: Role | None = None
    # Every configured token is compared, whatever matched first: no early exit.
    for configured in settings.write_tokens:
        if hmac.compare_digest(presented, _digest(configured)) and role is None:
            role = "write"
    for configured in settings.read_tokens:
        if hmac.compare_digest(presented, _digest(configured)) and role is None:
            role = "read"
    if role is None:
        raise AuthError(
            "unauthenticated",
            "the bearer token is not valid here",
            {"WWW-Authenticate": f'{REALM}, error="invalid_token"'},
        )
    return Principal(role, token_id(token))


def require_write(principal: Principal) -> None:
    """Refuse a principal that may only read.

    Raises:
        AuthError: 403 for a read token.
    """
    if principal.role != "write":
        raise AuthError("read-only-token", "this token may read but not write")
