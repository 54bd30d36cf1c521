"""Validate what a write changed, with the verdict of validating everything.

Validating the whole data graph on every write costs seconds (``docs/writes.md``). A write changes a
few triples, and a shape's result at a focus node can only change if the shape reads one of them
there. So:

- **Confined shapes** (:mod:`sousei_kg.dataset.shape_reach`: their reads are anchored at the focus
  node) are validated only at the focus nodes the change affects
  (:func:`sousei_kg.dataset.focus_nodes.affected_nodes`) that they target in the post-state.
- **Whole-graph shapes** (SPARQL targets, SPARQL constraints that read beyond ``$this``...) are
  validated over the whole graph, one pySHACL run each, but only if the change touches a predicate
  they read (or they may read any).
- **Everything** is validated when the change touches ``rdfs:subClassOf`` (class targets and
  ``sh:class`` everywhere read it), when the data or the change holds a blank node (pySHACL
  describes blank nodes inside messages, and every parse labels them anew), and always when the
  shapes have SHACL rules or functions.

How results are confined: pySHACL's ``focus_nodes`` option filters the nodes of *nested* shape
checks too (a ``sh:qualifiedValueShape`` on literal values then counts every literal as
conforming), and ``use_shapes`` drops nested shapes it is not given. So instead each run gets a
copy of the shapes graph whose targets are rewritten: a confined shape targets exactly its
affected focus nodes (``sh:targetNode``), a shape that must not run has no target, and nested
shapes are untouched. pySHACL runs with the options of a full validation (``inference="none"``,
``advanced=True``, Warnings and Infos allowed) and ``inplace=True`` (it copies the data graph only
so that SHACL rules can add to it; with rules, everything is validated by one plain run).

The result (:class:`ScopedValidation`) holds the results of what was validated, split so that
:class:`sousei_kg.dataset.violation_baseline.ViolationBaseline` can replace exactly the results
that may have changed and keep the others.
"""

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Graph, Literal
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

from sousei_kg.dataset.data_graph import TripleChange
from sousei_kg.dataset.focus_nodes import TargetIndex, affected_nodes
from sousei_kg.dataset.shape_reach import (
    TARGET_PREDICATES,
    ShapesReach,
    analyse_shapes,
    implicit_class_types,
)
from sousei_kg.dataset.validation import (
    ValidationOutcome,
    ValidationResult,
    parse_files,
    rooted_results,
    shacl_report,
    shipped_shapes_files,
)

LOG = logging.getLogger(__name__)

FocusedResult = tuple[str, ValidationResult]
"""A result with the N3 form (``<iri>``, ``"literal"@ja``) of the focus node whose validation
produced it (for a ``sh:detail`` result, the focus node of the result it details)."""


@dataclass(frozen=True)
class ChangeShapes:
    """The shapes every write is checked against: parsed once, analysed once.

    Parsing once also keeps blank-node shapes' labels the same from one write to the next, so
    their results compare equal.
    """

    graph: Graph
    reach: ShapesReach


def load_change_shapes(files: list[Path] | None = None, root: Path | None = None) -> ChangeShapes:
    """Parse and analyse shapes files: ``files``, or the ``shapes/*.ttl`` of ``root`` (or the
    shipped ones).

    Raises:
        DataFileError: if a file does not parse.
    """
    graph = parse_files(files if files is not None else shipped_shapes_files(root))
    return ChangeShapes(graph, analyse_shapes(graph))


@dataclass(frozen=True)
class ScopedValidation:
    """What one validation checked, and found.

    Attributes:
        focus: N3 forms of the focus nodes at which every confined shape was validated (all its
            results there are in ``confined``); ``None`` when confined shapes were validated at
            all their targets.
        confined: the results of confined shapes.
        whole: the results of each whole-graph shape that ran, by the N3 form of the shape
            (``"*"`` when one plain run validated everything).
        outcome: all these results as one report (the 409 answer of a refused write).
        everything: why the whole graph was validated, if it was.
    """

    focus: frozenset[str] | None
    confined: tuple[FocusedResult, ...]
    whole: Mapping[str, tuple[ValidationResult, ...]]
    outcome: ValidationOutcome
    everything: str | None


def validate_change(data: Graph, change: TripleChange, shapes: ChangeShapes) -> ScopedValidation:
    """Validate the post-state ``data`` where ``change`` can have changed results.

    Args:
        data: the post-state data graph (:func:`sousei_kg.dataset.data_graph.store_data_graph`).
        change: the triples the write added and removed.
        shapes: the shapes (:func:`load_change_shapes`).
    """
    reach = shapes.reach
    if reach.off is not None:
        return validate_everything(data, shapes, reach.off)
    blank = _blank_nodes(data, change)
    if blank is not None:
        return validate_everything(data, shapes, blank)
    if any(predicate == RDFS.subClassOf for _s, predicate, _o in change.triples):
        return validate_everything(
            data, shapes, "the change touches rdfs:subClassOf, which class targets read"
        )
    affected = affected_nodes(
        data, change, (read for shape in reach.confined for read in shape.reads or ())
    )
    index = TargetIndex(data)
    focus = {shape.node: index.targets(shape, affected) for shape in reach.confined}
    touched = {predicate for _s, predicate, _o in change.triples}
    rerun = [
        shape
        for shape in reach.whole_graph
        if None in shape.predicates or shape.predicates & touched
    ]
    targeted = {node: nodes for node, nodes in focus.items() if nodes}
    confined_report = _run(data, shapes, targeted) if targeted else None
    keys = frozenset(node.n3() for node in affected)
    strays = sorted({key for key, _result in _focused(confined_report)} - keys)
    if strays:
        LOG.warning("confined results outside the affected nodes %s: validating all", strays[:3])
        return validate_everything(data, shapes, f"a confined result outside the change: {strays}")
    whole = {shape.node.n3(): _run(data, shapes, {shape.node: None}) for shape in rerun}
    return _scoped(keys, confined_report, whole, None)


