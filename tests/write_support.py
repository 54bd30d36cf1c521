"""Helpers for the write-side tests: a small built store and an app with tokens on it."""

from pathlib import Path

from conftest import FILES, recording_listener, write_tree
from sousei_kg.config import Settings
from sousei_kg.dataset.graph_naming import shipped_files
from sousei_kg.store.directory import build_store

WRITE, READ = "write-token-for-the-tests", "read-token-for-the-tests"
WRITER = {"Authorization": f"Bearer {WRITE}"}
READER = {"Authorization": f"Bearer {READ}"}
UPDATE = "application/sparql-update"
SOUSEI = "https://w3id.org/sousei-kg/"
CURATION = SOUSEI + "graph/curation"
MEASURE = SOUSEI + "def#Measure"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


def small_store(root: Path) -> tuple[Path, Path]:
    """Build the conftest resources tree (whose shapes require a label on every measure) into a
    store; returns (store, resources)."""
    resources = write_tree(root / "resources", {**FILES, "queries/README.md": "# none\n"})
    store = root / "store"
    build_store(store, shipped_files(resources))
    return store, resources


def write_settings(store: Path, resources: Path | None, **extra: object) -> Settings:
    """Settings of a server with one write and one read token on ``store``."""
    values: dict[str, object] = {
        "store": store,
        "resources": resources,
        "write_tokens": [WRITE],
        "read_tokens": [READ],
        "query_workers": 1,
        "rate_limit": False,
        **extra,
    }
    return Settings(**values)  # type: ignore[arg-type]


def insert_measure(slug: str, label: bool = True) -> str:
    """An INSERT DATA adding a measure (without a label: a Violation of the small shapes)."""
    measure = f"<{SOUSEI}id/measure/{slug}>"
    triples = f"{measure} a <{MEASURE}> ."
    if label:
        triples += f' {measure} <{LABEL}> "{slug}"@en .'
    return f"INSERT DATA {{ GRAPH <{CURATION}> {{ {triples} }} }}"


listener = recording_listener
