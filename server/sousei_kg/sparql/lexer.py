"""A conservative SPARQL lexer: the words of a query or update, outside comments, strings, IRIs.

pyoxigraph exposes no parsed algebra, and a second SPARQL parser would disagree with the engine's
grammar somewhere; what the server needs to know (does the text use ``SERVICE``, ``LOAD``,
``FROM``?) is lexical, so this module splits the text the way the engine's tokenizer may, and
says so when it cannot be sure (:class:`LexerError`). It follows the SPARQL 1.1 grammar (§19) and
pyoxigraph 0.5.13, and where the two read a text differently it refuses the text:

- whitespace is ``#x20 #x9 #xD #xA`` (WS); a comment runs from ``#`` to ``#xD`` or ``#xA``;
- strings are ``'…'``, ``"…"`` (no raw line end inside) and ``'''…'''``, ``\"\"\"…\"\"\"``, with
  ECHAR and UCHAR escapes only; an unterminated string or another escape is refused;
- ``\\u``/``\\U`` escapes: the recommendation decodes them everywhere first, pyoxigraph only inside
  strings and IRIs. Inside strings, comments and IRIs, an escape is refused where the two readings
  would differ (:mod:`sousei_kg.sparql.terminals`); outside them, an escape may spell only a name
  character, read as that character (``\\u0053ERVICE`` is ``SERVICE``; the engine refuses it);
- ``<…>`` is an IRI if it matches IRIREF, else ``<`` is an operator. Inside brackets, in an
  expression, the engine reads ``<`` after an operand as less-than and the rest as tokens even
  when it matches IRIREF (``FILTER(?a <?b#>``), and after another ``<`` it reads ``<<`` (a triple
  term); there an IRI holding ``'`` is refused, and one holding ``#`` makes the rest of its line a
  possible comment: a string that starts there and runs past the line is refused;
- a run of name characters (``ex:a.b``, ``trueSERVICE``) yields the words a reader sees and the
  letters at every other place the engine may start a token (:mod:`sousei_kg.sparql.name_runs`);
- variables (``?x``, ``$x``) and language tags (``@en-GB``) hold no words;
- brackets (``{``, ``(``, ``[``) nested more than :data:`MAX_NESTING` deep are refused: the
  engine's parser is recursive, and a few thousand levels overflow its stack and kill the process.

The lexer runs before every query, on the event loop, so it stays linear in the length of the text,
whatever the text is. tests/sparql/test_guard_against_engine.py checks it against the engine.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

from sousei_kg.sparql import terminals
from sousei_kg.sparql.name_runs import Prefixes, declared_prefix, run_words
from sousei_kg.sparql.terminals import LexerError, comment_end

__all__ = [
    "CACHED_TEXT_CHARS",
    "MAX_NESTING",
    "LexerError",
    "Word",
    "comment_end",
    "decode_escapes",
    "words",
]

MAX_NESTING = 128
"""Deepest bracket nesting accepted. Real queries stay far below; pyoxigraph 0.5.13 overflows its
stack (and the worker process dies) near 1,000 nested function calls and 5,000 nested groups."""

CACHED_TEXT_CHARS = 64 * 1024
"""Texts up to this long are remembered by :func:`words` (8 of them: at most a few MB with their
words); a longer one, such as a 10 MiB update, is lexed each time rather than kept."""


@dataclass(frozen=True)
class Word:
    """A bare word of the text (a keyword candidate), upper-cased.

    Attributes:
        text: the word, upper-cased (SPARQL keywords are case-insensitive).
        inside_name: the word lies inside a longer name (``ex:a.SERVICE``, ``trueSERVICE``,
            ``p:SERVICE``): a reader sees the name, but the engine may start a token there
            (:mod:`sousei_kg.sparql.name_runs`). Such a word holds only the ASCII letters there
            (at most 32). Callers that want the keywords a text is written with skip these; the
            guard counts them.
        start: the offset of its first character in the text as given.
        braces: how many ``{`` enclose it (0: at the top level of a query or update).
        braces_before: how many ``{`` and ``}`` come before it, so a caller can tell whether a
            group opened or closed between two words.
    """

    text: str
    inside_name: bool = False
    start: int = 0
    braces: int = 0
    braces_before: int = 0


def decode_escapes(text: str) -> str:
    """Decode ``\\u``/``\\U`` code-point escapes everywhere, as the recommendation does before
    parsing (§19.2).

    Raises:
        LexerError: if an escape encodes no valid character.
    """
    return terminals.UCHAR.sub(terminals.code_point, text)


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
    return _Lexer(text).words()


@lru_cache(maxsize=8)
def _remembered_words(text: str) -> tuple[Word, ...]:
    return _Lexer(text).words()


_BRACKETS = re.compile(r"[()\[\]]")
_PUNCTUATION = frozenset("'\"?$@{([})];,*/=!&|+^>")  # characters no name run begins with


class _Lexer:
    """One pass over one text; each method reads one kind of token at ``self.i``."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0
        self.found: list[Word] = []
        self.depth = 0  # brackets of every kind, for MAX_NESTING
        self.parens = 0  # '(' only: an expression (the only place '<' is an operator) is inside
        self.parens_unsure = False  # an IRI in an expression may have moved the engine's count
        self.possible_comment_end = -1  # end of a line pyoxigraph may read as a comment
        self.braces = 0
        self.braces_before = 0
        self.prefixes = Prefixes()
        self.run_words: dict[str, list[tuple[int, str, bool]]] = {}  # names recur: read each once
        self.after_prefix_keyword = False
        self.declaring: str | None = None  # a prefix name waiting for its IRI

    def words(self) -> tuple[Word, ...]:
        text, n = self.text, len(self.text)
        while self.i < n:
            char = text[self.i]
            if char in " \t\r\n":
                self.i += 1
            elif char == "#":
                self.i = terminals.checked_comment_end(text, self.i)
            elif char == "<":
                self._iri()
            elif char in _PUNCTUATION:
                self.declaring, self.after_prefix_keyword = None, False
                if char in "'\"":
                    self._string()
                elif char in "?$":
                    self._skip(terminals.VARIABLE)
                elif char == "@":
                    self._skip(terminals.LANG_TAG)
                elif char in "{([":
                    self._open(char)
                elif char in "})]":
                    self._close(char)
                else:
                    self.i += 1
            elif (run := terminals.NAME_RUN.match(text, self.i)) is not None:
                self._name_run(run)
            else:
                self.declaring, self.after_prefix_keyword = None, False
                self.i += 1
        return tuple(self.found)

    def _skip(self, token: re.Pattern[str]) -> None:
        match = token.match(self.text, self.i)
        self.i = match.end() if match else self.i + 1

    def _string(self) -> None:
        end = terminals.string_end(self.text, self.i)
        if self.i < self.possible_comment_end < end:
            raise LexerError(
                "a string starts on the line of an IRI holding '#' inside brackets and runs past "
                "that line: pyoxigraph may read that '#' as the start of a comment"
            )
        self.i = end

    def _open(self, char: str) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise LexerError(f"brackets are nested more than {MAX_NESTING} deep")
        if char == "(":
            self.parens += 1
        elif char == "{":
            self.braces, self.braces_before = self.braces + 1, self.braces_before + 1
        self.i += 1

    def _close(self, char: str) -> None:
        self.depth = max(self.depth - 1, 0)
        if char == ")":
            self.parens = max(self.parens - 1, 0)
        elif char == "}":
            self.braces, self.braces_before = max(self.braces - 1, 0), self.braces_before + 1
        self.i += 1

    def _iri(self) -> None:
        match = terminals.IRIREF.match(self.text, self.i)
        if match is None:  # the '<' or '<=' operator
            self.declaring, self.after_prefix_keyword = None, False
            self.i += 1
            return
        iri = terminals.iri(match)
        if self.parens > 0 or self.parens_unsure or self.text[self.i - 1 : self.i] == "<":
            self._maybe_not_an_iri(iri, match.end())
        if self.declaring is not None:
            self.prefixes.declare(self.declaring, iri)
            self.run_words.clear()  # a run's words depend on the prefixes declared
        self.declaring, self.after_prefix_keyword = None, False
        self.i = match.end()

    def _maybe_not_an_iri(self, iri: str, end: int) -> None:
        """pyoxigraph may read this ``<…>`` as no IRI at all, and its characters as tokens: inside
        brackets, in an expression, ``<`` after an operand is less-than (``FILTER(?a <?b&&'>…``);
        after another ``<``, ``<<`` opens a triple term (``<<?a#x> …``). So refuse a ``'`` (a string
        would open), remember that a ``#`` may start a comment running to the end of the line, and
        count brackets.

        Raises:
            LexerError: if the IRI holds ``'``, or its brackets nest too deep.
        """
        if "'" in iri:
            raise LexerError(
                "an IRI inside brackets holds ', where pyoxigraph may read '<' as less-than and "
                "' as the start of a string (write %27)"
            )
        if "#" in iri:
            self.possible_comment_end = max(self.possible_comment_end, comment_end(self.text, end))
            self.parens_unsure = True
        depth = deepest = 0
        for bracket in _BRACKETS.finditer(iri):
            depth += 1 if bracket.group(0) in "([" else -1
            deepest = max(deepest, depth)
            self.parens_unsure = True
        if self.depth + deepest > MAX_NESTING:
            raise LexerError(f"brackets are nested more than {MAX_NESTING} deep")
        self.depth += max(depth, 0)

    def _name_run(self, match: re.Match[str]) -> None:
        run, offsets = _decoded_run(match.group(0))
        if (found := self.run_words.get(run)) is None:
            found = self.run_words[run] = run_words(run, self.prefixes)
        for offset, text, inside in found:
            start = self.i + (offsets[offset] if offsets else offset)
            self.found.append(Word(text, inside, start, self.braces, self.braces_before))
        self.declaring = declared_prefix(run, self.after_prefix_keyword)
        self.after_prefix_keyword = (
            self.declaring is None and len(run) == 6 and run.upper() == "PREFIX"
        )
        self.i = match.end()


def _decoded_run(raw: str) -> tuple[str, list[int] | None]:
    """A run with its ``\\u`` escapes decoded (the recommendation's reading), and for each decoded
    character its offset in the raw run (``None`` when there is no escape).

    Raises:
        LexerError: if an escape spells no character, or one that is not a name character.
    """
    if "\\u" not in raw and "\\U" not in raw:
        return raw, None
    pieces: list[str] = []
    offsets: list[int] = []
    last = 0
    for escape in terminals.UCHAR.finditer(raw):
        char = terminals.code_point(escape)
        if not terminals.NAME_RUN_CHAR.fullmatch(char):
            raise LexerError(
                f"outside strings and IRIs, {escape.group(0)} spells {char!r}; an escape there "
                "may spell only a name character"
            )
        pieces += [raw[last : escape.start()], char]
        offsets += [*range(last, escape.start()), escape.start()]
        last = escape.end()
    pieces.append(raw[last:])
    offsets += [*range(last, len(raw)), len(raw)]
    return "".join(pieces), offsets
