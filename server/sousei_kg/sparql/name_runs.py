"""The words of a run of name characters, including those the engine may read inside a name.

A run (``ex:a.b``, ``trueSERVICE``, ``1e5``) holds one or more tokens, and where one ends is not
always where a reader would guess. pyoxigraph's parser tries the grammar's alternatives in order,
matches keywords by their letters with no boundary after them, and backtracks:

- ``SERVICESILENT<u>``, ``LOADex:x``, ``SERVICE:x`` are a keyword followed by more tokens;
- ``?s ?p trueSERVICE <u> {…}`` is the boolean ``true`` and then ``SERVICE``; ``atrue…`` is the
  verb ``a`` and then ``true``; ``1e5SERVICE`` is a number and then ``SERVICE``;
- ``_:b:x`` is a blank node label that ends at the colon, then ``:x``;
- ``p:SERVICE`` is the prefixed name ``p:SERVICE`` when the prefix's IRI followed by ``SERVICE`` is
  an IRI, and otherwise the bare prefix ``p:`` followed by ``SERVICE`` (with
  ``PREFIX p: <http://h:>``, ``http://h:SERVICE`` has a port that is not a number);
- ``ex:a.b.c`` is ``ex:a.b``, a dot, and ``c`` (pyoxigraph 0.5 reads one group of dots in a local
  name; the recommendation allows more).

So each run yields its *primary* words (what a reader sees: ``SELECT``, ``FROM``, ``WHERE``), and
*inner* words: the letters at every other place where the engine may start a token, found by
following these rules from the start of the run. Inner words carry at most
:data:`KEYWORD_LETTERS` letters; the guard refuses any word that begins with a forbidden keyword.
Everything here is linear in the length of the run.
"""

import re

from pyoxigraph import NamedNode

from sousei_kg.sparql.terminals import (
    BLANK_NODE_LABEL,
    ENGINE_PN_LOCAL,
    LOCAL_NAME_CHARS,
    PN_LOCAL,
    PN_PREFIX,
    PNAME_NS,
)

KEYWORD_LETTERS = 32
"""Letters kept in an inner word: more than any SPARQL keyword has."""
MAX_LOCAL_NAME = 512
"""A local name longer than this is not checked against its prefix's IRI (the check would make the
lexer quadratic on ``p:a:a:a…``): the engine may then read the bare prefix, and the lexer assumes
it does."""
MAX_PREFIX_STARTS = 8
"""More places where a prefix could begin before one colon than this (``a.a.a.a…:``) and the lexer
assumes the bare prefix may stand alone."""

# What a reader sees, as the lexer has always read it: a prefixed name is one token (its pieces are
# inner words), any other run of letters is a word.
_NAME_START = r"A-Za-z\u00C0-\U0010FFFF"
_NAME_CHAR = r"A-Za-z0-9_\-\u00B7\u00C0-\U0010FFFF"
_PLX_ESCAPE = r"\\[_~.\-!$&'()*+,;=/?#@%]"
_PREFIXED_NAME = re.compile(
    rf"(?:[{_NAME_START}_](?:[{_NAME_CHAR}.]*[{_NAME_CHAR}])?)?:"
    rf"(?:(?:[{_NAME_CHAR}:]|%[0-9A-Fa-f]{{2}}|{_PLX_ESCAPE})"
    rf"(?:(?:[{_NAME_CHAR}.:]|%[0-9A-Fa-f]{{2}}|{_PLX_ESCAPE})*"
    rf"(?:[{_NAME_CHAR}:]|%[0-9A-Fa-f]{{2}}|{_PLX_ESCAPE}))?)?"
)
# A run of the characters a prefix can hold: no prefixed name can start inside a run where one
# failed to start at a name-start character, since every start would end where that one did.
_NAME_START_CHAR = re.compile(rf"[{_NAME_START}_]")
_PREFIX_RUN = re.compile(rf"[{_NAME_CHAR}.]*")
_WORD = re.compile(rf"[{_NAME_START}][A-Za-z0-9_\u00C0-\U0010FFFF]*")

