"""Find resources by label: a case-insensitive substring match over ``skos:prefLabel``,
``rdfs:label`` and ``skos:altLabel`` in any language.

The search text is bound to ``?q`` as a literal through SPARQL substitutions, so no user input ever
becomes query text (a query such as ``"} UNION { ?s ?p ?o } #`` is just a string that matches
nothing). The graph is small, so a FILTER scan is fast enough and needs no text index.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from pyoxigraph import Literal, NamedNode

from sousei_kg.linked_data.describe import solutions_of
from sousei_kg.sparql.internal_queries import internal_query
from sousei_kg.store.query import run_query
from sousei_kg.store.readable import ReadableStore

LIMIT = 50
"""Most hits returned; one more is fetched to tell whether the list was cut (the ``LIMIT 51`` of
``label-search.rq``, which ranks hits by their shortest matching label, then by IRI)."""


@dataclass(frozen=True)
class Hit:
    """One resource whose label matches.

    Attributes:
        iri: the resource (canonical IRI).
        labels: language tag → label (ja and en where they exist).
        types: its classes.
        rank: the length of its shortest matching label (smaller is closer).
        confidence: language tag → our confidence in that label (the level's name), for the
            labels we curated; a label the summary states has none.
    """

    iri: str
    labels: dict[str, str] = field(default_factory=dict)
    types: tuple[str, ...] = ()
    rank: int = 0
    confidence: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SearchResult:
    """The hits of one search.

    Attributes:
        query: the search text.
        hits: at most :data:`LIMIT` hits, best first.
        truncated: whether more resources matched than are listed.
    """

    query: str
    hits: tuple[Hit, ...]
    truncated: bool


def search(store: ReadableStore, text: str) -> SearchResult:
    """Find resources whose label contains ``text``, ignoring case.

    Args:
        store: the store.
        text: the search text; must not be empty.

    Raises:
        ValueError: if ``text`` is empty or blank.
    """
    text = text.strip()
    if not text:
        raise ValueError("the search text is empty")
    result = solutions_of(run_query(store, internal_query("label-search"), {"q": Literal(text)}))
    ranks: dict[str, int] = {}
    labels: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    types: dict[str, dict[str, None]] = defaultdict(dict)
    curated: dict[tuple[str, str, str], str] = {}
    for row in result:
        node = row["r"]
        if not isinstance(node, NamedNode):
            continue
        iri = node.value
        ranks[iri] = int(row["length"].value) if row["length"] is not None else 0
        if isinstance(label := row["label"], Literal):
            labels[iri][label.language or ""].add(label.value)
            if isinstance(level := row["labelConfidence"], NamedNode):
                key = (iri, label.language or "", label.value)
                curated[key] = level.value.rsplit("#", 1)[-1]
        if (kind := row["type"]) is not None:
            types[iri][str(kind.value)] = None
    ordered = sorted(ranks, key=lambda iri: (ranks[iri], iri))
    hits = []
    for iri in ordered[:LIMIT]:
        chosen = _one_per_language(labels[iri])
        confidence = {
            tag: curated[(iri, tag, text)]
            for tag, text in chosen.items()
            if (iri, tag, text) in curated
        }
        hits.append(Hit(iri, chosen, tuple(sorted(types[iri])), ranks[iri], confidence))
    return SearchResult(query=text, hits=tuple(hits), truncated=len(ordered) > LIMIT)


def _one_per_language(labels: dict[str, set[str]]) -> dict[str, str]:
    """One label per language, ja first, then en, then the rest by tag; the shortest (then the
    first in code-point order) where a resource has several. Chosen from the values, never from
    the order rows arrive in, so every backend and engine gives the same answer."""
    order = sorted(labels, key=lambda tag: ({"ja": 0, "en": 1}.get(tag, 2), tag))
    return {tag: min(labels[tag], key=lambda text: (len(text), text)) for tag in order}
