"""The writer validates what a write changed: its verdicts, its baseline, and its 409 report."""

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import ONTOLOGY, write_tree
from sousei_kg.dataset.graph_naming import shipped_files
from sousei_kg.store.directory import build_store
from sousei_kg.store.query import run_update
from sousei_kg.writes.refusals import WriteRefusedError
from sousei_kg.writes.writer import Writer, WriteRequest

SHAPES = """\
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix sousei: <https://w3id.org/sousei-kg/def#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix shp: <https://w3id.org/sousei-kg/shapes#> .

shp:MeasureShape a sh:NodeShape ;
    sh:targetClass sousei:Measure ;
    sh:property shp:MeasureLabel , shp:MeasureGroup .
shp:MeasureLabel a sh:PropertyShape ; sh:path rdfs:label ; sh:minCount 1 ;
    sh:message "a measure needs a label" .
shp:MeasureGroup a sh:PropertyShape ; sh:path sousei:listedUnder ; sh:class sousei:MeasureGroup ;
    sh:message "a measure is listed under a measure group" .
"""

# measure/x has no label: a Violation the store already holds, which writes elsewhere must not be
# blamed for. No blank nodes, so writes are validated incrementally.
DATA = """\
@prefix sousei: <https://w3id.org/sousei-kg/def#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix id: <https://w3id.org/sousei-kg/id/> .

<https://w3id.org/sousei-kg/id/measure/a> a sousei:Measure ; rdfs:label "A"@en ;
    sousei:listedUnder <https://w3id.org/sousei-kg/id/measure-group/g> .
<https://w3id.org/sousei-kg/id/measure-group/g> a sousei:MeasureGroup .
<https://w3id.org/sousei-kg/id/measure/x> a sousei:Measure .
"""

ID = "https://w3id.org/sousei-kg/id/"
GRAPH = "https://w3id.org/sousei-kg/graph/curation"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def build(root: Path) -> tuple[Path, Path]:
    """The store and resources tree of these tests."""
    resources = write_tree(
        root / "resources",
        {
            "ontology/sousei.ttl": ONTOLOGY,
            "shapes/measure.ttl": SHAPES,
            "data/curation--measures.ttl": DATA,
        },
    )
    build_store(root / "store", shipped_files(resources))
    return root / "store", resources


@pytest.fixture
def writer(tmp_path: Path) -> Iterator[Writer]:
    opened = Writer.open(*build(tmp_path))
    yield opened
    opened.close()


def update(text: str) -> WriteRequest:
    def apply(copy: object) -> bool:
        run_update(copy, text)  # type: ignore[arg-type]
        return False

    return WriteRequest("update", None, "0" * 16, hashlib.sha256(text.encode()).hexdigest(), apply)


def insert(triples: str) -> WriteRequest:
    return update(f"INSERT DATA {{ GRAPH <{GRAPH}> {{ {triples} }} }}")


def delete(triples: str) -> WriteRequest:
    return update(f"DELETE DATA {{ GRAPH <{GRAPH}> {{ {triples} }} }}")


def test_a_write_elsewhere_is_not_blamed_for_a_violation_already_there(writer: Writer) -> None:
    commit = writer.write(insert(f'<{ID}measure/a> <{LABEL}> "A"@ja .'))
    assert commit.added == 1


def test_a_change_one_hop_away_is_refused_with_only_what_it_broke(writer: Writer) -> None:
    with pytest.raises(WriteRefusedError) as refused:
        writer.write(
            delete(
                f"<{ID}measure-group/g> <{TYPE}> <https://w3id.org/sousei-kg/def#MeasureGroup> ."
            )
        )
    outcome = refused.value.outcome
    assert outcome is not None and not outcome.conforms
    # The report covers what the write changed: measure/a's broken group, not measure/x's old
    # missing label (a full validation would report both).
    assert {(r.focus_node, r.message) for r in outcome.results} == {
        (f"{ID}measure/a", "a measure is listed under a measure group")
    }


def test_a_violation_fixed_and_brought_back_is_refused(tmp_path: Path) -> None:
    store, resources = build(tmp_path)
    label = f'<{ID}measure/x> <{LABEL}> "X"@en .'
    writer = Writer.open(store, resources)
    try:
        writer.write(insert(label))
        with pytest.raises(WriteRefusedError) as refused:
            writer.write(delete(label))
        assert refused.value.reason == "invalid-data"
        # Still refused after a write that did not touch measure/x...
        writer.write(insert(f'<{ID}measure/a> <{LABEL}> "A"@ja .'))
        with pytest.raises(WriteRefusedError):
            writer.write(delete(label))
    finally:
        writer.close()
    # ... and after a restart, which computes the baseline from the whole store again.
    writer = Writer.open(store, resources)
    try:
        with pytest.raises(WriteRefusedError):
            writer.write(delete(label))
    finally:
        writer.close()


def test_a_new_measure_must_be_valid_where_it_is(writer: Writer) -> None:
    with pytest.raises(WriteRefusedError):
        writer.write(insert(f"<{ID}measure/y> <{TYPE}> <https://w3id.org/sousei-kg/def#Measure> ."))
    commit = writer.write(
        insert(
            f'<{ID}measure/y> <{TYPE}> <https://w3id.org/sousei-kg/def#Measure> ; <{LABEL}> "Y"@en .'
        )
    )
    assert commit.added == 2
