"""describe.py: what a resource's document holds (issue 3, "Linked data"), checked on the shipped
data without HTTP."""

from collections.abc import Iterator

import pytest
from pyoxigraph import Literal, NamedNode, Store

from sousei_kg.dataset.graph_naming import load_shipped
from sousei_kg.linked_data.describe import (
    CURATION_GRAPH,
    STATED_GRAPH,
    describe,
    exists,
    labels_of,
    pick_label,
    resource_view,
    vocabulary_labels,
)
from sousei_kg.store.directory import open_store

ID = "https://w3id.org/sousei-kg/id/"
SOUSEI = "https://w3id.org/sousei-kg/def#"
MEASURE = ID + "measure/reskilling-support"


@pytest.fixture(scope="module")
def store() -> Iterator[Store]:
    store = open_store(None)
    load_shipped(store)
    yield store


def test_exists_means_described_as_subject(store: Store) -> None:
    assert exists(store, ID + "goal/1")
    assert not exists(store, ID + "goal/99")
    # The strategy's graph IRIs are objects of provenance statements in graph/meta, never id/.
    assert not exists(store, ID + "nothing")


def test_description_holds_own_incoming_attributions_and_neighbour_labels(store: Store) -> None:
    triples = describe(store, MEASURE)
    subjects = {t.subject for t in triples}
    predicates = {
        (t.subject.value, t.predicate.value) for t in triples if isinstance(t.subject, NamedNode)
    }
    # Own statements, from both graphs (union).
    assert (MEASURE, SOUSEI + "responsibleOrganization") in predicates
    assert (MEASURE, SOUSEI + "listedUnder") in predicates
    # A link pointing at it.
    assert (ID + "measure-group/goal-1", "http://www.w3.org/2004/02/skos/core#member") in predicates
    # Its qualified attributions, with their confidence.
    attribution = NamedNode(
        ID + "attribution/measure-reskilling-support--responsible-organization--org-meti"
    )
    assert attribution in subjects
    assert (attribution.value, SOUSEI + "confidence") in predicates
    # Labels of what it links to, so a page can name them.
    labels = labels_of(triples)
    assert labels[ID + "org/meti"]["ja"] == "経済産業省"
    assert labels[MEASURE] == {"ja": "リスキリング支援", "en": "Reskilling support"}
    assert len(triples) == len(set(triples))


def test_pick_label_falls_back_to_other_language_then_iri() -> None:
    labels = {"a": {"ja": "ア"}, "b": {"en": "B", "ja": "ビ"}}
    assert pick_label(labels, "a", "en") == "ア"
    assert pick_label(labels, "b", "en") == "B"
    assert pick_label(labels, ID + "x/y", "ja") == "x/y"
    assert pick_label(labels, "http://example.org/z", "ja") == "http://example.org/z"


def test_view_tells_stated_from_curated(store: Store) -> None:
    view = resource_view(store, MEASURE, describe(store, MEASURE))
    assert view.types == (SOUSEI + "Measure",)
    contributes = {v.term.value: v for v in view.properties[SOUSEI + "contributesTo"]}
    stated, curated = contributes[ID + "outcome/B"], contributes[ID + "output/h"]
    assert stated.graphs == (STATED_GRAPH,) and not stated.curated
    assert curated.graphs == (CURATION_GRAPH,) and curated.curated
    assert curated.attribution is not None
    assert curated.attribution.confidence == SOUSEI + "Inferred"
    assert curated.attribution.notes
    labels = {v.term for v in view.properties["http://www.w3.org/2004/02/skos/core#prefLabel"]}
    assert Literal("Reskilling support", language="en") in labels
    assert (
        ID + "measure-group/goal-1",
        "http://www.w3.org/2004/02/skos/core#member",
    ) in view.incoming


def test_vocabulary_labels_name_terms_in_both_languages(store: Store) -> None:
    labels = vocabulary_labels(store)
    assert labels[SOUSEI + "Measure"] == {"en": "Measure", "ja": "施策"}
