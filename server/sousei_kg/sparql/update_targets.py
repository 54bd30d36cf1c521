"""Which graphs a SPARQL Update writes, read from its text: no write may target the default graph.

Every query reads, as its default graph, the union of the named graphs; the store's own default
graph is empty and stays so. An update that writes the default graph would be lost (an INSERT
no query sees) or silently do nothing (a DELETE or CLEAR of triples that live in named graphs).
So such updates are refused before they run, with a message saying to name a graph:

* an ``INSERT DATA``, ``DELETE DATA``, ``DELETE WHERE``, ``INSERT { … }`` or ``DELETE { … }``
  template with a triple outside ``GRAPH <g> { … }`` (unless the operation starts with
  ``WITH <g>``, which names the graph of its templates);
* ``CLEAR DEFAULT``, ``DROP DEFAULT``, and ``ADD``, ``MOVE`` or ``COPY`` from or to ``DEFAULT``.

``CLEAR ALL`` and ``DROP ALL`` are allowed: they empty every named graph, and so the union.

What an update reads is the other half of the rule:
:func:`sousei_kg.sparql.update_protocol.with_union_dataset` has its ``WHERE`` read the union.

The text is tokenised by one regular expression after the ``\\u`` escapes are decoded, as the
SERVICE/LOAD guard's lexer does (the update has passed that guard already).
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass

from sousei_kg.sparql.lexer import decode_escapes

# Possessive runs with optional closers: each token is matched once, never backtracked into (a
# backtracking `(?:…|…)*` over a 9 MB literal ran out of memory, and a failed string was retried
# from every later quote).
_TOKEN = re.compile(
    r'"""(?:[^"\\]++|\\.|"(?!""))*+(?:"""|\Z)'
    r"|'''(?:[^'\\]++|\\.|'(?!''))*+(?:'''|\Z)"
    r'|"(?:[^"\\\n\r]++|\\.)*+"?'
    r"|'(?:[^'\\\n\r]++|\\.)*+'?"
    r"|<[^<>\"{}|^`\\\x00-\x20]*+>"
    r"|#[^\n\r]*+"
    r"|[?$][\w\u00B7\u00C0-\U0010FFFF]++"
    r"|[\w\u00C0-\U0010FFFF][\w\-.:%\u00B7\u00C0-\U0010FFFF]*+"
    r"|:[\w\-.:%\u00B7\u00C0-\U0010FFFF]*+"
    r"|\S",
    re.DOTALL,
)
_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "DATA", "WHERE", "WITH", "USING", "GRAPH", "CLEAR", "DROP"}
    | {"DEFAULT", "SILENT", "ADD", "MOVE", "COPY"}
)


@dataclass(frozen=True)
class _Token:
    text: str
    word: str | None
    """The upper-cased keyword, for a keyword."""


def _tokens(text: str) -> list[_Token]:
    found = []
    for match in _TOKEN.finditer(decode_escapes(text)):
        token = match.group(0)
        if token.startswith("#"):
            continue
        upper = token.upper()
        found.append(_Token(token, upper if upper in _KEYWORDS else None))
    return found


def _operations(tokens: list[_Token]) -> Iterator[list[_Token]]:
    """The operations of an update: its tokens split at top-level ``;``."""
    depth, current = 0, list[_Token]()
    for token in tokens:
        if token.text in "{([":
            depth += 1
        elif token.text in "})]":
            depth = max(depth - 1, 0)
        if token.text == ";" and depth == 0:
            yield current
            current = []
        else:
            current.append(token)
    yield current


def _block(tokens: list[_Token], start: int) -> tuple[list[_Token], int]:
    """The tokens inside the ``{ … }`` that opens at ``start``, and the index after it."""
    depth = 0
    for index in range(start, len(tokens)):
        if tokens[index].text == "{":
            depth += 1
        elif tokens[index].text == "}":
            depth -= 1
            if depth == 0:
                return tokens[start + 1 : index], index + 1
    return tokens[start + 1 :], len(tokens)


def _triples_outside_graph(template: list[_Token]) -> bool:
    """Whether a template holds a triple that is not inside ``GRAPH term { … }``."""
    index = 0
    while index < len(template):
        token = template[index]
        if token.word == "GRAPH":
            brace = next(
                (i for i in range(index + 1, len(template)) if template[i].text == "{"), None
            )
            if brace is None:
                return True
            _inside, index = _block(template, brace)
        elif token.text == ".":
            index += 1
        else:
            return True
    return False


def _default_graph_writes(operation: list[_Token]) -> list[str]:
    words = [t.word for t in operation if t.word]
    if not words:
        return []
    head = words[0]
    if head in ("CLEAR", "DROP"):
        rest = [w for w in words[1:] if w != "SILENT"]
        return [f"{head} DEFAULT"] if rest[:1] == ["DEFAULT"] else []
    if head in ("ADD", "MOVE", "COPY"):
        return [f"{head} … DEFAULT"] if "DEFAULT" in words else []
    found = []
    with_graph = head == "WITH"
    depth = 0
    for index, token in enumerate(operation):
        if token.text == "{":
            depth += 1
        elif token.text == "}":
            depth -= 1
        if depth or token.word not in ("INSERT", "DELETE"):
            continue
        following = operation[index + 1 : index + 2]
        data_or_where = bool(following) and following[0].word in ("DATA", "WHERE")
        brace = next((i for i in range(index + 1, len(operation)) if operation[i].text == "{"), 0)
        if not brace:
            continue
        template, _after = _block(operation, brace)
        named_by_with = with_graph and not data_or_where
        if not named_by_with and _triples_outside_graph(template):
            kind = f"{token.word} {following[0].word}" if data_or_where else f"{token.word} {{…}}"
            found.append(f"{kind} without GRAPH")
    return found


def default_graph_writes(text: str) -> list[str]:
    """The operations of ``text`` that would write the default graph (``INSERT DATA without
    GRAPH``, ``CLEAR DEFAULT`` …), in order; empty when it writes named graphs only."""
    tokens = _tokens(text)
    return [
        found for operation in _operations(tokens) for found in _default_graph_writes(operation)
    ]
