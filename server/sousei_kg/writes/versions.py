"""Versions of resources: what the change feed's members hold.

A resource is an IRI that is the subject of a statement in a writable graph (not the vocabulary
or the shapes, which no write changes). Its version is its description at one moment: every
triple with it as subject in the union of the writable graphs, plus the blank nodes those reach
(their own triples, to a bounded depth). A write changes the resources that are subjects of the
quads it adds or removes; a changed blank node changes the resources that reach it.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from pyoxigraph import BlankNode, NamedNode, Quad, Store, Triple

from sousei_kg.namespaces import ONTOLOGY_GRAPH, SHAPES_GRAPH

UNVERSIONED_GRAPHS = frozenset({ONTOLOGY_GRAPH, SHAPES_GRAPH})
"""Graphs whose subjects are not resources of the feed: no write may change them."""

MAX_BLANK_DEPTH = 8
"""How far a description follows blank nodes (and a changed blank node is traced back)."""


@dataclass(frozen=True)
class Version:
    """A resource's description at one moment.

    Attributes:
        resource: the resource's IRI.
        triples: its triples (its own, then those of the blank nodes it reaches); none when the
            resource no longer has any statement (it was deleted).
    """

    resource: str
    triples: tuple[Triple, ...]

    @property
    def deleted(self) -> bool:
        """Whether the resource has no statement left."""
        return not self.triples


def _versioned(quad: Quad) -> bool:
    graph = quad.graph_name
    return isinstance(graph, NamedNode) and graph.value not in UNVERSIONED_GRAPHS


def resources(store: Store) -> list[str]:
    """Every resource of the store, sorted."""
    return sorted(
        {q.subject.value for q in store if _versioned(q) and isinstance(q.subject, NamedNode)}
    )


def describe(store: Store, resource: str) -> Version:
    """The version of ``resource`` in ``store`` now."""
    seen: set[Triple] = set()
    out: list[Triple] = []
    frontier: list[NamedNode | BlankNode] = [NamedNode(resource)]
    visited: set[BlankNode] = set()
    for _depth in range(MAX_BLANK_DEPTH + 1):
        following: list[NamedNode | BlankNode] = []
        for subject in frontier:
            for quad in sorted(store.quads_for_pattern(subject, None, None), key=str):
                if not _versioned(quad):
                    continue
                triple = Triple(quad.subject, quad.predicate, quad.object)
                if triple in seen:
                    continue
                seen.add(triple)
                out.append(triple)
                if isinstance(quad.object, BlankNode) and quad.object not in visited:
                    visited.add(quad.object)
                    following.append(quad.object)
        frontier = following
        if not frontier:
            break
    return Version(resource, tuple(out))


def changed_resources(
    removed: Iterable[Quad], added: Iterable[Quad], stores: Iterable[Store]
) -> list[str]:
    """The resources a change touches: the IRI subjects of its quads, and for a blank-node
    subject the IRI subjects that reach it (in the store before or after the change).

    Args:
        removed: the quads the change removes.
        added: the quads it adds.
        stores: the store before and after the change, to trace blank nodes back.
    """
    found: set[str] = set()
    blanks: set[BlankNode] = set()
    for quad in (*removed, *added):
        if not _versioned(quad):
            continue
        if isinstance(quad.subject, NamedNode):
            found.add(quad.subject.value)
        elif isinstance(quad.subject, BlankNode):
            blanks.add(quad.subject)
    states = list(stores)
    for _depth in range(MAX_BLANK_DEPTH):
        if not blanks:
            break
        parents: set[BlankNode] = set()
        for blank in blanks:
            for state in states:
                for quad in state.quads_for_pattern(None, None, blank):
                    if not _versioned(quad):
                        continue
                    if isinstance(quad.subject, NamedNode):
                        found.add(quad.subject.value)
                    elif isinstance(quad.subject, BlankNode):
                        parents.add(quad.subject)
        blanks = parents
    return sorted(found)
