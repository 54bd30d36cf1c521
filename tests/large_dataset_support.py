"""Helpers for tests of a dataset above the hints' size bound (``HINTS_MAX_QUADS``), made of the
shipped data by setting the bound low: which internal queries run, so a test can say that the
one reading every IRI (``known-iris``) never does."""

from collections.abc import Mapping

import pytest

from sousei_kg.linked_data import query_hints
from sousei_kg.sparql.internal_queries import internal_query, internal_query_names
from sousei_kg.store.query import run_query
from sousei_kg.store.readable import QueryResult, ReadableStore, Term

SMALL_GRAPHS_QUADS = 600
"""A vocabulary bound that reads the ontology, meta, shapes and strategy-2025 graphs but not
curation (2,716 quads, where the organisations are): what it holds must be looked up."""


def as_large(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Treat the shipped data as above the bound, with the curation graph out of the vocabulary;
    gives the names of the internal queries of the hints and short keys as they run."""
    monkeypatch.setattr(query_hints, "HINTS_MAX_QUADS", 100)
    monkeypatch.setattr(query_hints, "VOCABULARY_GRAPH_QUADS", SMALL_GRAPHS_QUADS)
    names = {internal_query(name): name for name in internal_query_names()}
    run: list[str] = []

    def spying(
        store: ReadableStore, text: str, params: Mapping[str, Term] | None = None
    ) -> QueryResult:
        run.append(names.get(text, "?"))
        return run_query(store, text, params)

    monkeypatch.setattr(query_hints, "run_query", spying)
    return run
