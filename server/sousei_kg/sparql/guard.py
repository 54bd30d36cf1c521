"""Refuse SPARQL that could make the engine open a connection: ``SERVICE`` and ``LOAD``.

pyoxigraph executes ``SERVICE <url>`` as an HTTP request to any URL and ``LOAD <url>`` as a
fetch, with no switch in Python, so the server refuses both before evaluation: in any letter case,
behind ``\\u`` escapes, nested anywhere, and whenever the lexer is unsure. A keyword after a dot
inside a prefixed name (``ex:a.SERVICE``) is refused too: the engine reads it as part of the name,
but nothing is lost by being stricter than the engine here.
"""

from sousei_kg.sparql.lexer import LexerError, words

FORBIDDEN_KEYWORDS = ("SERVICE", "LOAD")


class ForbiddenQueryError(ValueError):
    """The text is refused; the message is safe to show to the client."""


def forbidden_keywords(text: str) -> list[str]:
    """Return the forbidden keywords (upper case, in order) the text uses.

    Raises:
        ForbiddenQueryError: if the text cannot be lexed with certainty.
    """
    try:
        return [word.text for word in words(text) if word.text in FORBIDDEN_KEYWORDS]
    except LexerError as error:
        raise ForbiddenQueryError(f"the query could not be checked: {error}") from None


def check(text: str) -> None:
    """Refuse SPARQL (query or update) that could reach the network.

    Raises:
        ForbiddenQueryError: with a message naming the keyword ("SERVICE is not allowed on this
            endpoint"), or saying why the text could not be checked.
    """
    found = forbidden_keywords(text)
    if found:
        raise ForbiddenQueryError(
            f"{found[0]} is not allowed on this endpoint: it would make the server fetch data "
            "from elsewhere"
        )
