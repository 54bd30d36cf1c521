"""The vocabulary (ontology/sousei.ttl) and the shapes that lint it (shapes/ontology-lint.ttl)."""

import re
from pathlib import Path

import pyshacl
import pytest
from rdflib import OWL, RDF, SH, SKOS, BNode, Graph, Literal, Namespace, URIRef

from conftest import FIXTURES, REPO

ROOT = REPO
ONTOLOGY_FILE = ROOT / "ontology" / "sousei.ttl"
LINT_SHAPES_FILE = ROOT / "shapes" / "ontology-lint.ttl"
INVALID_DIR = FIXTURES / "invalid"
LINT_FIXTURES = sorted(INVALID_DIR.glob("ontology-lint-*.ttl"))

SOUSEI = Namespace("https://w3id.org/sousei-kg/def#")
SHAPES = Namespace("https://w3id.org/sousei-kg/shapes#")
ONTOLOGY_IRI = URIRef("https://w3id.org/sousei-kg/def")
EXPECT_LINE = re.compile(r"^# expect: <(?P<shape>[^<>\s]+)> <(?P<focus>[^<>\s]+)>\s*$")
EXPECT_MESSAGE_LINE = re.compile(r"^# expect-message: (?P<message>.+?)\s*$")

CONTRACT_TERMS: dict[URIRef, URIRef] = {
    SOUSEI.Strategy: OWL.Class,
    SOUSEI.PolicyGoal: OWL.Class,
    SOUSEI.Outcome: OWL.Class,
    SOUSEI.Output: OWL.Class,
    SOUSEI.LogicModelLevel: OWL.Class,
    SOUSEI.Indicator: OWL.Class,
    SOUSEI.Measure: OWL.Class,
    SOUSEI.MeasureGroup: OWL.Class,
    SOUSEI.Programme: OWL.Class,
    SOUSEI.Attribution: OWL.Class,
    SOUSEI.Law: OWL.Class,
    SOUSEI.contributesTo: OWL.ObjectProperty,
    SOUSEI.hasKPI: OWL.ObjectProperty,
    SOUSEI.level: OWL.ObjectProperty,
    SOUSEI.listedUnder: OWL.ObjectProperty,
    SOUSEI.forGoal: OWL.ObjectProperty,
    SOUSEI.responsibleOrganization: OWL.ObjectProperty,
    SOUSEI.involvesProgramme: OWL.ObjectProperty,
    SOUSEI.confidence: OWL.ObjectProperty,
    SOUSEI.qualifiedAttribution: OWL.ObjectProperty,
    SOUSEI.amends: OWL.ObjectProperty,
    SOUSEI.legalBasis: OWL.ObjectProperty,
    SOUSEI.declaredMeasureCount: OWL.DatatypeProperty,
    SOUSEI.declaredItemCount: OWL.DatatypeProperty,
    SOUSEI.declaredIndicatorCount: OWL.DatatypeProperty,
    SOUSEI.plannedTiming: OWL.DatatypeProperty,
    SOUSEI.revisionPractice: OWL.DatatypeProperty,
    SOUSEI.ConfidenceScheme: SKOS.ConceptScheme,
    SOUSEI.OfficialSource: SKOS.Concept,
    SOUSEI.SecondarySource: SKOS.Concept,
    SOUSEI.WidelyKnown: SKOS.Concept,
    SOUSEI.Inferred: SKOS.Concept,
}

CONFIDENCE_NOTATIONS: dict[URIRef, str] = {
    SOUSEI.OfficialSource: "SRC",
    SOUSEI.SecondarySource: "SRC2",
    SOUSEI.WidelyKnown: "WK",
    SOUSEI.Inferred: "GUESS",
}


def load(path: Path) -> Graph:
    graph = Graph()
    graph.parse(path, format="turtle")
    return graph


def lint(data_graph: Graph) -> tuple[bool, Graph, str]:
    # advanced=True: the term shapes select their focus nodes with SPARQL targets (SHACL-AF), as the
    # project's own validation (sousei_kg.dataset.validation) does.
    conforms, report_graph, report_text = pyshacl.validate(
        data_graph,
        shacl_graph=load(LINT_SHAPES_FILE),
        allow_warnings=True,
        allow_infos=True,
        advanced=True,
    )
    assert isinstance(conforms, bool)
    assert isinstance(report_graph, Graph)
    assert isinstance(report_text, str)
    return conforms, report_graph, report_text


def messages(report_graph: Graph) -> list[str]:
    return [str(message) for message in report_graph.objects(None, SH.resultMessage)]


def results(report_graph: Graph) -> set[tuple[URIRef, URIRef]]:
    """(sh:sourceShape, sh:focusNode) of every result in a validation report."""
    pairs: set[tuple[URIRef, URIRef]] = set()
    for result in report_graph.subjects(RDF.type, SH.ValidationResult):
        shape = report_graph.value(result, SH.sourceShape)
        focus = report_graph.value(result, SH.focusNode)
        assert isinstance(shape, URIRef), f"result without an IRI sh:sourceShape: {shape!r}"
        assert isinstance(focus, URIRef), f"result without an IRI sh:focusNode: {focus!r}"
        pairs.add((shape, focus))
    return pairs


def expectation(fixture: Path) -> tuple[URIRef, URIRef]:
    first_line = fixture.read_text(encoding="utf-8").splitlines()[0]
    match = EXPECT_LINE.match(first_line)
    assert match, f"{fixture.name}: first line must be '# expect: <shape IRI> <focus node IRI>'"
    return URIRef(match["shape"]), URIRef(match["focus"])


