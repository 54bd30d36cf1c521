"""Refuse SPARQL that could make the engine open a connection: ``SERVICE`` and ``LOAD``.

pyoxigraph executes ``SERVICE <url>`` as an HTTP request to any URL and ``LOAD <url>`` as a
fetch, with no switch in Python, so the server refuses both before evaluation: in any letter case,
behind ``\\u`` escapes, nested anywhere, and whenever the lexer is unsure. The engine matches a
keyword by its letters with nothing required after them (``SERVICESILENT<u>``, ``LOADex:x`` and
``SERVICE:x`` are the keyword and more tokens), so a word that *begins* with one is refused; and
the lexer reports the letters at every place inside a name where the engine may start a token
(``?s ?p trueSERVICE …``, ``p:SERVICE`` with a prefix whose IRI cannot take ``SERVICE``), so those
are refused too. tests/sparql/test_guard_against_engine.py holds the guard to the engine.

Most texts never spell either keyword. A text without a backslash (so without an escape that
could spell a letter), in which neither keyword appears in any letter case, and with fewer
opening brackets than the lexer's nesting bound, is let through without lexing: no reading of it,
the engine's or the lexer's, can find the keyword or nest too deep. Lexing cost 30–135 µs of every
new query's time on the event loop; this check costs a few.
"""

from sousei_kg.sparql.lexer import MAX_NESTING, LexerError, words
from sousei_kg.sparql.memo import bounded_memo

FORBIDDEN_KEYWORDS = ("SERVICE", "LOAD")

REMEMBERED_TEXTS = 1024
"""The most texts whose verdict :func:`check` remembers."""

REMEMBERED_BYTES = 4 * 1024 * 1024
"""The most bytes of text (and messages) those verdicts hold; a text over a quarter of it (1 MiB,
more than the largest query or update accepted by default) is checked each time."""


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

    The verdict is remembered per text (:func:`refusal`), a refusal too: a text refused once is
    refused again, with the same message.

    Raises:
        ForbiddenQueryError: with a message naming the keyword ("SERVICE is not allowed on this
            endpoint"), or saying why the text could not be checked.
    """
    if passes_without_lexing(text):
        return
    message = refusal(text)
    if message is not None:
        raise ForbiddenQueryError(message)


def passes_without_lexing(text: str) -> bool:
    """Whether the text passes the guard without lexing (see the module docstring).

    It must hold no backslash, neither keyword in any letter case, and at most
    :data:`MAX_NESTING` opening brackets in all (which bounds any depth). ``str.upper`` is how
    the lexer compares words, and it maps the non-ASCII letters that upper-case to ASCII ones
    (U+017F, long s, to ``S``; U+0131, dotless i, to ``I``); the lower-case comparison covers the
    other direction. ``False`` says nothing about the text: the lexer then decides.
    """
    if "\\" in text or sum(map(text.count, "([{")) > MAX_NESTING:
        return False
    upper, lower = text.upper(), text.lower()
    return not any(keyword in upper or keyword.lower() in lower for keyword in FORBIDDEN_KEYWORDS)


@bounded_memo(REMEMBERED_TEXTS, REMEMBERED_BYTES)
def refusal(text: str) -> str | None:
    """Why :func:`check` refuses the text, or ``None`` if it lets it through.

    Remembered per distinct text (:mod:`sousei_kg.sparql.memo`: at most
    :data:`REMEMBERED_TEXTS` texts and :data:`REMEMBERED_BYTES`): the verdict is a function of
    the text alone, and lexing a text is most of what the guard costs.
    """
    try:
        found = forbidden_keywords(text)
    except ForbiddenQueryError as error:
        return str(error)
    if found:
        return (
            f"{found[0]} is not allowed on this endpoint: it would make the server fetch data "
            "from elsewhere"
        )
    return None
