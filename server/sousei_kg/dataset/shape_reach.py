"""How far each shape of a shapes graph reaches from its focus node.

pySHACL validates every *top-level* shape (one with a target) at each of its focus nodes. After a
change, a result at a focus node can differ only if the change touched a triple the shape reads
there: its target (``rdf:type`` for ``sh:targetClass``), the edges along its paths, the types of
the values ``sh:class`` checks, what ``sh:node``/``sh:qualifiedValueShape``/``sh:or``... read at
their values, and what its SPARQL constraints read (:mod:`sousei_kg.dataset.sparql_reach`). This
module lists those reads per top-level shape, so incremental validation can find the focus nodes a
change affects (walking each read's prefix path backwards from the changed triples).

A shape whose reads cannot be anchored at its focus node is validated over the whole graph, and
the analysis says why: a SPARQL target (``sh:target``: finding the targets is itself a query over
the graph), a SPARQL constraint with a pattern no path from ``$this`` reaches, a construct this
module does not model (``sh:expression``, custom constraint components, recursion), or a property
shape under a property shape (pySHACL reports its results at the value nodes, not at the focus
node). For such shapes the analysis still lists the predicates they read, when it can: a change
that touches none of them cannot change their results.

Some shapes graphs switch incremental validation off altogether: SHACL rules (``sh:rule``) derive
triples anywhere, SHACL functions run arbitrary queries, and a blank-node shape with targets that
another shape uses is described in messages with its targets (which incremental runs rewrite).
"""

from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

from sousei_kg.dataset.shacl_paths import (
    EMPTY,
    PathExpr,
    Read,
    UnsupportedPathError,
    reads,
    shacl_path,
    then,
)
from sousei_kg.dataset.sparql_reach import query_reach

TARGET_PREDICATES = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
"""The SHACL Core target declarations (``sh:target``, SHACL-AF, is handled apart)."""

_VALUE_ONLY = frozenset(
    {
        SH.datatype,
        SH.nodeKind,
        SH.minCount,
        SH.maxCount,
        SH.minExclusive,
        SH.minInclusive,
        SH.maxExclusive,
        SH.maxInclusive,
        SH.minLength,
        SH.maxLength,
        SH.pattern,
        SH.flags,
        SH.languageIn,
        SH.uniqueLang,
        SH["in"],
        SH.hasValue,
        SH.qualifiedMinCount,
        SH.qualifiedMaxCount,
        SH.qualifiedValueShapesDisjoint,
        SH.ignoredProperties,
    }
)
"""Constraint parameters that look only at the value nodes themselves (read through the path)."""

_NOT_CONSTRAINTS = frozenset(
    {
        SH.path,
        SH.message,
        SH.severity,
        SH.deactivated,
        SH.name,
        SH.description,
        SH.order,
        SH.group,
        SH.defaultValue,
        SH.target,
        *TARGET_PREDICATES,
    }
)
"""Shape properties that constrain nothing (targets are analysed apart)."""

_COMPARISONS = frozenset({SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals})
"""Parameters that compare the values with the focus node's values of another predicate."""

_SHAPE_LISTS = frozenset({SH["and"], SH["or"], SH.xone})
"""Parameters whose value is a list of shapes, each checked at the value nodes."""

_GLOBAL_FEATURES = (
    (SH.rule, "SHACL rules derive triples anywhere in the data"),
    (SH.SPARQLFunction, "SHACL functions run queries over the whole graph"),
    (SH.Function, "SHACL functions run queries over the whole graph"),
    (SH.JSFunction, "SHACL-JS functions are not analysed"),
)