def expected_message(fixture: Path) -> str | None:
    """The optional second line, ``# expect-message: <text a result message must contain>``."""
    lines = fixture.read_text(encoding="utf-8").splitlines()
    match = EXPECT_MESSAGE_LINE.match(lines[1]) if len(lines) > 1 else None
    return match["message"] if match else None


def lint_shape_iris() -> set[URIRef]:
    shapes = load(LINT_SHAPES_FILE)
    found: set[URIRef] = set()
    for shape_class in (SH.NodeShape, SH.PropertyShape):
        for shape in shapes.subjects(RDF.type, shape_class):
            assert isinstance(shape, URIRef), f"blank-node shape in {LINT_SHAPES_FILE.name}"
            found.add(shape)
    return found


def test_ontology_conforms_to_lint_shapes() -> None:
    conforms, _, report_text = lint(load(ONTOLOGY_FILE))
    assert conforms, report_text


def test_lint_fixtures_exist() -> None:
    assert LINT_FIXTURES, f"no ontology-lint-*.ttl fixtures in {INVALID_DIR}"


def test_every_lint_shape_has_a_failing_fixture() -> None:
    shapes = lint_shape_iris()
    assert shapes, f"no shapes found in {LINT_SHAPES_FILE.name}"
    assert all(shape.startswith(str(SHAPES)) for shape in shapes), shapes
    covered = {expectation(fixture)[0] for fixture in LINT_FIXTURES}
    assert shapes - covered == set(), "shapes without a fixture"
    assert covered - shapes == set(), "fixtures expecting a shape that does not exist"


@pytest.mark.parametrize("fixture", LINT_FIXTURES, ids=lambda path: path.stem)
def test_lint_fixture_fails_exactly_its_shape(fixture: Path) -> None:
    expected_shape, expected_focus = expectation(fixture)
    assert expected_focus.startswith(str(SOUSEI)), "focus nodes must be in the sousei namespace"
    conforms, report_graph, report_text = lint(load(fixture))
    assert not conforms, f"{fixture.name} conforms but must fail {expected_shape}"
    found = results(report_graph)
    assert (expected_shape, expected_focus) in found, report_text
    assert {shape for shape, _ in found} == {expected_shape}, report_text
    message = expected_message(fixture)
    if message is not None:
        assert any(message in text for text in messages(report_graph)), report_text


@pytest.mark.parametrize(
    ("term", "expected_type"),
    sorted(CONTRACT_TERMS.items()),
    ids=[str(term).removeprefix(str(SOUSEI)) for term in sorted(CONTRACT_TERMS)],
)
def test_contract_term_exists(term: URIRef, expected_type: URIRef) -> None:
    graph = load(ONTOLOGY_FILE)
    assert (term, RDF.type, expected_type) in graph


def test_ontology_header() -> None:
    graph = load(ONTOLOGY_FILE)
    assert set(graph.subjects(RDF.type, OWL.Ontology)) == {ONTOLOGY_IRI}
    assert graph.value(ONTOLOGY_IRI, OWL.versionIRI) == URIRef(
        "https://w3id.org/sousei-kg/def/1.1.0"
    )
    assert graph.value(ONTOLOGY_IRI, OWL.versionInfo) == Literal("1.1.0")
    assert graph.value(ONTOLOGY_IRI, OWL.priorVersion) == URIRef(
        "https://w3id.org/sousei-kg/def/1.0.0"
    )


def test_confidence_levels_are_ordered_and_defined_precisely() -> None:
    """Issue 17: the levels are ordered OfficialSource > SecondarySource > WidelyKnown > Inferred
    (sousei:confidenceRank, which the minConfidence filters read), and each definition says what
    evidence the level needs."""
    graph = load(ONTOLOGY_FILE)
    ranks = {c: str(graph.value(c, SOUSEI.confidenceRank)) for c in CONFIDENCE_NOTATIONS}
    assert [
        int(ranks[c])
        for c in (
            SOUSEI.OfficialSource,
            SOUSEI.SecondarySource,
            SOUSEI.WidelyKnown,
            SOUSEI.Inferred,
        )
    ] == [4, 3, 2, 1]
    definition = {
        c: str(
            next(
                d
                for d in graph.objects(c, SKOS.definition)
                if isinstance(d, Literal) and d.language == "en"
            )
        )
        for c in CONFIDENCE_NOTATIONS
    }
    assert "go.jp" in definition[SOUSEI.OfficialSource]
    assert "dcterms:source" in definition[SOUSEI.OfficialSource]
    assert "dcterms:source" in definition[SOUSEI.SecondarySource]
    assert "skos:editorialNote" in definition[SOUSEI.WidelyKnown]
    assert "skos:editorialNote" in definition[SOUSEI.Inferred]


def test_confidence_scheme_has_exactly_four_top_concepts() -> None:
    graph = load(ONTOLOGY_FILE)
    scheme = SOUSEI.ConfidenceScheme
    members = set(graph.subjects(SKOS.inScheme, scheme))
    assert members == set(CONFIDENCE_NOTATIONS)
    assert set(graph.subjects(SKOS.topConceptOf, scheme)) == members
    for concept, notation in CONFIDENCE_NOTATIONS.items():
        assert graph.value(concept, SKOS.notation) == Literal(notation)


@pytest.mark.parametrize("path", [ONTOLOGY_FILE, LINT_SHAPES_FILE], ids=lambda path: path.name)
def test_no_blank_nodes(path: Path) -> None:
    graph = load(path)
    assert len(graph) > 0
    blank = [
        triple for triple in graph if isinstance(triple[0], BNode) or isinstance(triple[2], BNode)
    ]
    assert blank == [], f"{path.name} has blank nodes: {blank[:5]}"
