"""The DCAT catalogue served at ``/dataset``, conforming to DCAT-AP 3.0.1.

A ``dcat:Catalog`` holding the dataset (the IRI the VoID describes), its distributions and its
data services (:mod:`sousei_kg.publication.catalogue_registry`). Counts, sizes, checksums, the
coverage figures, the temporal coverage and the modification date come from the data and the
generated dumps; the titles, keywords and publisher's name are prose; the contact point and the
planned availability are the deployment's settings. Every linked resource is typed as DCAT-AP's
range shapes expect (:mod:`sousei_kg.publication.controlled_terms`), with the EU authority
tables for themes, languages, the country, file types, availability and access rights.

**Identifiers harvesters keep.** The dataset, catalogue, services and distributions have their
w3id.org IRIs. The landing page and the homepage are on the public base URL when one is set, else
on the dataset's own w3id.org base: never the request's ``Host``, which a harvester would copy
and keep. Only the URLs a client fetches from (endpoint, downloads) follow the address the
request reached when no public base URL is set, so a local deployment stays usable.

**Left out, because stating them would invent a fact** (the recommended-shape warnings that
remain, listed with their reasons in ``tests/publication/test_dcat_ap.py``): the catalogue's
``dcterms:issued`` (no first-release date is recorded anywhere), the publisher's ``dcterms:type``
(the ADMS publisher types have none for a volunteer project, and picking one would state what we
do not know), and Japan's ``dcat:bbox``/``dcat:centroid`` (we hold no sourced geometry).
"""

from pyoxigraph import Literal, NamedNode, Triple

from sousei_kg.publication.catalogue_entries import (
    PUBLISHER_AGENT,
    DataService,
    Deployment,
    Distribution,
    add_distribution,
    add_service,
    add_shared,
)
from sousei_kg.publication.controlled_terms import (
    CC_BY,
    DATA_THEMES,
    JAPAN,
    LANGUAGES,
    VOCABULARY,
    Document,
)
from sousei_kg.publication.description_builder import Description
from sousei_kg.publication.quality import Measurement, add_quality
from sousei_kg.publication.statistics import (
    CATALOG,
    DATASET,
    SOURCE_DOCUMENT,
    DatasetStatistics,
    term,
)
from sousei_kg.publication.void import DATASET_PATH, DESCRIPTION, TITLE, VOID_PATH

KEYWORDS = {
    "ja": ("地方創生", "総合戦略", "ロジックモデル", "KPI", "施策", "府省庁"),
    "en": (
        "regional revitalization",
        "national strategy",
        "logic model",
        "KPI",
        "government policy",
        "linked data",
    ),
}
CATALOG_TITLE = {"ja": "sousei-kg データカタログ", "en": "sousei-kg data catalogue"}
VOID_TITLE = {"en": "VoID description of sousei-kg"}


def dcat_triples(
    stats: DatasetStatistics,
    deployment: Deployment,
    services: tuple[DataService, ...],
    distributions: list[Distribution],
    measurements: tuple[Measurement, ...],
) -> list[Triple]:
    """The DCAT-AP description of the catalogue, the dataset, its distributions and services.

    Args:
        stats: the dataset's statistics.
        deployment: this deployment's addresses, contact point and planned availability.
        services: the data services to list.
        distributions: the distributions to list.
        measurements: the dataset's quality measurements.

    Returns:
        The triples, in a stable order.
    """
    out = Description()
    catalog, ds = NamedNode(CATALOG), NamedNode(DATASET)
    addresses = deployment.addresses
    landing = Document(addresses.pages + DATASET_PATH, CATALOG_TITLE)
    void_page = Document(addresses.access + VOID_PATH, VOID_TITLE)

    document = NamedNode(addresses.access + DATASET_PATH)  # this description, as served
    out.add(document, "foaf:primaryTopic", catalog)
    out.add(document, "rdfs:seeAlso", void_page.node)

    out.add(catalog, "rdf:type", term("dcat:Catalog"))
    out.texts(catalog, "dcterms:title", CATALOG_TITLE)
    out.texts(catalog, "dcterms:description", DESCRIPTION)
    out.link(catalog, "dcterms:publisher", PUBLISHER_AGENT)
    out.link(catalog, "dcterms:license", CC_BY)
    out.link(catalog, "foaf:homepage", Document(addresses.pages))
    for language in LANGUAGES:
        out.link(catalog, "dcterms:language", language)
    out.link(catalog, "dcterms:spatial", JAPAN)
    out.link(catalog, "dcat:themeTaxonomy", DATA_THEMES)
    if stats.modified is not None:  # the catalogue lists one dataset: it changed when that did
        out.add(catalog, "dcterms:modified", stats.modified)
    out.link(catalog, "rdfs:seeAlso", void_page)
    out.add(catalog, "dcat:dataset", ds)

    _add_dataset(out, ds, stats, deployment, landing, void_page)
    for file in distributions:
        out.add(ds, "dcat:distribution", add_distribution(out, file, deployment))
    for service in services:
        out.add(catalog, "dcat:service", add_service(out, service, ds, deployment))
    add_quality(out, ds, measurements, addresses.access)
    return out.triples


def _add_dataset(
    out: Description,
    ds: NamedNode,
    stats: DatasetStatistics,
    deployment: Deployment,
    landing: Document,
    void_page: Document,
) -> None:
    out.add(ds, "rdf:type", term("dcat:Dataset"))
    out.texts(ds, "dcterms:title", TITLE)
    out.texts(ds, "dcterms:description", DESCRIPTION)
    # The identifier harvesters deduplicate by: the dataset's IRI, the same for every version.
    out.add(ds, "dcterms:identifier", Literal(DATASET))
    out.add(ds, "dcat:version", Literal(stats.version))
    out.add(ds, "owl:versionInfo", Literal(stats.version))
    add_shared(out, ds, deployment)
    # The summary is a document, not a dcat:Dataset (DCAT-AP's range of dcterms:source).
    out.add(ds, "prov:wasDerivedFrom", NamedNode(SOURCE_DOCUMENT))
    out.link(ds, "dcterms:conformsTo", VOCABULARY)
    out.link(ds, "dcterms:spatial", JAPAN)
    for language in LANGUAGES:
        out.link(ds, "dcterms:language", language)
    for lang, words in KEYWORDS.items():
        for word in words:
            out.add(ds, "dcat:keyword", Literal(word, language=lang))
    if stats.modified is not None:
        out.add(ds, "dcterms:modified", stats.modified)
    if stats.period is not None:
        period = NamedNode(stats.period.iri)
        out.add(ds, "dcterms:temporal", period)
        out.add(period, "rdf:type", term("dcterms:PeriodOfTime"))
        out.add(period, "dcat:startDate", stats.period.start)
        out.add(period, "dcat:endDate", stats.period.end)
    out.link(ds, "dcat:landingPage", landing)
    out.link(ds, "foaf:page", void_page)
    out.add(ds, "rdfs:seeAlso", void_page.node)
