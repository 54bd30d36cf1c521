"""Evaluate one :class:`QueryJob` against a store: run, cap, serialize.

The same function runs inside worker processes and, in tests, in process. It reads at most
``row_cap + 1`` rows, so the caller always learns whether the answer is complete before any byte
of it is sent.
"""

from itertools import islice

from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    Variable,
)

from sousei_kg.engine_thread import run_on_large_stack
from sousei_kg.errors import QuerySyntaxError
from sousei_kg.execution.jobs import QueryFailure, QueryJob, QueryOutcome, TermSpec
from sousei_kg.execution.writers import SOLUTION_WRITERS
from sousei_kg.negotiation import by_key
from sousei_kg.results import serialize_graph
from sousei_kg.store import ReadableStore, run_protocol_query

_BOOLEAN_FORMATS = {
    "json": QueryResultsFormat.JSON,
    "xml": QueryResultsFormat.XML,
    "csv": QueryResultsFormat.CSV,
    "tsv": QueryResultsFormat.TSV,
}


def term_from_spec(spec: TermSpec) -> NamedNode | BlankNode | Literal:
    """Rebuild a term sent to a worker as plain values.

    Raises:
        ValueError: if the spec is malformed (an invalid IRI, language tag or kind).
    """
    kind = spec[0]
    if kind == "iri":
        return NamedNode(spec[1])
    if kind == "bnode":
        return BlankNode(spec[1])
    if kind == "literal":
        _, value, language, datatype = spec
        if language:
            return Literal(value, language=language)
        return Literal(value, datatype=NamedNode(datatype)) if datatype else Literal(value)
    raise ValueError(f"unknown term kind {kind!r}")


def term_to_spec(term: NamedNode | BlankNode | Literal) -> TermSpec:
    """The plain-value form of a term, for sending to a worker."""
    if isinstance(term, NamedNode):
        return ("iri", term.value)
    if isinstance(term, BlankNode):
        return ("bnode", term.value)
    return ("literal", term.value, term.language or "", term.datatype.value)


def evaluate(store: ReadableStore, job: QueryJob) -> QueryOutcome | QueryFailure:
    """Run ``job`` on ``store``, on a thread with a large stack (see :mod:`engine_thread`).

    Args:
        store: the store.
        job: the query and how to answer it.

    Returns:
        The serialized outcome, or why the engine refused the query.
    """
    return run_on_large_stack(lambda: _evaluate(store, job))


def _evaluate(store: ReadableStore, job: QueryJob) -> QueryOutcome | QueryFailure:
    try:
        substitutions = {Variable(name): term_from_spec(spec) for name, spec in job.substitutions}
    except ValueError as error:
        return QueryFailure("parameter", str(error))
    try:
        result = run_protocol_query(
            store,
            job.query,
            default_graphs=job.default_graphs,
            named_graphs=job.named_graphs,
            union_default_graph=job.union_default_graph,
            base_iri=job.base_iri,
            substitutions=substitutions,
        )
    except QuerySyntaxError as error:
        return QueryFailure("syntax", error.message, line=error.line, column=error.column)
    except ValueError as error:
        return QueryFailure("parameter", str(error))
    except RuntimeError as error:
        if substitutions:
            return QueryFailure("parameter", _parameter_message(str(error)))
        return QueryFailure("engine", "the query could not be evaluated")
    except OSError:
        return QueryFailure("engine", "the store could not be read")
    try:
        return _serialize(result, job)
    except (OSError, RuntimeError, SyntaxError):
        # Raised lazily while rows are produced (a store read error, or a federated call that the
        # guard should have refused and the network namespace stopped). Never echo engine text:
        # it can carry a remote body.
        return QueryFailure("engine", "the query could not be evaluated")


def _parameter_message(error: str) -> str:
    # pyoxigraph refuses substitutions of variables the query does not project.
    return f"a parameter names a variable the query cannot bind ({error.splitlines()[0][:200]})"


def _serialize(result: object, job: QueryJob) -> QueryOutcome | QueryFailure:
    if isinstance(result, QueryBoolean):
        if job.solutions_format is None:
            return QueryFailure("not-acceptable", "ASK results", form="boolean")
        body = result.serialize(format=_BOOLEAN_FORMATS[job.solutions_format]) or b""
        return QueryOutcome("boolean", job.solutions_format, body, 1, False)
    if isinstance(result, QuerySolutions):
        if job.solutions_format is None:
            return QueryFailure("not-acceptable", "SELECT results", form="solutions")
        variables = [v.value for v in result.variables]
        rows = [tuple(row[name] for name in variables) for row in islice(result, job.row_cap + 1)]
        truncated = len(rows) > job.row_cap
        rows = rows[: job.row_cap]
        writer = SOLUTION_WRITERS[job.solutions_format]
        body = writer(variables, rows, job.cap_link if truncated else None)
        return QueryOutcome("solutions", job.solutions_format, body, len(rows), truncated)
    if job.graph_format is None:
        return QueryFailure("not-acceptable", "CONSTRUCT/DESCRIBE results", form="graph")
    fmt = by_key(job.graph_format)
    if fmt is None:
        return QueryFailure("not-acceptable", f"format {job.graph_format!r}", form="graph")
    triples = list(islice(result, job.row_cap + 1))  # type: ignore[call-overload]
    truncated = len(triples) > job.row_cap
    triples = triples[: job.row_cap]
    return QueryOutcome(
        "graph", job.graph_format, serialize_graph(triples, fmt), len(triples), truncated
    )
