"""Statistics of the loaded dataset, and what the VoID and DCAT descriptions share.

The descriptions at ``/.well-known/void`` and ``/dataset`` (and the landing page, the dumps'
headers and the catalogue's distributions) are generated from the store, never kept by hand, so
their counts cannot drift from the data. Counting takes a few SPARQL queries over the whole store
(the packaged ``statistics-*.rq`` files, :mod:`sousei_kg.sparql.internal_queries`) and the union
graph's distinct triples, so it runs once per dataset version (the first time a description is
asked for) and the result is kept with the dataset (:meth:`KnowledgeGraph.derived`).

**Never on a request for a large dataset.** Counting is a scan of the whole dataset: milliseconds
for the shipped data (~4 k quads, ~11 ms), minutes and gigabytes at 10 M quads, where one
anonymous ``GET /`` once kept the server busy for over ten minutes at 4.5 GB (the union graph
held in Python), beyond the reach of a shutdown. Above :data:`STATISTICS_MAX_QUADS` a request
therefore never counts: it takes the statistics the store keeps in ``DIR/statistics.json``
(counted offline by ``sousei-kg build``, ``sousei-kg statistics`` or ``bench/ourstore.py``:
:func:`count_statistics_offline`, whose union count holds no triples,
:func:`sousei_kg.store.canonical.union_triple_count`) if they name the version served, else the
*light statistics*: what is known without reading the data (the version, the quads per graph, the
time of the build or last write), the other counts absent, and the descriptions leave them out.
A write on a large store therefore leaves its descriptions light until the statistics are counted
again (docs/writes.md). The remote backend has no stored statistics: above the bound it is
described lightly too.
"""

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Generic, TypeVar

from pyoxigraph import Literal, NamedNode, QuerySolutions, RdfFormat, Store, Triple, serialize

from sousei_kg.dataset.knowledge_graph import KnowledgeGraph, moment
from sousei_kg.errors import StoreNotFoundError
from sousei_kg.namespaces import ID, PREFIXES, VOCAB
from sousei_kg.publication.statistics_record import DatasetStatistics as DatasetStatistics
from sousei_kg.publication.statistics_record import Period as Period
from sousei_kg.publication.statistics_record import (
    read_statistics_file,
    statistics_json,
    write_statistics_file,
)
from sousei_kg.sparql.internal_queries import internal_query
from sousei_kg.store.canonical import DEFAULT_GRAPH_KEY, union_triple_count, union_triples
from sousei_kg.store.directory import Manifest, open_store, read_manifest
from sousei_kg.store.query import run_query

LOG = logging.getLogger(__name__)

STATISTICS_MAX_QUADS = 100_000
"""Above this many quads a request never counts the dataset: it is described by the statistics
its store keeps for the version served, else by the light statistics. Counting on a request
(:func:`compute_statistics`, the union graph held in Python), measured on stores of the shipped
data plus the bench's synthetic quads: 4,310 quads 11 ms; 100,310 quads 1.9 s and +54 MB peak;
254,310 quads 4.9 s and +131 MB; 1,004,310 quads 17–19 s and +480 MB (10 M: over ten minutes and
4.5 GB). So the bound is a tenth of the query hints' (``HINTS_MAX_QUADS``, 1 M, in
:mod:`sousei_kg.linked_data.query_hints`): a request pays at most ~2 s and ~50 MB, once per
version."""

_XSD_DATE_TIME = NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")

# Canonical IRIs of what the descriptions describe (under id/, like every resource we mint).
DATASET = ID + "dataset/sousei-kg"
UNION_SUBSET = ID + "dataset/sousei-kg-union"
CATALOG = ID + "catalog/sousei-kg"
SERVICE = ID + "service/sparql"
PUBLISHER = ID + "agent/sousei-kg"
SOURCE_DOCUMENT = ID + "document/strategy-summary-2025"
DISTRIBUTION = ID + "distribution/sousei-kg-"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
URI_SPACE = ID
CONTACT_POINT = ID + "contact-point/deployment"
QUALITY = ID + "quality/"
VALIDATION_REPORT = QUALITY + "validation-report"


NS = {
    **PREFIXES,
    "void": "http://rdfs.org/ns/void#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "sd": "http://www.w3.org/ns/sparql-service-description#",
    "adms": "http://www.w3.org/ns/adms#",
    "dcatap": "http://data.europa.eu/r5r/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "spdx": "http://spdx.org/rdf/terms#",
    "dqv": "http://www.w3.org/ns/dqv#",
    "oa": "http://www.w3.org/ns/oa#",
}
"""Prefixes for the descriptions' Turtle (also the namespaces ``void:vocabulary`` may name)."""

_VOCABULARY_FOR_NAMESPACE = {
    **{ns: ns for ns in NS.values()},
    VOCAB: "https://w3id.org/sousei-kg/def",  # the ontology IRI, not its hash namespace
}
_NOT_VOCABULARIES = {PREFIXES["graph"], PREFIXES["xsd"]}


