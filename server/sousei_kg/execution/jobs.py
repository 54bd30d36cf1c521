"""What a query job carries to a worker and what comes back: plain, picklable values only."""

from dataclasses import dataclass, field
from typing import Literal

QueryForm = Literal["solutions", "boolean", "graph"]

#: A term bound by substitution, as plain values:
#: ("iri", value) | ("literal", value, language, datatype) | ("bnode", id)
TermSpec = tuple[str, ...]

#: A query hint as plain values: (message, the IRI the query names, the nearest IRI or "").
HintSpec = tuple[str, str, str]


@dataclass(frozen=True)
class QueryJob:
    """One query to evaluate.

    Attributes:
        query: the SPARQL text, already checked by the SERVICE/LOAD guard.
        solutions_format: the negotiated format key for SELECT/ASK results (``json``, ``csv``…),
            or ``None`` if the client accepts none (then such a result is "not acceptable").
        graph_format: the negotiated format key for CONSTRUCT/DESCRIBE results, or ``None``.
        row_cap: at most this many rows (or triples) are returned; one more is read to know
            whether the answer was cut. 0: no cap, and a worker streams the answer as it is
            produced (:class:`StreamStart`).
        default_graphs: ``default-graph-uri`` values; with ``named_graphs``, ``None`` for both
            means the request names no dataset (see ``store.run_protocol_query``).
        named_graphs: ``named-graph-uri`` values, or ``None``.
        union_default_graph: without a protocol dataset, whether the default graph is the union of
            all graphs (``False`` when the query has its own FROM).
        base_iri: what relative IRIs in the query resolve against.
        substitutions: variable name → term, bound before evaluation (never pasted as text).
        cap_link: a URL explaining the result cap, written into the body of a capped JSON or XML
            answer (the formats with room for it).
        byte_cap: at most this many bytes of answer (fewer rows are kept, and the answer is marked
            as cut like a row-capped one); 0: no byte cap. Applies with ``row_cap`` only (an
            uncapped answer is streamed, bounded by the time limit).
        hints: query hints (IRIs of ours the dataset lacks), written into ``head.hints`` of a
            SPARQL JSON answer of SELECT rows; the HTTP layer sends them as a header too.
        detached: the query reads no statement (every row is in its text, ``VALUES``), so it
            runs against an empty store: against a large on-disk one the engine still looks
            each term of the text up in it (0.2-0.37 s for 10,000 rows at 10 M triples, 0.045 s
            detached). Only our own internal queries set it, never a client's text.
    """

    query: str
    solutions_format: str | None
    graph_format: str | None
    row_cap: int
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    union_default_graph: bool = True
    base_iri: str | None = None
    substitutions: tuple[tuple[str, TermSpec], ...] = field(default_factory=tuple)
    cap_link: str | None = None
    byte_cap: int = 0
    hints: tuple[HintSpec, ...] = ()
    detached: bool = False


@dataclass(frozen=True)
class QueryOutcome:
    """A finished query.

    Attributes:
        form: what kind of result it was.
        format_key: the format ``body`` is written in.
        body: the serialized result.
        rows: rows (SELECT), 1 (ASK) or triples (CONSTRUCT/DESCRIBE) in ``body``.
        truncated: whether more rows existed than ``row_cap`` allowed.
    """

    form: QueryForm
    format_key: str
    body: bytes
    rows: int
    truncated: bool


@dataclass(frozen=True)
class QueryFailure:
    """A query the engine refused; ``kind`` tells the HTTP layer which status to use.

    ``syntax`` (400, with line and column), ``parameter`` (400), ``not-acceptable`` (406, the form
    has no acceptable format), ``refused`` (400: a remote engine refused a query pyoxigraph
    accepts; the message is the start of the engine's), ``memory`` (503: past the worker's memory
    limit per query), ``engine`` (500: a bug or a broken store;
    the message is generic).

    ``detail`` is for the server's log only, never for the client: for an engine failure, the
    exception's class and the first line of its message (:func:`failure_detail`).
    """

    kind: Literal["syntax", "parameter", "not-acceptable", "refused", "memory", "engine"]
    message: str
    line: int | None = None
    column: int | None = None
    form: QueryForm | None = None
    detail: str | None = None


@dataclass(frozen=True)
class StreamStart:
    """The first message of a streamed answer (a job without a cap, evaluated by a worker).

    The body follows as ``bytes`` messages, as the engine writes it, then a :class:`StreamEnd`.
    Whether an answer is complete cannot be announced before its first byte here; an answer that
    fails midway is broken off, never ended as if complete.
    """

    form: QueryForm
    format_key: str


@dataclass(frozen=True)
class StreamEnd:
    """The last message of a streamed answer; ``failed``: the engine stopped with an error after
    the first bytes were sent (the HTTP answer is then broken off), and ``detail`` says which
    (for the server's log only, as in :class:`QueryFailure`)."""

    failed: bool = False
    detail: str | None = None


DETAIL_CHARS = 300
"""Longest failure detail sent back from a worker (and logged)."""


def failure_detail(error: BaseException) -> str:
    """What the server's log says about an engine failure: the exception's class and the first
    line of its message, bounded (an engine message can carry a remote body or a whole query)."""
    lines = str(error).strip().splitlines()
    text = f"{type(error).__name__}: {lines[0] if lines else ''}".rstrip(": ")
    return text if len(text) <= DETAIL_CHARS else text[:DETAIL_CHARS] + "…"
