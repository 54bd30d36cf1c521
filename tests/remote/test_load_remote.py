"""``sousei-kg load --to GSP_URL`` against a real Oxigraph server: validated before anything is
sent, idempotent (each graph replaced), counts checked, clear errors."""

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from conftest import write_tree
from remote_engines import Engine, load_into, oxigraph_server

pytestmark = pytest.mark.live


def _count(engine: Engine) -> int:
    answer = httpx.post(
        engine.query,
        data={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    return int(answer.json()["results"]["bindings"][0]["n"]["value"])


def _load(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sousei_kg", "load", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_loading_twice_leaves_the_same_store(oxigraph_engine: Engine) -> None:
    first_count = _count(oxigraph_engine)
    line = load_into(oxigraph_engine)
    assert _count(oxigraph_engine) == first_count
    assert line.startswith("loaded 5 graphs, ")
    assert f"{first_count} triples" in line


def test_data_that_violates_the_shapes_is_not_sent(tmp_path: Path, resources: Path) -> None:
    write_tree(
        resources,
        {
            "data/meta.ttl": "<https://w3id.org/sousei-kg/id/measure/x> a "
            "<https://w3id.org/sousei-kg/def#Measure> .\n"
        },
    )
    with oxigraph_server(tmp_path) as engine:
        done = _load("--to", engine.graph_store, "--resources", str(resources))
        assert done.returncode == 1
        assert "violat" in done.stderr and "Nothing was sent" in done.stderr
        assert _count(engine) == 0


def test_an_unreachable_store_is_a_clear_error() -> None:
    done = _load("--to", "http://127.0.0.1:9/store")
    assert done.returncode == 2
    assert "cannot reach the graph store at http://127.0.0.1:9/store" in done.stderr


def test_a_store_that_needs_credentials_says_so(virtuoso_engine: Engine) -> None:
    """Virtuoso's /sparql-graph-crud-auth without --user: refused, with what to do, and the
    store keeps what it had."""
    before = _count(virtuoso_engine)
    done = _load("--to", virtuoso_engine.graph_store)
    assert done.returncode == 2
    assert "--user and SOUSEI_LOAD_PASSWORD" in done.stderr
    assert _count(virtuoso_engine) == before > 0


def test_user_without_password_is_a_clear_error() -> None:
    done = _load("--to", "http://127.0.0.1:9/store", "--user", "dba")
    assert done.returncode == 2
    assert "SOUSEI_LOAD_PASSWORD" in done.stderr
