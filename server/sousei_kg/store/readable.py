"""What the read path needs from a store: the embedded ``pyoxigraph.Store``, or anything that
reads the same way (the remote engine's store in :mod:`sousei_kg.remote` implements this protocol;
the store package never imports it).

Only the methods and arguments the server actually uses are part of the protocol, so a backend
implements exactly those.
"""

from collections.abc import Iterator
from typing import Protocol, runtime_checkable

from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    QueryBoolean,
    QuerySolutions,
    QueryTriples,
    Triple,
    Variable,
)

Term = NamedNode | Literal
"""A value a caller binds to a query variable."""
Bound = NamedNode | BlankNode | Literal | Triple
"""What pyoxigraph substitutes for a variable."""


class TripleStream(Protocol):
    """The triples of a CONSTRUCT or DESCRIBE answer, read as they are iterated."""

    def __iter__(self) -> Iterator[Triple]: ...


QueryResult = QuerySolutions | QueryBoolean | QueryTriples | TripleStream
"""What a query gives: solutions (SELECT), a boolean (ASK) or triples (CONSTRUCT, DESCRIBE)."""


class ReadableStore(Protocol):
    """A store the server reads from (every read path takes one; writes need a ``Store``)."""

    def query(
        self,
        query: str,
        *,
        base_iri: str | None = None,
        use_default_graph_as_union: bool = False,
        default_graph: list[NamedNode | BlankNode | DefaultGraph] | None = None,
        named_graphs: list[NamedNode | BlankNode] | None = None,
        substitutions: dict[Variable, Bound] | None = None,
    ) -> QueryResult:
        """Evaluate a SPARQL query (see ``pyoxigraph.Store.query``)."""
        ...

    def __iter__(self) -> Iterator[Quad]:
        """Every quad."""
        ...

    def __len__(self) -> int:
        """How many quads."""
        ...

    def quads_for_pattern(
        self,
        subject: None,
        predicate: None,
        object: None,
        graph_name: NamedNode | DefaultGraph | None = None,
        /,
    ) -> Iterator[Quad]:
        """The quads of one graph (the only pattern the server asks for)."""
        ...

    def named_graphs(self) -> Iterator[NamedNode | BlankNode]:
        """Every named graph."""
        ...

    def contains_named_graph(self, graph_name: NamedNode, /) -> bool:
        """Whether the named graph exists (possibly empty)."""
        ...


@runtime_checkable
class CountsItsGraphs(Protocol):
    """A store that counts quads per graph itself (a remote engine counts without sending every
    quad); others are counted by iterating."""

    def graph_counts(self) -> dict[str, int]:
        """Quads per named-graph IRI."""
        ...
