"""What a SHACL-SPARQL query reads, relative to ``$this``.

A SPARQL-based constraint (``sh:sparql``) runs once per focus node with ``$this`` bound. Whether a
change can alter its answer at a node depends on which triples the query can match. This module
reads the query's algebra (rdflib's, the engine pySHACL uses) and finds, for every triple pattern,
a path from ``$this`` to one of its ends: then the pattern only matches edges of nodes that path
reaches, and the query's reads are *anchored* at ``$this``. A pattern that no path reaches (``?s
?p ?o`` alone, a count of every measure in the graph) makes the query read the whole graph, and
the shape is then validated over the whole graph (see :mod:`sousei_kg.dataset.shape_reach`).

The analysis is conservative where rdflib's evaluation and the standard differ: a variable counts
as reached inside a nested group only where every evaluation order binds it (the group's own
patterns, or join compatibility with the enclosing group); ``FILTER``/``EXISTS`` only see what
their own group binds; a sub-select starts again from ``$this``; ``MINUS``, ``GRAPH``,
``SERVICE`` and anything unknown count as reading everything.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from rdflib import URIRef, Variable
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Node

from sousei_kg.dataset.shacl_paths import (
    EMPTY,
    Alternative,
    PathExpr,
    Read,
    Step,
    UnsupportedPathError,
    inverse,
    predicates,
    reads,
    sparql_path,
    then,
)

THIS = Variable("this")

Anchors = dict[Variable, PathExpr]
"""Variables known to be bound to nodes a path reaches from ``$this``, with that path."""

_PASS_THROUGH = frozenset({"Distinct", "Reduced", "OrderBy", "Slice", "Group", "AggregateJoin"})
"""Algebra nodes that only reshape their input's solutions."""


class _Unanchored(Exception):  # noqa: N818 (an internal signal, not an error for callers)
    """A pattern no path from ``$this`` reaches."""


@dataclass(frozen=True)
class QueryReach:
    """What a query reads.

    Attributes:
        reads: the reads, anchored at ``$this``; ``None`` when some pattern is not anchored (the
            query reads the whole graph).
        predicates: every predicate any pattern follows; ``None`` in the set stands for a
            variable or negated predicate (any predicate).
    """

    reads: frozenset[Read] | None
    predicates: frozenset[URIRef | None]


ANYTHING = QueryReach(None, frozenset({None}))
"""The reach of a query that cannot be analysed: everything."""


def query_reach(
    select: str, prefixes: Mapping[str, str] | None = None, *, this_bound: bool = True
) -> QueryReach:
    """Analyse a SELECT query.

    Args:
        select: the query text.
        prefixes: prefix → namespace, as ``sh:prefixes`` declares them.
        this_bound: whether ``$this`` is bound before the query runs (true for constraints, false
            for SPARQL targets, which select their focus nodes).
    """
    try:
        algebra = prepareQuery(select, initNs=dict(prefixes or {})).algebra
    except Exception:  # rdflib raises bare Exceptions too (an unknown prefix): reads anything
        return ANYTHING
    found: set[URIRef | None] = set()
    _collect_predicates(algebra, found)
    analysis = _Analysis(this_bound)
    try:
        found_reads, _bound = analysis.node(algebra, analysis.start())
    except (_Unanchored, UnsupportedPathError):
        return QueryReach(None, frozenset(found))
    return QueryReach(frozenset(found_reads), frozenset(found))


