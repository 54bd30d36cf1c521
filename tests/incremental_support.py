"""Replaying a change both ways: incremental validation against a full pySHACL validation.

:func:`compare` validates a change incrementally (from the baseline of the state before it) and
validates the state after it whole with :func:`sousei_kg.dataset.validation.validate_graph`, the
function ``build`` and ``validate`` use; it returns both sides so a test can assert they agree.
"""

import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal
from rdflib.namespace import RDF
from rdflib.term import Node

from sousei_kg.dataset.data_graph import RdfTriple, TripleChange
from sousei_kg.dataset.incremental_validation import ChangeShapes, validate_change
from sousei_kg.dataset.validation import ValidationOutcome, ValidationResult, validate_graph
from sousei_kg.dataset.violation_baseline import ViolationBaseline, ViolationKey, violation_key

FullKey = tuple[str, str | None, str | None, str, str]
"""A Violation compared in full: focus node, path, value, message and source shape (a blank-node
shape as ``_:``, since each parse of the shapes files labels it anew)."""


def full_key(result: ValidationResult) -> FullKey:
    shape = "_:" if result.source_shape.startswith("_:") else result.source_shape
    return (result.focus_node, result.result_path, result.value, result.message, shape)


def violations(outcome: ValidationOutcome) -> set[FullKey]:
    return {full_key(r) for r in outcome.results if r.severity == "Violation"}


def writer_keys(outcome: ValidationOutcome) -> set[ViolationKey]:
    return {violation_key(r) for r in outcome.results if r.severity == "Violation"}


@dataclass(frozen=True)
class Comparison:
    """Both sides of one replayed change.

    Attributes:
        incremental: the post-state's Violations as the incremental baseline has them.
        full: the post-state's Violations from a full validation.
        incremental_refuses: the writer's verdict from the incremental validation.
        full_refuses: the verdict from full validations (a Violation not in the pre-state's).
        baseline: the incremental baseline after the change (for chaining changes).
        full_outcome: the full validation of the post-state.
        scoped_outcome: the incremental validation's report (what it re-validated).
        everything: why the incremental validation validated everything, if it did.
    """

    incremental: set[FullKey]
    full: set[FullKey]
    incremental_refuses: bool
    full_refuses: bool
    baseline: ViolationBaseline
    full_outcome: ValidationOutcome
    scoped_outcome: ValidationOutcome
    everything: str | None


def change_between(before: set[RdfTriple], after: Graph) -> TripleChange:
    now = set(after)
    return TripleChange(added=frozenset(now - before), removed=frozenset(before - now))


def compare(
    baseline: ViolationBaseline,
    before: ValidationOutcome,
    change: TripleChange,
    after: Graph,
    shapes: ChangeShapes,
    shapes_files: list[Path] | None = None,
    *,
    full: ValidationOutcome | None = None,
) -> Comparison:
    """Validate ``change`` (which turned the state ``before`` describes into ``after``) both ways.

    ``full`` is the full validation of ``after`` when the caller already has it.
    """
    checked = validate_change(after, change, shapes)
    if full is None:
        full = validate_graph(after, shapes_files)
    following = baseline.after(checked)
    return Comparison(
        incremental={full_key(r) for r in following.violations()},
        full=violations(full),
        incremental_refuses=bool(baseline.added_by(checked)),
        full_refuses=bool(writer_keys(full) - writer_keys(before)),
        baseline=following,
        full_outcome=full,
        scoped_outcome=checked.outcome,
        everything=checked.everything,
    )


def random_change(graph: Graph, rng: random.Random, classes: Sequence[Node]) -> TripleChange:
    """A small random change of ``graph`` (which must not be empty), applied to it: remove a
    triple, add a triple with an existing predicate between existing nodes (or to a literal), or
    retype a node."""
    triples = sorted(graph, key=lambda t: tuple(term.n3() for term in t))
    nodes = sorted({t[0] for t in triples} | {t[2] for t in triples}, key=lambda n: n.n3())
    resources = [n for n in nodes if not isinstance(n, Literal)]
    kind = rng.choice(["remove", "remove", "add", "add", "retype"])
    if kind == "remove" and len(triples) < 10:
        kind = "add"  # keep something to change
    added: set[RdfTriple] = set()
    removed: set[RdfTriple] = set()
    if kind == "remove":
        removed.add(rng.choice(triples))
    elif kind == "add":
        predicate = rng.choice(sorted({t[1] for t in triples}, key=lambda n: n.n3()))
        obj = rng.choice(nodes) if rng.random() < 0.8 else Literal(f"v{rng.randrange(99)}")
        if predicate == RDF.type:
            obj = rng.choice(classes)
        added.add((rng.choice(resources), predicate, obj))
    else:
        node = rng.choice(resources)
        removed.update(graph.triples((node, RDF.type, None)))
        added.add((node, RDF.type, rng.choice(classes)))
    added -= set(graph)
    removed &= set(graph)
    for triple in removed:
        graph.remove(triple)
    for triple in added:
        graph.add(triple)
    return TripleChange(added=frozenset(added), removed=frozenset(removed))
