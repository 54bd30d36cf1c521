"""``queries/checks/*-violation.rq`` return no row on the shipped graph, and each returns rows on its
fixture (``tests/fixtures/checks/<name>.trig``), so a check that matches nothing cannot pass unnoticed."""

from functools import cache
from pathlib import Path

import pytest
from pyoxigraph import QuerySolutions, RdfFormat, Store

from conftest import FIXTURES
from sousei_kg.dataset.graph_naming import load_shipped
from sousei_kg.dataset.resources import resource_dir
from sousei_kg.store.directory import open_store
from sousei_kg.store.query import run_query

CHECK_FIXTURES = FIXTURES / "checks"


def check_files() -> list[Path]:
    files = sorted((resource_dir("queries") / "checks").glob("*-violation.rq"))
    assert files, "no queries/checks/*-violation.rq"
    return files


@cache
def shipped_store() -> Store:
    store = open_store(None)
    load_shipped(store)
    return store


def rows(store: Store, check: Path) -> list[str]:
    solutions = run_query(store, check.read_text(encoding="utf-8"))
    assert isinstance(solutions, QuerySolutions)
    return [str(row) for row in solutions]


@pytest.mark.parametrize("check", check_files(), ids=lambda p: p.stem)
def test_check_finds_nothing_in_shipped_data(check: Path) -> None:
    assert rows(shipped_store(), check) == []


@pytest.mark.parametrize("check", check_files(), ids=lambda p: p.stem)
def test_check_finds_its_fixture(check: Path) -> None:
    fixture = CHECK_FIXTURES / f"{check.stem}.trig"
    assert fixture.exists(), (
        f"{check.name} needs a fixture {fixture.name} that makes it return rows"
    )
    store = Store()
    store.load(path=fixture, format=RdfFormat.TRIG)
    assert rows(store, check), f"{check.name} returned no row on {fixture.name}"
