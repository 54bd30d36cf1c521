"""Property paths as values: read from SHACL shapes or SPARQL queries, inverted, and walked.

Incremental validation (:mod:`sousei_kg.dataset.incremental_validation`) must know which focus
nodes can see a changed triple. A shape sees the triples along its paths, so the question becomes
"from which nodes does this path reach the changed triple?", which is the *inverse* path walked
from the triple. This module gives paths one representation whatever their source (``sh:path``
with ``sh:inversePath``, sequences, ``sh:alternativePath``, ``sh:zeroOrMorePath``... or a SPARQL
property path), and the two operations needed: :func:`inverse` and :func:`walk`.

:func:`reads` lists the *reads* of a path: which predicate edges, of which nodes, evaluating the
path looks at. Each read names the prefix path from the focus node to the node whose edges are
read, so every edge of every prefix is itself a read (that is what makes walking the inverse in
the post-state enough; see ``docs/writes.md``).
"""

from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH
from rdflib.paths import AlternativePath, InvPath, MulPath, NegatedPath, SequencePath
from rdflib.term import Node


class UnsupportedPathError(ValueError):
    """A path this module cannot represent (malformed, or a kind SHACL does not define)."""


@dataclass(frozen=True)
class Step:
    """One edge: ``predicate`` (``None``: any predicate), followed forwards or, if ``inverse``,
    backwards."""

    predicate: URIRef | None
    inverse: bool = False


@dataclass(frozen=True)
class Sequence:
    """The parts one after another; no parts is the empty path (the node itself)."""

    parts: tuple["PathExpr", ...]


@dataclass(frozen=True)
class Alternative:
    """Any one of the options."""

    options: tuple["PathExpr", ...]


@dataclass(frozen=True)
class Repeat:
    """``path`` repeated: ``*`` (``minimum`` 0, ``unbounded``), ``+`` (1, unbounded), ``?`` (0,
    at most once)."""

    path: "PathExpr"
    minimum: int
    unbounded: bool


PathExpr = Step | Sequence | Alternative | Repeat

EMPTY = Sequence(())
"""The empty path: the focus node itself."""


@dataclass(frozen=True)
class Read:
    """What evaluating a shape looks at: the ``predicate`` edges (``None``: every edge) leaving
    (or, if ``inverse``, entering) each node that ``prefix`` reaches from the focus node."""

    prefix: PathExpr
    predicate: URIRef | None
    inverse: bool


def then(first: PathExpr, second: PathExpr) -> PathExpr:
    """The path ``first/second``, flattened (the empty path disappears)."""
    parts: list[PathExpr] = []
    for part in (first, second):
        if isinstance(part, Sequence):
            parts.extend(part.parts)
        else:
            parts.append(part)
    return parts[0] if len(parts) == 1 else Sequence(tuple(parts))


def inverse(path: PathExpr) -> PathExpr:
    """The path that leads back: ``x`` reaches ``y`` by ``path`` iff ``y`` reaches ``x`` by
    ``inverse(path)``."""
    if isinstance(path, Step):
        return Step(path.predicate, not path.inverse)
    if isinstance(path, Sequence):
        return Sequence(tuple(inverse(part) for part in reversed(path.parts)))
    if isinstance(path, Alternative):
        return Alternative(tuple(inverse(option) for option in path.options))
    return Repeat(inverse(path.path), path.minimum, path.unbounded)


def reads(path: PathExpr, prefix: PathExpr = EMPTY) -> set[Read]:
    """The reads of evaluating ``path`` at the nodes ``prefix`` reaches."""
    if isinstance(path, Step):
        return {Read(prefix, path.predicate, path.inverse)}
    if isinstance(path, Sequence):
        found: set[Read] = set()
        for part in path.parts:
            found |= reads(part, prefix)
            prefix = then(prefix, part)
        return found
    if isinstance(path, Alternative):
        return {read for option in path.options for read in reads(option, prefix)}
    # Every repetition reads at a node some number of repetitions further on.
    return reads(path.path, then(prefix, Repeat(path.path, 0, unbounded=True)))


