"""The DCAT 3 catalogue served at ``/dataset`` (https://www.w3.org/TR/vocab-dcat-3/).

A ``dcat:Catalog`` holding the dataset (the same IRI the VoID describes), one ``dcat:Distribution``
per downloadable file and the SPARQL endpoint as a ``dcat:DataService``. Counts, sizes, the temporal
coverage and the modification date come from the data and the generated dumps, never from text kept
by hand; only the titles, keywords and the publisher's name are prose.
"""

from pyoxigraph import Literal, NamedNode, Triple

from sousei_kg.publication.dumps import DUMP_FILES, GZIP_MEDIA_TYPE, IANA, DumpFile
from sousei_kg.publication.harvest_services import harvest_service_triples
from sousei_kg.publication.statistics import (
    CATALOG,
    DATASET,
    DISTRIBUTION,
    LICENSE,
    PUBLISHER,
    SERVICE,
    SOURCE_DOCUMENT,
    DatasetStatistics,
    integer,
    term,
)
from sousei_kg.publication.void import DATASET_PATH, DESCRIPTION, SPARQL_PATH, TITLE, VOID_PATH

ONTOLOGY = "https://w3id.org/sousei-kg/def"
SPARQL_PROTOCOL = "https://www.w3.org/TR/sparql11-protocol/"
THEME_GOVERNMENT = "http://publications.europa.eu/resource/authority/data-theme/GOVE"
JAPAN = "http://publications.europa.eu/resource/authority/country/JPN"
LANGUAGES = (
    "http://publications.europa.eu/resource/authority/language/JPN",
    "http://publications.europa.eu/resource/authority/language/ENG",
)
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
PUBLISHER_NAME = {"ja": "sousei-kg プロジェクト", "en": "The sousei-kg project"}
CATALOG_TITLE = {"ja": "sousei-kg データカタログ", "en": "sousei-kg data catalogue"}


def distribution_iri(file: DumpFile) -> str:
    """The canonical IRI of a file's distribution (``…/id/distribution/sousei-kg-nt-gz``)."""
    return DISTRIBUTION + file.slug


def distribution_description(file: DumpFile, stats: DatasetStatistics) -> str:
    """Say what a file holds: the union graph or every named graph, and how many statements."""
    fmt = file.format
    packed = ", gzip-compressed" if file.compressed else ""
    if fmt.union:
        return (
            f"{fmt.label}{packed}: the union graph, {stats.union_triple_count} distinct triples. "
            f"{fmt.label} has no named graphs, so the graph each statement came from is not kept "
            "(N-Quads, TriG and JSON-LD keep it)."
        )
    return (
        f"{fmt.label}{packed}: every named graph ({len(stats.graphs)}), "
        f"{stats.quad_count} statements, as counted by the dataset's void:triples."
    )