@dataclass(frozen=True)
class TopShape:
    """A shape with targets, and what validating it at a focus node reads.

    Attributes:
        node: the shape.
        classes: its ``sh:targetClass`` values (and itself, if it is also a class).
        nodes: its ``sh:targetNode`` values.
        subjects_of: its ``sh:targetSubjectsOf`` predicates.
        objects_of: its ``sh:targetObjectsOf`` predicates.
        reads: target and constraint reads, anchored at the focus node; ``None`` when the shape
            must be validated over the whole graph.
        predicates: every predicate the shape reads (``None`` in the set: any predicate).
        whole_graph: why the shape is validated over the whole graph (``None`` if it is not).
    """

    node: Node
    classes: frozenset[Node]
    nodes: frozenset[Node]
    subjects_of: frozenset[Node]
    objects_of: frozenset[Node]
    reads: frozenset[Read] | None
    predicates: frozenset[URIRef | None]
    whole_graph: str | None


@dataclass(frozen=True)
class ShapesReach:
    """The top-level shapes of a shapes graph, analysed.

    Attributes:
        shapes: every shape with a target.
        off: why no change can be validated incrementally with these shapes (``None``: it can).
    """

    shapes: tuple[TopShape, ...]
    off: str | None

    @property
    def confined(self) -> tuple[TopShape, ...]:
        """Shapes validated at the focus nodes a change affects."""
        return tuple(shape for shape in self.shapes if shape.reads is not None)

    @property
    def whole_graph(self) -> tuple[TopShape, ...]:
        """Shapes validated over the whole graph."""
        return tuple(shape for shape in self.shapes if shape.reads is None)


def analyse_shapes(shapes: Graph) -> ShapesReach:
    """Find the top-level shapes of a shapes graph and what each reads."""
    off = next(
        (
            reason
            for feature, reason in _GLOBAL_FEATURES
            if any(shapes.triples((None, feature, None)))
            or any(shapes.triples((None, RDF.type, feature)))
        ),
        None,
    )
    parameters = _custom_parameters(shapes)
    top = sorted(top_level_shapes(shapes), key=lambda node: node.n3())
    if off is None and any(isinstance(node, BNode) and _referenced(shapes, node) for node in top):
        # Messages describe a referenced blank-node shape with all its triples, targets included,
        # and incremental validation rewrites targets.
        off = "a blank-node shape with targets is also used by another shape"
    return ShapesReach(tuple(_analyse(shapes, node, parameters) for node in top), off)


def top_level_shapes(shapes: Graph) -> set[Node]:
    """Shapes with a target declaration, a SPARQL target or an implicit class target."""
    found: set[Node] = set()
    for predicate in (*TARGET_PREDICATES, SH.target):
        found.update(shapes.subjects(predicate, None))
    shape_nodes = set(shapes.subjects(RDF.type, SH.NodeShape)) | set(
        shapes.subjects(RDF.type, SH.PropertyShape)
    )
    found.update(node for node in shape_nodes if implicit_class_types(shapes, node))
    return found


def implicit_class_types(shapes: Graph, node: Node) -> set[Node]:
    """The types that make a shape an implicit class target (``rdfs:Class`` or a subclass of it
    in the shapes graph), as pySHACL decides it."""
    classes = {RDFS.Class, *shapes.subjects(RDFS.subClassOf, RDFS.Class)}
    return {kind for kind in shapes.objects(node, RDF.type) if kind in classes}


def _referenced(shapes: Graph, node: Node) -> bool:
    """Whether another shape uses ``node`` (``sh:node``, ``sh:property``, a list of shapes...)."""
    for parameter in (SH.node, SH["not"], SH.property, SH.qualifiedValueShape):
        if any(shapes.subjects(parameter, node)):
            return True
    return any(
        node in set(Collection(shapes, members))
        for parameter in _SHAPE_LISTS
        for members in shapes.objects(None, parameter)
    )


def _custom_parameters(shapes: Graph) -> frozenset[Node]:
    """The parameter predicates of the shapes graph's own constraint components."""
    components = set(shapes.subjects(RDF.type, SH.ConstraintComponent))
    for subclass in shapes.subjects(RDFS.subClassOf, SH.ConstraintComponent):
        components.update(shapes.subjects(RDF.type, subclass))
    return frozenset(
        path
        for component in components
        for parameter in shapes.objects(component, SH.parameter)
        for path in shapes.objects(parameter, SH.path)
    )


