"""The label index answers exactly as the queries without it (issue 20): for many search texts
over the shipped data, search-labels over the index's candidates gives the same rows in the same
order as queries/search-labels.rq reading every label, with and without a language and a row cap,
and the web search gives the same hits."""

import dataclasses
from collections.abc import Sequence

import pytest
from pyoxigraph import Literal, QuerySolutions

from sousei_kg.config import Settings
from sousei_kg.dataset.knowledge_graph import KnowledgeGraph, open_knowledge_graph
from sousei_kg.linked_data.label_search import NAMED_QUERY, indexed_named_query, search
from sousei_kg.named_queries.catalogue import catalog_for
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


@pytest.fixture(scope="module")
def graph() -> KnowledgeGraph:
    graph = open_knowledge_graph(Settings())
    assert graph.labels is not None  # the embedded server builds one in memory
    return graph


def rows(graph: KnowledgeGraph, text: str, bindings: dict[str, Term]) -> list[tuple[str, ...]]:
    result = run_query(graph.store, text, bindings)
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
    assert indexed is not None and indexed != query.text
    assert rows(graph, indexed, bound) == plain
    # With a row cap, the first cap + 1 rows are the same (what the worker keeps, and the one
    # more that tells it the answer was cut).
    for cap in (1, 5, 50):
        capped = indexed_named_query(graph, NAMED_QUERY, query.text, bound, cap)
        assert capped is not None
        found = rows(graph, capped, bound)
        assert found[: cap + 1] == plain[: cap + 1]
        assert (len(found) > cap) == (len(plain) > cap)


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
