"""Incremental validation with the shipped shapes gives the verdict of full validation.

Every case is a change validated incrementally from the baseline of the state before it, and the
state after it validated whole by pySHACL (:func:`incremental_support.compare`): the Violations
(focus node, path, value, message, source shape) and the writer's verdict must be equal.

- the 59 failing fixtures of ``tests/fixtures/invalid/``, added to their base (the ontology, or
  nothing for the ontology-lint ones, as in ``test_shapes.py``) and then removed again;
- removals that make the shipped data violate its shapes, one or two hops from the focus node;
- seeded random changes to the shipped data (remove a triple, add a triple with an existing
  predicate between existing nodes, retype a node), chained so the baseline carries over;
- a seeded sample of the fixtures added to the shipped data.

Full validations take seconds, so by default every fixture is added but only one in four is
removed again, and the shipped data gets 4 random changes and 2 fixtures.
``SOUSEI_EQUIVALENCE_WIDE=1`` runs everything (each fixture removed again, 100 random changes,
all 59 fixtures on the shipped data: about 15 minutes here, so with ``-o timeout=0``).
"""

import os
import random
import re
from functools import cache
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from conftest import FIXTURES
from incremental_support import Comparison, change_between, compare, random_change
from sousei_kg.dataset.data_graph import RdfTriple, TripleChange
from sousei_kg.dataset.incremental_validation import (
    ChangeShapes,
    load_change_shapes,
    validate_everything,
)
from sousei_kg.dataset.resources import resource_dir
from sousei_kg.dataset.validation import ValidationOutcome, parse_files, validate_graph
from sousei_kg.dataset.violation_baseline import ViolationBaseline

SOUSEI = Namespace("https://w3id.org/sousei-kg/def#")
ID = Namespace("https://w3id.org/sousei-kg/id/")
SHP = Namespace("https://w3id.org/sousei-kg/shapes#")
ONTOLOGY_FILES = sorted(resource_dir("ontology").glob("*.ttl"))
DATA_FILES = sorted(resource_dir("data").glob("*.ttl"))
FIXTURE_FILES = sorted((FIXTURES / "invalid").glob("*.ttl"))
WIDE = os.environ.get("SOUSEI_EQUIVALENCE_WIDE") == "1"
CHANGES = 100 if WIDE else 4
SHIPPED_FIXTURES = len(FIXTURE_FILES) if WIDE else 2
REMOVED_AGAIN = FIXTURE_FILES if WIDE else FIXTURE_FILES[::4]


@cache
def shapes() -> ChangeShapes:
    return load_change_shapes()


@cache
def start(kind: str) -> tuple[frozenset[RdfTriple], ValidationOutcome, ViolationBaseline]:
    """A base state (``empty``, ``ontology`` or ``shipped``): its triples, its full validation and
    its incremental baseline."""
    files = {"empty": [], "ontology": ONTOLOGY_FILES, "shipped": ONTOLOGY_FILES + DATA_FILES}[kind]
    graph = parse_files(files)
    baseline = ViolationBaseline.of(validate_everything(graph, shapes()))
    return frozenset(graph), validate_graph(graph), baseline


def graph_of(triples: frozenset[RdfTriple]) -> Graph:
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    return graph


def expectation(fixture: Path) -> tuple[str, str]:
    """The shape and focus node the fixture's first line names."""
    match = re.match(r"^# expect: <([^>]+)> <([^>]+)>", fixture.read_text(encoding="utf-8"))
    assert match, fixture.name
    return match.group(1), match.group(2)


def assert_same(result: Comparison, case: str) -> None:
    assert result.incremental == result.full, (
        f"{case}: only incremental {sorted(result.incremental - result.full)}, "
        f"only full {sorted(result.full - result.incremental)}"
    )
    assert result.incremental_refuses == result.full_refuses, case


def test_the_shipped_shapes_that_run_over_the_whole_graph() -> None:
    reach = shapes().reach
    assert reach.off is None
    whole = {shape.node: shape.whole_graph for shape in reach.whole_graph}
    assert set(whole) == {
        SHP.NoBlankNodesShape,
        SHP.StrategyCoverageShape,
        SHP.AttributionWithoutStatementShape,
        SHP.OntologyTermLabelShape,
        SHP.OntologyTermPrefLabelShape,
        SHP.OntologyTermDefinitionShape,
        SHP.OntologyTermIsDefinedByShape,
        # Their focus nodes are found by one query over the data (sh:target, a SPARQL target).
        SHP.MeasureInferredOnlyShape,
        SHP.AttributionEvidenceCoverageShape,
    }
    assert "reads beyond $this" in (whole[SHP.NoBlankNodesShape] or "")
    assert "sh:target" in (whole[SHP.OntologyTermLabelShape] or "")
    # Whole-graph shapes that read known predicates only run when a change touches one of them.
    by_node = {shape.node: shape for shape in reach.whole_graph}
    assert None in by_node[SHP.NoBlankNodesShape].predicates
    assert by_node[SHP.OntologyTermDefinitionShape].predicates == {RDF.type, SKOS.definition}
    assert len(reach.confined) == 26


