"""A Triple Pattern Fragment request read from its parameters, bounded before anything parses.

The Linked Data Fragments convention (what Comunica and the reference server write): an IRI is
written as it is (``http://…``, or ``<http://…>``), a literal as ``"text"``, ``"text"@ja`` or
``"5"^^http://www.w3.org/2001/XMLSchema#integer`` (the text unescaped, so the *last* quote ends
it), and an empty value, ``?name`` or ``_:label`` is a variable (blank nodes are not addressable
across documents, so they cannot be looked up). ``graph`` selects one named graph (Quad Pattern
Fragments); :data:`UNION_GRAPH`, the graph the fragments declare as ``sd:defaultGraph``, is the
union of the named graphs. ``page`` is a positive number.

The result is a :class:`Pattern` of pyoxigraph terms: what reaches the store is terms bound by
substitution, never text.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal as TypingLiteral

from pyoxigraph import Literal, NamedNode

from sousei_kg.errors import SouseiError
from sousei_kg.namespaces import GRAPH

UNION_GRAPH = GRAPH + "union"
"""The name the fragments give the union of the named graphs (their ``sd:defaultGraph``), so a
client that sends default-graph patterns as ``graph=…`` (Comunica) reads the union."""

MAX_TERM_CHARS = 4096
"""The longest term a parameter may hold (the URL is bounded too: ``--max-url-bytes``)."""

MAX_PAGE = 1_000_000
"""The highest page number read (a fragment has at most its size / page size pages anyway)."""

PARAMETERS = ("subject", "predicate", "object", "graph", "page")

_LITERAL = re.compile(
    r'"(?P<text>.*)"(?:\^\^(?P<datatype>\S+)|@(?P<language>[A-Za-z0-9-]+))?', re.S
)

GraphSelector = NamedNode | TypingLiteral["all", "union"]
"""Which graphs a fragment reads: ``all`` (each quad in its named graph), ``union`` (the union of
the named graphs as triples), or one named graph."""


class FragmentRequestError(SouseiError):
    """A fragment request the server cannot read (a malformed term, a repeated parameter, a bad
    page number); the message says which parameter and why (400)."""


class FragmentPageNotFoundError(SouseiError):
    """A page past the last page of a fragment (404)."""


@dataclass(frozen=True)
class Pattern:
    """A quad pattern: ``None`` is a variable.

    Attributes:
        subject, predicate, object: the triple pattern's terms.
        graph: the graphs read.
        page: the page asked for, from 1.
        given: the parameters as sent (for the links to other pages), by name.
        paged: whether the request named its page (else its URL is also the fragment's IRI).
    """

    subject: NamedNode | None
    predicate: NamedNode | None
    object: NamedNode | Literal | None
    graph: GraphSelector
    page: int
    given: tuple[tuple[str, str], ...]
    paged: bool = False

    @property
    def key(self) -> tuple[str, ...]:
        """What the fragment's content depends on (not the page): a cache key."""
        graph = self.graph if isinstance(self.graph, str) else "<" + self.graph.value + ">"
        terms = (self.subject, self.predicate, self.object)
        return (*("" if term is None else str(term) for term in terms), graph)


def _variable(value: str) -> bool:
    return value == "" or value.startswith(("?", "_:"))


def _iri(name: str, value: str) -> NamedNode:
    text = value[1:-1] if value.startswith("<") and value.endswith(">") else value
    try:
        return NamedNode(text)
    except ValueError:
        raise FragmentRequestError(
            f"{name}: {_shown(value)} is not an IRI (write an IRI as it is, a literal in quotes, "
            "or leave the parameter out for a variable)"
        ) from None


def _literal(value: str) -> Literal:
    match = _LITERAL.fullmatch(value)
    if match is None:
        raise FragmentRequestError(
            f'object: {_shown(value)} is not a literal ("text", "text"@lang or '
            '"text"^^datatype-IRI)'
        )
    text, datatype, language = match.group("text", "datatype", "language")
    try:
        if language is not None:
            return Literal(text, language=language)
        if datatype is not None:
            return Literal(text, datatype=_iri("object datatype", datatype))
        return Literal(text)
    except ValueError as error:
        message = f"object: {_shown(value)} is not a valid literal: {error}"
        raise FragmentRequestError(message) from None


def _shown(value: str) -> str:
    """A client's value, shortened for a message."""
    return repr(value if len(value) <= 80 else value[:77] + "...")


def _single(params: Mapping[str, Sequence[str]], name: str) -> str:
    values = params.get(name, [])
    if len(values) > 1:
        raise FragmentRequestError(f"{name} is given {len(values)} times; give it at most once")
    value = values[0] if values else ""
    if len(value) > MAX_TERM_CHARS:
        raise FragmentRequestError(
            f"{name} is {len(value)} characters long, more than the limit of {MAX_TERM_CHARS}"
        )
    return value


def _page(value: str) -> int:
    if value == "":
        return 1
    if not value.isdigit() or len(value) > len(str(MAX_PAGE)) or not 1 <= int(value) <= MAX_PAGE:
        raise FragmentRequestError(f"page: {_shown(value)} is not a page number (1 to {MAX_PAGE})")
    return int(value)


def read_pattern(params: Mapping[str, Sequence[str]]) -> Pattern:
    """The pattern a request asks for.

    Args:
        params: the query parameters, each with every value it was given.

    Raises:
        FragmentRequestError: a term is malformed or too long, a parameter is repeated, a literal
            is given where only an IRI may stand, or the page is not a number in range.
    """
    raw = {name: _single(params, name) for name in PARAMETERS}
    subject, predicate, obj, graph = (raw[n] for n in ("subject", "predicate", "object", "graph"))
    for name, value in (("subject", subject), ("predicate", predicate), ("graph", graph)):
        if value.startswith('"'):
            raise FragmentRequestError(f"{name}: a literal cannot be a {name}")
    selector: GraphSelector = "all"
    if not _variable(graph):
        named = _iri("graph", graph)
        selector = "union" if named.value == UNION_GRAPH else named
    return Pattern(
        subject=None if _variable(subject) else _iri("subject", subject),
        predicate=None if _variable(predicate) else _iri("predicate", predicate),
        object=None
        if _variable(obj)
        else (_literal(obj) if obj.startswith('"') else _iri("object", obj)),
        graph=selector,
        page=_page(raw["page"]),
        given=tuple((n, raw[n]) for n in PARAMETERS[:4] if raw[n] != ""),
        paged=raw["page"] != "",
    )
