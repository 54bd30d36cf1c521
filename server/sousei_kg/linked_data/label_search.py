"""Find resources by label: a case-insensitive substring match over ``skos:prefLabel``,
``rdfs:label`` and ``skos:altLabel`` in any language.

The search text is bound to ``?q`` as a literal through SPARQL substitutions, so no user input ever
becomes query text (a query such as ``"} UNION { ?s ?p ?o } #`` is just a string that matches
nothing).

With a label index (:mod:`sousei_kg.store.label_index`: a persistent store's, or the one built in
memory for the shipped files) the web search reads only the labels the index names as
candidates (``indexed-label-search.rq``), and the named query search-labels is answered from the
index alone (``search-labels-from-index.rq``: the labels and their resources' types, detached
from the store), or over its candidates where the index cannot hold the whole answer
(``indexed-search-labels.rq``); the filters and order are the queries' own, so the answer is the
same. Without an index (the remote backend, a store built before the index, an index of another
version) every label is read.
"""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from pyoxigraph import Literal, NamedNode

from sousei_kg.dataset.knowledge_graph import KnowledgeGraph
from sousei_kg.linked_data.describe import solutions_of
from sousei_kg.named_queries.catalogue import catalog_for
from sousei_kg.sparql.internal_queries import internal_query
from sousei_kg.sparql.values_rows import with_values_rows
from sousei_kg.store.label_index import fold
from sousei_kg.store.label_lookup import Candidate, first_labels
from sousei_kg.store.query import run_query
from sousei_kg.store.readable import Term

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


def search(graph: KnowledgeGraph, text: str) -> SearchResult:
    """Find resources whose label contains ``text``, ignoring case.

    Args:
        graph: the dataset (its label index is used when it has one for this version).
        text: the search text; must not be empty.

    Raises:
        ValueError: if ``text`` is empty or blank.
    """
    text = text.strip()
    if not text:
        raise ValueError("the search text is empty")
    query = _ranked_candidates_query(graph, text) or internal_query("label-search")
    result = solutions_of(run_query(graph.store, query, {"q": Literal(text)}))
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


def _ranked_candidates_query(graph: KnowledgeGraph, text: str) -> str | None:
    """``indexed-label-search.rq`` holding the matching pairs of the resources that rank first
    (by their shortest matching label, then IRI, as label-search.rq ranks): one more resource than
    :data:`LIMIT`, so the caller still learns whether the list was cut. ``None``: no index to use
    for this version. The index ranks them itself
    (:meth:`sousei_kg.store.label_lookup.LabelIndex.ranked`)."""
    if graph.labels is None:
        return None
    first = graph.labels.ranked(text, graph.version, LIMIT + 1)
    if first is None:
        return None
    rows = [(c.resource(), c.label()) for c in first]
    return with_values_rows(internal_query("indexed-label-search"), ("r", "matched"), rows)


NAMED_QUERY = "search-labels"
"""The named query the label index answers (``queries/search-labels.rq``)."""


@dataclass(frozen=True)
class IndexedQuery:
    """The text that answers a named query with the label index.

    Attributes:
        text: the query text.
        detached: the text holds every row of the answer (``VALUES``) and reads no statement, so
            it can run without the dataset (:attr:`sousei_kg.execution.jobs.QueryJob.detached`).
    """

    text: str
    detached: bool


def indexed_named_query(
    graph: KnowledgeGraph, name: str, text: str, bindings: Mapping[str, Term], row_cap: int
) -> IndexedQuery | None:
    """The query to run for the named query ``name`` with the label index, or ``None`` to run the
    query as it is (another query, a query text that is not the shipped one, no index for this
    version).

    Where the index holds the whole answer (the labels and their resources' types), the text is
    ``search-labels-from-index.rq`` with the answer's rows, detached from the dataset: at 10 M
    triples the store lookups per row took 0.35 ms each (3-4 s for 10,000 rows,
    docs/performance.md). Otherwise it is ``indexed-search-labels.rq`` with the index's
    candidates that match, which the store checks and completes. Either way the query's own
    filter and order apply, so the rows and their order are those of the shipped query.

    With a row cap, the pairs of the resources that come first and give at least ``row_cap + 1``
    rows are enough: every matching pair gives at least one row, rows are sorted by resource
    first, and the one row past the cap tells the caller that the answer was cut.

    Args:
        graph: the dataset.
        name: the named query.
        text: its text as the catalogue holds it.
        bindings: its parameters, bound (``text``, and ``language`` when given).
        row_cap: the most rows the answer may have (0: all).
    """
    if name != NAMED_QUERY or graph.labels is None:
        return None
    shipped = catalog_for(None).get(NAMED_QUERY)
    searched = bindings.get("text")
    if shipped is None or shipped.text != text or not isinstance(searched, Literal):
        return None
    language = bindings.get("language")
    wanted = language.value if isinstance(language, Literal) else None

    def keep(candidate: Candidate) -> bool:
        return _language_matches(candidate, wanted)

    answer = graph.labels.answer(searched.value, graph.version, keep, row_cap)
    if answer is not None:
        rows = [(row.label.resource(), row.label.label(), row.type_term()) for row in answer]
        query = internal_query("search-labels-from-index")
        return IndexedQuery(with_values_rows(query, ("resource", "label", "type"), rows), True)
    candidates = graph.labels.candidates(searched.value, graph.version)
    if candidates is None:
        return None
    folded = fold(searched.value)
    matching = first_labels((c for c in candidates if c.matches(folded)), keep, row_cap)
    pairs = [(c.resource(), c.label()) for c in matching]
    query = internal_query("indexed-search-labels")
    return IndexedQuery(with_values_rows(query, ("resource", "label"), pairs), False)


def _language_matches(candidate: Candidate, wanted: str | None) -> bool:
    """``COALESCE(LANGMATCHES(LANG(?label), ?language), true)``: true without a language, and for
    a label that is an IRI (``LANG`` of it is an error); else the basic filtering of RFC 4647."""
    if wanted is None or not candidate.datatype:
        return True
    tag, wanted = candidate.language.lower(), wanted.lower()
    if wanted == "*":
        return bool(tag)
    return tag == wanted or tag.startswith(wanted + "-")