def dcat_triples(stats: DatasetStatistics, base: str, sizes: dict[str, int]) -> list[Triple]:
    """The DCAT description of the catalogue, dataset, distributions and SPARQL service.

    Args:
        stats: the dataset's statistics.
        base: this server's public base URL, ending in ``/``.
        sizes: byte size of each downloadable file, by file name.

    Returns:
        The triples, in a stable order.
    """
    catalog, ds, service = NamedNode(CATALOG), NamedNode(DATASET), NamedNode(SERVICE)
    publisher, licence = NamedNode(PUBLISHER), NamedNode(LICENSE)
    document = NamedNode(base + DATASET_PATH)
    out: list[Triple] = []

    def add(s: NamedNode, p: str, o: NamedNode | Literal) -> None:
        out.append(Triple(s, term(p), o))

    def add_lang(s: NamedNode, p: str, values: dict[str, str]) -> None:
        for lang, text in values.items():
            add(s, p, Literal(text, language=lang))

    add(document, "foaf:primaryTopic", catalog)
    add(document, "rdfs:seeAlso", NamedNode(base + VOID_PATH))

    add(catalog, "rdf:type", term("dcat:Catalog"))
    add_lang(catalog, "dcterms:title", CATALOG_TITLE)
    add_lang(catalog, "dcterms:description", DESCRIPTION)
    add(catalog, "dcterms:publisher", publisher)
    add(catalog, "dcterms:license", licence)
    add(catalog, "foaf:homepage", NamedNode(base))
    add(catalog, "dcat:dataset", ds)
    add(catalog, "dcat:service", service)

    add(publisher, "rdf:type", term("foaf:Organization"))
    add_lang(publisher, "foaf:name", PUBLISHER_NAME)

    add(ds, "rdf:type", term("dcat:Dataset"))
    add_lang(ds, "dcterms:title", TITLE)
    add_lang(ds, "dcterms:description", DESCRIPTION)
    add(ds, "dcterms:identifier", Literal(stats.version))
    add(ds, "dcat:version", Literal(stats.version))
    add(ds, "owl:versionInfo", Literal(stats.version))
    add(ds, "dcterms:license", licence)
    add(ds, "dcterms:publisher", publisher)
    add(ds, "dcterms:source", NamedNode(SOURCE_DOCUMENT))
    add(ds, "prov:wasDerivedFrom", NamedNode(SOURCE_DOCUMENT))
    add(ds, "dcterms:conformsTo", NamedNode(ONTOLOGY))
    add(ds, "dcterms:spatial", NamedNode(JAPAN))
    add(ds, "dcat:theme", NamedNode(THEME_GOVERNMENT))
    for language in LANGUAGES:
        add(ds, "dcterms:language", NamedNode(language))
    for lang, words in KEYWORDS.items():
        for word in words:
            add(ds, "dcat:keyword", Literal(word, language=lang))
    if stats.modified is not None:
        add(ds, "dcterms:modified", stats.modified)
    if stats.period is not None:
        period = NamedNode(stats.period.iri)
        add(ds, "dcterms:temporal", period)
        add(period, "rdf:type", term("dcterms:PeriodOfTime"))
        add(period, "dcat:startDate", stats.period.start)
        add(period, "dcat:endDate", stats.period.end)
    add(ds, "dcat:landingPage", document)
    add(ds, "rdfs:seeAlso", NamedNode(base + VOID_PATH))

    for file in DUMP_FILES:
        dist = NamedNode(distribution_iri(file))
        url = NamedNode(base + file.path)
        add(ds, "dcat:distribution", dist)
        add(dist, "rdf:type", term("dcat:Distribution"))
        add(dist, "dcterms:title", Literal(file.filename))
        add(
            dist,
            "dcterms:description",
            Literal(distribution_description(file, stats), language="en"),
        )
        add(dist, "dcat:downloadURL", url)
        add(dist, "dcat:accessURL", url)
        add(dist, "dcat:mediaType", NamedNode(file.format.media_type_iri))
        if file.compressed:
            add(dist, "dcat:compressFormat", NamedNode(IANA + GZIP_MEDIA_TYPE))
        add(dist, "dcat:byteSize", integer(sizes[file.filename], "xsd:nonNegativeInteger"))
        add(dist, "dcterms:conformsTo", NamedNode(file.format.standard))
        add(dist, "dcterms:license", licence)

    add(service, "rdf:type", term("dcat:DataService"))
    add(service, "dcterms:title", Literal("sousei-kg SPARQL endpoint", language="en"))
    add(service, "dcat:endpointURL", NamedNode(base + SPARQL_PATH))
    add(service, "dcat:endpointDescription", NamedNode(base + SPARQL_PATH))
    add(service, "dcat:servesDataset", ds)
    add(service, "dcterms:conformsTo", NamedNode(SPARQL_PROTOCOL))
    add(service, "dcterms:license", licence)
    add(service, "dcterms:publisher", publisher)
    out.extend(harvest_service_triples(base))  # TPF and the LDES feed (issue 18)
    return out