# Where the engine may go on reading after a token that begins at a start.
_BOOLEANS = ("true", "false")  # any case, as the recommendation says (pyoxigraph: lower case)
_INTEGER = re.compile(r"-?[0-9]*")
_FRACTION = re.compile(r"\.[0-9]+")
_DOUBLE = re.compile(r"-?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)[eE][+-]?[0-9]+")
_NUMBER_FIRST = frozenset("0123456789.-")
_CHAIN_FIRST = frozenset("atTfF0123456789.-_")  # where a start may lead to another start
_PLAIN_WORD = re.compile(rf"[{_NAME_START}][A-Za-z0-9_\u00C0-\U0010FFFF]*")  # no dot, no colon
_PLAIN_PREFIXED_NAME = re.compile(
    r"([A-Za-z][A-Za-z0-9_\-]*[A-Za-z0-9_]|[A-Za-z]?):([A-Za-z0-9_]+)"
)
_DOT = re.compile(r"\.")
_COLON = re.compile(":")
_LOCAL_CHARS = re.compile(LOCAL_NAME_CHARS)
_LETTERS = re.compile(r"[A-Za-z]+")
_LETTER = re.compile(rf"[{_NAME_START}]")  # what every word, primary or inner, begins with
_UNRESERVED = re.compile(r"[A-Za-z0-9_\-.~]*")
# RFC 3987: the scheme and, if there is one, the authority (``//host:port``).
_TO_AUTHORITY_END = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:(//[^/?#]*)?")


class Prefixes:
    """The prefixes a text declares, as far as the lexer has read it.

    A name may be declared more than once (``PREFIX`` is recognised wherever it could be one,
    ``PREFIXex:<…>`` included); every IRI it was given must agree before the lexer trusts it.
    """

    def __init__(self) -> None:
        self._iris: dict[str, list[str | None]] = {}
        self._open: dict[str, bool] = {}

    def declare(self, name: str, iri: str) -> None:
        """Record ``PREFIX name: <iri>``; a relative IRI is recorded as unknown (the engine resolves
        it against a base the lexer does not see)."""
        if not _is_iri(iri):
            self._iris.setdefault(name, []).append(None)
            return
        self._iris.setdefault(name, []).append(iri)
        authority = _TO_AUTHORITY_END.match(iri)
        self._open[iri] = authority is not None and (
            authority.group(1) is None or authority.end() < len(iri)
        )

    def reads_whole(self, name: str, run: str, local: tuple[int, int]) -> bool:
        """Whether the engine certainly reads the prefixed name whose local part begins at
        ``local[0]`` as a whole (its prefix's IRI followed by its local part is an IRI), rather
        than as the bare prefix followed by more tokens. ``local[1]`` bounds the local part (the
        end of the run of characters it can hold). Both readings of its extent are checked: the
        recommendation's and pyoxigraph 0.5's (:data:`ENGINE_PN_LOCAL`)."""
        iris = self._iris.get(name)
        start, bound = local
        if not iris or None in iris or bound - start > MAX_LOCAL_NAME:
            return False
        locals_ = set()
        for pattern in (PN_LOCAL, ENGINE_PN_LOCAL):
            match = pattern.match(run, start, bound)
            if match is None:
                return False
            locals_.add(match.group(0))
        return all(self.takes(name, text) for text in locals_)

    def takes(self, name: str, local: str) -> bool:
        """Whether ``name`` is declared, only with IRIs that followed by ``local`` (its ``\\``
        escapes removed, as the engine does) are IRIs.

        An IRI that ends in its path, query or fragment (``http://x/``, ``urn:x:``, ``…#``) takes
        any unreserved characters; only other cases (``http://h:``, whose port would take only
        digits) are checked with pyoxigraph, which is what keeps a 10 MiB update quick.
        """
        iris = self._iris.get(name)
        if not iris or len(local) > MAX_LOCAL_NAME:
            return False
        unreserved = _UNRESERVED.fullmatch(local) is not None
        plain = local.replace("\\", "")
        for iri in iris:
            if iri is None:
                return False
            if not (unreserved and self._open[iri]) and not _is_iri(f"{iri}{plain}"):
                return False
        return True


def _is_iri(iri: str) -> bool:
    """Whether pyoxigraph (oxiri, as its parser uses) takes ``iri`` as an absolute IRI."""
    try:
        NamedNode(iri)
    except ValueError:
        return False
    return True


def declared_prefix(run: str, after_keyword: bool) -> str | None:
    """The prefix name this run declares if an IRI follows: ``ex:`` right after a ``PREFIX``
    keyword, or ``PREFIXex:`` (the engine needs no space after the keyword)."""
    if after_keyword and PNAME_NS.fullmatch(run):
        return run[:-1]
    if run[:6].upper() == "PREFIX" and PNAME_NS.fullmatch(run, 6):
        return run[6:-1]
    return None


def run_words(run: str, prefixes: Prefixes) -> list[tuple[int, str, bool]]:
    """The words of a run, in order: (offset in the run, upper-cased text, whether inner)."""
    if not _LETTER.search(run):  # a number, dots: no word can begin here
        return []
    if run[0] not in _CHAIN_FIRST:  # the common shapes, answered without the general sweep
        if _PLAIN_WORD.fullmatch(run):
            return [(0, run.upper(), False)]
        if (name := _PLAIN_PREFIXED_NAME.fullmatch(run)) and prefixes.takes(*name.groups()):
            letters = _LETTERS.match(run, 0, KEYWORD_LETTERS)
            return [(0, letters.group(0).upper(), True)] if letters else []
    primary = _primary_words(run)
    at = {offset for offset, _ in primary}
    found = [(offset, text, False) for offset, text in primary]
    for start in _token_starts(run, prefixes):
        if start not in at and (letters := _LETTERS.match(run, start, start + KEYWORD_LETTERS)):
            found.append((start, letters.group(0).upper(), True))
    found.sort()
    return found


def _primary_words(run: str) -> list[tuple[int, str]]:
    """The words a reader sees: runs of letters outside prefixed names."""
    found: list[tuple[int, str]] = []
    i, n = 0, len(run)
    no_name_before = 0  # no prefixed name starts before this index (see _PREFIX_RUN)
    while i < n:
        if (
            i >= no_name_before
            and (name := _PREFIXED_NAME.match(run, i))
            and name.end() > i
            and ":" in name.group(0)
        ):
            i = name.end()
            continue
        if i >= no_name_before and _NAME_START_CHAR.match(run, i):
            # Without this, "a.a.a.…" rescans the rest of the run from every "a" (quadratic:
            # 40 KB took 8 s on the event loop).
            prefix_run = _PREFIX_RUN.match(run, i)
            no_name_before = prefix_run.end() if prefix_run else i + 1
        if word := _WORD.match(run, i):
            found.append((i, word.group(0).upper()))
            i = word.end()
        else:
            i += 1
    return found


def _token_starts(run: str, prefixes: Prefixes) -> list[int]:
    """Every offset in the run where the engine may begin a token, in order.

    From each start, the ends of what may be read there (``a``, a boolean, a number, a blank node
    label) are starts too; so is the place after every dot, and after a colon unless the prefix
    before it certainly reads as a whole with its local part (:meth:`Prefixes.reads_whole`).
    Every rule points forward, so one sweep in order finds them all.
    """
    n = len(run)
    is_start = bytearray(n + 1)
    is_start[0] = 1
    for dot in _DOT.finditer(run):
        is_start[dot.end()] = 1
    starts: list[int] = []
    if ":" not in run:
        at = 0
        while (start := is_start.find(1, at, n)) >= 0:
            starts.append(start)
            if run[start] in _CHAIN_FIRST:
                for end in _ends_of_tokens_at(run, start):
                    is_start[end] = 1
            at = start + 1
        return starts
    since_colon: list[int] = []  # starts since the last colon: where a prefix before it may begin
    colons = [colon.start() for colon in _COLON.finditer(run)]
    colons.append(n)
    next_colon, at = 0, 0
    locals_ = _LOCAL_CHARS.finditer(run)
    local = next(locals_, None)  # the stretch of local-name characters after the current colon
    while True:
        start = is_start.find(1, at, n)
        colon = colons[next_colon]
        if start < 0 and colon == n:
            return starts
        if 0 <= start <= colon:
            starts.append(start)
            since_colon.append(start)
            if run[start] in _CHAIN_FIRST:
                for end in _ends_of_tokens_at(run, start):
                    is_start[end] = 1
            at = start + 1
            continue
        next_colon += 1
        while local is not None and local.end() <= colon + 1:
            local = next(locals_, None)
        bound = local.end() if local is not None and local.start() <= colon + 1 else colon + 1
        if _bare_prefix_possible(run, (colon, bound), since_colon, prefixes):
            is_start[colon + 1] = 1
        since_colon = []


def _ends_of_tokens_at(run: str, start: int) -> list[int]:
    """Where the verb ``a``, a boolean, a number or a blank node label beginning at ``start`` may
    end."""
    first = run[start]
    if first == "a":  # 'a' is the one case-sensitive keyword
        return [start + 1]
    if first in "tTfF":
        return [
            start + len(boolean)
            for boolean in _BOOLEANS
            if run[start : start + len(boolean)].lower() == boolean
        ]
    if first in _NUMBER_FIRST:
        return _number_ends(run, start)
    if first == "_" and (label := BLANK_NODE_LABEL.match(run, start)):
        return [label.end()]
    return []


def _number_ends(run: str, start: int) -> list[int]:
    """Where INTEGER, DECIMAL or DOUBLE (signed or not) beginning at ``start`` may end."""
    integer = _INTEGER.match(run, start)  # matches, if only the empty string
    after = integer.end() if integer else start
    ends = [after] if after > start and run[after - 1].isdigit() else []
    if run.startswith(".", after) and (decimal := _FRACTION.match(run, after)):
        ends.append(decimal.end())
    if run[after : after + 1] in (".", "e", "E") and (double := _DOUBLE.match(run, start)):
        ends.append(double.end())
    return ends


def _bare_prefix_possible(
    run: str, colon: tuple[int, int], since_colon: list[int], prefixes: Prefixes
) -> bool:
    """Whether the engine may read a prefix ending at the colon ``colon[0]`` on its own, so that a
    token begins right after it (``colon[1]`` bounds the local part that follows)."""
    at, bound = colon
    if len(since_colon) > MAX_PREFIX_STARTS:
        return True
    for start in since_colon:
        name = run[start:at]
        if name and not PN_PREFIX.fullmatch(name):
            continue  # no prefixed name begins here
        if not prefixes.reads_whole(name, run, (at + 1, bound)):
            return True
    return False
