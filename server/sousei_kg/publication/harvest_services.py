"""The harvesting services in the DCAT catalogue: Triple Pattern Fragments and the LDES change
feed, each a ``dcat:DataService`` that conforms to its specification (issue 18).

Kept apart from :mod:`sousei_kg.publication.dcat`, which adds these triples with one call, so
the catalogue's own module can change shape without touching them.
"""

from pyoxigraph import Literal, NamedNode, Triple

from sousei_kg.namespaces import ID
from sousei_kg.publication.change_feed import FEED_PATH, LDES_SPECIFICATION
from sousei_kg.publication.fragments import FRAGMENTS_PATH, QPF_SPECIFICATION, TPF_SPECIFICATION
from sousei_kg.publication.statistics import CATALOG, DATASET, LICENSE, PUBLISHER, term

FRAGMENTS_SERVICE = ID + "service/fragments"
FEED_SERVICE = ID + "service/changes"
TREE_SPECIFICATION = "https://w3id.org/tree/specification"

SERVICES = (
    (
        FRAGMENTS_SERVICE,
        FRAGMENTS_PATH,
        (TPF_SPECIFICATION, QPF_SPECIFICATION),
        "sousei-kg Triple Pattern Fragments",
        "The triples matching one pattern (subject, predicate, object, and a graph as in Quad "
        "Pattern Fragments), 100 a page, with a count and the hydra:search form: query with a "
        "TPF client such as Comunica, without SPARQL.",
    ),
    (
        FEED_SERVICE,
        FEED_PATH,
        (LDES_SPECIFICATION, TREE_SPECIFICATION),
        "sousei-kg change feed (LDES)",
        "A Linked Data Event Stream of versions of every resource: one per resource for the "
        "release, then one for each resource a write changes, paged by time (full pages are "
        "immutable). Served by the embedded store; a server reading a remote engine has none.",
    ),
)
"""Each service: its IRI, its path under the public base, the specifications it follows, its
title and what it offers."""


def harvest_service_triples(base: str) -> list[Triple]:
    """The catalogue's links to the services and their descriptions.

    Args:
        base: this server's public base URL, ending in ``/``.
    """
    catalog, dataset = NamedNode(CATALOG), NamedNode(DATASET)
    out: list[Triple] = []
    for iri, path, specifications, title, description in SERVICES:
        service, endpoint = NamedNode(iri), NamedNode(base + path)
        out += [
            Triple(catalog, term("dcat:service"), service),
            Triple(service, term("rdf:type"), term("dcat:DataService")),
            Triple(service, term("dcterms:title"), Literal(title, language="en")),
            Triple(service, term("dcterms:description"), Literal(description, language="en")),
            Triple(service, term("dcat:endpointURL"), endpoint),
            # Both interfaces describe themselves: the hydra controls on every fragment, the
            # event stream and its view at the feed's root.
            Triple(service, term("dcat:endpointDescription"), endpoint),
            Triple(service, term("dcat:servesDataset"), dataset),
            Triple(service, term("dcterms:license"), NamedNode(LICENSE)),
            Triple(service, term("dcterms:publisher"), NamedNode(PUBLISHER)),
        ]
        out += [
            Triple(service, term("dcterms:conformsTo"), NamedNode(spec)) for spec in specifications
        ]
    return out
