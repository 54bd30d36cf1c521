"""The shapes make completeness checkable: the shipped data conforms, and every shape has a fixture
that fails it at the expected focus node (issue 2, "The shapes").

Each fixture in ``tests/fixtures/invalid/`` starts with ``# expect: <shape> <focus> [<constraint>]``.
"""

import re
from functools import cache
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH

from conftest import FIXTURES
from sousei_kg.dataset.resources import resource_dir
from sousei_kg.dataset.validation import (
    ValidationOutcome,
    coverage_summary,
    parse_files,
    shipped_shapes_files,
    validate_files,
    validate_graph,
)

INVALID_FIXTURES = FIXTURES / "invalid"
EXPECT = re.compile(r"^# expect: <([^>]+)> <([^>]+)>(?: <([^>]+)>)?$")
ONTOLOGY_FILES = sorted(resource_dir("ontology").glob("*.ttl"))
DATA_FILES = sorted(resource_dir("data").glob("*.ttl"))


def fixture_files() -> list[Path]:
    files = sorted(INVALID_FIXTURES.glob("*.ttl"))
    assert files, f"no fixtures in {INVALID_FIXTURES}"
    return files


def expectation(path: Path) -> tuple[str, str, str | None]:
    match = EXPECT.match(path.read_text(encoding="utf-8").splitlines()[0])
    assert match, f"{path.name}: first line must be '# expect: <shape> <focus> [<constraint>]'"
    return match.group(1), match.group(2), match.group(3)


@cache
def shipped_data_outcome() -> ValidationOutcome:
    return validate_files(ONTOLOGY_FILES + DATA_FILES)


def test_shipped_data_conforms() -> None:
    outcome = shipped_data_outcome()
    violations = [r for r in outcome.results if r.severity == "Violation"]
    assert violations == []
    assert outcome.conforms


def test_coverage_summary_compares_declared_and_enumerated() -> None:
    summary = coverage_summary(shipped_data_outcome())
    # Only what the summary itself lists counts: デジタル人材の育成 is in goal 1's group by our
    # inference (issue 17), so goal 1 has 12 of 132 named.
    assert "Policy goal 1: Strong economy declares 132 measures; the summary names 12 of them" in (
        summary
    )
    assert (
        "Policy goal 2: Affluent living environment declares 118 measures; "
        "the summary names 12 of them" in summary
    )
    assert any("declares 331 measures in all; 40 are in the graph" in m for m in summary)
    assert "The Output level declares 44 indicators; 0 are in the graph" in summary
    # Measures nobody could honestly attribute show up as holes, not as invented organisations.
    assert any(
        "にぎやかで持続可能な地域づくりの推進 has no responsible organisation" in m for m in summary
    )
    # Honest coverage (issue 17): the measures resting on our inference alone are named.
    inferred_only = sorted(
        m for m in summary if "every responsible organisation is our inference" in m
    )
    assert inferred_only == [
        f"Measure {label}: every responsible organisation is our inference (sousei:Inferred); "
        "no source names one"
        for label in sorted(
            [
                "教育現場の意識改革の推進",
                "産学官連携によるオープンイノベーションの推進",
                "大学等の地方分散支援",
                "女性の起業支援",
            ]
        )
    ]
    # The shipped curation carries the evidence each level needs, and the source has a date.
    assert not any("Curated statement" in m for m in summary)
    assert not any("Source document" in m for m in summary)
    # The three goal KPIs are enumerated: the impact level has no indicator warning.
    assert not any("Impact level declares" in m for m in summary)


@pytest.mark.parametrize("fixture", fixture_files(), ids=lambda p: p.stem)
def test_fixture_fails_its_shape_at_its_focus_node(fixture: Path) -> None:
    shape, focus, constraint = expectation(fixture)
    data = [] if fixture.name.startswith("ontology-lint") else ONTOLOGY_FILES
    outcome = validate_files([*data, fixture])
    report = outcome.report_graph
    matches = [
        result
        for result in report.subjects(RDF.type, SH.ValidationResult)
        if report.value(result, SH.sourceShape) == URIRef(shape)
        and report.value(result, SH.focusNode) == URIRef(focus)
        and (constraint is None or report.value(result, SH.sourceConstraint) == URIRef(constraint))
    ]
    found = sorted((r.source_shape, r.focus_node, r.message) for r in outcome.results)
    assert matches, f"{fixture.name}: no result from {shape} at {focus}; got {found}"


def shapes_that_need_a_fixture() -> set[str]:
    """Every shape that can be a result's source: property shapes reached through sh:property, and
    node shapes with a target and a constraint of their own. Value shapes (used inside
    sh:qualifiedValueShape or sh:or) report through the shape that uses them."""
    shapes = Graph()
    for path in shipped_shapes_files():
        shapes.parse(path, format="turtle")
    needed: set[str] = set()
    for _node, prop in shapes.subject_objects(SH.property):
        needed.add(str(prop))
    targets = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
    own_constraints = (SH.sparql, SH["or"], SH["and"], SH["not"], SH.closed, SH["class"])
    for node in set(shapes.subjects(RDF.type, SH.NodeShape)):
        has_target = any(shapes.value(node, t) is not None for t in targets)
        has_own = any(shapes.value(node, c) is not None for c in own_constraints)
        if has_target and has_own:
            needed.add(str(node))
    value_shapes = set(shapes.objects(None, SH.qualifiedValueShape))
    for list_head in shapes.objects(None, SH["or"]):
        value_shapes.update(shapes.items(list_head))
    for value_shape in value_shapes:
        needed.discard(str(value_shape))
        needed.difference_update(str(p) for p in shapes.objects(value_shape, SH.property))
    return needed


def test_every_shape_has_a_failing_fixture() -> None:
    needed = shapes_that_need_a_fixture()
    assert len(needed) > 30
    covered = {expectation(path)[0] for path in fixture_files()}
    assert sorted(needed - covered) == []


@pytest.mark.parametrize(
    ("predicate", "shape"),
    [
        ("http://www.w3.org/2000/01/rdf-schema#label", "OntologyTermLabelShape"),
        ("http://www.w3.org/2004/02/skos/core#prefLabel", "OntologyTermPrefLabelShape"),
        ("http://www.w3.org/2004/02/skos/core#definition", "OntologyTermDefinitionShape"),
    ],
)
def test_a_term_missing_only_its_english_text_is_reported_on_the_real_ontology(
    predicate: str, shape: str
) -> None:
    """The fixtures hold no other English text; here every other term keeps its own, which the
    offenders' query once took as the term's (its first branch did not bind ``?this``)."""
    graph = parse_files(ONTOLOGY_FILES + DATA_FILES)
    term = URIRef("https://w3id.org/sousei-kg/def#Measure")
    english = [
        o for o in graph.objects(term, URIRef(predicate)) if getattr(o, "language", None) == "en"
    ]
    assert english, f"sousei:Measure has no English {predicate} to remove"
    for literal in english:
        graph.remove((term, URIRef(predicate), literal))
    outcome = validate_graph(graph)
    failing = {(r.source_shape, r.focus_node) for r in outcome.results if r.severity == "Violation"}
    assert ("https://w3id.org/sousei-kg/shapes#" + shape, str(term)) in failing
