"""What the server says about one resource: its RDF description and the facts its HTML page shows.

A document ``/doc/{path}`` describes ``https://w3id.org/sousei-kg/id/{path}`` with the triples that
have it as subject (every graph, merged), the triples pointing at it, the qualified
``sousei:Attribution`` nodes about it, and the labels of every resource it links to, so a client
(and our HTML) can name neighbours without a second request. Every query is a packaged ``.rq`` file
(:mod:`sousei_kg.sparql.internal_queries`); the resource is bound with SPARQL substitutions, never
pasted into the text.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from pyoxigraph import Literal, NamedNode, QueryBoolean, QuerySolutions, Triple

from sousei_kg.namespaces import GRAPH, ID
from sousei_kg.sparql.internal_queries import internal_query
from sousei_kg.store.query import run_query
from sousei_kg.store.readable import QueryResult, ReadableStore, TripleStream

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDF_SUBJECT = "http://www.w3.org/1999/02/22-rdf-syntax-ns#subject"
RDF_OBJECT = "http://www.w3.org/1999/02/22-rdf-syntax-ns#object"
SKOS_PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
STATED_GRAPH = GRAPH + "strategy-2025"
CURATION_GRAPH = GRAPH + "curation"

Labels = dict[str, dict[str, str]]
"""IRI → language tag → label."""


@dataclass(frozen=True)
class Attribution:
    """How sure we are of one curated statement, and why.

    Attributes:
        iri: the ``sousei:Attribution`` node.
        confidence: one concept of ``sousei:ConfidenceScheme``, if stated.
        sources: ``dcterms:source`` IRIs.
        notes: ``skos:editorialNote`` texts.
    """

    iri: str
    confidence: str | None
    sources: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Value:
    """One object of a statement, as a page shows it.

    Attributes:
        term: the IRI or literal.
        graphs: the named graphs stating it.
        attribution: its qualified attribution, if curated.
    """

    term: NamedNode | Literal
    graphs: tuple[str, ...]
    attribution: Attribution | None = None

    @property
    def is_iri(self) -> bool:
        """Whether the value is a link."""
        return isinstance(self.term, NamedNode)

    @property
    def curated(self) -> bool:
        """Whether the statement is ours (graph/curation) rather than the source's."""
        return CURATION_GRAPH in self.graphs and STATED_GRAPH not in self.graphs


@dataclass(frozen=True)
class ResourceView:
    """Everything the HTML page of one resource shows.

    Attributes:
        iri: the resource.
        types: its ``rdf:type`` IRIs.
        properties: predicate IRI → values, in a stable order.
        incoming: (subject, predicate) pairs of the links pointing at it.
        labels: labels of the resource and its neighbours.
    """

    iri: str
    types: tuple[str, ...]
    properties: dict[str, list[Value]]
    incoming: list[tuple[str, str]]
    labels: Labels = field(default_factory=dict)


def solutions_of(result: QueryResult) -> QuerySolutions:
    """The rows of a SELECT result (our constant queries are SELECTs; anything else is a bug).

    Raises:
        TypeError: if the result is not a SELECT result.
    """
    if not isinstance(result, QuerySolutions):
        raise TypeError(f"expected SELECT solutions, got {type(result).__name__}")
    return result


def triples_of(result: QueryResult) -> TripleStream:
    """The triples of a CONSTRUCT result (whichever backend produced them).

    Raises:
        TypeError: if the result is a SELECT or ASK result.
    """
    if isinstance(result, QuerySolutions | QueryBoolean):
        raise TypeError(f"expected CONSTRUCT triples, got {type(result).__name__}")
    return result


def exists(store: ReadableStore, iri: str) -> bool:
    """Whether any triple has ``iri`` as subject (never, if ``iri`` is not a valid IRI: the text
    comes from request paths such as ``/doc/a b`` or ``/id/%00``, which must answer 404)."""
    try:
        node = NamedNode(iri)
    except ValueError:
        return False
    result = run_query(store, internal_query("resource-exists"), {"r": node})
    return isinstance(result, QueryBoolean) and bool(result)


def describe(store: ReadableStore, iri: str) -> list[Triple]:
    """The triples of the RDF document describing ``iri`` (canonical IRIs, deduplicated), in
    N-Triples order: the same document whichever backend or engine produced them."""
    result = triples_of(
        run_query(store, internal_query("describe-resource"), {"r": NamedNode(iri)})
    )
    return sorted(dict.fromkeys(result), key=str)


