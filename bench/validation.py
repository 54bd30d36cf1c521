"""Validation of a write: the whole post-state (as before) against incremental validation.

Times what the writer spends validating one write on the shipped data, both ways, from the
staged copy of the store to the verdict:

- *full*: ``validate_store(copy)``, the whole post-state through pySHACL (the writer until now);
- *incremental*: the post-state's data graph, the change's triples and ``validate_change``
  (what ``Writer.write`` does now).

Writes: one triple that only the confined shapes read (a measure's responsible organisation), one
triple that whole-graph shapes read too (a measure's English label), about 1,000 triples (100
new measures of 10 triples each, valid), and the first write again once the 1,000 triples are in
the store (full validation grows with the data). Each is timed ``--repeat`` times, the two ways
interleaved; the median is printed, with the ratio. The verdicts of both ways are printed too
(they must agree).

    PYTHONPATH=server .venv/bin/python bench/validation.py --repeat 3
"""

import argparse
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from pyoxigraph import Literal, NamedNode, Quad, Store

from sousei_kg.dataset.data_graph import store_data_graph, triple_change
from sousei_kg.dataset.graph_naming import load_shipped
from sousei_kg.dataset.incremental_validation import (
    ChangeShapes,
    load_change_shapes,
    validate_change,
    validate_everything,
)
from sousei_kg.dataset.validation import validate_store
from sousei_kg.dataset.violation_baseline import ViolationBaseline
from sousei_kg.store.graph_edits import copy_store

SOUSEI = "https://w3id.org/sousei-kg/def#"
ID = "https://w3id.org/sousei-kg/id/"
CURATION = NamedNode("https://w3id.org/sousei-kg/graph/curation")
STRATEGY = NamedNode("https://w3id.org/sousei-kg/graph/strategy-2025")
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
PREF_LABEL = NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
IN_SCHEME = NamedNode("http://www.w3.org/2004/02/skos/core#inScheme")


def n(local: str) -> NamedNode:
    return NamedNode(ID + local)


def s(local: str) -> NamedNode:
    return NamedNode(SOUSEI + local)


def organisation_write() -> list[Quad]:
    """One triple: a responsible organisation for a measure that has none yet."""
    return [
        Quad(
            n("measure/lively-sustainable-communities"),
            s("responsibleOrganization"),
            n("org/cabinet"),
            CURATION,
        )
    ]


def label_write() -> list[Quad]:
    """One triple that whole-graph shapes also read: an English rdfs:label for a measure (the
    label in the same language already there makes it a Violation: at most one per language)."""
    return [
        Quad(
            n("measure/lively-sustainable-communities"),
            RDFS_LABEL,
            Literal("Another English label", language="en"),
            CURATION,
        )
    ]


def thousand_triples() -> list[Quad]:
    """100 new measures of 10 triples each, valid against the shipped shapes."""
    quads = []
    for i in range(100):
        measure = n(f"measure/bench-{i:03d}")
        quads += [
            Quad(measure, RDF_TYPE, s("Measure"), STRATEGY),
            Quad(measure, PREF_LABEL, Literal(f"施策{i}", language="ja"), STRATEGY),
            Quad(measure, PREF_LABEL, Literal(f"Measure {i}", language="en"), STRATEGY),
            Quad(measure, RDFS_LABEL, Literal(f"施策{i}", language="ja"), STRATEGY),
            Quad(measure, RDFS_LABEL, Literal(f"Measure {i}", language="en"), STRATEGY),
            Quad(measure, s("listedUnder"), n("measure-group/goal-1"), STRATEGY),
            Quad(measure, s("contributesTo"), n("output/a"), STRATEGY),
            Quad(measure, s("responsibleOrganization"), n("org/cabinet"), STRATEGY),
            Quad(measure, IN_SCHEME, n("strategy/2025"), STRATEGY),
            Quad(measure, s("involvesProgramme"), n("programme/resas"), STRATEGY),
        ]
    return quads


def timed(run: Callable[[], bool]) -> tuple[float, bool]:
    start = time.perf_counter()
    verdict = run()
    return time.perf_counter() - start, verdict


def medians(
    full: Callable[[], bool], incremental: Callable[[], bool], repeat: int
) -> tuple[float, float, bool, bool]:
    """Median seconds of both ways, interleaved (the machine's load then weighs on both alike),
    and their verdicts."""
    full_times, incremental_times = [], []
    full_refuses = incremental_refuses = False
    for _ in range(repeat):
        seconds, full_refuses = timed(full)
        full_times.append(seconds)
        seconds, incremental_refuses = timed(incremental)
        incremental_times.append(seconds)
    return (
        statistics.median(full_times),
        statistics.median(incremental_times),
        full_refuses,
        incremental_refuses,
    )


@dataclass(frozen=True)
class Committed:
    """A committed state: its store, what full and incremental validation know about it."""

    store: Store
    known: set[tuple[str, str | None, str | None, str]]
    baseline: ViolationBaseline


def committed(quads: list[Quad], shapes: ChangeShapes) -> Committed:
    """The shipped data plus ``quads``, validated whole both ways (not timed)."""
    store = Store()
    load_shipped(store)
    store.extend(quads)
    known = {
        (r.focus_node, r.result_path, r.value, r.message) for r in validate_store(store).results
    }
    baseline = ViolationBaseline.of(validate_everything(store_data_graph(store), shapes))
    return Committed(store, known, baseline)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (median)")
    args = parser.parse_args()

    shapes = load_change_shapes()
    shipped = committed([], shapes)
    grown = committed(thousand_triples(), shapes)
    print(
        f"shipped data: {len(shipped.store)} quads ({len(grown.store)} after the ~1,000-triple "
        f"write); {len(shapes.reach.confined)} confined shapes, "
        f"{len(shapes.reach.whole_graph)} whole-graph shapes"
    )
    print(f"{'write':<48} {'triples':>7} {'full s':>7} {'incr. s':>7} {'ratio':>6}  verdicts")
    for name, state, quads in (
        ("1 triple, confined shapes only", shipped, organisation_write()),
        ("1 triple, also read by whole-graph shapes", shipped, label_write()),
        ("~1,000 triples (100 new measures)", shipped, thousand_triples()),
        ("1 triple after the ~1,000-triple write", grown, organisation_write()),
    ):
        copy = copy_store(state.store)
        copy.extend(quads)
        added = [q for q in quads if q not in state.store]

        def full(copy: Store = copy, state: Committed = state) -> bool:
            outcome = validate_store(copy)
            found = {
                (r.focus_node, r.result_path, r.value, r.message)
                for r in outcome.results
                if r.severity == "Violation"
            }
            return bool(found - state.known)

        def incremental(
            copy: Store = copy, added: list[Quad] = added, state: Committed = state
        ) -> bool:
            checked = validate_change(store_data_graph(copy), triple_change([], added), shapes)
            return bool(state.baseline.added_by(checked))

        full_seconds, incremental_seconds, full_refuses, incremental_refuses = medians(
            full, incremental, args.repeat
        )
        verdicts = "refused" if full_refuses else "accepted"
        agree = "both" if full_refuses == incremental_refuses else "DISAGREE"
        print(
            f"{name:<48} {len(added):>7} {full_seconds:>7.2f} {incremental_seconds:>7.2f} "
            f"{full_seconds / incremental_seconds:>5.1f}x  {agree} {verdicts}"
        )


if __name__ == "__main__":
    main()
