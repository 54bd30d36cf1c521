"""The README's example queries return exactly the answers the README shows (issue 2: "three example
queries with their answers (a test keeps those answers true)")."""

import re

import pytest
from pyoxigraph import QuerySolutions, Store, Variable

from conftest import REPO
from sousei_kg.dataset.graph_naming import load_shipped
from sousei_kg.store.directory import open_store
from sousei_kg.store.query import run_query

README = REPO / "README.md"
EXAMPLE = re.compile(r"```sparql\n(?P<query>.*?)```\n\n(?P<table>(?:\|[^\n]*\|\n)+)", re.DOTALL)


def examples() -> list[tuple[str, list[list[str]]]]:
    found = []
    for match in EXAMPLE.finditer(README.read_text(encoding="utf-8")):
        lines = match.group("table").strip().splitlines()
        rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]
        found.append((match.group("query"), [rows[0], *rows[2:]]))  # drop the |---| line
    assert len(found) == 3, "the README should show three example queries with answer tables"
    return found


@pytest.fixture(scope="module")
def store() -> Store:
    store = open_store(None)
    load_shipped(store)
    return store


@pytest.mark.parametrize("number", range(3))
def test_readme_example_answers(store: Store, number: int) -> None:
    query, table = examples()[number]
    solutions = run_query(store, query)
    assert isinstance(solutions, QuerySolutions)
    header = [v.value for v in solutions.variables]
    assert header == table[0]
    rows = [[row[Variable(name)].value for name in header] for row in solutions]
    assert rows == table[1:]