def predicates(path: PathExpr) -> set[URIRef | None]:
    """Every predicate the path follows (``None`` for a step along any predicate)."""
    if isinstance(path, Step):
        return {path.predicate}
    if isinstance(path, Repeat):
        return predicates(path.path)
    parts = path.parts if isinstance(path, Sequence) else path.options
    return {predicate for part in parts for predicate in predicates(part)}


def walk(graph: Graph, starts: Iterable[Node], path: PathExpr) -> set[Node]:
    """The nodes ``path`` reaches from any of ``starts`` in ``graph``."""
    nodes = set(starts)
    if isinstance(path, Step):
        return _step(graph, nodes, path)
    if isinstance(path, Sequence):
        for part in path.parts:
            nodes = walk(graph, nodes, part)
        return nodes
    if isinstance(path, Alternative):
        return {node for option in path.options for node in walk(graph, nodes, option)}
    if not path.unbounded:
        return nodes | walk(graph, nodes, path.path)
    reached = set(nodes) if path.minimum == 0 else set()
    frontier = walk(graph, nodes, path.path)
    while frontier - reached:
        new = frontier - reached
        reached |= new
        frontier = walk(graph, new, path.path)
    return reached


def _step(graph: Graph, nodes: set[Node], step: Step) -> set[Node]:
    found: set[Node] = set()
    for node in nodes:
        if step.inverse:
            found.update(graph.subjects(step.predicate, node))
        else:
            found.update(graph.objects(node, step.predicate))
    return found


def shacl_path(shapes: Graph, node: Node) -> PathExpr:
    """The path a SHACL shapes graph describes at ``node`` (the value of ``sh:path``).

    Raises:
        UnsupportedPathError: for a node that is not a well-formed SHACL path.
    """
    if isinstance(node, URIRef):
        return Step(node)
    if shapes.value(node, RDF.first) is not None:
        return Sequence(tuple(shacl_path(shapes, item) for item in Collection(shapes, node)))
    for predicate, minimum, unbounded in (
        (SH.zeroOrMorePath, 0, True),
        (SH.oneOrMorePath, 1, True),
        (SH.zeroOrOnePath, 0, False),
    ):
        inner = shapes.value(node, predicate)
        if inner is not None:
            return Repeat(shacl_path(shapes, inner), minimum, unbounded)
    inner = shapes.value(node, SH.inversePath)
    if inner is not None:
        return inverse(shacl_path(shapes, inner))
    options = shapes.value(node, SH.alternativePath)
    if options is not None:
        return Alternative(tuple(shacl_path(shapes, item) for item in Collection(shapes, options)))
    raise UnsupportedPathError(f"not a SHACL path: {node!r}")


def sparql_path(path: object) -> PathExpr:
    """The path of a SPARQL triple pattern's predicate (an IRI or an rdflib property path).

    A negated property set (``!p``) becomes a step along any predicate: it follows edges of
    every predicate but the ones it names, so "any" covers it.

    Raises:
        UnsupportedPathError: for anything else (a variable is not a path).
    """
    if isinstance(path, URIRef):
        return Step(path)
    if isinstance(path, InvPath):
        return inverse(sparql_path(path.arg))
    if isinstance(path, SequencePath):
        return Sequence(tuple(sparql_path(arg) for arg in path.args))
    if isinstance(path, AlternativePath):
        return Alternative(tuple(sparql_path(arg) for arg in path.args))
    if isinstance(path, MulPath):
        minimum, unbounded = {"*": (0, True), "+": (1, True), "?": (0, False)}[path.mod]
        return Repeat(sparql_path(path.path), minimum, unbounded)
    if isinstance(path, NegatedPath):
        return Alternative((Step(None), Step(None, inverse=True)))
    raise UnsupportedPathError(f"not a property path: {path!r}")
