"""A read-only store that answers from a remote SPARQL engine, shaped like the part of
``pyoxigraph.Store`` the server reads through (``query``, iteration, graphs, length).

Every module that reads the knowledge graph (pages, named queries, VoID, DCAT, search, dumps)
keeps working unchanged on either backend, and the answers are pyoxigraph objects: SELECT and ASK
answers are parsed by ``pyoxigraph.parse_query_results`` and CONSTRUCT answers by
``pyoxigraph.parse``, lazily, so the row cap stops reading where it stops.

Before anything is sent, the query is parsed by pyoxigraph against an empty local store: the same
syntax errors (with line and column) and the same parameter checks as the embedded backend, and no
request reaches the engine for text that is not a query. The server's SERVICE/LOAD guard runs
before this, as on the embedded store.

Only this dataset's graphs are ever read: the default graph is their union (sent as
``default-graph-uri``), the named graphs are exactly them (``named-graph-uri``), and a ``FROM``
or protocol graph the dataset does not have reads as an empty graph, as it does embedded.
"""

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import chain

from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    NamedNode,
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    Store,
    Triple,
    Variable,
    parse,
    parse_query_results,
)

from sousei_kg.remote.query_text import Bindable, dataset_clause, query_form, with_bindings
from sousei_kg.remote.sparql_client import (
    N_TRIPLES,
    RESULTS_JSON,
    RemoteAnswer,
    RemoteEndpoints,
    RemoteUnavailableError,
    send_query,
)
from sousei_kg.sparql.internal_queries import internal_query

EMPTY_GRAPH = "urn:x-sousei-kg:empty-graph"
"""Sent in place of an empty graph list: the protocol reads "no ``default-graph-uri``" as "the
engine's own default graph", so an empty dataset must name a graph that holds nothing."""

_ASK_COLUMN = "__ASK_RETVAL"
"""Virtuoso 7 answers ASK with a one-row table in this column instead of a boolean."""

# Parses and checks queries (and parameters) without data; pyoxigraph stores are thread-safe.
_SYNTAX_CHECKER = Store()


class RemoteTriples:
    """The triples of a CONSTRUCT or DESCRIBE answer, read from the engine as they are iterated.

    The connection is released when the triples run out or the object is closed or collected.
    """

    def __init__(self, answer: RemoteAnswer) -> None:
        self._answer = answer
        self._triples: Iterator[Triple] = (
            quad.triple for quad in parse(answer.body, format=RdfFormat.N_TRIPLES)
        )

    def __iter__(self) -> Iterator[Triple]:
        try:
            yield from self._triples
        finally:
            self.close()

    def close(self) -> None:
        """Release the connection (idempotent)."""
        self._answer.close()

    def __del__(self) -> None:
        self.close()


RemoteResult = QuerySolutions | QueryBoolean | RemoteTriples


