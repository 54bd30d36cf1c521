"""The terminals of the SPARQL 1.1 grammar (§19.8) that decide what is inside a comment, a string
or an IRI, and which characters a name can hold; :mod:`sousei_kg.sparql.lexer` is built on them.

Two readings of ``\\u``/``\\U`` escapes exist, and the server must be safe under both. The
recommendation (§19.2) decodes them in the whole text before parsing, so ``\\u0053ERVICE`` is
``SERVICE`` and ``'a\\u0027'`` is ``'a''``. pyoxigraph 0.5.13 decodes them only inside strings and
IRIs: there ``'a\\u0027'`` is one string holding ``a'``, and an escape anywhere else is a syntax
error. These helpers read the text as written (the engine's reading) and refuse every escape whose
decoding would move a boundary under the other reading: in a string, one that spells the string's
quote, a backslash or (in a one-line string) a line end; in a comment, one that spells a line
end; in an IRI, one that spells a character an IRI cannot hold. Where the readings agree, one
lexer serves both.
"""

import re


class LexerError(ValueError):
    """The text cannot be split into tokens with certainty; the message says why."""


# PN_CHARS_BASE as §19.8 lists it, and the classes built from it.
PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
PN_CHARS_U = PN_CHARS_BASE + "_"
PN_CHARS = PN_CHARS_U + "\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"

VARIABLE = re.compile(f"[?$][{PN_CHARS_U}0-9][{PN_CHARS_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*")
"""VAR1/VAR2: ``?`` or ``$`` and a VARNAME."""
LANG_TAG = re.compile(r"@[A-Za-z]+(?:-[A-Za-z0-9]+)*")
"""LANGTAG (pyoxigraph's ``--ltr``/``--rtl`` suffix is left outside it: read as more tokens)."""
PN_PREFIX = re.compile(f"[{PN_CHARS_BASE}](?:[{PN_CHARS}.]*[{PN_CHARS}])?")
PNAME_NS = re.compile(f"(?:{PN_PREFIX.pattern})?:")
"""PNAME_NS: an optional PN_PREFIX and its colon."""
BLANK_NODE_LABEL = re.compile(f"_:[{PN_CHARS_U}0-9](?:[{PN_CHARS}.]*[{PN_CHARS}])?")
PN_LOCAL = re.compile(
    f"(?:[{PN_CHARS_U}:0-9]|{_PLX})(?:(?:[{PN_CHARS}.:]|{_PLX})*(?:[{PN_CHARS}:]|{_PLX}))?"
)
"""PN_LOCAL as the recommendation writes it (dots anywhere inside)."""
LOCAL_NAME_CHARS = f"(?:[{PN_CHARS}.:]|{_PLX})+"
"""A stretch of the characters a local name is made of: every PN_LOCAL lies inside one."""
_ENGINE_PN_CHARS_U = PN_CHARS_U.replace("\U00010000-\U000effff", "")
_ENGINE_PN_CHARS = PN_CHARS.replace("\U00010000-\U000effff", "")
ENGINE_PN_LOCAL = re.compile(
    f"(?:[{_ENGINE_PN_CHARS_U}:0-9]|{_PLX})(?:[{_ENGINE_PN_CHARS}:]|{_PLX})*"
    f"(?:\\.+(?:[{_ENGINE_PN_CHARS}:]|{_PLX})+)?"
)
"""PN_LOCAL as pyoxigraph 0.5 reads it: one group of dots at most, no characters past U+FFFF
(``ex:a.b.c`` is ``ex:a.b``, a dot, then ``c``)."""

NAME_RUN = re.compile(
    "(?:[A-Za-z0-9_\\-.:%\u00b7\u00c0-\U0010ffff]|\\\\[_~.\\-!$&'()*+,;=/?#@%]"
    "|\\\\u[0-9A-Fa-f]{4}|\\\\U[0-9A-Fa-f]{8})+"
)
"""A run of characters that names, numbers and keywords are made of (generously: any character
past U+00BF, PN_LOCAL's ``%`` and ``\\`` escapes, and ``\\u`` escapes, which the recommendation
reads as the character they spell). The engine starts a token only at certain places inside a run
(:mod:`sousei_kg.sparql.name_runs`)."""
NAME_RUN_CHAR = re.compile("[A-Za-z0-9_\\-.:%\u00b7\u00c0-\U0010ffff]")

