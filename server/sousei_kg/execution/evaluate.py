"""Evaluate one :class:`QueryJob` against a store: run, cap, serialize.

The same function runs inside worker processes and, in tests, in process. It reads at most
``row_cap + 1`` rows, so the caller always learns whether the answer is complete before any byte
of it is sent. A job without a cap (``row_cap`` 0) is evaluated whole by :func:`evaluate`, or by a
worker with :func:`stream`, which sends the answer on as the engine writes it, so that neither
process holds more than a chunk of it.
"""

import re
from collections.abc import Callable
from functools import partial
from itertools import islice
from typing import IO, TypeVar, cast

from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    Store,
    Variable,
)

from sousei_kg.errors import QuerySyntaxError
from sousei_kg.execution.jobs import (
    QueryFailure,
    QueryJob,
    QueryOutcome,
    StreamEnd,
    StreamStart,
    TermSpec,
    failure_detail,
)
from sousei_kg.execution.writers import SOLUTION_WRITERS, write_json
from sousei_kg.sparql.formats import by_key
from sousei_kg.sparql.graph_serialization import serialize_graph, write_graph
from sousei_kg.store.large_stack import run_on_large_stack
from sousei_kg.store.query import run_protocol_query
from sousei_kg.store.readable import ReadableStore

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


def evaluate(
    store: ReadableStore, job: QueryJob, *, union_in_default_graph: bool = False
) -> QueryOutcome | QueryFailure:
    """Run ``job`` on ``store``, on a thread with a large stack (see
    :mod:`sousei_kg.store.large_stack`).

    Args:
        store: the store.
        job: the query and how to answer it.
        union_in_default_graph: the store's default graph already holds the union of its graphs
            (:mod:`sousei_kg.execution.union_copy`), so a union query reads it directly.

    Returns:
        The serialized outcome, or why the engine refused the query.
    """
    try:
        return run_on_large_stack(lambda: _evaluate(store, job, union_in_default_graph))
    except MemoryError:  # past the worker's memory limit, in Python (memory_limit)
        return QueryFailure("memory", "the query needed more memory than a query may use")


def _evaluate(
    store: ReadableStore, job: QueryJob, union_in_default_graph: bool
) -> QueryOutcome | QueryFailure:
    result = _run(store, job, union_in_default_graph)
    if isinstance(result, QueryFailure):
        return result
    try:
        return _serialize(result, job)
    except (OSError, RuntimeError, SyntaxError) as error:
        # Raised lazily while rows are produced (a store read error, or a federated call that the
        # guard should have refused and the network namespace stopped). Never echo engine text
        # to the client (it can carry a remote body): it goes to the server's log as the detail.
        return QueryFailure(
            "engine", "the query could not be evaluated", detail=failure_detail(error)
        )


_EMPTY = Store()
"""What a detached job runs against (:attr:`QueryJob.detached`): it reads nothing, and nothing
ever writes to it."""


