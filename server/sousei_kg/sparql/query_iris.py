"""The IRIs a SPARQL query names: its ``<…>`` IRIs and its prefixed names, expanded.

What query hints compare with the dataset (:mod:`sousei_kg.linked_data.query_hints`). A light scan
built on the lexer's terminals (:mod:`sousei_kg.sparql.terminals`), not a parser: it skips
comments, strings, variables and language tags, records ``PREFIX`` and ``BASE`` declarations, and
reads every other ``<…>`` and ``prefix:local`` as an IRI. A prefixed name whose prefix the text
does not declare is left out (the engine refuses the query anyway), and so are the IRIs of the
declarations themselves (a namespace is not a resource). It never raises: a text it cannot read to
the end gives the IRIs found until then, since hints only advise.

Linear in the length of the text; the caller remembers the answer per text.
"""

import re
from urllib.parse import urljoin

from sousei_kg.sparql import terminals
from sousei_kg.sparql.terminals import LexerError

_PREFIXED = re.compile(r"([A-Za-z][\w\-.]*)?:((?:[\w\-:%\u00b7]|\\.|\.(?=[\w\-:%]))*)")
_SKIP = re.compile(r"[?$][\w\u00b7\u00c0-\U0010ffff]+|@[A-Za-z]+(?:-[A-Za-z0-9]+)*|_:[\w\-.]*")
_WORD = re.compile(r"[A-Za-z_][\w\-]*")
_BASE = " base"  # no prefix name holds a space


def named_iris(text: str, base: str | None = None) -> tuple[str, ...]:
    """The IRIs ``text`` names, in order of first appearance, each once.

    Args:
        text: a SPARQL query.
        base: what relative IRIs resolve against (the endpoint's URL), besides a ``BASE`` of the
            text; without either, relative IRIs are left out.
    """
    found: dict[str, None] = {}
    prefixes: dict[str, str] = {}
    declaring: str | None = None  # the prefix name after PREFIX, or _BASE after BASE
    expect: str | None = None  # "prefix" after the PREFIX keyword
    i, n = 0, len(text)
    try:
        while i < n:
            char = text[i]
            if char in " \t\r\n":
                i += 1
            elif char == "#":
                i = terminals.comment_end(text, i)
            elif char in "'\"":
                i = terminals.string_end(text, i)
                declaring = expect = None
            elif char == "<" and (match := terminals.IRIREF.match(text, i)) is not None:
                iri = terminals.iri(match)
                resolved = urljoin(base, iri) if base and ":" not in iri else iri
                if declaring is None:
                    if ":" in resolved:
                        found.setdefault(resolved, None)
                elif declaring == _BASE:
                    base = resolved
                else:
                    prefixes[declaring] = resolved
                declaring = expect = None
                i = match.end()
            elif (skip := _SKIP.match(text, i)) is not None:
                i = skip.end()
                declaring = expect = None
            elif (name := _PREFIXED.match(text, i)) is not None:
                prefix, local = name.group(1) or "", name.group(2)
                if expect == "prefix" and not local:
                    declaring = prefix
                elif prefix in prefixes and declaring is None:
                    found.setdefault(prefixes[prefix] + local.replace("\\", ""), None)
                expect = None
                i = name.end()
            elif (word := _WORD.match(text, i)) is not None:
                upper = word.group(0).upper()
                expect = "prefix" if upper == "PREFIX" else None
                declaring = _BASE if upper == "BASE" else None
                i = word.end()
            else:
                declaring = expect = None
                i += 1
    except LexerError:
        pass
    return tuple(found)