class RemoteStore:
    """The dataset's graphs in a remote engine, read through the SPARQL 1.1 Protocol.

    Args:
        endpoints: where the engine answers.
        graphs: the dataset's named-graph IRIs (the shipped graphs, and any extra ones the
            publisher loaded); nothing else in the engine is read.
        timeout: seconds an answer may take (the server's query time limit).
    """

    def __init__(self, endpoints: RemoteEndpoints, graphs: Sequence[str], timeout: float) -> None:
        self.endpoints = endpoints
        self.graphs: tuple[str, ...] = tuple(dict.fromkeys(graphs))
        self.timeout = timeout
        self._counts: dict[str, int] | None = None

    # -- queries ---------------------------------------------------------------------------

    def query(
        self,
        query: str,
        *,
        base_iri: str | None = None,
        use_default_graph_as_union: bool = False,
        default_graph: Sequence[NamedNode | BlankNode | DefaultGraph] | None = None,
        named_graphs: Sequence[NamedNode | BlankNode] | None = None,
        substitutions: Mapping[Variable, Bindable] | None = None,
    ) -> RemoteResult:
        """Evaluate a query on the engine, over the dataset pyoxigraph's ``Store.query`` would
        use with the same arguments.

        Raises:
            SyntaxError: the query does not parse (pyoxigraph's message, with its position).
            RuntimeError: a substitution names a variable the query does not select.
            ValueError: a graph or base IRI is not an absolute IRI, or the query cannot be sent
                (``RemoteQueryError``).
            RemoteRefusedError, RemoteUnavailableError: what the engine said.
        """
        bindings = dict(substitutions or {})
        _SYNTAX_CHECKER.query(query, base_iri=base_iri, substitutions=bindings or None)
        form = query_form(query)
        if default_graph is not None or named_graphs is not None:
            default = tuple(g.value for g in default_graph or () if isinstance(g, NamedNode))
            named = tuple(g.value for g in named_graphs or () if isinstance(g, NamedNode))
        elif use_default_graph_as_union:
            default = named = self.graphs
        else:
            clause = dataset_clause(query, base_iri)
            default = clause.default if clause else ()
            named = clause.named if clause else self.graphs
        answer = send_query(
            self.endpoints,
            with_bindings(query, bindings),
            accept=N_TRIPLES if form in ("CONSTRUCT", "DESCRIBE") else RESULTS_JSON,
            default_graphs=self._ours(default),
            named_graphs=self._ours(named),
            timeout=self.timeout,
        )
        if form in ("CONSTRUCT", "DESCRIBE"):
            return RemoteTriples(answer)
        try:
            body = answer.body if self.endpoints.engine != "virtuoso" else _virtuoso(answer)
            result = parse_query_results(body, format=QueryResultsFormat.JSON)
        except (SyntaxError, ValueError) as error:
            answer.close()
            raise RemoteUnavailableError(
                "the SPARQL engine's answer is not valid SPARQL JSON results"
            ) from error
        if form == "ASK" and isinstance(result, QuerySolutions):
            return _ask_from_table(result)
        return result

    def _ours(self, graphs: Iterable[str]) -> tuple[str, ...]:
        kept = tuple(g for g in graphs if g in self.graphs)
        return kept or (EMPTY_GRAPH,)

    # -- what the server reads about the whole dataset --------------------------------------

    def graph_counts(self) -> dict[str, int]:
        """Triples per dataset graph that the engine holds (graphs it lacks are left out)."""
        if self._counts is None:
            # The named graphs are the dataset's (named-graph-uri), so GRAPH ?g ranges over them
            # alone; the rows are still kept to those graphs, whatever an engine makes of that.
            answer = send_query(
                self.endpoints,
                internal_query("graph-counts"),
                accept=RESULTS_JSON,
                default_graphs=(EMPTY_GRAPH,),
                named_graphs=self._ours(self.graphs),
                timeout=self.timeout,
            )
            try:
                rows = parse_query_results(answer.body, format=QueryResultsFormat.JSON)
                assert isinstance(rows, QuerySolutions)  # noqa: S101 (a SELECT)
                self._counts = {
                    row["g"].value: int(row["n"].value)
                    for row in rows
                    if row["g"] is not None and row["g"].value in self.graphs
                }
            finally:
                answer.close()
        return {g: n for g, n in sorted(self._counts.items()) if n}

    def named_graphs(self) -> Iterator[NamedNode]:
        """The dataset graphs the engine holds."""
        return (NamedNode(g) for g in self.graph_counts())

    def contains_named_graph(self, graph: NamedNode) -> bool:
        """Whether the engine holds this dataset graph."""
        return graph.value in self.graph_counts()

    def __len__(self) -> int:
        return sum(self.graph_counts().values())

    def __iter__(self) -> Iterator[Quad]:
        return chain.from_iterable(
            self.quads_for_pattern(None, None, None, NamedNode(g)) for g in self.graph_counts()
        )

    def quads_for_pattern(
        self,
        _subject: None,
        _predicate: None,
        _object: None,
        graph_name: NamedNode | DefaultGraph | None = None,
    ) -> Iterator[Quad]:
        """The quads of one dataset graph: the only pattern the server asks for (any subject,
        predicate and object), so the first three arguments must be ``None``.

        Raises:
            RemoteUnavailableError: if the engine returned fewer triples than it counts (an
                engine-side row limit such as Virtuoso's ``ResultSetMaxRows``).
        """
        if not isinstance(graph_name, NamedNode) or graph_name.value not in self.graphs:
            return iter(())
        expected = self.graph_counts().get(graph_name.value, 0)
        answer = send_query(
            self.endpoints,
            with_bindings(internal_query("graph-triples"), {Variable("g"): graph_name}),
            accept=N_TRIPLES,
            default_graphs=(EMPTY_GRAPH,),
            named_graphs=(graph_name.value,),
            timeout=self.timeout,
        )
        triples = list(RemoteTriples(answer))
        if len(triples) != expected:
            raise RemoteUnavailableError(
                f"the SPARQL engine returned {len(triples)} of the {expected} triples of "
                f"{graph_name.value}; raise its result row limit (Virtuoso: ResultSetMaxRows)"
            )
        return (Quad(t.subject, t.predicate, t.object, graph_name) for t in triples)


_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
_VIRTUOSO_BOOLEANS = {"1": "true", "0": "false"}


def _virtuoso(answer: RemoteAnswer) -> bytes:
    """Virtuoso's SPARQL JSON results with its booleans written as RDF stores them.

    Virtuoso keeps ``xsd:boolean`` as an integer and writes ``"1"^^xsd:boolean`` in SPARQL
    results (its N-Triples say ``"true"``): the same value, but another term than the data holds,
    so the rows would differ from every other backend. The answer is read whole to rewrite it.
    """
    try:
        document = json.loads(answer.body.read())
    finally:
        answer.close()
    for row in document.get("results", {}).get("bindings", []):
        for cell in row.values():
            if cell.get("datatype") == _BOOLEAN and cell.get("value") in _VIRTUOSO_BOOLEANS:
                cell["value"] = _VIRTUOSO_BOOLEANS[cell["value"]]
    return json.dumps(document).encode("utf-8")


def _ask_from_table(table: QuerySolutions) -> QueryBoolean | QuerySolutions:
    """Virtuoso's ASK answer (a table with one ``__ASK_RETVAL`` cell) as the boolean it means."""
    if [v.value for v in table.variables] != [_ASK_COLUMN]:
        return table
    rows = list(table)
    value = bool(rows) and rows[0][_ASK_COLUMN] is not None and rows[0][_ASK_COLUMN].value == "1"
    boolean = parse_query_results(
        json.dumps({"head": {}, "boolean": value}), format=QueryResultsFormat.JSON
    )
    assert isinstance(boolean, QueryBoolean)  # noqa: S101 (a boolean document)
    return boolean


__all__ = ["EMPTY_GRAPH", "RemoteResult", "RemoteStore", "RemoteTriples"]
