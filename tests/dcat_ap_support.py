"""Validating RDF the way DCAT-AP harvesters do: pySHACL, no inference, the DCAT-AP 3.0.1 shapes
vendored in ``tests/fixtures/dcat-ap-3.0.1/`` (SEMIC, CC BY 4.0). Shared by the catalogue's quick
tests and the live one."""

from functools import cache

from pyshacl import validate
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, SH

from conftest import FIXTURES

SHAPES = FIXTURES / "dcat-ap-3.0.1"
"""The three shapes files, unchanged, with their attribution (README.md)."""
DCAT = Namespace("http://www.w3.org/ns/dcat#")
ID = "https://w3id.org/sousei-kg/id/"
CANONICAL = "https://w3id.org/sousei-kg/"
CATALOG = URIRef(ID + "catalog/sousei-kg")
DATASET = URIRef(ID + "dataset/sousei-kg")
PUBLISHER = URIRef(ID + "agent/sousei-kg")
JAPAN = URIRef("http://publications.europa.eu/resource/authority/country/JPN")

ACCEPTED_WARNINGS: dict[tuple[URIRef, URIRef], str] = {
    (CATALOG, DCTERMS.issued): "No date of the catalogue's first release is recorded anywhere; "
    "any date we gave would be invented.",
    (PUBLISHER, DCTERMS.type): "The ADMS publisher types (national authority, company, NGO, "
    "academia…) have none for a volunteer open-source project; picking one would state what we "
    "do not know about who the project is.",
    (JAPAN, DCAT.bbox): "We hold no sourced geometry for Japan; a bounding box from memory would "
    "be invented. The EU country table the IRI names defines the country.",
    (JAPAN, DCAT.centroid): "As for dcat:bbox: no sourced geometry.",
}
"""The recommended-shape warnings that stay, each with its reason (a property we cannot state
without inventing a fact)."""


@cache
def shapes(*names: str) -> Graph:
    """The named shapes files as one shapes graph (parsed once)."""
    graph = Graph()
    for name in names:
        graph.parse(SHAPES / name, format="turtle")
    return graph


def results(data: Graph, *names: str) -> set[tuple[str, str, str]]:
    """(severity, focus node, path) of every result of validating ``data`` against the shapes."""
    _conforms, report, _text = validate(
        data, shacl_graph=shapes(*names), inference="none", allow_warnings=True
    )
    assert isinstance(report, Graph)
    found = set()
    for result in report.subjects(RDF.type, SH.ValidationResult):
        severity = report.value(result, SH.resultSeverity)
        found.add(
            (
                str(severity).rsplit("#", 1)[-1],
                str(report.value(result, SH.focusNode)),
                str(report.value(result, SH.resultPath)),
            )
        )
    return found


def mandatory_and_range(data: Graph) -> set[tuple[str, str, str]]:
    """The results against the mandatory and range shapes: a harvester rejects on any."""
    return results(data, "shapes.ttl", "range.ttl")


def recommended(data: Graph) -> set[tuple[str, str, str]]:
    """The results against the recommended shapes (warnings)."""
    return results(data, "shapes_recommended.ttl")


def accepted() -> set[tuple[str, str, str]]:
    """The warnings of :data:`ACCEPTED_WARNINGS`, as :func:`results` writes them."""
    return {("Warning", str(focus), str(path)) for focus, path in ACCEPTED_WARNINGS}
