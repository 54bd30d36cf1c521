"""Documentation of the vocabulary (graph/ontology) and the shapes (graph/shapes), built from the
graphs themselves so the pages can never drift from what the server publishes.

Each term becomes a :class:`TermDoc` with an anchor (its local name), so the hash IRIs
``…/def#Measure`` and ``…/shapes#MeasureShape`` land on their entries.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from sousei_kg.linked_data.describe import triples_of
from sousei_kg.namespaces import ONTOLOGY_GRAPH, PREFIXES, SHAPES_GRAPH
from sousei_kg.sparql.internal_queries import internal_query
from sousei_kg.store.query import run_query
from sousei_kg.store.readable import ReadableStore

RDF = PREFIXES["rdf"]
RDFS = PREFIXES["rdfs"]
OWL = PREFIXES["owl"]
SKOS = PREFIXES["skos"]
SH = PREFIXES["sh"]
DCTERMS = PREFIXES["dcterms"]
_CURIE_PREFIXES = {
    **PREFIXES,
    "schema": "https://schema.org/",
    "vann": "http://purl.org/vocab/vann/",
    "cv": "http://data.europa.eu/m8g/",
    "eli": "http://data.europa.eu/eli/ontology#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "shp": "https://w3id.org/sousei-kg/shapes#",
}
# Shown as the term's name and definition, so left out of its property list.
_SHOWN_APART = {RDF + "type", RDFS + "label", SKOS + "prefLabel", SKOS + "definition"}

Section = tuple[str, str, str]
"""(class IRI, Japanese title, English title) of one section of a documentation page."""

ONTOLOGY_SECTIONS: tuple[Section, ...] = (
    (OWL + "Ontology", "語彙", "Vocabulary"),
    (OWL + "Class", "クラス", "Classes"),
    (OWL + "ObjectProperty", "オブジェクトプロパティ", "Object properties"),
    (OWL + "DatatypeProperty", "データ型プロパティ", "Datatype properties"),
    (SKOS + "ConceptScheme", "概念体系", "Concept schemes"),
    (SKOS + "Concept", "概念", "Concepts"),
)
SHAPES_SECTIONS: tuple[Section, ...] = (
    (OWL + "Ontology", "シェイプ集", "Shapes graph"),
    (SH + "NodeShape", "ノードシェイプ", "Node shapes"),
    (SH + "PropertyShape", "プロパティシェイプ", "Property shapes"),
    (SH + "SPARQLConstraint", "SPARQL 制約", "SPARQL constraints"),
    (SH + "SPARQLTarget", "SPARQL ターゲット", "SPARQL targets"),
)


@dataclass(frozen=True)
class TermDoc:
    """One documented term.

    Attributes:
        iri: the term.
        anchor: the HTML id of its entry (the part after ``#``, or after the last ``/``).
        types: its classes.
        labels: language → label (``skos:prefLabel``, else ``rdfs:label``).
        definitions: language → ``skos:definition``.
        properties: its other statements, (predicate, values) in predicate order.
    """

    iri: str
    anchor: str
    types: tuple[str, ...]
    labels: dict[str, str] = field(default_factory=dict)
    definitions: dict[str, str] = field(default_factory=dict)
    properties: tuple[tuple[str, tuple[NamedNode | Literal, ...]], ...] = ()


def graph_triples(store: ReadableStore, graph: str) -> list[Triple]:
    """Every triple of one named graph (``ONTOLOGY_GRAPH`` or ``SHAPES_GRAPH``)."""
    return list(
        triples_of(run_query(store, internal_query("graph-triples"), {"g": NamedNode(graph)}))
    )


def anchor_of(iri: str) -> str:
    """The fragment an entry is reached by: ``…/def#Measure`` → ``Measure``."""
    return iri.rsplit("#", 1)[1] if "#" in iri else iri.rstrip("/").rsplit("/", 1)[-1]


def curie(iri: str) -> str:
    """A compact name (``rdfs:subClassOf``) for display; the IRI itself if no prefix fits."""
    for prefix, namespace in _CURIE_PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri.removeprefix(namespace)}"
    return iri


def term_docs(triples: list[Triple]) -> dict[str, TermDoc]:
    """Build the documentation of every IRI subject of ``triples`` (blank nodes are skipped)."""
    by_subject: dict[str, dict[str, list[NamedNode | Literal]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for triple in triples:
        subject, obj = triple.subject, triple.object
        if isinstance(subject, NamedNode) and not isinstance(obj, BlankNode | Triple):
            by_subject[subject.value][triple.predicate.value].append(obj)
    docs: dict[str, TermDoc] = {}
    for iri, statements in sorted(by_subject.items()):
        labels: dict[str, str] = {}
        # The ontology header has a title rather than a label.
        for predicate in (DCTERMS + "title", RDFS + "label", SKOS + "prefLabel"):
            labels.update(_by_language(statements.get(predicate, [])))
        docs[iri] = TermDoc(
            iri=iri,
            anchor=anchor_of(iri),
            types=tuple(sorted(t.value for t in statements.get(RDF + "type", []))),
            labels=labels,
            definitions=_by_language(statements.get(SKOS + "definition", [])),
            properties=tuple(
                (predicate, tuple(sorted(values, key=_value_order)))
                for predicate, values in sorted(statements.items(), key=lambda i: curie(i[0]))
                if predicate not in _SHOWN_APART
            ),
        )
    return docs


def sections(
    docs: dict[str, TermDoc], order: tuple[Section, ...]
) -> list[tuple[Section, list[TermDoc]]]:
    """Group terms by class, in the order given; each term appears once, in its first section.

    Terms whose classes are not listed are left out (they are documented where they are used,
    for example the RDF lists of ``sh:in``).
    """
    placed: set[str] = set()
    grouped: list[tuple[Section, list[TermDoc]]] = []
    for section in order:
        members = [d for d in docs.values() if section[0] in d.types and d.iri not in placed]
        placed.update(d.iri for d in members)
        if members:
            grouped.append((section, members))
    return grouped


def ontology_docs(store: ReadableStore) -> tuple[list[Triple], list[tuple[Section, list[TermDoc]]]]:
    """The ontology graph and its documentation, section by section."""
    triples = graph_triples(store, ONTOLOGY_GRAPH)
    return triples, sections(term_docs(triples), ONTOLOGY_SECTIONS)


def shapes_docs(store: ReadableStore) -> tuple[list[Triple], list[tuple[Section, list[TermDoc]]]]:
    """The shapes graph and its documentation, section by section."""
    triples = graph_triples(store, SHAPES_GRAPH)
    return triples, sections(term_docs(triples), SHAPES_SECTIONS)


def _by_language(values: list[NamedNode | Literal]) -> dict[str, str]:
    return {v.language or "": v.value for v in values if isinstance(v, Literal)}


def _value_order(value: NamedNode | Literal) -> tuple[str, str]:
    language = (value.language or "") if isinstance(value, Literal) else ""
    return {"ja": "0", "en": "1"}.get(language, "2"), value.value
