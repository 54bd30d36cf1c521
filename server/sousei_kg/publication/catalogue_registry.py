"""The services and distributions the catalogue lists, and where each IRI minted for the
description is described.

**To list a new service** (a Triple Pattern Fragments interface, an LDES feed), add a
:class:`~sousei_kg.publication.catalogue_entries.DataService` to :data:`SERVICES`: its titles,
paths and the standards it implements (typed :class:`~sousei_kg.publication.controlled_terms.
Standard`). **To list new files** (CSV tables with their CSVW metadata), return their
:class:`~sousei_kg.publication.catalogue_entries.Distribution`\\ s from :func:`distributions`.
Publisher, contact point, licence, access rights, themes and availability are added to every
entry alike, and ``tests/publication/test_dcat_ap.py`` validates the whole catalogue with the
DCAT-AP 3.0.1 shapes, so a new entry is checked as soon as it is listed.
"""

import hashlib

from sousei_kg.dataset.knowledge_graph import KnowledgeGraph
from sousei_kg.publication.catalogue_entries import DataService, Distribution
from sousei_kg.publication.change_feed import FEED_PATH, LDES_SPECIFICATION
from sousei_kg.publication.controlled_terms import (
    CSV,
    CSV_FILE,
    CSVW,
    GZIP,
    SPARQL_PROTOCOL,
    SPARQL_QUERY,
    Standard,
)
from sousei_kg.publication.csv_tables import TABLES, csv_table_bytes
from sousei_kg.publication.dumps import DUMP_FILES, DumpFile, dump_sha256, dump_sizes
from sousei_kg.publication.fragments import (
    FRAGMENTS_PATH,
    QPF_SPECIFICATION,
    TPF_SPECIFICATION,
)
from sousei_kg.publication.quality import ANNOTATION, MEASUREMENT, METRIC, REPORT_PATH
from sousei_kg.publication.statistics import (
    CATALOG,
    CONTACT_POINT,
    DATASET,
    DISTRIBUTION,
    PUBLISHER,
    UNION_SUBSET,
    VALIDATION_REPORT,
    DatasetStatistics,
    statistics,
)

TREE_SPECIFICATION = "https://w3id.org/tree/specification"

SPARQL_SERVICE = DataService(
    slug="sparql",
    titles={"ja": "sousei-kg SPARQL エンドポイント", "en": "sousei-kg SPARQL endpoint"},
    descriptions={
        "ja": "データセットの全ての名前付きグラフへの SPARQL 1.1 クエリ"
        "（既定グラフはそれらの和集合）。クエリなしの GET は SPARQL サービス記述を返す。",
        "en": "SPARQL 1.1 queries over every named graph of the dataset (the default graph is "
        "their union). A GET without a query answers the SPARQL Service Description.",
    },
    endpoint_path="sparql",
    description_path="sparql",
    standards=(SPARQL_PROTOCOL, SPARQL_QUERY),
    keywords={
        "ja": ("SPARQL", "リンクトデータ", "地方創生"),
        "en": ("SPARQL", "linked data", "regional revitalization"),
    },
    document_path="sparql",
)

FRAGMENTS_SERVICE = DataService(
    slug="fragments",
    titles={
        "ja": "sousei-kg トリプルパターンフラグメント",
        "en": "sousei-kg Triple Pattern Fragments",
    },
    descriptions={
        "ja": "一つのパターン（主語・述語・目的語、Quad Pattern Fragments と同じくグラフも）に"
        "合うトリプルを 100 件ずつ、件数と hydra:search の検索フォームとともに返す。"
        "SPARQL なしに Comunica などの TPF クライアントで問い合わせられる。",
        "en": "The triples matching one pattern (subject, predicate, object, and a graph as in "
        "Quad Pattern Fragments), 100 a page, with a count and the hydra:search form: query "
        "with a TPF client such as Comunica, without SPARQL.",
    },
    endpoint_path=FRAGMENTS_PATH,
    # Every fragment describes the interface itself (its hydra controls).
    description_path=FRAGMENTS_PATH,
    standards=(
        Standard(TPF_SPECIFICATION, "Triple Pattern Fragments"),
        Standard(QPF_SPECIFICATION, "Quad Pattern Fragments"),
    ),
    keywords={
        "ja": ("Linked Data Fragments", "リンクトデータ", "地方創生"),
        "en": ("Linked Data Fragments", "linked data", "regional revitalization"),
    },
    document_path=FRAGMENTS_PATH,
)

