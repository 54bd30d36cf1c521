"""Statistics of the loaded dataset, and what the VoID and DCAT descriptions share.

The descriptions at ``/.well-known/void`` and ``/dataset`` are generated from the store, never
kept by hand, so their counts cannot drift from the data. Counting takes a few SPARQL queries over
the whole store (the packaged ``statistics-*.rq`` files, :mod:`sousei_kg.sparql.internal_queries`),
so it runs once per dataset version (the first time a description is asked for) and the result is
kept in a small module-level cache keyed by the version hash.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Generic, TypeVar

from pyoxigraph import Literal, NamedNode, QuerySolutions, RdfFormat, Triple, serialize

from sousei_kg.dataset.knowledge_graph import KnowledgeGraph
from sousei_kg.namespaces import ID, PREFIXES, VOCAB
from sousei_kg.sparql.internal_queries import internal_query
from sousei_kg.store.canonical import DEFAULT_GRAPH_KEY, union_triples
from sousei_kg.store.query import run_query

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


@dataclass(frozen=True)
class Period:
    """The temporal coverage, as the data states it (``dcat:startDate``/``dcat:endDate``)."""

    iri: str
    start: Literal
    end: Literal


@dataclass(frozen=True)
class DatasetStatistics:
    """Everything the descriptions count, for one dataset version.

    Attributes:
        version: the dataset version hash.
        quad_count: statements over all named graphs (the N-Quads dump's line count).
        union_triple_count: distinct triples of the union graph (the Turtle/N-Triples dumps).
        graphs: quads per named-graph IRI.
        graph_labels: ``{graph IRI: {language: label}}`` from the meta graph.
        distinct_subjects: distinct subjects of the union graph.
        distinct_objects: distinct objects of the union graph.
        entities: distinct subjects under ``id/`` (VoID's entities: IRIs in the URI space).
        class_partitions: ``(class IRI, distinct instances)``, sorted by IRI.
        property_partitions: ``(property IRI, statements over all graphs)``, sorted by IRI.
        examples: one IRI each of a goal, a measure and an organisation, when present.
        vocabularies: vocabulary IRIs whose terms the data uses.
        period: the temporal coverage, if the data states one.
        modified: the latest ``prov:generatedAtTime`` of a graph, if any.
    """

    version: str
    quad_count: int
    union_triple_count: int
    graphs: dict[str, int]
    graph_labels: dict[str, dict[str, str]]
    distinct_subjects: int
    distinct_objects: int
    entities: int
    class_partitions: tuple[tuple[str, int], ...]
    property_partitions: tuple[tuple[str, int], ...]
    examples: tuple[str, ...]
    vocabularies: tuple[str, ...]
    period: Period | None
    modified: Literal | None


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
    """Return the statistics of ``graph``, counted once per dataset version."""
    return graph.derived("dataset-statistics", lambda: compute_statistics(graph))


def _rows(graph: KnowledgeGraph, query: str) -> QuerySolutions:
    result = run_query(graph.store, query)  # the default graph is the union of all graphs
    if not isinstance(result, QuerySolutions):  # pragma: no cover - the queries are SELECTs
        raise TypeError("internal statistics queries are SELECT queries")
    return result


def _int(term: object) -> int:
    return int(term.value) if isinstance(term, Literal) else 0


def compute_statistics(graph: KnowledgeGraph) -> DatasetStatistics:
    """Count the dataset (uncached; see :func:`statistics`)."""
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
        written = Literal(
            graph.changed_at.isoformat().replace("+00:00", "Z"),
            datatype=NamedNode("http://www.w3.org/2001/XMLSchema#dateTime"),
        )
        if not isinstance(modified, Literal) or _later(written, modified):
            modified = written
    return DatasetStatistics(
        version=graph.version,
        quad_count=graph.quad_count,
        union_triple_count=len(union_triples(graph.store)),
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