@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=lambda path: path.stem)
def test_a_fixture_added_and_removed_again(fixture: Path) -> None:
    kind = "empty" if fixture.name.startswith("ontology-lint") else "ontology"
    base, base_outcome, baseline = start(kind)
    after = graph_of(base)
    after.parse(fixture, format="turtle")
    added = compare(baseline, base_outcome, change_between(set(base), after), after, shapes())
    assert_same(added, f"{fixture.name} added")
    # The fixture's shape fails at its focus node in both reports (Warnings included: the
    # coverage fixtures fail Warning-level shapes, which the baseline does not keep).
    shape, focus = expectation(fixture)
    for outcome in (added.full_outcome, added.scoped_outcome):
        assert any(r.source_shape == shape and r.focus_node == focus for r in outcome.results)
    if fixture not in REMOVED_AGAIN:
        return
    restored = graph_of(base)
    removed = compare(
        added.baseline,
        added.full_outcome,
        change_between(set(after), restored),
        restored,
        shapes(),
        full=base_outcome,
    )
    assert_same(removed, f"{fixture.name} removed")
    assert not removed.full_refuses


REMOVALS: dict[str, tuple[URIRef, URIRef, Literal | URIRef | None]] = {
    "the English label of a measure": (
        ID["measure/smart-agriculture-forestry-fisheries"],
        SKOS.prefLabel,
        None,
    ),
    "the notation of a goal": (ID["goal/2"], SKOS.notation, Literal("2")),
    "the type of a goal's KPI (the goal is one hop away)": (
        ID["indicator/goal-1-kpi"],
        RDF.type,
        SOUSEI.Indicator,
    ),
    "the type of an output (the measures reach it through contributesTo)": (
        ID["output/a"],
        RDF.type,
        SOUSEI.Output,
    ),
    "the English title of the ontology": (
        URIRef("https://w3id.org/sousei-kg/def"),
        DCTERMS.title,
        None,
    ),
}


@pytest.mark.parametrize("removal", sorted(REMOVALS))
def test_a_removal_that_makes_the_shipped_data_violate(removal: str) -> None:
    base, base_outcome, baseline = start("shipped")
    subject, predicate, obj = REMOVALS[removal]
    graph = graph_of(base)
    removed = {
        triple
        for triple in graph.triples((subject, predicate, obj))
        if obj is not None or getattr(triple[2], "language", None) == "en"  # None: the @en one
    }
    assert removed, f"the shipped data has no {removal}"
    for triple in removed:
        graph.remove(triple)
    result = compare(
        baseline,
        base_outcome,
        TripleChange(added=frozenset(), removed=frozenset(removed)),
        graph,
        shapes(),
    )
    assert_same(result, removal)
    assert result.full_refuses, f"removing {removal} should add a Violation"
    assert result.everything is None


def test_random_changes_to_the_shipped_data() -> None:
    base, before, baseline = start("shipped")
    graph = graph_of(base)
    classes = sorted({o for o in graph.objects(None, RDF.type)}, key=lambda node: node.n3())
    rng = random.Random(2025)  # noqa: S311 (seeded test data, not a secret)
    for step in range(CHANGES):
        change = random_change(graph, rng, classes)
        result = compare(baseline, before, change, graph, shapes())
        assert_same(result, f"step {step}: {change}")
        baseline, before = result.baseline, result.full_outcome


def test_fixtures_added_to_the_shipped_data() -> None:
    base, base_outcome, baseline = start("shipped")
    sample = random.Random(59).sample(FIXTURE_FILES, min(SHIPPED_FIXTURES, len(FIXTURE_FILES)))  # noqa: S311
    for fixture in sample:
        after = graph_of(base)
        after.parse(fixture, format="turtle")
        result = compare(baseline, base_outcome, change_between(set(base), after), after, shapes())
        assert_same(result, f"{fixture.name} added to the shipped data")