FEED_SERVICE = DataService(
    slug="changes",
    titles={"ja": "sousei-kg 変更フィード（LDES）", "en": "sousei-kg change feed (LDES)"},
    descriptions={
        "ja": "全リソースの版の Linked Data Event Stream：公開時に各リソース一つ、以後は書き込みが"
        "変えたリソースごとに一つ。時刻でページ分けされ、満ちたページは変わらない。"
        "組み込みストアで提供し、リモートのエンジンを読むサーバにはない。",
        "en": "A Linked Data Event Stream of versions of every resource: one per resource for "
        "the release, then one for each resource a write changes, paged by time (full pages are "
        "immutable). Served by the embedded store; a server reading a remote engine has none.",
    },
    endpoint_path=FEED_PATH,
    # The event stream and its view at the feed's root describe it.
    description_path=FEED_PATH,
    standards=(
        Standard(LDES_SPECIFICATION, "Linked Data Event Streams"),
        Standard(TREE_SPECIFICATION, "The TREE hypermedia specification"),
    ),
    keywords={
        "ja": ("LDES", "変更履歴", "地方創生"),
        "en": ("LDES", "change feed", "regional revitalization"),
    },
    document_path=FEED_PATH,
)

SERVICES: tuple[DataService, ...] = (SPARQL_SERVICE, FRAGMENTS_SERVICE, FEED_SERVICE)
"""Every data service of the catalogue, in the order listed."""


def distributions(graph: KnowledgeGraph) -> list[Distribution]:
    """Every distribution of the dataset, in the order listed: the dumps, then the CSV tables."""
    return dump_distributions(graph) + table_distributions(graph)


def table_distributions(graph: KnowledgeGraph) -> list[Distribution]:
    """One distribution per CSV table, with its size and checksum and its CSVW metadata as its
    documentation (written once per version, like the dumps)."""
    found = []
    for table in TABLES:
        body = csv_table_bytes(graph, table)
        found.append(
            Distribution(
                slug="csv-" + table.slug,
                title=table.filename,
                descriptions={
                    language: f"{table.titles[language]}（CSV）：{text}"
                    if language == "ja"
                    else f"{table.titles[language]} (CSV): {text} Described by CSVW metadata "
                    f"at {table.metadata_path}."
                    for language, text in table.descriptions.items()
                },
                path=table.path,
                media_type=CSV,
                file_type=CSV_FILE,
                standard=CSVW,
                byte_size=len(body),
                sha256=hashlib.sha256(body).hexdigest(),
                documentation_path=table.metadata_path,
            )
        )
    return found


def dump_distributions(graph: KnowledgeGraph) -> list[Distribution]:
    """One distribution per dump file, with its size and checksum (counted once per version)."""
    stats = statistics(graph)
    sizes, digests = dump_sizes(graph), dump_sha256(graph)
    return [
        Distribution(
            slug=file.slug,
            title=file.filename,
            descriptions={"en": distribution_description(file, stats)},
            path=file.path,
            media_type=file.format.registered_media_type,
            file_type=file.format.file_type,
            standard=file.format.standard,
            compress_format=GZIP if file.compressed else None,
            byte_size=sizes[file.filename],
            sha256=digests[file.filename],
        )
        for file in DUMP_FILES
    ]


def distribution_description(file: DumpFile, stats: DatasetStatistics) -> str:
    """Say what a file holds: the union graph or every named graph, and how many statements (the
    union graph's only if it was counted: see :mod:`sousei_kg.publication.statistics`)."""
    fmt = file.format
    packed = ", gzip-compressed" if file.compressed else ""
    if fmt.union:
        count = stats.union_triple_count
        counted = "" if count is None else f", {count} distinct triples"
        return (
            f"{fmt.label}{packed}: the union graph{counted}. "
            f"{fmt.label} has no named graphs, so the graph each statement came from is not kept "
            "(N-Quads, TriG and JSON-LD keep it)."
        )
    return (
        f"{fmt.label}{packed}: every named graph ({len(stats.graphs)}), "
        f"{stats.quad_count} statements, as counted by the dataset's void:triples."
    )


def describing_path(iri: str) -> str | None:
    """The local path of the document describing one of the IRIs minted for the dataset's
    description, else ``None``. These IRIs are not in the store, so ``/id/…`` redirects to the
    generated document: a service to its own page (the SPARQL service: ``sparql``, whose bare
    GET is its Service Description), the validation report to ``quality/validation-report``,
    the rest (dataset, catalogue, distributions, publisher, contact point, quality metrics and
    measurements) to ``dataset``."""
    for service in SERVICES:
        if iri == service.iri:
            return service.document_path
    if iri in (VALIDATION_REPORT, ANNOTATION):
        return REPORT_PATH
    if iri in (DATASET, UNION_SUBSET, CATALOG, PUBLISHER, CONTACT_POINT):
        return "dataset"
    if iri.startswith((DISTRIBUTION, METRIC, MEASUREMENT)):
        return "dataset"
    return None