def _run(store: ReadableStore, job: QueryJob, union_in_default_graph: bool) -> object:
    """Start the query: its (lazy) result, or why the engine refused it."""
    try:
        substitutions = {Variable(name): term_from_spec(spec) for name, spec in job.substitutions}
    except ValueError as error:
        return QueryFailure("parameter", str(error))
    try:
        result = run_protocol_query(
            _EMPTY if job.detached else store,
            job.query,
            default_graphs=job.default_graphs,
            named_graphs=job.named_graphs,
            union_default_graph=job.union_default_graph and not union_in_default_graph,
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
        return QueryFailure(
            "engine", "the query could not be evaluated", detail=failure_detail(error)
        )
    except OSError as error:
        return QueryFailure("engine", "the store could not be read", detail=failure_detail(error))
    return result


_UNPROJECTED = re.compile(r"does not contains? variable \?(\S+)")


def _parameter_message(error: str) -> str:
    # pyoxigraph refuses substitutions of variables the query does not project.
    if (match := _UNPROJECTED.search(error)) is not None:
        return (
            f"parameter {match.group(1)} is not a variable the query selects (only the "
            "variables of its SELECT can be bound)"
        )
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
        rows = [tuple(row) for row in islice(result, _read(job))]  # values in variable order
        writer = SOLUTION_WRITERS[job.solutions_format]
        if job.solutions_format == "json" and job.hints:
            writer = partial(write_json, hints=job.hints)
        kept, body, truncated = _capped(rows, job, lambda part, link: writer(variables, part, link))
        return QueryOutcome("solutions", job.solutions_format, body, kept, truncated)
    if job.graph_format is None:
        return QueryFailure("not-acceptable", "CONSTRUCT/DESCRIBE results", form="graph")
    fmt = by_key(job.graph_format)
    if fmt is None:
        return QueryFailure("not-acceptable", f"format {job.graph_format!r}", form="graph")
    triples = list(islice(result, _read(job)))  # type: ignore[call-overload]
    kept, body, truncated = _capped(triples, job, lambda part, _link: serialize_graph(part, fmt))
    return QueryOutcome("graph", job.graph_format, body, kept, truncated)


Item = TypeVar("Item")


def _capped(
    items: list[Item], job: QueryJob, write: Callable[[list[Item], str | None], bytes]
) -> tuple[int, bytes, bool]:
    """The answer written from at most ``row_cap`` items and at most ``byte_cap`` bytes: (items
    kept, body, whether it was cut). Past the byte cap, the longest prefix of items whose answer
    fits is found by bisection (a handful of writes, only for answers that were too large)."""
    truncated = bool(job.row_cap) and len(items) > job.row_cap
    items = items[: job.row_cap or None]
    body = write(items, job.cap_link if truncated else None)
    if not job.byte_cap or len(body) <= job.byte_cap:
        return len(items), body, truncated
    low, high = 0, len(items) - 1  # the answer of ``low`` items fits; of ``high + 1`` does not
    while low < high:
        middle = (low + high + 1) // 2
        if len(write(items[:middle], job.cap_link)) <= job.byte_cap:
            low = middle
        else:
            high = middle - 1
    return low, write(items[:low], job.cap_link), True


def _read(job: QueryJob) -> int | None:
    """How many rows to read: one past the cap, to know whether it cut; all without a cap."""
    return job.row_cap + 1 if job.row_cap else None


STREAM_CHUNK_BYTES = 64 * 1024
"""What a streamed answer is sent on in: pyoxigraph writes ~8 KiB at a time; fewer, larger
messages cost the two processes less."""

_SOLUTION_FORMATS = {
    "json": QueryResultsFormat.JSON,
    "xml": QueryResultsFormat.XML,
    "csv": QueryResultsFormat.CSV,
    "tsv": QueryResultsFormat.TSV,
}


class _ChunkSender:
    """A binary stream pyoxigraph writes into, sending on every ``STREAM_CHUNK_BYTES``."""

    def __init__(self, send: Callable[[object], None]) -> None:
        self.send = send
        self.buffer = bytearray()

    def write(self, data: bytes, /) -> int:
        self.buffer += data
        if len(self.buffer) >= STREAM_CHUNK_BYTES:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if self.buffer:
            self.send(bytes(self.buffer))
            self.buffer.clear()


def stream(
    store: ReadableStore,
    job: QueryJob,
    send: Callable[[object], None],
    *,
    union_in_default_graph: bool = False,
) -> None:
    """Evaluate a job without a cap, sending the answer as it is produced.

    ``send`` receives a :class:`QueryFailure` (refused, nothing else follows), a whole
    :class:`QueryOutcome` (an ASK answer), or a :class:`StreamStart`, the body as ``bytes`` chunks
    and a :class:`StreamEnd`. Runs on a thread with a large stack, like :func:`evaluate`, and
    reads ``union_in_default_graph`` as it does.
    """
    run_on_large_stack(lambda: _stream(store, job, send, union_in_default_graph))


def _stream(
    store: ReadableStore,
    job: QueryJob,
    send: Callable[[object], None],
    union_in_default_graph: bool,
) -> None:
    result = _run(store, job, union_in_default_graph)
    if isinstance(result, QueryFailure | QueryBoolean):
        send(result if isinstance(result, QueryFailure) else _serialize(result, job))
        return
    if isinstance(result, QuerySolutions):
        if job.solutions_format is None:
            send(QueryFailure("not-acceptable", "SELECT results", form="solutions"))
            return
        start = StreamStart("solutions", job.solutions_format)
        fmt = _SOLUTION_FORMATS[job.solutions_format]

        def write(output: _ChunkSender) -> None:
            result.serialize(cast(IO[bytes], output), fmt)  # pyoxigraph only calls write()

    else:
        graph_format = by_key(job.graph_format) if job.graph_format else None
        if graph_format is None:
            send(QueryFailure("not-acceptable", "CONSTRUCT/DESCRIBE results", form="graph"))
            return
        start = StreamStart("graph", graph_format.key)

        def write(output: _ChunkSender) -> None:
            write_graph(result, graph_format, output)  # type: ignore[arg-type]

    send(start)
    output = _ChunkSender(send)
    try:
        write(output)
        output.flush()
    except (OSError, RuntimeError, SyntaxError, MemoryError) as error:
        # The client's answer is broken off; the detail is for the log only (see _evaluate).
        send(StreamEnd(failed=True, detail=failure_detail(error)))
        return
    send(StreamEnd())
