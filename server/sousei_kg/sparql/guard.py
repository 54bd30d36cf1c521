"""Refuse SPARQL that could make the engine open a connection: ``SERVICE`` and ``LOAD``.

pyoxigraph executes ``SERVICE <url>`` as an HTTP request to any URL and ``LOAD <url>`` as a
fetch, with no switch in Python, so the server refuses both before evaluation: in any letter case,
behind ``\\u`` escapes, nested anywhere, and whenever the lexer is unsure. The engine matches a
keyword by its letters with nothing required after them (``SERVICESILENT<u>``, ``LOADex:x`` and
``SERVICE:x`` are the keyword and more tokens), so a word that *begins* with one is refused; and
the lexer reports the letters at every place inside a name where the engine may start a token
(``?s ?p trueSERVICE …``, ``p:SERVICE`` with a prefix whose IRI cannot take ``SERVICE``), so those
are refused too. tests/sparql/test_guard_against_engine.py holds the guard to the engine.
"""

from sousei_kg.sparql.lexer import LexerError, words

FORBIDDEN_KEYWORDS = ("SERVICE", "LOAD")


class ForbiddenQueryError(ValueError):
    """The text is refused; the message is safe to show to the client."""


def forbidden_keywords(text: str) -> list[str]:
    """Return the forbidden keywords (upper case, in order) the text uses, or may use.

    Raises:
        ForbiddenQueryError: if the text cannot be lexed with certainty.
    """
    try:
        found = words(text)
    except LexerError as error:
        raise ForbiddenQueryError(f"the query could not be checked: {error}") from None
    return [
        keyword for word in found for keyword in FORBIDDEN_KEYWORDS if word.text.startswith(keyword)
    ]


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