IRIREF = re.compile(r'<(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>')
"""IRIREF as written: characters IRIs can hold, and ``\\u`` escapes (checked by :func:`iri`).
pyoxigraph reads ``<`` up to the next ``>`` and then checks the IRI, accepting no character IRIREF
excludes (checked for every ASCII character, raw and escaped). Where an IRIREF match may still be
no IRI for the engine (less-than in an expression, ``<<``), the lexer says what it does."""
_IRI_EXCLUDED = frozenset('<>"{}|^`\\') | frozenset(map(chr, range(0x21)))

UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_ECHAR = frozenset("tbnrf\"'\\")
_LINE_END = re.compile(r"[\r\n]")
_SPELLED_LINE_END = re.compile(r"\\u000[aAdD]|\\U0000000[aAdD]")
_SHORT_STOP = {"'": re.compile(r"['\\\r\n]"), '"': re.compile(r'["\\\r\n]')}
_LONG_STOP = {"'": re.compile(r"['\\]"), '"': re.compile(r'["\\]')}


def code_point(escape: re.Match[str]) -> str:
    """The character a ``\\u``/``\\U`` escape (a :data:`UCHAR` match) spells.

    Raises:
        LexerError: if it spells no character (a surrogate, or past U+10FFFF).
    """
    code = int(escape.group(1) or escape.group(2), 16)
    if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        raise LexerError(f"invalid code-point escape {escape.group(0)!r}")
    return chr(code)


def comment_end(text: str, start: int) -> int:
    """Return the index of the line end (``\\r`` or ``\\n``) that ends the comment starting at
    ``start``, or the length of the text: §19.6 ends a comment at either, and so does the engine
    (a comment ended only at ``\\n`` hid ``#x\\rSERVICE`` from the guard)."""
    line_end = _LINE_END.search(text, start)
    return line_end.start() if line_end else len(text)


def checked_comment_end(text: str, start: int) -> int:
    """:func:`comment_end`, refusing a comment that holds an escape spelling a line end: the
    recommendation ends the comment there, the engine does not.

    Raises:
        LexerError: if the comment holds such an escape.
    """
    end = comment_end(text, start)
    if _SPELLED_LINE_END.search(text, start, end):
        raise LexerError("a comment holds a \\u escape of a line end")
    return end


def string_end(text: str, start: int) -> int:
    """Return the index just past the string literal starting at ``start`` (STRING_LITERAL1/2,
    STRING_LITERAL_LONG1/2), escapes checked as the grammar allows them (ECHAR, UCHAR).

    Raises:
        LexerError: if the string is not terminated (on its line, for a one-line string), holds
            an escape the grammar does not allow, or an escape the two readings disagree on.
    """
    quote = text[start]
    long = text.startswith(quote * 3, start)
    stop = (_LONG_STOP if long else _SHORT_STOP)[quote]
    moving = quote + "\\" + ("" if long else "\r\n")  # what an escape may not spell
    i = start + (3 if long else 1)
    while found := stop.search(text, i):
        i = found.start()
        char = text[i]
        if char == "\\":
            i = _escape_end(text, i, moving)
        elif char != quote:
            raise LexerError("a string literal is not terminated on its line")
        elif not long:
            return i + 1
        elif text.startswith(quote * 3, i):
            return i + 3
        else:
            i += 1
    raise LexerError("a string literal is not terminated")


def _escape_end(text: str, start: int, moving: str) -> int:
    """Return the index just past the escape at ``start`` in a string (ECHAR or UCHAR).

    Raises:
        LexerError: if it is neither, or spells one of ``moving``.
    """
    if text[start + 1 : start + 2] in _ECHAR:
        return start + 2
    escape = UCHAR.match(text, start)
    if escape is None:
        raise LexerError("a string holds an escape the grammar does not allow")
    if code_point(escape) in moving:
        raise LexerError(
            f"a string holds {escape.group(0)}, which the recommendation reads as the end of "
            "the string or an escape, and pyoxigraph as a character"
        )
    return escape.end()


def iri(match: re.Match[str]) -> str:
    """The IRI an :data:`IRIREF` match spells, ``\\u`` escapes decoded.

    Raises:
        LexerError: if an escape spells no character, or one an IRI cannot hold (the
            recommendation's reading would end or refuse the IRI there).
    """
    content = match.group(0)[1:-1]
    if "\\" not in content:
        return content

    def decode(escape: re.Match[str]) -> str:
        char = code_point(escape)
        if char in _IRI_EXCLUDED:
            raise LexerError(f"an IRI holds {escape.group(0)}, a character IRIs cannot hold")
        return char

    return UCHAR.sub(decode, content)
