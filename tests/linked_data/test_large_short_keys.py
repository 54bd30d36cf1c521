"""Short keys above the size bound (HINTS_MAX_QUADS): a large dataset never reads every IRI for a
key (at 10 M quads that took 92 s); it asks the store about the key as a whole path and under
each folder of its vocabulary, a bounded number of lookups per key, and says so when it finds
nothing. On the shipped data, with the bound set low and the curation graph (which holds
``org/``) left out of the vocabulary, so that what it holds must be looked up."""

import pytest

from large_dataset_support import as_large
from sousei_kg.config import Settings
from sousei_kg.dataset.knowledge_graph import KnowledgeGraph, open_knowledge_graph
from sousei_kg.linked_data import query_hints, short_keys
from sousei_kg.linked_data.query_hints import IriLookups, KnownIris, iri_lookups, known_iris
from sousei_kg.linked_data.short_keys import (
    LookedUpShortKeys,
    ShortKeys,
    ShortKeysUnavailableError,
    dataset_keys,
    folders_of,
    graph_key_resolver,
    looked_up_keys,
    store_keys,
)
from sousei_kg.store.readable import ReadableStore

ID = "https://w3id.org/sousei-kg/id/"
KPI2 = ID + "indicator/goal-2-kpi"
CONCEPT = ID + "strategy/regional-revitalisation-2-0-basic-concept"
"""Held in the curation graph only, under ``strategy/``, a folder the other graphs know."""
CURATION = "https://w3id.org/sousei-kg/graph/curation"


@pytest.fixture(scope="module")
def small() -> KnowledgeGraph:
    return open_knowledge_graph(Settings())


