"""The VoID description served at ``/.well-known/void`` (https://www.w3.org/TR/void/).

Built from :mod:`sousei_kg.publication.statistics`'s statistics, so every count is the data's. The
dataset's ``void:triples`` counts every statement of every named graph, which is the statement
count of the N-Quads, TriG and JSON-LD dumps (its ``void:dataDump``\\ s). The union graph
(what ``/sparql`` sees as its default graph, and what the Turtle and N-Triples dumps hold) drops
statements repeated across graphs, so it is a subset of its own, ``id/dataset/sousei-kg-union``,
carrying its distinct-triple count and those two dumps: each dump's statement count equals the
``void:triples`` of the dataset that lists it. Each named graph is a ``void:subset`` too, under
its graph IRI.

A large dataset without stored statistics for the version served is described by its light
statistics (:mod:`sousei_kg.publication.statistics`): the dataset's ``void:triples`` and each
graph's, but no entity, distinct-term, class or property counts, no partitions, examples or
vocabularies and no ``void:triples`` of the union subset: what was not counted is left out, never
stated as zero.

Dataset IRIs stay canonical (``https://w3id.org/sousei-kg/id/…``); endpoint and dump URLs are this
server's, so a local deployment describes itself. The landing page is the DCAT catalogue's (see
:mod:`sousei_kg.publication.dcat` for why it never follows the request's ``Host``).

The VoID and the DCAT description link each other both ways: each document ``rdfs:seeAlso`` the
other, the VoID says which catalogue lists the dataset (``dcat:dataset``) and the catalogue gives
the VoID as a page of the dataset (``foaf:page``). Both state the same quality measurements
(:mod:`sousei_kg.publication.quality`).
"""

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from sousei_kg.publication.catalogue_entries import Addresses
from sousei_kg.publication.description_builder import Description
from sousei_kg.publication.dumps import DUMP_FILES
from sousei_kg.publication.quality import Measurement, add_quality
from sousei_kg.publication.statistics import (
    CATALOG,
    DATASET,
    LICENSE,
    PUBLISHER,
    SOURCE_DOCUMENT,
    UNION_SUBSET,
    URI_SPACE,
    DatasetStatistics,
    integer,
    term,
)

VOID_PATH = ".well-known/void"
DATASET_PATH = "dataset"
SPARQL_PATH = "sparql"

TITLE = {
    "ja": "地方創生に関する総合戦略 知識グラフ (sousei-kg)",
    "en": "sousei-kg: knowledge graph of the Comprehensive Strategy for Regional Revitalization",
}
DESCRIPTION = {
    "ja": "2025年の「地方創生に関する総合戦略」概要の目標、KPI、ロジックモデル、施策と担当府省庁を"
    "RDFにしたもの。概要の本文は日本語のまま、編集者による付与は確度とともに別のグラフに置く。",
    "en": "The goals, KPIs, logic model, measures and responsible ministries of the 2025 strategy "
    "summary as RDF. The summary's text is kept verbatim in Japanese; what the editors attribute "
    "lives in a graph of its own, each statement qualified with its confidence.",
}
UNION_DESCRIPTION = (
    "The union of all named graphs, each distinct triple once: the default graph of the SPARQL "
    "endpoint and the content of the Turtle and N-Triples dumps. Its void:triples counts distinct "
    "triples; the dataset's void:triples counts the statements of every graph (N-Quads lines)."
)

VOCABULARY_IRI = "https://w3id.org/sousei-kg/def"


def _length(partitions: tuple[tuple[str, int], ...] | None) -> int | None:
    return None if partitions is None else len(partitions)


def _lang(values: dict[str, str]) -> list[Literal]:
    return [Literal(text, language=lang) for lang, text in values.items()]


