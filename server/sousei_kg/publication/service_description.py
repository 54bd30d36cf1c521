"""The SPARQL 1.1 Service Description of ``/sparql`` (https://www.w3.org/TR/sparql11-service-description/).

Built as RDF terms, never as text: the endpoint IRI comes from the request and graph IRIs from the
store, so nothing a client sends can change the shape of the document. It tells clients (Comunica,
federating endpoints, harvesters) what the endpoint does: SPARQL 1.1 Query only, which result
formats, and that the default graph is the union of the named graphs listed with their sizes.
"""

from collections.abc import Mapping

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from sousei_kg.sparql.formats import (
    CSV,
    JSON_LD,
    JSON_RESULTS,
    N_QUADS,
    N_TRIPLES,
    RDF_XML,
    TRIG,
    TSV,
    TURTLE,
    XML_RESULTS,
    Format,
)
from sousei_kg.store.canonical import DEFAULT_GRAPH_KEY

SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
FORMATS = "http://www.w3.org/ns/formats/"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
DCTERMS = "http://purl.org/dc/terms/"
XSD_INTEGER = NamedNode("http://www.w3.org/2001/XMLSchema#integer")
SIMPLE_ENTAILMENT = NamedNode("http://www.w3.org/ns/entailment/Simple")

#: The W3C format IRI (https://www.w3.org/ns/formats/) of each format the endpoint writes.
FORMAT_IRIS: dict[Format, NamedNode] = {
    JSON_RESULTS: NamedNode(FORMATS + "SPARQL_Results_JSON"),
    XML_RESULTS: NamedNode(FORMATS + "SPARQL_Results_XML"),
    CSV: NamedNode(FORMATS + "SPARQL_Results_CSV"),
    TSV: NamedNode(FORMATS + "SPARQL_Results_TSV"),
    TURTLE: NamedNode(FORMATS + "Turtle"),
    N_TRIPLES: NamedNode(FORMATS + "N-Triples"),
    RDF_XML: NamedNode(FORMATS + "RDF_XML"),
    JSON_LD: NamedNode(FORMATS + "JSON-LD"),
    N_QUADS: NamedNode(FORMATS + "N-Quads"),
    TRIG: NamedNode(FORMATS + "TriG"),
}

UNION_NOTE = (
    "Without default-graph-uri, named-graph-uri or FROM, the default graph is the union of all "
    "named graphs. Graph IRIs in the protocol parameters and in FROM/FROM NAMED name graphs of "
    "this store only; nothing is fetched, and a graph the store does not hold is empty."
)


def _sd(name: str) -> NamedNode:
    return NamedNode(SD + name)


def _count(value: int) -> Literal:
    return Literal(str(value), datatype=XSD_INTEGER)


def service_description(
    endpoint: str, graphs: Mapping[str, int], union_triples: int
) -> list[Triple]:
    """Describe the endpoint.

    Args:
        endpoint: the endpoint's URL, as clients reach it.
        graphs: triples per named-graph IRI (a ``"default"`` key, the store's own default graph,
            is left out: it is not a named graph).
        union_triples: the number of distinct triples in the union default graph.

    Returns:
        The triples of the description (the service is a blank node).

    Raises:
        ValueError: if ``endpoint`` or a graph key is not an absolute IRI.
    """
    service, dataset, default_graph = BlankNode(), BlankNode(), BlankNode()
    triples = [
        Triple(service, RDF_TYPE, _sd("Service")),
        Triple(service, _sd("endpoint"), NamedNode(endpoint)),
        Triple(
            service,
            NamedNode(DCTERMS + "title"),
            Literal("sousei-kg SPARQL endpoint", language="en"),
        ),
        Triple(service, _sd("supportedLanguage"), _sd("SPARQL11Query")),
        Triple(service, _sd("feature"), _sd("UnionDefaultGraph")),
        Triple(service, _sd("defaultEntailmentRegime"), SIMPLE_ENTAILMENT),
        *(Triple(service, _sd("resultFormat"), iri) for iri in FORMAT_IRIS.values()),
        Triple(service, _sd("defaultDataset"), dataset),
        Triple(dataset, RDF_TYPE, _sd("Dataset")),
        Triple(dataset, _sd("defaultGraph"), default_graph),
        Triple(default_graph, RDF_TYPE, _sd("Graph")),
        Triple(
            default_graph, NamedNode(DCTERMS + "description"), Literal(UNION_NOTE, language="en")
        ),
        Triple(default_graph, NamedNode(VOID + "triples"), _count(union_triples)),
    ]
    for iri, count in sorted(graphs.items()):
        if iri == DEFAULT_GRAPH_KEY:
            continue
        named, graph = BlankNode(), BlankNode()
        triples += [
            Triple(dataset, _sd("namedGraph"), named),
            Triple(named, RDF_TYPE, _sd("NamedGraph")),
            Triple(named, _sd("name"), NamedNode(iri)),
            Triple(named, _sd("graph"), graph),
            Triple(graph, RDF_TYPE, _sd("Graph")),
            Triple(graph, NamedNode(VOID + "triples"), _count(count)),
        ]
    return triples