class _Analysis:
    """One walk over a query's algebra."""

    def __init__(self, this_bound: bool) -> None:
        self.this_bound = this_bound

    def start(self) -> Anchors:
        """The anchors at the start of the query or of a sub-select."""
        return {THIS: EMPTY} if self.this_bound else {}

    def node(self, node: CompValue, anchors: Anchors) -> tuple[set[Read], Anchors]:
        """The reads of an algebra node and the variables each of its solutions binds."""
        name = node.name
        if name in ("SelectQuery", "Project"):
            if _part(node, "datasetClause") is not None:  # FROM / FROM NAMED
                raise _Unanchored
            return self.node(node.p, anchors)
        if name in _PASS_THROUGH:
            found, bound = self.node(node.p, anchors)
            if name in ("Group", "AggregateJoin"):
                # After grouping only the grouping keys stay; keep just $this, if bound.
                bound = {v: p for v, p in bound.items() if v == THIS and self.this_bound}
            return found | self.expressions(node, bound), bound
        if name == "BGP":
            return self.patterns(node.triples, anchors)
        if name == "Join":
            return self.join(_join_members(node), anchors)
        if name == "LeftJoin":
            found, bound = self.node(node.p1, anchors)
            optional, optional_bound = self.node(node.p2, {**anchors, **bound})
            visible = {**self.start(), **bound, **optional_bound}
            return found | optional | self.expression(_part(node, "expr"), visible), bound
        if name == "Union":
            left, left_bound = self.node(node.p1, anchors)
            right, right_bound = self.node(node.p2, anchors)
            both = {
                v: _alternative(left_bound[v], right_bound[v])
                for v in left_bound.keys() & right_bound.keys()
            }
            return left | right, both
        if name == "Filter":
            found, bound = self.node(node.p, anchors)
            return found | self.expression(node.expr, {**self.start(), **bound}), bound
        if name == "Extend":
            found, bound = self.node(node.p, anchors)
            return found | self.expression(node.expr, {**self.start(), **bound}), bound
        if name == "ToMultiSet":
            if node.p.name == "values":  # VALUES binds constants and reads nothing
                return set(), {}
            return self.sub_select(node.p)
        raise _Unanchored

    def join(self, members: list[CompValue], anchors: Anchors) -> tuple[set[Read], Anchors]:
        """Mandatory parts: each may anchor the others, whatever their order."""
        found: set[Read] = set()
        bound: Anchors = {}
        pending = list(members)
        while pending:
            progress = False
            for member in list(pending):
                try:
                    member_reads, member_bound = self.node(member, {**anchors, **bound})
                except _Unanchored:
                    continue
                found |= member_reads
                bound = {**member_bound, **bound}
                pending.remove(member)
                progress = True
            if not progress:
                raise _Unanchored
        return found, bound

    def patterns(
        self, triples: list[tuple[Node, object, Node]], anchors: Anchors
    ) -> tuple[set[Read], Anchors]:
        """A basic graph pattern: spread from the anchors along the patterns; its solutions bind
        the variables of its own patterns."""
        known = {**self.start(), **anchors}
        found: set[Read] = set()
        pending = list(triples)
        while pending:
            progress = False
            for pattern in list(pending):
                subject, predicate, obj = pattern
                path = Step(None) if isinstance(predicate, Variable) else sparql_path(predicate)
                if subject in known:
                    prefix = known[subject]  # type: ignore[index]
                    found |= reads(path, prefix)
                    if isinstance(obj, Variable) and obj not in known:
                        known[obj] = then(prefix, path)
                elif obj in known:
                    prefix = known[obj]  # type: ignore[index]
                    found |= reads(inverse(path), prefix)
                    if isinstance(subject, Variable):
                        known[subject] = then(prefix, inverse(path))
                else:
                    continue
                pending.remove(pattern)
                progress = True
            if not progress:
                raise _Unanchored
        own = {term for pattern in triples for term in pattern if isinstance(term, Variable)}
        return found, {variable: path for variable, path in known.items() if variable in own}

    def sub_select(self, project: CompValue) -> tuple[set[Read], Anchors]:
        """A sub-select starts again from ``$this``; only its projected variables leave it."""
        if project.name != "Project":
            raise _Unanchored
        found, bound = self.node(project.p, self.start())
        projected = set(project.PV)
        return found, {v: p for v, p in bound.items() if v in projected}

    def expressions(self, node: CompValue, anchors: Anchors) -> set[Read]:
        """The reads of the expressions held by a pass-through node (ORDER BY, aggregates)."""
        found: set[Read] = set()
        for key, value in node.items():
            if key != "p":
                found |= self.expression(value, anchors)
        return found

    def expression(self, expr: object, anchors: Anchors) -> set[Read]:
        """The reads of ``EXISTS``/``NOT EXISTS`` inside an expression, seeing ``anchors``."""
        found: set[Read] = set()
        if isinstance(expr, CompValue):
            if expr.name in ("Builtin_EXISTS", "Builtin_NOTEXISTS"):
                exists_reads, _bound = self.node(_exists_graph(expr), anchors)
                return exists_reads
            for value in expr.values():
                found |= self.expression(value, anchors)
        elif isinstance(expr, list):
            for item in expr:
                found |= self.expression(item, anchors)
        return found


def _part(node: CompValue, key: str) -> object:
    """An optional part of an algebra node (``CompValue.get`` answers the key itself when it is
    missing)."""
    return dict.get(node, key)


def _exists_graph(expr: CompValue) -> CompValue:
    """The pattern of ``EXISTS``/``NOT EXISTS`` as rdflib evaluates it: the translation is set
    as an attribute, while the mapping still holds the parsed group."""
    graph: CompValue = expr.graph
    if graph.name == "GroupGraphPatternSub":
        raise _Unanchored
    return graph


def _join_members(node: CompValue) -> list[CompValue]:
    if node.name != "Join":
        return [node]
    return _join_members(node.p1) + _join_members(node.p2)


def _alternative(left: PathExpr, right: PathExpr) -> PathExpr:
    return left if left == right else Alternative((left, right))


def _collect_predicates(node: object, found: set[URIRef | None]) -> None:
    """Every predicate of every triple pattern anywhere in the algebra (EXISTS, sub-selects)."""
    if isinstance(node, CompValue):
        if node.name in ("Builtin_EXISTS", "Builtin_NOTEXISTS"):
            _collect_predicates(_exists_graph(node), found)
            return
        if node.name == "BGP":
            for _subject, predicate, _object in node.triples:
                if isinstance(predicate, Variable):
                    found.add(None)
                else:
                    try:
                        found.update(predicates(sparql_path(predicate)))
                    except UnsupportedPathError:
                        found.add(None)
        for value in node.values():
            _collect_predicates(value, found)
    elif isinstance(node, list | tuple):
        for item in node:
            _collect_predicates(item, found)