K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class BoundedCache(Generic[K, V]):
    """A thread-safe least-recently-used cache with a size bound.

    Keys include the request's base URL, which a client controls (``Host``), so the bound keeps a
    stream of odd hosts from growing memory without limit.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K, compute: Callable[[], V]) -> V:
        """Return the cached value for ``key``, computing (under the lock, once) if missing."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
            value = compute()
            self._items[key] = value
            while len(self._items) > self._size:
                self._items.popitem(last=False)
            return value


def statistics(graph: KnowledgeGraph) -> DatasetStatistics:
    """Return the statistics of ``graph``, once per dataset version: counted up to
    :data:`STATISTICS_MAX_QUADS` quads, above it the stored ones or the light ones (never a count
    on a request; see the module docstring)."""
    return graph.derived("dataset-statistics", lambda: _statistics_for(graph))


def _statistics_for(graph: KnowledgeGraph) -> DatasetStatistics:
    if graph.quad_count <= STATISTICS_MAX_QUADS:
        return compute_statistics(graph)
    if graph.store_directory is None:
        _explain_light(graph, "no statistics are stored for a remote engine or in-memory data")
        return light_statistics(graph)
    stored = read_statistics_file(graph.store_directory)
    if stored is not None and stored.version == graph.version:
        return stored
    if stored is None:
        why = f"{graph.store_directory} has no usable statistics file"
    else:
        why = f"the statistics stored in {graph.store_directory} are of version {stored.version}"
    _explain_light(
        graph, why + f"; `sousei-kg statistics --store {graph.store_directory}` counts them"
    )
    return light_statistics(graph)


_EXPLAINED: set[str] = set()
_EXPLAINED_LOCK = threading.Lock()


def _explain_light(graph: KnowledgeGraph, why: str) -> None:
    """Say once per dataset version why its descriptions leave the counts out."""
    with _EXPLAINED_LOCK:
        if graph.version in _EXPLAINED:
            return
        if len(_EXPLAINED) > 1024:  # versions come and go with writes
            _EXPLAINED.clear()
        _EXPLAINED.add(graph.version)
    LOG.warning(
        "dataset version %s has %d quads, more than the %d counted on a request: its VoID and "
        "DCAT descriptions give the quads per graph but no other counts (%s)",
        graph.version[:12],
        graph.quad_count,
        STATISTICS_MAX_QUADS,
        why,
    )


def light_statistics(graph: KnowledgeGraph) -> DatasetStatistics:
    """What is known of ``graph`` without reading its data: the version, the quads per graph and
    when it last changed (the last write, else the build, from the manifest); the counts that
    need a scan are ``None``, and what would be read from the data (graph labels, examples, the
    temporal coverage) is left empty."""
    changed = graph.changed_at
    if changed is None and graph.store_directory is not None:
        try:
            manifest = read_manifest(graph.store_directory)
        except StoreNotFoundError:
            manifest = None
        if manifest is not None and manifest.version_hash == graph.version:
            changed = moment(manifest.changed_at or manifest.built_at)
    return DatasetStatistics(
        version=graph.version,
        quad_count=graph.quad_count,
        union_triple_count=None,
        graphs={g: n for g, n in graph.graphs.items() if g != DEFAULT_GRAPH_KEY},
        graph_labels={},
        distinct_subjects=None,
        distinct_objects=None,
        entities=None,
        class_partitions=None,
        property_partitions=None,
        examples=(),
        vocabularies=(),
        period=None,
        modified=None if changed is None else _date_time(changed),
    )


def _rows(graph: KnowledgeGraph, query: str) -> QuerySolutions:
    result = run_query(graph.store, query)  # the default graph is the union of all graphs
    if not isinstance(result, QuerySolutions):  # pragma: no cover - the queries are SELECTs
        raise TypeError("internal statistics queries are SELECT queries")
    return result


def _int(term: object) -> int:
    return int(term.value) if isinstance(term, Literal) else 0


def compute_statistics(graph: KnowledgeGraph) -> DatasetStatistics:
    """Count the dataset (uncached; see :func:`statistics`): on a request, at most
    :data:`STATISTICS_MAX_QUADS` quads, so the union graph may be held to count it."""
    return count_statistics(graph, lambda: len(union_triples(graph.store)))


