"""The focus nodes a change affects, and which of them a shape targets.

A confined shape (:mod:`sousei_kg.dataset.shape_reach`) reads, at a focus node ``f``, the edges of
the nodes each read's prefix path reaches from ``f``. A changed triple ``s p o`` is such an edge for
every read of predicate ``p`` (or of any predicate) at ``s`` (outgoing reads) or at ``o`` (incoming
reads). So the affected focus nodes are those the *inverse* of the read's prefix reaches from
``s`` (or ``o``).

The inverse is walked in the post-state. For an added triple that is exact. For a removed triple,
the prefix path from ``f`` may itself have lost an edge; but every edge of every prefix is also a
read, so the first lost edge on the way (itself a removed triple) is found from ``f`` through a
shorter prefix that is still whole. Either way ``f`` is found.

Target membership is decided as pySHACL decides it: ``sh:targetClass`` through ``rdf:type`` and
the ``rdfs:subClassOf`` closure of the data graph, ``sh:targetNode`` whether or not the node is in
the data, ``sh:targetSubjectsOf``/``sh:targetObjectsOf`` through the predicate's edges.
"""

from collections.abc import Iterable

from rdflib import Graph
from rdflib.namespace import RDF, RDFS
from rdflib.term import Node

from sousei_kg.dataset.data_graph import RdfTriple, TripleChange
from sousei_kg.dataset.shacl_paths import PathExpr, Read, inverse, walk
from sousei_kg.dataset.shape_reach import TopShape


def affected_nodes(data: Graph, change: TripleChange, reads: Iterable[Read]) -> set[Node]:
    """The nodes at which a shape with these reads may give other results after the change.

    Args:
        data: the post-state data graph.
        change: the changed triples.
        reads: the reads of the shapes, anchored at their focus nodes.
    """
    by_predicate: dict[Node, list[RdfTriple]] = {}
    for triple in change.triples:
        by_predicate.setdefault(triple[1], []).append(triple)
    starts: dict[PathExpr, set[Node]] = {}
    for read in reads:
        if read.predicate is None:
            touched: Iterable[RdfTriple] = change.triples
        else:
            touched = by_predicate.get(read.predicate, ())
        ends = {obj if read.inverse else subject for subject, _predicate, obj in touched}
        if ends:
            starts.setdefault(read.prefix, set()).update(ends)
    affected: set[Node] = set()
    for prefix, nodes in starts.items():
        affected |= walk(data, nodes, inverse(prefix))
    return affected


class TargetIndex:
    """Answers "does this shape target this node?" on one data graph (class closures cached)."""

    def __init__(self, data: Graph) -> None:
        self.data = data
        self._subclasses: dict[Node, set[Node]] = {}

    def targets(self, shape: TopShape, nodes: Iterable[Node]) -> frozenset[Node]:
        """The nodes among ``nodes`` that ``shape`` targets in the data graph."""
        return frozenset(node for node in nodes if self.targeted(shape, node))

    def targeted(self, shape: TopShape, node: Node) -> bool:
        """Whether ``shape`` targets ``node``."""
        if node in shape.nodes:
            return True
        if shape.classes:
            types = set(self.data.objects(node, RDF.type))
            if types and any(types & self.subclasses(cls) for cls in shape.classes):
                return True
        if any((node, predicate, None) in self.data for predicate in shape.subjects_of):
            return True
        return any((None, predicate, node) in self.data for predicate in shape.objects_of)

    def subclasses(self, cls: Node) -> set[Node]:
        """``cls`` and every class below it through ``rdfs:subClassOf`` in the data graph."""
        if cls not in self._subclasses:
            found = self.data.transitive_subjects(RDFS.subClassOf, cls)
            self._subclasses[cls] = {node for node in found if node is not None}
        return self._subclasses[cls]
