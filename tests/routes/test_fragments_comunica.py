"""Comunica (npm ``@comunica/query-sparql``) answers the README's example queries over
``/fragments`` exactly as ``/sparql`` does: on the embedded store with the rate limit on (a TPF
query's burst of requests is not refused), and on a remote engine (Oxigraph server), where each
fragment is one query to the engine."""

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from conftest import remote_backend_args, running_server
from js_clients import run_script
from readme_examples import readme_queries
from remote_engines import Engine

pytestmark = pytest.mark.live

Row = tuple[tuple[str, str, str | None, str | None], ...]
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def _sparql_rows(base: str, query: str) -> tuple[list[str], list[Row]]:
    answer = httpx.post(
        base + "sparql",
        data={"query": query},
        headers={"accept": "application/sparql-results+json"},
        timeout=60,
    )
    assert answer.status_code == 200, answer.text
    document = answer.json()
    names: list[str] = document["head"]["vars"]
    rows = []
    for binding in document["results"]["bindings"]:
        cells = []
        for name in names:
            cell = binding[name]
            kind = {"uri": "NamedNode", "literal": "Literal", "bnode": "BlankNode"}[cell["type"]]
            language = cell.get("xml:lang")
            datatype = cell.get("datatype", LANG_STRING if language else XSD_STRING)
            cells.append((kind, cell["value"], language, datatype if kind == "Literal" else None))
        rows.append(tuple(cells))
    return names, rows


def _comunica_rows(base: str, query: str, names: list[str]) -> tuple[list[Row], int]:
    answer = run_script("comunica-query.mjs", base + "fragments", stdin=query)
    rows = []
    for row in answer["rows"]:
        cells: list[tuple[str, str, str | None, str | None]] = []
        for name in names:
            cell: dict[str, Any] = row[name]
            datatype = cell["datatype"] if cell["type"] == "Literal" else None
            cells.append((cell["type"], cell["value"], cell["language"], datatype))
        rows.append(tuple(cells))
    return rows, int(answer["requests"])


@pytest.fixture(scope="module")
def embedded() -> Iterator[str]:
    with running_server({"SOUSEI_RATE_LIMIT": "true"}) as base:
        yield base


@pytest.fixture(scope="module")
def remote(oxigraph_engine: Engine) -> Iterator[str]:
    with running_server(
        {"SOUSEI_RATE_LIMIT": "true"}, *remote_backend_args(oxigraph_engine)
    ) as base:
        yield base


@pytest.mark.parametrize("number", range(3))
def test_comunica_over_fragments_answers_as_sparql_does(embedded: str, number: int) -> None:
    query, shown = readme_queries()[number]
    names, expected = _sparql_rows(embedded, query)
    assert len(expected) == shown  # the README's table, as /sparql answers it
    rows, requests = _comunica_rows(embedded, query, names)
    assert rows == expected
    assert requests > 1  # answered from fragments, one pattern per request


@pytest.mark.parametrize("number", range(3))
def test_comunica_over_fragments_of_a_remote_engine(remote: str, number: int) -> None:
    query, _shown = readme_queries()[number]
    names, expected = _sparql_rows(remote, query)
    rows, _requests = _comunica_rows(remote, query, names)
    assert rows == expected