def count_statistics(
    graph: KnowledgeGraph, count_union_triples: Callable[[], int]
) -> DatasetStatistics:
    """Count the dataset, the union graph's distinct triples by ``count_union_triples``."""
    counts = next(iter(_rows(graph, internal_query("statistics-distinct-terms"))))
    classes = tuple(
        (s["class"].value, _int(s["n"]))
        for s in _rows(graph, internal_query("statistics-class-partitions"))
    )
    properties = tuple(
        (s["property"].value, _int(s["n"]))
        for s in _rows(graph, internal_query("statistics-property-partitions"))
    )
    examples = sorted(
        s["first"].value
        for s in _rows(graph, internal_query("statistics-examples"))
        if isinstance(s["first"], Literal)
    )
    labels: dict[str, dict[str, str]] = {}
    for row in _rows(graph, internal_query("statistics-graph-labels")):
        label = row["label"]
        if isinstance(label, Literal) and label.language:
            labels.setdefault(row["g"].value, {})[label.language] = label.value
    period = None
    for row in _rows(graph, internal_query("statistics-period")):
        start, end = row["start"], row["end"]
        if isinstance(start, Literal) and isinstance(end, Literal):
            period = Period(row["period"].value, start, end)
    modified = next(iter(_rows(graph, internal_query("statistics-modified"))))["modified"]
    if graph.changed_at is not None:  # a write changed the data since its latest graph was made
        written = _date_time(graph.changed_at)
        if not isinstance(modified, Literal) or _later(written, modified):
            modified = written
    return DatasetStatistics(
        version=graph.version,
        quad_count=graph.quad_count,
        union_triple_count=count_union_triples(),
        graphs={g: n for g, n in graph.graphs.items() if g != DEFAULT_GRAPH_KEY},
        graph_labels=labels,
        distinct_subjects=_int(counts["subjects"]),
        distinct_objects=_int(counts["objects"]),
        entities=_int(next(iter(_rows(graph, internal_query("statistics-entities"))))["n"]),
        class_partitions=classes,
        property_partitions=properties,
        examples=tuple(examples),
        vocabularies=_vocabularies(iri for iri, _ in (*classes, *properties)),
        period=period,
        modified=modified if isinstance(modified, Literal) else None,
    )


def count_statistics_offline(store: Store, manifest: Manifest) -> DatasetStatistics:
    """Count a persistent store's statistics outside any request (at build time, or by
    ``sousei-kg statistics``): the same counts as :func:`compute_statistics`, but the union
    graph's distinct triples are counted without holding them
    (:func:`~sousei_kg.store.canonical.union_triple_count`), so the memory it takes does not grow
    with the dataset beyond what the engine's own ``COUNT(DISTINCT …)`` queries hold.

    Args:
        store: the store, open (read-only is enough).
        manifest: its manifest (version, counts, times).
    """
    graph = KnowledgeGraph(
        store=store,
        version=manifest.version_hash,
        quad_count=manifest.quad_count,
        graphs=dict(manifest.graphs),
        loaded_at=datetime.fromisoformat(manifest.built_at).astimezone(UTC),
        changed_at=moment(manifest.changed_at),
    )
    return count_statistics(graph, lambda: union_triple_count(store, manifest.graphs))


def describe_built(store: Store, manifest: Manifest) -> bytes:
    """The ``statistics.json`` of a store just built (:func:`sousei_kg.store.directory.build_store`
    calls it with the new store)."""
    return statistics_json(count_statistics_offline(store, manifest))


def refresh_statistics(directory: Path) -> DatasetStatistics:
    """Count the statistics of the store in ``directory`` and write its ``statistics.json``
    (``sousei-kg statistics --store DIR``): the store is opened read-only, so no server may be
    writing it.

    Raises:
        StoreNotFoundError: if it is not a built store, or a server writes it.
    """
    manifest = read_manifest(directory)
    store = open_store(directory)
    try:
        stats = count_statistics_offline(store, manifest)
    finally:
        del store
    write_statistics_file(directory, stats)
    return stats


def _date_time(moment_: datetime) -> Literal:
    return Literal(moment_.isoformat().replace("+00:00", "Z"), datatype=_XSD_DATE_TIME)


def _vocabularies(terms: Iterable[str]) -> tuple[str, ...]:
    """The known vocabularies whose namespace any used class or property falls in."""
    found: set[str] = set()
    for term in terms:
        for namespace, vocabulary in _VOCABULARY_FOR_NAMESPACE.items():
            if namespace not in _NOT_VOCABULARIES and term.startswith(namespace):
                found.add(vocabulary)
    return tuple(sorted(found))


def term(name: str) -> NamedNode:
    """The IRI of a prefixed name such as ``void:triples`` (prefixes of :data:`NS`)."""
    prefix, _, local = name.partition(":")
    return NamedNode(NS[prefix] + local)


def integer(value: int, datatype: str = "xsd:integer") -> Literal:
    """A typed integer literal."""
    return Literal(str(value), datatype=term(datatype))


def serialize_description(triples: list[Triple], media_type: str) -> bytes:
    """Write a description; Turtle gets the description prefixes (void:, dcat:, …).

    Raises:
        ValueError: if ``media_type`` is not an RDF format pyoxigraph writes.
    """
    fmt = RdfFormat.from_media_type(media_type)
    if fmt is None:
        raise ValueError(f"not an RDF media type: {media_type}")
    if fmt == RdfFormat.TURTLE:
        return serialize(triples, format=fmt, prefixes=NS) or b""
    return serialize(triples, format=fmt) or b""


def _later(written: Literal, stated: Literal) -> bool:
    """Whether a write's time is after the data's own latest ``prov:generatedAtTime`` (a date or
    a dateTime; compared as UTC instants, a date as its start)."""
    try:
        when = datetime.fromisoformat(written.value)
        then = datetime.fromisoformat(stated.value)
    except ValueError:
        return True
    if then.tzinfo is None:
        then = then.replace(tzinfo=UTC)
    return when > then
