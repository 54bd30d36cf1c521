"""Running SPARQL against a store, and reading pyoxigraph's errors into ours.

Queries and updates go to the engine as the client wrote them; values only ever enter as bound
terms (``substitutions``). pyoxigraph reports a syntax error as ``SyntaxError("error at L:C: …")``;
:class:`~sousei_kg.errors.QuerySyntaxError` carries the line, column and message apart, so each
surface (HTTP, CLI) can say where the mistake is.
"""

import re
from collections.abc import Mapping, Sequence

from pyoxigraph import BlankNode, Literal, NamedNode, Store, Triple, Variable

from sousei_kg.errors import QueryParameterError, QuerySyntaxError, UpdateNotApplicableError
from sousei_kg.store.large_stack import run_on_large_stack
from sousei_kg.store.readable import QueryResult, ReadableStore, Term

_GRAPH_EXISTS = re.compile(r"^The graph .* already exists")
_GRAPH_MISSING = re.compile(r"^The graph .* does not exist")
_QUERY_POSITION = re.compile(r"^error at (\d+):(\d+): ")


_UNPROJECTED = re.compile(r"does not contains? variable \?(\S+)")


def run_update(store: Store, update: str, base_iri: str | None = None) -> None:
    """Apply a SPARQL 1.1 Update (one transaction), on a large stack: a deep expression in an
    update would otherwise overflow the engine's recursion and take the server down.

    Raises:
        QuerySyntaxError: if the update does not parse.
        UpdateNotApplicableError: if it parses but cannot be applied (a graph that exists or
            does not).
        OSError: if the store cannot be written.
    """
    try:
        run_on_large_stack(lambda: store.update(update, base_iri=base_iri))
    except SyntaxError as error:
        raise _query_syntax_error(error) from error
    except RuntimeError as error:  # the engine's reason, never a remote body (no LOAD runs)
        message = str(error).splitlines()[0][:300] if str(error) else "the update failed"
        if _GRAPH_EXISTS.search(message):
            raise UpdateNotApplicableError(
                "graph-exists", f"{message}; use CREATE SILENT GRAPH to allow it"
            ) from None
        if _GRAPH_MISSING.search(message):
            raise UpdateNotApplicableError(
                "missing-graph", f"{message}; add SILENT to allow a missing graph"
            ) from None
        raise UpdateNotApplicableError("not-applicable", message) from None


def run_query(
    store: ReadableStore, query: str, params: Mapping[str, Term] | None = None
) -> QueryResult:
    """Run a SPARQL query over the union of all graphs.

    Args:
        store: the store.
        query: the SPARQL text, used as is.
        params: values bound to variables of the query (SPARQL substitutions, never text).

    Returns:
        The solutions, the boolean or the triples.

    Raises:
        QuerySyntaxError: if the query does not parse.
        QueryParameterError: if a parameter is not a variable the query can bind.
    """
    substitutions: dict[Variable, NamedNode | BlankNode | Literal | Triple] = {}
    for name, term in (params or {}).items():
        try:
            substitutions[Variable(name)] = term
        except ValueError as error:
            raise QueryParameterError(f"{name!r} is not a valid variable name") from error
    try:
        return store.query(query, use_default_graph_as_union=True, substitutions=substitutions)
    except SyntaxError as error:
        raise _query_syntax_error(error) from error
    except RuntimeError as error:
        # pyoxigraph refuses substitutions of variables that the query does not project.
        match = _UNPROJECTED.search(str(error))
        if substitutions and match:
            raise QueryParameterError(
                f"parameter {match.group(1)} is not a variable the query selects"
            ) from error
        raise


def run_protocol_query(
    store: ReadableStore,
    query: str,
    *,
    default_graphs: Sequence[str] | None = None,
    named_graphs: Sequence[str] | None = None,
    union_default_graph: bool = True,
    base_iri: str | None = None,
    substitutions: Mapping[Variable, NamedNode | BlankNode | Literal | Triple] | None = None,
) -> QueryResult:
    """Run a query received through the SPARQL Protocol, over the dataset it asks for.

    Graph IRIs name graphs of this store only: nothing is ever fetched, and a graph the store
    does not hold is empty. When the request names a dataset (either list given), it replaces the
    query's FROM/FROM NAMED, as the protocol requires: the default graph is the merge of
    ``default_graphs`` (empty if none) and the named graphs are exactly ``named_graphs``.

    Args:
        store: the store.
        query: the SPARQL text, used as is.
        default_graphs: ``default-graph-uri`` values, or ``None``.
        named_graphs: ``named-graph-uri`` values, or ``None``.
        union_default_graph: without a protocol dataset, whether the default graph is the union
            of all graphs; pass ``False`` when the query has FROM/FROM NAMED, which pyoxigraph's
            union mode would otherwise override.
        base_iri: the IRI relative IRIs in the query resolve against (the endpoint's URL).
        substitutions: values bound to variables before evaluation (never pasted as text).

    Returns:
        The solutions, the boolean or the triples.

    Raises:
        QuerySyntaxError: if the query does not parse.
        ValueError: if a graph IRI or the base IRI is not an absolute IRI.
        RuntimeError: if a substitution names a variable the query does not project.
    """
    bindings = dict(substitutions) if substitutions else None
    try:
        if default_graphs is None and named_graphs is None:
            return store.query(
                query,
                base_iri=base_iri,
                use_default_graph_as_union=union_default_graph,
                substitutions=bindings,
            )
        return store.query(
            query,
            base_iri=base_iri,
            default_graph=[NamedNode(iri) for iri in default_graphs or ()],
            named_graphs=[NamedNode(iri) for iri in named_graphs or ()],
            substitutions=bindings,
        )
    except SyntaxError as error:
        raise _query_syntax_error(error) from error


def _query_syntax_error(error: SyntaxError) -> QuerySyntaxError:
    """pyoxigraph's query SyntaxError ("error at L:C: …") as a QuerySyntaxError."""
    message = str(error)
    match = _QUERY_POSITION.match(message)
    if match is None:
        return QuerySyntaxError(None, None, message)
    line, column = int(match.group(1)), int(match.group(2))
    return QuerySyntaxError(line, column, message[match.end() :])
