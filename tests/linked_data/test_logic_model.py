"""logic_model.py: the chain of a measure up to its goal and KPI, and of a goal down to its
measures, each link marked stated (graph/strategy-2025) or curated (graph/curation)."""

from collections.abc import Iterator

import pytest
from pyoxigraph import Store

from sousei_kg.dataset.graph_naming import load_shipped
from sousei_kg.linked_data.logic_model import MEASURE, OUTCOME, OUTPUT, chain, is_chain_member
from sousei_kg.store.directory import open_store

ID = "https://w3id.org/sousei-kg/id/"
SOUSEI = "https://w3id.org/sousei-kg/def#"


@pytest.fixture(scope="module")
def store() -> Iterator[Store]:
    store = open_store(None)
    load_shipped(store)
    yield store


def test_measure_reaches_its_goal_by_a_stated_and_a_curated_path(store: Store) -> None:
    model = chain(store, ID + "measure/reskilling-support")
    paths = [[(link.source, link.target) for link in path] for path in model.paths_up()]
    assert [
        (ID + "measure/reskilling-support", ID + "outcome/B"),
        (ID + "outcome/B", ID + "goal/1"),
    ] in paths
    assert [
        (ID + "measure/reskilling-support", ID + "output/h"),
        (ID + "output/h", ID + "outcome/B"),
        (ID + "outcome/B", ID + "goal/1"),
    ] in paths
    first = {(link.source, link.target): link for link in model.up}
    stated = first[(ID + "measure/reskilling-support", ID + "outcome/B")]
    curated = first[(ID + "measure/reskilling-support", ID + "output/h")]
    assert stated.stated and not stated.curated and stated.attribution is None
    assert curated.curated and curated.attribution is not None
    assert curated.attribution.confidence == SOUSEI + "Inferred"
    assert model.goals == ((ID + "goal/1", ID + "indicator/goal-1-kpi"),)


def test_measure_chain_names_its_organisations_with_confidence(store: Store) -> None:
    model = chain(store, ID + "measure/reskilling-support")
    organisations = {link.target: link for link in model.organisations[model.focus]}
    assert set(organisations) == {ID + "org/meti", ID + "org/mhlw"}
    meti = organisations[ID + "org/meti"].attribution
    assert meti is not None and meti.confidence == SOUSEI + "WidelyKnown"
    assert model.labels[ID + "org/meti"]["en"] == "Ministry of Economy, Trade and Industry"


def test_goal_lists_everything_below_it_by_level(store: Store) -> None:
    model = chain(store, ID + "goal/1")
    groups = dict(model.down_by_level())
    assert list(groups) == [OUTCOME, OUTPUT, MEASURE]
    assert set(groups[OUTCOME]) == {ID + "outcome/A", ID + "outcome/B"}
    assert ID + "output/h" in groups[OUTPUT]
    assert ID + "measure/reskilling-support" in groups[MEASURE]
    assert ID + "org/meti" in {
        link.target for link in model.organisations[ID + "measure/reskilling-support"]
    }
    # A goal is the top: no path up, but its own KPI.
    assert model.paths_up() == []
    assert model.goals == ((ID + "goal/1", ID + "indicator/goal-1-kpi"),)
    # No measure of goal 2 leaks in.
    assert ID + "outcome/C" not in groups[OUTCOME]


def test_only_logic_model_elements_have_a_chain() -> None:
    assert is_chain_member((SOUSEI + "Measure", SOUSEI + "Programme"))
    assert not is_chain_member(("http://www.w3.org/ns/org#Organization",))