def labels_of(triples: list[Triple]) -> Labels:
    """Collect labels per IRI and language; ``skos:prefLabel`` wins over ``rdfs:label``."""
    labels: Labels = defaultdict(dict)
    for predicate in (RDFS_LABEL, SKOS_PREF_LABEL):
        for triple in triples:
            obj = triple.object
            if (
                triple.predicate.value == predicate
                and isinstance(triple.subject, NamedNode)
                and isinstance(obj, Literal)
            ):
                labels[triple.subject.value][obj.language or ""] = obj.value
    return dict(labels)


def pick_label(labels: Labels, iri: str, lang: str) -> str:
    """The label of ``iri`` in ``lang``, else in the other language, else the IRI's local part.

    Falling back to the IRI keeps every link nameable even when nobody labelled the target.
    """
    by_lang = labels.get(iri, {})
    for tag in (lang, "en" if lang == "ja" else "ja", ""):
        if tag in by_lang:
            return by_lang[tag]
    if by_lang:
        return next(iter(by_lang.values()))
    return iri.removeprefix(ID) if iri.startswith(ID) else iri


def vocabulary_labels(store: ReadableStore) -> Labels:
    """Labels of the vocabulary's terms, so pages name classes and properties in their language."""
    result = solutions_of(run_query(store, internal_query("vocabulary-labels")))
    labels: Labels = defaultdict(dict)
    for row in result:
        term, label = row["term"], row["label"]
        if isinstance(term, NamedNode) and isinstance(label, Literal):
            labels[term.value][label.language or ""] = label.value
    return dict(labels)


def _solutions(store: ReadableStore, query: str, iri: str) -> QuerySolutions:
    return solutions_of(run_query(store, query, {"r": NamedNode(iri)}))


def attributions(store: ReadableStore, iri: str) -> dict[tuple[str, str], Attribution]:
    """The attributions of statements about ``iri``, keyed by (predicate, object N-Triples form)."""
    rows: dict[tuple[str, str], tuple[str, str | None, list[str], list[str]]] = {}
    for row in _solutions(store, internal_query("resource-attributions"), iri):
        key = (str(row["p"].value), str(row["o"]))
        confidence = row["confidence"]
        entry = rows.setdefault(
            key, (str(row["a"].value), confidence.value if confidence else None, [], [])
        )
        for name, bucket in (("source", entry[2]), ("note", entry[3])):
            term = row[name]
            if term is not None and term.value not in bucket:
                bucket.append(term.value)
    return {
        key: Attribution(iri=a, confidence=c, sources=tuple(sorted(s)), notes=tuple(sorted(n)))
        for key, (a, c, s, n) in rows.items()
    }


def resource_view(store: ReadableStore, iri: str, triples: list[Triple]) -> ResourceView:
    """Gather what the HTML page of ``iri`` shows.

    Args:
        store: the store.
        iri: the resource.
        triples: its description (see :func:`describe`), the source of neighbour labels.
    """
    qualified = attributions(store, iri)
    graphs: dict[tuple[str, NamedNode | Literal], list[str]] = {}
    for row in _solutions(store, internal_query("resource-statements"), iri):
        obj = row["o"]
        if isinstance(obj, NamedNode | Literal):
            graphs.setdefault((str(row["p"].value), obj), []).append(str(row["g"].value))
    properties: dict[str, list[Value]] = defaultdict(list)
    for (predicate, obj), in_graphs in sorted(graphs.items(), key=lambda i: _order(*i[0])):
        attribution = qualified.get((predicate, str(obj)))
        properties[predicate].append(Value(obj, tuple(sorted(in_graphs)), attribution))
    incoming = [
        (str(row["s"].value), str(row["p"].value))
        for row in _solutions(store, internal_query("resource-incoming-links"), iri)
        if isinstance(row["s"], NamedNode)
    ]
    types = tuple(v.term.value for v in properties.get(RDF_TYPE, []))
    return ResourceView(iri, types, dict(properties), incoming, labels_of(triples))


def _order(predicate: str, obj: NamedNode | Literal) -> tuple[int, str, str, str]:
    """Types and labels first, then properties alphabetically; Japanese values before English."""
    rank = {RDF_TYPE: 0, SKOS_PREF_LABEL: 1, RDFS_LABEL: 2}.get(predicate, 3)
    lang = (obj.language or "") if isinstance(obj, Literal) else ""
    return rank, predicate, {"ja": "0", "en": "1"}.get(lang, "2"), obj.value