@pytest.fixture
def large(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Above the bound, the curation graph out of the vocabulary; the internal queries run."""
    return as_large(monkeypatch)


@pytest.fixture
def keys(large: list[str]) -> LookedUpShortKeys:
    """A large dataset's keys, the vocabulary read and the record of queries cleared."""
    graph = open_knowledge_graph(Settings())
    found = dataset_keys(graph)
    assert isinstance(found, LookedUpShortKeys)
    assert CURATION not in query_hints.vocabulary_graphs(graph.graphs)
    large.clear()
    return found


def test_a_small_dataset_reads_every_iri(small: KnowledgeGraph) -> None:
    assert isinstance(dataset_keys(small), ShortKeys)


def test_a_last_segment_under_a_known_folder_is_looked_up(
    keys: LookedUpShortKeys, large: list[str]
) -> None:
    assert CONCEPT not in keys.lookups.vocabulary
    assert "strategy/" in keys.folders
    assert keys.resolve("regional-revitalisation-2-0-basic-concept") == CONCEPT
    assert "known-iris" not in large
    assert 1 <= large.count("iri-present") <= 1 + len(keys.folders)
    # Found, it is remembered with the hints' lookups: the query it is bound into asks nothing.
    assert keys.lookups.remembered(CONCEPT) is True


def test_a_whole_path_is_one_lookup_whatever_its_folder(
    keys: LookedUpShortKeys, large: list[str]
) -> None:
    assert "org/" not in keys.folders  # only the curation graph has organisations
    assert keys.resolve("org/mlit") == ID + "org/mlit"
    assert keys.resolve("/org/mlit/") == ID + "org/mlit"
    assert large == ["iri-present"]


def test_a_key_of_the_vocabulary_resolves_as_on_a_small_dataset(
    keys: LookedUpShortKeys, large: list[str], small: KnowledgeGraph
) -> None:
    every = ShortKeys(known_iris(small))
    assert keys.resolve("goal-2-kpi") == every.resolve("goal-2-kpi") == KPI2
    assert keys.resolve("indicator/goal-2-kpi") == KPI2
    with pytest.raises(LookupError) as caught:
        keys.resolve("accompanying-support-system")
    with pytest.raises(LookupError) as as_small:
        every.resolve("accompanying-support-system")
    assert (
        str(caught.value)
        == str(as_small.value)
        == (
            "'accompanying-support-system' names 2 resources (measure/accompanying-support-system, "
            "programme/accompanying-support-system); give more of the path, such as "
            "measure/accompanying-support-system, or the whole IRI"
        )
    )
    assert "known-iris" not in large


def test_a_key_found_under_two_folders_is_ambiguous(small: KnowledgeGraph) -> None:
    """Neither resource is in the vocabulary: both are found by lookups."""
    vocabulary = KnownIris([ID + "measure/x", ID + "programme/y", ID + "goal/z"])
    keys = LookedUpShortKeys(IriLookups(small.store, vocabulary))
    with pytest.raises(LookupError) as caught:
        keys.resolve("accompanying-support-system")
    assert str(caught.value).startswith(
        "'accompanying-support-system' names 2 resources (measure/accompanying-support-system, "
        "programme/accompanying-support-system); give more of the path"
    )


def test_a_key_under_no_known_folder_says_to_give_the_whole_path(
    keys: LookedUpShortKeys, large: list[str]
) -> None:
    with pytest.raises(LookupError) as caught:
        keys.resolve("mlit")
    message = str(caught.value)
    assert message.startswith(
        "'mlit' names no resource of the dataset; on a dataset this large a short key is looked "
        f"for only under the folders of its vocabulary ({', '.join(keys.folders[:5])}, … "
        f"{len(keys.folders)} in all): give the whole path under id/ ({keys.folders[0]}…) or the "
        "whole IRI"
    )
    assert "known-iris" not in large
    with pytest.raises(LookupError) as close:
        keys.resolve("goal-9-kpi")
    assert str(close.value).endswith("; did you mean goal-3-kpi or goal-2-kpi or goal-1-kpi?")


def test_lookups_per_key_are_bounded_and_a_key_is_remembered(
    keys: LookedUpShortKeys, large: list[str]
) -> None:
    with pytest.raises(LookupError):
        keys.resolve("nothing-of-the-kind")
    # the whole path, then each folder: none of them in the vocabulary
    assert large.count("iri-present") == 1 + len(keys.folders)
    assert len(keys.folders) <= short_keys.MAX_FOLDERS
    with pytest.raises(LookupError):
        keys.resolve("nothing-of-the-kind")
    assert keys.resolve("regional-revitalisation-2-0-basic-concept") == CONCEPT
    large.clear()
    assert keys.resolve("regional-revitalisation-2-0-basic-concept") == CONCEPT
    assert large == []  # remembered: no lookup
    # Misses are not remembered with the hints' lookups (their LRU keeps what queries name).
    assert keys.lookups.remembered(ID + "goal/nothing-of-the-kind") is None


def test_the_folders_are_capped(large: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(short_keys, "MAX_FOLDERS", 3)
    keys = looked_up_keys(open_knowledge_graph(Settings()))
    assert len(keys.folders) == 3
    large.clear()
    with pytest.raises(LookupError):
        keys.resolve("nothing-of-the-kind")
    assert large.count("iri-present") == 4


def test_folders_are_every_path_prefix_the_fullest_first() -> None:
    iris = [
        ID + "org/a",
        ID + "org/b",
        ID + "identifier/corporate-number/1",
        ID + "top",
        "https://w3id.org/sousei-kg/def#Measure",
    ]
    assert folders_of(iris, 64) == ["org/", "identifier/", "identifier/corporate-number/"]
    assert folders_of(iris, 1) == ["org/"]


def test_a_key_that_cannot_end_an_iri_is_refused_without_a_lookup(
    keys: LookedUpShortKeys, large: list[str]
) -> None:
    with pytest.raises(LookupError, match=r"^'a b' cannot end the path of an IRI"):
        keys.resolve("a b")
    assert large == []


@pytest.mark.usefixtures("large")
def test_a_failing_lookup_is_a_clear_error_and_is_not_remembered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    graph = open_knowledge_graph(Settings())
    iri_lookups(graph)  # the vocabulary read while the engine answers
    real = query_hints.iri_present

    def broken(_store: ReadableStore, _iri: str) -> bool:
        raise OSError("the engine is down")

    monkeypatch.setattr(query_hints, "iri_present", broken)
    resolve = graph_key_resolver(graph)
    with pytest.raises(ShortKeysUnavailableError) as caught:
        resolve("org/mlit")
    assert str(caught.value) == (
        "the short key 'org/mlit' could not be looked up in the dataset (the engine failed); "
        "give the whole IRI, or try again later"
    )
    monkeypatch.setattr(query_hints, "iri_present", real)
    assert resolve("org/mlit") == ID + "org/mlit"


def test_the_cli_chooses_by_the_counts_it_is_given(small: KnowledgeGraph, large: list[str]) -> None:
    assert isinstance(store_keys(small.store, {CURATION: 99}), ShortKeys)
    assert large == ["known-iris"]
    large.clear()
    looked_up = store_keys(small.store, small.graphs)
    assert isinstance(looked_up, LookedUpShortKeys)
    assert looked_up.resolve("org/mlit") == ID + "org/mlit"
    assert "known-iris" not in large
