"""The label index answers exactly as the queries without it (issue 20): for many search texts
over the shipped data, search-labels over the index's candidates gives the same rows in the same
order as queries/search-labels.rq reading every label, with and without a language and a row cap,
and the web search gives the same hits."""

import dataclasses
from collections.abc import Sequence

import pytest
from pyoxigraph import Literal, NamedNode, Quad, QuerySolutions, Store

from sousei_kg.config import Settings
from sousei_kg.dataset.knowledge_graph import KnowledgeGraph, open_knowledge_graph
from sousei_kg.linked_data.label_search import NAMED_QUERY, indexed_named_query, search
from sousei_kg.named_queries.catalogue import catalog_for
from sousei_kg.store.label_index import LABEL_PREDICATES, RDF_TYPE
from sousei_kg.store.label_lookup import LabelIndex
from sousei_kg.store.query import run_query
from sousei_kg.store.readable import Term

TEXTS = [
    # Japanese: one, two, three and more characters
    "交",
    "の",
    "化",
    "ー",
    "・",
    "交通",
    "地方",
    "創生",
    "地域交通",
    "まち・ひと・しごと",
    "デジタル田園都市",
    "総合戦略",
    # English, in several cases
    "a",
    "A",
    "e",
    "of",
    "OF",
    "Of",
    "transport",
    "TRANSPORT",
    "Transport",
    "reskill",
    "KPI",
    "kpi",
    "digital garden",
    "Regional Revitalization",
    # digits, mixed, spaces
    "1",
    "20",
    "2024",
    "KPI 1",
    " ",
    "　",
    "a b",
    # nothing matches
    "xyzzy",
    "猫犬",
    "zz",
    "q",
    "存在しない言葉",
    # characters that mean something to SQL LIKE, FTS5, SPARQL or shells
    "%",
    "_",
    "%_",
    '"',
    "'",
    '""',
    "\\",
    "*",
    "(",
    ")",
    ":",
    "^",
    "-",
    "AND",
    "OR",
    "NEAR",
    'transport"',
    '"} UNION {?s ?p ?o}',
    '交通"} UNION {?s ?p ?o} #',
    "a*",
    "NEAR(a b)",
]


EMPTY = Store()
RDFS_LABEL = LABEL_PREDICATES[0]


@pytest.fixture(scope="module")
def graph() -> KnowledgeGraph:
    graph = open_knowledge_graph(Settings())
    assert graph.labels is not None  # the embedded server builds one in memory
    return graph


@pytest.fixture(scope="module")
def untyped(graph: KnowledgeGraph) -> KnowledgeGraph:
    """The shipped data plus a resource whose type is a literal."""
    store = Store()
    store.extend(graph.store.quads_for_pattern(None, None, None, None))
    thing = NamedNode("https://example.org/odd")
    store.add(Quad(thing, RDF_TYPE, Literal("a literal type"), NamedNode("https://example.org/g")))
    store.add(Quad(thing, RDFS_LABEL, Literal("地域交通 odd", language="ja")))
    labels = LabelIndex.in_memory(store, graph.version)
    return dataclasses.replace(graph, store=store, labels=labels)


def rows(
    graph: KnowledgeGraph | Store, text: str, bindings: dict[str, Term]
) -> list[tuple[str, ...]]:
    store = graph if isinstance(graph, Store) else graph.store
    result = run_query(store, text, bindings)
    assert isinstance(result, QuerySolutions)
    names = [v.value for v in result.variables]
    return [tuple(str(row[name]) for name in names) for row in result]


def bindings_for(text: str, language: str | None) -> dict[str, Term]:
    bound: dict[str, Term] = {"text": Literal(text)}
    if language is not None:
        bound["language"] = Literal(language)
    return bound


@pytest.mark.parametrize("language", [None, "ja", "en"])
@pytest.mark.parametrize("text", TEXTS)
def test_search_labels_same_rows_same_order(
    graph: KnowledgeGraph, text: str, language: str | None
) -> None:
    query = catalog_for(None).get(NAMED_QUERY)
    assert query is not None
    bound = bindings_for(text, language)
    plain = rows(graph, query.text, bound)
    indexed = indexed_named_query(graph, NAMED_QUERY, query.text, bound, 0)
    assert indexed is not None and indexed.detached  # the whole answer from the index
    assert rows(graph, indexed.text, bound) == plain
    # Detached, it reads nothing: an empty store gives the same rows.
    assert rows(EMPTY, indexed.text, bound) == plain
    # With a row cap, the first cap + 1 rows are the same (what the worker keeps, and the one
    # more that tells it the answer was cut).
    for cap in (1, 5, 50):
        capped = indexed_named_query(graph, NAMED_QUERY, query.text, bound, cap)
        assert capped is not None
        found = rows(EMPTY, capped.text, bound)
        assert found[: cap + 1] == plain[: cap + 1]
        assert (len(found) > cap) == (len(plain) > cap)


@pytest.mark.parametrize("language", [None, "ja"])
@pytest.mark.parametrize("text", ["交", "交通", "地域交通", "a", "transport", "xyzzy"])
def test_search_labels_over_the_candidates_same_rows(
    untyped: KnowledgeGraph, text: str, language: str | None
) -> None:
    """A dataset with a type that is not an IRI is answered from the candidates, which the
    store checks and completes: still the same rows."""
    query = catalog_for(None).get(NAMED_QUERY)
    assert query is not None
    bound = bindings_for(text, language)
    indexed = indexed_named_query(untyped, NAMED_QUERY, query.text, bound, 0)
    assert indexed is not None and not indexed.detached
    assert rows(untyped, indexed.text, bound) == rows(untyped, query.text, bound)
    for cap in (1, 5):
        capped = indexed_named_query(untyped, NAMED_QUERY, query.text, bound, cap)
        assert capped is not None
        found = rows(untyped, capped.text, bound)
        assert found[: cap + 1] == rows(untyped, query.text, bound)[: cap + 1]


@pytest.mark.parametrize("text", [t for t in TEXTS if t.strip()])
def test_web_search_same_hits(graph: KnowledgeGraph, text: str) -> None:
    without = dataclasses.replace(graph, labels=None)
    assert search(graph, text) == search(without, text)


def test_the_index_is_asked_only_for_the_shipped_search_labels(graph: KnowledgeGraph) -> None:
    query = catalog_for(None).get(NAMED_QUERY)
    assert query is not None
    bound = bindings_for("交通", None)
    assert indexed_named_query(graph, "list-measures-for-kpi", query.text, bound, 0) is None
    edited = query.text.replace("ORDER BY", "ORDER BY DESC(?type)")
    assert indexed_named_query(graph, NAMED_QUERY, edited, bound, 0) is None
    stale = dataclasses.replace(graph, version="another")
    assert indexed_named_query(stale, NAMED_QUERY, query.text, bound, 0) is None


def test_the_texts_cover_every_way_in(graph: KnowledgeGraph) -> None:
    lengths: Sequence[int] = [len(t) for t in TEXTS]
    assert {1, 2}.issubset(lengths) and max(lengths) >= 3
    query = catalog_for(None).get(NAMED_QUERY)
    assert query is not None
    matched = [t for t in TEXTS if rows(graph, query.text, bindings_for(t, None))]
    assert len(matched) >= 25  # most texts find something; the rest find nothing