def void_triples(
    stats: DatasetStatistics, addresses: Addresses, measurements: tuple[Measurement, ...]
) -> list[Triple]:
    """The VoID description of the dataset, as triples.

    Args:
        stats: the dataset's statistics.
        addresses: this server's public base URL (``access``) and the base of the pages
            harvesters keep (``pages``), each ending in ``/``.
        measurements: the dataset's quality measurements.

    Returns:
        The triples, in a stable order.
    """
    base = addresses.access
    ds, union = NamedNode(DATASET), NamedNode(UNION_SUBSET)
    document = NamedNode(base + VOID_PATH)
    endpoint = NamedNode(base + SPARQL_PATH)
    out = Description()
    add = out.add

    add(document, "rdf:type", term("void:DatasetDescription"))
    add(document, "dcterms:title", Literal("VoID description of sousei-kg", language="en"))
    add(document, "foaf:primaryTopic", ds)
    add(document, "rdfs:seeAlso", NamedNode(base + DATASET_PATH))

    add(ds, "rdf:type", term("void:Dataset"))
    for literal in _lang(TITLE):
        add(ds, "dcterms:title", literal)
    for literal in _lang(DESCRIPTION):
        add(ds, "dcterms:description", literal)
    add(ds, "dcterms:license", NamedNode(LICENSE))
    add(ds, "dcterms:publisher", NamedNode(PUBLISHER))
    add(ds, "dcterms:source", NamedNode(SOURCE_DOCUMENT))
    if stats.modified is not None:
        add(ds, "dcterms:modified", stats.modified)
    add(ds, "rdfs:seeAlso", NamedNode(base + DATASET_PATH))
    add(ds, "dcat:landingPage", NamedNode(addresses.pages + DATASET_PATH))
    # The catalogue that lists the dataset, and where its DCAT description is served.
    add(NamedNode(CATALOG), "dcat:dataset", ds)
    add(NamedNode(CATALOG), "foaf:page", NamedNode(base + DATASET_PATH))
    add(ds, "void:triples", integer(stats.quad_count))
    for name, value in (
        ("void:entities", stats.entities),
        ("void:distinctSubjects", stats.distinct_subjects),
        ("void:distinctObjects", stats.distinct_objects),
        ("void:classes", _length(stats.class_partitions)),
        ("void:properties", _length(stats.property_partitions)),
    ):
        if value is not None:  # not counted: left out, not stated as zero
            add(ds, name, integer(value))
    add(ds, "void:sparqlEndpoint", endpoint)
    add(ds, "void:uriSpace", Literal(URI_SPACE))
    for vocabulary in stats.vocabularies:
        add(ds, "void:vocabulary", NamedNode(vocabulary))
    # Our own vocabulary is served here too: point harvesters at this deployment's copy, since the
    # canonical w3id.org IRI may not lead to this server.
    own_vocabulary = NamedNode(VOCABULARY_IRI)
    add(own_vocabulary, "foaf:page", NamedNode(base + "def"))
    add(own_vocabulary, "void:dataDump", NamedNode(base + "def.ttl"))
    for example in stats.examples:
        add(ds, "void:exampleResource", NamedNode(example))

    add(ds, "void:subset", union)
    add(union, "rdf:type", term("void:Dataset"))
    add(union, "dcterms:title", Literal("sousei-kg, union graph", language="en"))
    add(union, "dcterms:description", Literal(UNION_DESCRIPTION, language="en"))
    if stats.union_triple_count is not None:
        add(union, "void:triples", integer(stats.union_triple_count))
    add(union, "void:sparqlEndpoint", endpoint)
    for file in DUMP_FILES:
        holder = union if file.format.union else ds
        add(holder, "void:dataDump", NamedNode(base + file.path))
        if not file.compressed:
            add(holder, "void:feature", NamedNode(file.format.w3c_format))

    for graph_iri, count in stats.graphs.items():
        subset = NamedNode(graph_iri)
        add(ds, "void:subset", subset)
        add(subset, "rdf:type", term("void:Dataset"))
        for literal in _lang(stats.graph_labels.get(graph_iri, {})):
            add(subset, "dcterms:title", literal)
        add(subset, "void:triples", integer(count))

    for index, (class_iri, entities) in enumerate(stats.class_partitions or ()):
        partition = BlankNode(f"class{index}")
        add(ds, "void:classPartition", partition)
        add(partition, "void:class", NamedNode(class_iri))
        add(partition, "void:entities", integer(entities))
    for index, (property_iri, triples) in enumerate(stats.property_partitions or ()):
        partition = BlankNode(f"property{index}")
        add(ds, "void:propertyPartition", partition)
        add(partition, "void:property", NamedNode(property_iri))
        add(partition, "void:triples", integer(triples))
    add_quality(out, ds, measurements, base)
    return out.triples