def _blank_nodes(data: Graph, change: TripleChange) -> str | None:
    """Why blank nodes stop a change from being validated incrementally, if they do.

    pySHACL writes a blank node into messages as its whole description (every triple below it),
    and each parse of the data labels blank nodes anew, so results that involve one cannot be
    kept from one validation to the next and compared; a full validation is what the writer
    always did with them.
    """
    if any(isinstance(term, BNode) for triple in change.triples for term in triple):
        return "the change holds a blank node"
    if any(isinstance(term, BNode) for triple in data for term in triple):
        return "the data holds a blank node"
    return None


def validate_everything(
    data: Graph, shapes: ChangeShapes, reason: str = "every result was asked for"
) -> ScopedValidation:
    """Validate the whole data graph, split as :class:`ScopedValidation` keeps results."""
    reach = shapes.reach
    if reach.off is not None:
        return _scoped(None, None, {"*": shacl_report(data, shapes.graph)}, reason)
    # pySHACL caches the text of a blank node by (id(graph), label): with blank nodes, let it copy
    # the data graph, as a full validation does, so a graph validated again is described afresh.
    inplace = _blank_nodes(data, TripleChange(frozenset(), frozenset())) is None
    confined_report = _run(data, shapes, {s.node: None for s in reach.confined}, inplace=inplace)
    whole = {
        shape.node.n3(): _run(data, shapes, {shape.node: None}, inplace=inplace)
        for shape in reach.whole_graph
    }
    return _scoped(None, confined_report, whole, reason)


def _run(
    data: Graph,
    shapes: ChangeShapes,
    targets: Mapping[Node, frozenset[Node] | None],
    *,
    inplace: bool = True,
) -> Graph:
    """One pySHACL run in which only the shapes in ``targets`` have targets: their own
    (``None``) or exactly the given nodes."""
    scoped = _with_targets(shapes, targets)
    return shacl_report(data, scoped, inplace=inplace)


def _with_targets(shapes: ChangeShapes, targets: Mapping[Node, frozenset[Node] | None]) -> Graph:
    """A copy of the shapes graph in which only the shapes in ``targets`` have targets."""
    declarations = [
        (shape.node, predicate, value)
        for shape in shapes.reach.shapes
        for predicate in (*TARGET_PREDICATES, SH.target)
        for value in shapes.graph.objects(shape.node, predicate)
    ] + [
        (shape.node, RDF.type, kind)
        for shape in shapes.reach.shapes
        for kind in implicit_class_types(shapes.graph, shape.node)
    ]
    scoped = Graph()
    for prefix, namespace in shapes.graph.namespaces():
        scoped.bind(prefix, namespace)
    scoped += shapes.graph
    for declaration in declarations:
        scoped.remove(declaration)
    for node, nodes in targets.items():
        if nodes is None:
            for declaration in declarations:
                if declaration[0] == node:
                    scoped.add(declaration)
        else:
            for focus in nodes:
                scoped.add((node, SH.targetNode, focus))
    return scoped


def _focused(report: Graph | None) -> tuple[FocusedResult, ...]:
    if report is None:
        return ()
    return tuple((focus.n3(), result) for focus, result in rooted_results(report))


def _scoped(
    focus: frozenset[str] | None,
    confined_report: Graph | None,
    whole_reports: Mapping[str, Graph],
    everything: str | None,
) -> ScopedValidation:
    reports = [report for report in (confined_report, *whole_reports.values()) if report]
    merged = merge_reports(reports)
    results = [result for _focus, result in rooted_results(merged)]
    return ScopedValidation(
        focus=focus,
        confined=_focused(confined_report),
        whole={
            shape: tuple(result for _focus, result in rooted_results(report))
            for shape, report in whole_reports.items()
        },
        outcome=ValidationOutcome(
            conforms=not any(r.severity == "Violation" for r in results),
            results=results,
            report_graph=merged,
        ),
        everything=everything,
    )


def merge_reports(reports: list[Graph]) -> Graph:
    """One ``sh:ValidationReport`` holding the results of several (``sh:conforms`` false when any
    result is a Violation)."""
    merged = Graph()
    conforms = True
    for report in reports:
        for prefix, namespace in report.namespaces():
            merged.bind(prefix, namespace, override=False)
        for node in report.subjects(RDF.type, SH.ValidationReport):
            conforms = conforms and report.value(node, SH.conforms) != Literal(False)
        for triple in report:
            if (triple[0], RDF.type, SH.ValidationReport) not in report:
                merged.add(triple)
    report_node = BNode()
    merged.add((report_node, RDF.type, SH.ValidationReport))
    merged.add((report_node, SH.conforms, Literal(conforms)))
    for result in set(merged.subjects(RDF.type, SH.ValidationResult)):
        merged.add((report_node, SH.result, result))
    return merged
