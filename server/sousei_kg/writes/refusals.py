"""What a write may not do, and how the writer says so.

The rules the writer applies to every change before it validates it: no read-only graph, no
default graph (every query reads the union of the named graphs there), and no more than
:class:`WriteLimits` allow. Kept apart from the writer so that the HTTP layer can map refusals to
statuses (:mod:`sousei_kg.http.errors`) without importing the commit machinery.
"""

from dataclasses import dataclass
from typing import Literal

from pyoxigraph import DefaultGraph, NamedNode, Store
from pyoxigraph import Literal as RdfLiteral

from sousei_kg.dataset.validation import ValidationOutcome
from sousei_kg.errors import SouseiError
from sousei_kg.namespaces import ONTOLOGY_GRAPH, SHAPES_GRAPH
from sousei_kg.writes.journal import Change

READ_ONLY_GRAPHS = frozenset({ONTOLOGY_GRAPH, SHAPES_GRAPH})
"""Graphs no write may change: the vocabulary and the shapes every write is checked against."""


RefusalReason = Literal[
    "read-only",
    "invalid-data",
    "unfinished-write",
    "default-graph",
    "too-large",
    "deadline",
    "missing-graph",
    "graph-exists",
    "not-applicable",
]
"""Why a write is refused: it touches a read-only graph; it would add a SHACL violation; an
earlier write stopped half-way (only a restart finishes it); it writes to the default graph (the
read-only union of the named graphs); it changes more quads or longer literals than a write may;
it did not finish in time; it drops, clears or moves a graph that does not exist; it creates one
that does; the engine cannot apply it for another reason (its message says why)."""


class WriteRefusedError(SouseiError):
    """A write the server will not apply; the store is unchanged.

    Args:
        reason: why (the HTTP layer maps it to a status, :mod:`sousei_kg.http.errors`).
        message: what is wrong, safe to show the client.
        outcome: for ``invalid-data``, the validation of the post-state (its report goes to the
            client).
    """

    def __init__(
        self, reason: RefusalReason, message: str, outcome: ValidationOutcome | None = None
    ) -> None:
        self.reason: RefusalReason = reason
        self.message = message
        self.outcome = outcome
        super().__init__(message)


@dataclass(frozen=True)
class WriteLimits:
    """How much one write may change.

    Attributes:
        max_quads: quads added plus quads removed.
        max_literal_bytes: the UTF-8 length of any literal it adds.
    """

    max_quads: int = 50_000
    max_literal_bytes: int = 64 * 1024


def check_limits(change: Change, limits: WriteLimits) -> None:
    """Refuse a change larger than one write may make.

    Raises:
        WriteRefusedError: ``too-large``, naming the limit.
    """
    size = len(change.added) + len(change.removed)
    if size > limits.max_quads:
        raise WriteRefusedError(
            "too-large",
            f"the write changes {size} quads, more than the limit of {limits.max_quads} per "
            "write; split it into smaller writes",
        )
    longest = max(
        (
            len(term.value.encode("utf-8"))
            for quad in change.added
            for term in (quad.object, quad.subject)
            if isinstance(term, RdfLiteral)
        ),
        default=0,
    )
    if longest > limits.max_literal_bytes:
        raise WriteRefusedError(
            "too-large",
            f"the write adds a literal of {longest} bytes, more than the limit of "
            f"{limits.max_literal_bytes} bytes",
        )


def check_graphs(change: Change, store: Store) -> None:
    """Refuse a change to a read-only graph or to the default graph.

    Updates that write the default graph are refused earlier, from their text
    (:mod:`sousei_kg.sparql.update_targets`): this is the backstop for any write.

    Raises:
        WriteRefusedError: ``read-only`` or ``default-graph``.
    """
    touched = sorted(change.graph_names() & READ_ONLY_GRAPHS)
    if touched:
        raise WriteRefusedError(
            "read-only",
            f"{touched[0]} is read-only: writes may not change the vocabulary or shapes",
        )
    if any(isinstance(q.graph_name, DefaultGraph) for q in change.added | change.removed):
        raise default_graph_refusal(store, ["the write"])


def default_graph_refusal(store: Store, operations: list[str]) -> WriteRefusedError:
    """The refusal of a write to the default graph, naming the graphs a write may name."""
    writable = sorted(
        g.value
        for g in store.named_graphs()
        if isinstance(g, NamedNode) and g.value not in READ_ONLY_GRAPHS
    )
    return WriteRefusedError(
        "default-graph",
        f"{operations[0]} writes the default graph, which here is the read-only union of the "
        "named graphs, so it would be lost or change nothing: name the graph to change "
        "(INSERT DATA { GRAPH <g> { … } }, DELETE { GRAPH <g> { … } } WHERE { … }, WITH <g> …, "
        "CLEAR GRAPH <g>, /store?graph=<g>); writable graphs: "
        + (", ".join(writable) or "none yet (CREATE GRAPH <g>)"),
    )
