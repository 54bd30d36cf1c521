"""A conservative SPARQL lexer: the keywords of a query or update, outside comments, strings, IRIs.

pyoxigraph exposes no parsed algebra, and a second SPARQL parser would disagree with the engine's
grammar somewhere; what the server needs to know (does the text use ``SERVICE``, ``LOAD``,
``FROM``?) is lexical, so this module only splits the text the way the engine's tokenizer does and
says so when it cannot (an unterminated string, an invalid escape).

The lexer follows the SPARQL 1.1 grammar's terminals where the engine's reading matters:

- ``\\uXXXX``/``\\UXXXXXXXX`` escapes are decoded in the whole text first, as the spec (§19.2)
  and the engine do, so ``\\u0053ERVICE`` is ``SERVICE``;
- comments run from ``#`` to the end of the line, outside strings and IRIs;
- strings are ``'…'``, ``"…"``, ``'''…'''``, ``\"\"\"…\"\"\"`` with backslash escapes;
- ``<…>`` is an IRI only if it matches IRIREF; otherwise ``<`` is an operator;
- a prefixed name (``ex:local.name``) is one token, as the engine's longest match reads it (a
  keyword after a dot inside it is still refused, to be safe);
- any other run of letters is a word; ``SERVICE``/``LOAD`` in any letter case is refused;
- brackets (``{``, ``(``, ``[``) nested more than :data:`MAX_NESTING` deep are refused: the
  engine's parser is recursive, and a few thousand levels overflow its stack and kill the process.

The lexer runs before every query, on the event loop, so it must stay linear in the length of the
text, whatever the text is.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
# IRIREF: '<' ([^<>"{}|^`\]-[#x00-#x20])* '>'
_IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
# PN_CHARS_BASE and friends, approximated generously (any non-ASCII character is a name char).
_NAME_START = r"A-Za-z\u00C0-\U0010FFFF"
_NAME_CHAR = r"A-Za-z0-9_\-\u00B7\u00C0-\U0010FFFF"
# A prefixed name or blank-node label: optional prefix, ':', local part (dots allowed inside, and
# PLX escapes). The trailing dot is not part of the name (it ends a triple), as in the grammar.
_PREFIXED_NAME = re.compile(
    rf"(?:[{_NAME_START}_](?:[{_NAME_CHAR}.]*[{_NAME_CHAR}])?)?:"
    rf"(?:(?:[{_NAME_CHAR}:]|%[0-9A-Fa-f]{{2}}|\\[_~.\-!$&'()*+,;=/?#@%])"
    rf"(?:(?:[{_NAME_CHAR}.:]|%[0-9A-Fa-f]{{2}}|\\[_~.\-!$&'()*+,;=/?#@%])*"
    rf"(?:[{_NAME_CHAR}:]|%[0-9A-Fa-f]{{2}}|\\[_~.\-!$&'()*+,;=/?#@%]))?)?"
)
# A run of the characters a prefix can hold: no prefixed name can start inside a run where one
# failed to start at a name-start character, since every start would end where that one did.
_NAME_START_CHAR = re.compile(rf"[{_NAME_START}_]")
_NAME_RUN = re.compile(rf"[{_NAME_CHAR}.]*")
_VARIABLE = re.compile(rf"[?$][{_NAME_CHAR}]*")
_WORD = re.compile(rf"[{_NAME_START}][A-Za-z0-9_\u00C0-\U0010FFFF]*")
_LANG_TAG = re.compile(r"@[A-Za-z]+(?:-[A-Za-z0-9]+)*")


MAX_NESTING = 128
"""Deepest bracket nesting accepted. Real queries stay far below; pyoxigraph 0.5.13 overflows its
stack (and the worker process dies) near 1,000 nested function calls and 5,000 nested groups."""


class LexerError(ValueError):
    """The text cannot be split into tokens with certainty; the message says why."""


@dataclass(frozen=True)
class Word:
    """A bare word of the text (a keyword candidate), upper-cased.

    Attributes:
        text: the word, upper-cased (SPARQL keywords are case-insensitive).
        after_dot_in_name: the word follows a dot inside a prefixed name (``ex:a.SERVICE``): the
            engine reads it as part of the name, a cautious reader may not.
        start: its offset in the text (after ``\\u`` escapes are decoded).
        braces: how many ``{`` enclose it (0: at the top level of a query or update).
        braces_before: how many ``{`` and ``}`` come before it, so a caller can tell whether a
            group opened or closed between two words.
    """

    text: str
    after_dot_in_name: bool = False
    start: int = 0
    braces: int = 0
    braces_before: int = 0


def decode_escapes(text: str) -> str:
    """Decode ``\\u``/``\\U`` code-point escapes everywhere, as SPARQL does before parsing.

    Raises:
        LexerError: if an escape encodes no valid character.
    """

    def replace(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise LexerError(f"invalid code-point escape {match.group(0)!r}")
        return chr(code)

    return _ESCAPE.sub(replace, text)


_LINE_END = re.compile(r"[\r\n]")


def comment_end(text: str, start: int) -> int:
    """Return the index of the line end (``\\r`` or ``\\n``) that ends the comment starting at
    ``start``, or the length of the text: SPARQL 1.1 §19.6 ends a comment at either, and so does
    the engine (a comment ended only at ``\\n`` hid ``#x\\rSERVICE`` from the guard)."""
    line_end = _LINE_END.search(text, start)
    return line_end.start() if line_end else len(text)


def _skip_string(text: str, start: int) -> int:
    """Return the index just past the string literal starting at ``start``."""
    quote = text[start]
    long = text.startswith(quote * 3, start)
    i = start + (3 if long else 1)
    while i < len(text):
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if long:
            if text.startswith(quote * 3, i):
                return i + 3
        elif char == quote:
            return i + 1
        elif char in "\r\n":
            raise LexerError("a string literal is not terminated on its line")
        i += 1
    raise LexerError("a string literal is not terminated")


CACHED_TEXT_CHARS = 64 * 1024
"""Texts up to this long are remembered by :func:`words` (8 of them: at most a few MB with their
words); a longer one, such as a 10 MiB update, is lexed each time rather than kept."""


def words(text: str) -> tuple[Word, ...]:
    """Return the bare words of a SPARQL text, in order, outside comments, strings and IRIs.

    Remembered for the last few short texts: one request asks several questions of the same text
    (the SERVICE/LOAD guard, the FROM check, the remote backend's rewriting), and lexing is a
    noticeable share of a cheap query's time.

    Raises:
        LexerError: if the text cannot be lexed with certainty.
    """
    if len(text) <= CACHED_TEXT_CHARS:
        return _remembered_words(text)
    return _lex_words(text)


@lru_cache(maxsize=8)
def _remembered_words(text: str) -> tuple[Word, ...]:
    return _lex_words(text)


def _lex_words(text: str) -> tuple[Word, ...]:
    text = decode_escapes(text)
    found: list[Word] = []
    i, n = 0, len(text)
    depth = 0
    braces = braces_before = 0
    no_name_before = 0  # no prefixed name starts before this index (see _NAME_RUN)
    while i < n:
        char = text[i]
        if char.isspace():
            i += 1
        elif char == "#":
            i = comment_end(text, i)
        elif char in "'\"":
            i = _skip_string(text, i)
        elif char == "<":
            iri = _IRIREF.match(text, i)
            i = iri.end() if iri else i + 1  # not an IRI: the '<' (or '<=') operator
        elif char in "?$":
            match = _VARIABLE.match(text, i)
            i = match.end() if match and match.end() > i + 1 else i + 1
        elif char == "@":
            tag = _LANG_TAG.match(text, i)
            i = tag.end() if tag else i + 1
        elif char in "{([":
            depth += 1
            if depth > MAX_NESTING:
                raise LexerError(f"brackets are nested more than {MAX_NESTING} deep")
            if char == "{":
                braces, braces_before = braces + 1, braces_before + 1
            i += 1
        elif char in "})]":
            depth = max(depth - 1, 0)
            if char == "}":
                braces, braces_before = max(braces - 1, 0), braces_before + 1
            i += 1
        elif (
            i >= no_name_before
            and (name := _PREFIXED_NAME.match(text, i))
            and name.end() > i
            and ":" in name.group(0)
        ):
            local = name.group(0).rsplit(":", 1)[1]
            found.extend(
                Word(piece.upper(), True, name.start(), braces, braces_before)
                for piece in local.split(".")[1:]
                if piece
            )
            i = name.end()
        else:
            if i >= no_name_before and _NAME_START_CHAR.match(text, i):
                # Without this, "a.a.a.…" rescans the rest of the run from every "a" (quadratic:
                # 40 KB took 8 s on the event loop).
                run = _NAME_RUN.match(text, i)
                no_name_before = run.end() if run else i + 1
            if word := _WORD.match(text, i):
                found.append(Word(word.group(0).upper(), False, i, braces, braces_before))
                i = word.end()
            else:
                i += 1
    return tuple(found)