def _analyse(shapes: Graph, node: Node, parameters: frozenset[Node]) -> TopShape:
    walker = _Walker(shapes, parameters)
    classes = frozenset(shapes.objects(node, SH.targetClass))
    if implicit_class_types(shapes, node):
        classes |= {node}
    subjects_of = frozenset(shapes.objects(node, SH.targetSubjectsOf))
    objects_of = frozenset(shapes.objects(node, SH.targetObjectsOf))
    if classes:
        walker.read(Read(EMPTY, RDF.type, inverse=False))
    for predicate in subjects_of:
        walker.edge(predicate, inverse=False)
    for predicate in objects_of:
        walker.edge(predicate, inverse=True)
    for target in shapes.objects(node, SH.target):
        walker.sparql_target(target)
    walker.shape(node, EMPTY, reporting=True, trail=())
    return TopShape(
        node=node,
        classes=classes,
        nodes=frozenset(shapes.objects(node, SH.targetNode)),
        subjects_of=subjects_of,
        objects_of=objects_of,
        reads=None if walker.reason else frozenset(walker.reads),
        predicates=frozenset(walker.predicates),
        whole_graph=walker.reason,
    )


@dataclass
class _Walker:
    """Collects the reads of one top-level shape, and the first reason it is unbounded."""

    shapes: Graph
    parameters: frozenset[Node]
    reads: set[Read] = field(default_factory=set)
    predicates: set[URIRef | None] = field(default_factory=set)
    reason: str | None = None

    def unbounded(self, reason: str, *, any_predicate: bool = False) -> None:
        """The shape cannot be confined to its focus nodes (keep the first reason)."""
        self.reason = self.reason or reason
        if any_predicate:
            self.predicates.add(None)

    def read(self, read: Read) -> None:
        self.reads.add(read)
        self.predicates.add(read.predicate)

    def edge(self, predicate: Node, *, inverse: bool, prefix: PathExpr = EMPTY) -> None:
        """A read of one predicate's edges at ``prefix`` (any other node: unbounded)."""
        if isinstance(predicate, URIRef):
            self.read(Read(prefix, predicate, inverse))
        else:
            self.unbounded(f"{predicate!r} is not a predicate", any_predicate=True)

    def sparql_target(self, target: Node) -> None:
        select = self.shapes.value(target, SH.select)
        if select is None:
            self.unbounded("a SHACL-AF target that is not a SPARQL query", any_predicate=True)
            return
        reach = query_reach(str(select), self.prefixes(target), this_bound=False)
        self.predicates |= reach.predicates
        self.unbounded("a SPARQL target (sh:target) selects its focus nodes from the whole graph")

    def prefixes(self, node: Node) -> dict[str, str]:
        """The prefixes a SPARQL-based constraint or target declares (``sh:prefixes``)."""
        found: dict[str, str] = {}
        for declarations in self.shapes.objects(node, SH.prefixes):
            for declaration in self.shapes.objects(declarations, SH.declare):
                prefix = self.shapes.value(declaration, SH.prefix)
                namespace = self.shapes.value(declaration, SH.namespace)
                if prefix is not None and namespace is not None:
                    found[str(prefix)] = str(namespace)
        return found

    def shape(
        self, node: Node, prefix: PathExpr, *, reporting: bool, trail: tuple[Node, ...]
    ) -> None:
        """Add the reads of checking ``node`` at the nodes ``prefix`` reaches.

        Args:
            node: the shape.
            prefix: the path from the top-level focus node to the nodes checked.
            reporting: whether the shape's results are reported as they are (reached through
                ``sh:property`` only), rather than folded into one result of an enclosing
                constraint (``sh:node``, ``sh:or``...).
            trail: the shapes being checked around this one (to stop at recursion).
        """
        if node in trail:
            self.unbounded("a recursive shape", any_predicate=True)
            return
        trail = (*trail, node)
        path_node = self.shapes.value(node, SH.path)
        values = prefix
        if path_node is not None:
            try:
                path = shacl_path(self.shapes, path_node)
            except UnsupportedPathError:
                self.unbounded("a malformed sh:path", any_predicate=True)
                return
            for read in reads(path, prefix):
                self.read(read)
            values = then(prefix, path)
        for parameter, value in self.shapes.predicate_objects(node):
            self.parameter(node, parameter, value, prefix, values, reporting, trail)

    def parameter(
        self,
        node: Node,
        parameter: Node,
        value: Node,
        focus: PathExpr,
        values: PathExpr,
        reporting: bool,
        trail: tuple[Node, ...],
    ) -> None:
        """Add the reads of one constraint parameter of a shape."""
        if parameter in self.parameters:
            self.unbounded(f"a custom constraint component ({parameter})", any_predicate=True)
        elif parameter in _VALUE_ONLY or parameter in _NOT_CONSTRAINTS or parameter == RDF.type:
            return
        elif parameter == SH["class"]:
            self.read(Read(values, RDF.type, inverse=False))
        elif parameter in _COMPARISONS:
            self.edge(value, inverse=False, prefix=focus)
        elif parameter == SH.closed:
            if value == Literal(True):
                self.read(Read(values, None, inverse=False))
        elif parameter == SH.property:
            if reporting and values != focus:
                self.unbounded("sh:property under a property shape reports at the value nodes")
            self.shape(value, values, reporting=reporting, trail=trail)
        elif parameter in (SH.node, SH["not"]):
            self.shape(value, values, reporting=False, trail=trail)
        elif parameter == SH.qualifiedValueShape:
            self.qualified(node, value, values, trail)
        elif parameter in _SHAPE_LISTS:
            for member in Collection(self.shapes, value):
                self.shape(member, values, reporting=False, trail=trail)
        elif parameter == SH.sparql:
            self.sparql_constraint(value, focus, property_shape=values != focus)
        elif str(parameter).startswith(str(SH)):
            self.unbounded(f"{parameter} is not analysed", any_predicate=True)

    def qualified(self, node: Node, value: Node, values: PathExpr, trail: tuple[Node, ...]) -> None:
        """``sh:qualifiedValueShape``, and its siblings when the counts must be disjoint."""
        self.shape(value, values, reporting=False, trail=trail)
        if self.shapes.value(node, SH.qualifiedValueShapesDisjoint) != Literal(True):
            return
        for parent in self.shapes.subjects(SH.property, node):
            for sibling_property in self.shapes.objects(parent, SH.property):
                for sibling in self.shapes.objects(sibling_property, SH.qualifiedValueShape):
                    if sibling != value:
                        self.shape(sibling, values, reporting=False, trail=trail)

    def sparql_constraint(self, constraint: Node, focus: PathExpr, *, property_shape: bool) -> None:
        select = self.shapes.value(constraint, SH.select)
        if select is None or isinstance(constraint, Literal):
            self.unbounded("a SPARQL constraint without sh:select", any_predicate=True)
            return
        if property_shape:
            # $PATH is substituted into the text by pySHACL; not analysed here.
            self.unbounded("a SPARQL constraint on a property shape", any_predicate=True)
            return
        reach = query_reach(str(select), self.prefixes(constraint), this_bound=True)
        self.predicates |= reach.predicates
        if reach.reads is None:
            self.unbounded(f"the SPARQL constraint {_name(constraint)} reads beyond $this")
            return
        for read in reach.reads:
            self.read(Read(then(focus, read.prefix), read.predicate, read.inverse))


def _name(node: Node) -> str:
    return f"_:{node}" if isinstance(node, BNode) else str(node)
