"""The label index (issue 20): built from a store, kept in step by updates that record the
version, answering short Japanese texts through its gram table, and quoting every text as one
FTS5 string (nothing in a search text is FTS5 syntax)."""

import shutil
import sqlite3
from pathlib import Path

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, Store

from sousei_kg.store.label_index import (
    INDEX_FILE,
    build_index_file,
    index_version,
    indexed_subjects,
    update_index_file,
)
from sousei_kg.store.label_lookup import LabelIndex, fts5_phrase

EX = "https://example.org/"
G = NamedNode(EX + "graph")
PREF = NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
ALT = NamedNode("http://www.w3.org/2004/02/skos/core#altLabel")
NOTE = NamedNode("http://www.w3.org/2004/02/skos/core#note")
TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def node(name: str) -> NamedNode:
    return NamedNode(EX + name)


def sample() -> Store:
    store = Store()
    quads = [
        Quad(node("transport"), PREF, Literal("地域交通の確保", language="ja"), G),
        Quad(node("transport"), PREF, Literal("Securing Regional Transport", language="en"), G),
        Quad(node("one"), LABEL, Literal("交", language="ja"), G),
        Quad(node("tourism"), ALT, Literal("観光", language="ja"), G),
        Quad(node("quote"), LABEL, Literal('say "hi" AND * NEAR(x) ^y col:z 100%_'), G),
        Quad(node("iri-label"), LABEL, node("Some-IRI-Label"), G),
        Quad(node("note"), NOTE, Literal("交通 in a note, not a label"), G),
        Quad(BlankNode("b"), PREF, Literal("交通 of a blank node"), G),
        # The same label in a second graph and through a second property: one row.
        Quad(node("transport"), LABEL, Literal("地域交通の確保", language="ja"), node("g2")),
    ]
    store.extend(quads)
    return store


def subjects(index: LabelIndex, text: str, version: str = "v1") -> list[str]:
    found = index.candidates(text, version)
    assert found is not None
    return [c.subject.removeprefix(EX) for c in found if c.matches(text.lower())]


@pytest.fixture
def index() -> LabelIndex:
    return LabelIndex.in_memory(sample(), "v1")


def test_three_or_more_characters_use_trigrams_and_ignore_case(index: LabelIndex) -> None:
    assert subjects(index, "交通の") == ["transport"]
    assert subjects(index, "REGIONAL transport") == ["transport"]
    assert subjects(index, "some-iri") == ["iri-label"]  # STR of an IRI label is searched
    assert subjects(index, "in a note") == []  # not a label property
    assert subjects(index, "blank node") == []  # not an IRI subject (the search skips them)


def test_one_and_two_japanese_characters_use_the_gram_table(index: LabelIndex) -> None:
    assert subjects(index, "交通") == ["transport"]
    assert sorted(subjects(index, "交")) == ["one", "transport"]  # a whole label, and inside one
    assert subjects(index, "保") == ["transport"]  # the last character of a label
    assert subjects(index, "観光") == ["tourism"]
    assert subjects(index, "光") == ["tourism"]
    assert subjects(index, "猫") == []


def test_short_ascii_texts_and_the_empty_text_read_the_texts(index: LabelIndex) -> None:
    assert subjects(index, "SE") == ["transport"]
    assert sorted(set(subjects(index, "o"))) == ["iri-label", "quote", "transport"]
    every = index.candidates("", "v1")
    assert every is not None and len(every) == 6  # one row per distinct (resource, label)


@pytest.mark.parametrize(
    "text",
    ['"', '"hi"', 'say "hi', "AND", "* NEAR(x)", "^y", "col:z", "100%_", "%", "_", "'", "x OR y"],
)
def test_fts5_syntax_in_a_text_is_only_text(index: LabelIndex, text: str) -> None:
    expected = ["quote"] if text.lower() in 'say "hi" and * near(x) ^y col:z 100%_' else []
    assert subjects(index, text) == expected


def test_fts5_phrase_doubles_quotes() -> None:
    assert fts5_phrase('a"b') == '"a""b"'
    assert fts5_phrase("") == '""'


def test_another_version_is_not_answered(index: LabelIndex) -> None:
    assert index.candidates("交通", "v2") is None
    assert index.version() == "v1"


def test_a_blank_node_label_turns_the_index_off() -> None:
    # STR of a blank node is an error, which the named query's COALESCE counts as a match.
    store = sample()
    store.add(Quad(node("odd"), LABEL, BlankNode("label"), G))
    assert LabelIndex.in_memory(store, "v1").candidates("交通", "v1") is None


def test_file_build_update_and_reopen(tmp_path: Path) -> None:
    store = sample()
    assert build_index_file(tmp_path, store, "v1") == 6
    assert index_version(tmp_path) == "v1"
    reader = LabelIndex.open_file(tmp_path)
    assert reader is not None
    assert subjects(reader, "交通") == ["transport"]

    # A write: one label replaced, one resource gains one, one loses its only one.
    removed = [
        Quad(node("transport"), PREF, Literal("地域交通の確保", language="ja"), G),
        Quad(node("transport"), LABEL, Literal("地域交通の確保", language="ja"), node("g2")),
        Quad(node("tourism"), ALT, Literal("観光", language="ja"), G),
    ]
    added = [
        Quad(node("transport"), PREF, Literal("公共交通の再編", language="ja"), G),
        Quad(node("new"), PREF, Literal("新しい交通", language="ja"), G),
    ]
    for quad in removed:
        store.remove(quad)
    store.extend(added)
    changed = indexed_subjects([*removed, *added])
    update_index_file(tmp_path, store, changed, "v2")
    assert index_version(tmp_path) == "v2"
    assert reader.candidates("交通", "v1") is None  # the reader's version is gone
    assert sorted(subjects(reader, "交通", "v2")) == ["new", "transport"]
    assert subjects(reader, "再編", "v2") == ["transport"]
    assert subjects(reader, "確保", "v2") == []
    assert subjects(reader, "観", "v2") == []

    # A rebuilt file (renamed into place) is opened again by a reader that asks for its version.
    copy = tmp_path / "copy"
    copy.mkdir()
    build_index_file(copy, store, "v3")
    shutil.copyfile(copy / INDEX_FILE, tmp_path / "replacement")
    (tmp_path / "replacement").replace(tmp_path / INDEX_FILE)
    assert sorted(subjects(reader, "交通", "v3")) == ["new", "transport"]


def answer_types(index: LabelIndex, text: str, version: str) -> list[tuple[str, str | None]]:
    found = index.answer(text, version, lambda _: True, 0)
    assert found is not None
    return [(r.label.subject.removeprefix(EX), r.type and r.type.removeprefix(EX)) for r in found]


def test_answers_carry_types_kept_in_step(tmp_path: Path) -> None:
    store = sample()
    store.add(Quad(node("transport"), TYPE, node("Measure"), G))
    store.add(Quad(node("transport"), TYPE, node("Thing"), node("g2")))
    build_index_file(tmp_path, store, "v1")
    reader = LabelIndex.open_file(tmp_path)
    assert reader is not None
    # One row per type (none: None), only labels that contain the text, sorted by resource.
    assert answer_types(reader, "交通", "v1") == [("transport", "Measure"), ("transport", "Thing")]
    assert answer_types(reader, "観", "v1") == [("tourism", None)]
    assert answer_types(reader, "xyzzy", "v1") == []
    # A write that changes only a type: the subject's types are read again.
    store.remove(Quad(node("transport"), TYPE, node("Thing"), node("g2")))
    store.add(Quad(node("tourism"), TYPE, node("Place"), G))
    changed = indexed_subjects(
        [
            Quad(node("transport"), TYPE, node("Thing"), node("g2")),
            Quad(node("tourism"), TYPE, node("Place"), G),
        ]
    )
    update_index_file(tmp_path, store, changed, "v2")
    assert answer_types(reader, "交通", "v2") == [("transport", "Measure")]
    assert answer_types(reader, "観", "v2") == [("tourism", "Place")]
    assert reader.answer("交通", "v1", lambda _: True, 0) is None  # another version


def test_a_row_cap_stops_at_a_resource_boundary() -> None:
    store = Store()
    for i in range(6):
        for label in ("交通 a", "交通 b"):
            store.add(Quad(node(f"r{i}"), LABEL, Literal(label, language="ja"), G))
    capped = LabelIndex.in_memory(store, "v1").answer("交通", "v1", lambda _: True, 2)
    assert capped is not None
    # cap + 1 = 3 labels at least, then the rest of the third's resource: r0 a, r0 b, r1 a, r1 b
    assert [(r.label.subject.removeprefix(EX), r.label.value) for r in capped] == [
        ("r0", "交通 a"),
        ("r0", "交通 b"),
        ("r1", "交通 a"),
        ("r1", "交通 b"),
    ]
    kept = LabelIndex.in_memory(store, "v1").answer(
        "交通", "v1", lambda c: c.value.endswith("b"), 1
    )
    assert kept is not None and [r.label.subject for r in kept] == [EX + "r0", EX + "r1"]


def test_ranked_by_shortest_matching_label_then_iri() -> None:
    store = Store()
    labels = {
        "c": ["交通 and more"],  # 9 characters
        "b": ["交通の", "ずっと長い交通の名前"],  # shortest matching: 3
        "a": ["x交\x00通", "交通\x00xy"],  # 5 and 5 characters (SQLite's length() says 2 and 1)
        "d": ["交通"],  # 2
        "e": ["観光"],  # does not match
    }
    for name, values in labels.items():
        for value in values:
            store.add(Quad(node(name), LABEL, Literal(value, language="ja"), G))
    index = LabelIndex.in_memory(store, "v1")
    ranked = index.ranked("交通", "v1", 10)
    assert ranked is not None
    assert [(c.subject.removeprefix(EX), c.value) for c in ranked] == [
        ("d", "交通"),
        ("b", "ずっと長い交通の名前"),  # both matching labels of a ranked resource, by value
        ("b", "交通の"),
        ("a", "交通\x00xy"),
        ("c", "交通 and more"),
    ]
    top = index.ranked("交通", "v1", 2)
    assert top is not None and {c.subject for c in top} == {EX + "d", EX + "b"}
    assert index.ranked("交通", "v2", 2) is None


def test_a_type_that_is_not_an_iri_leaves_only_the_candidates() -> None:
    store = sample()
    store.add(Quad(node("transport"), TYPE, Literal("a literal"), G))
    index = LabelIndex.in_memory(store, "v1")
    assert index.answer("交通", "v1", lambda _: True, 0) is None
    assert index.candidates("交通", "v1") is not None


def test_an_index_of_the_old_schema_is_not_used(tmp_path: Path) -> None:
    build_index_file(tmp_path, sample(), "v1")
    connection = sqlite3.connect(tmp_path / INDEX_FILE)
    with connection:
        connection.execute("UPDATE meta SET value = '1' WHERE key = 'schema'")
    connection.close()
    assert index_version(tmp_path) is None  # the writer rebuilds it
    reader = LabelIndex.open_file(tmp_path)
    assert reader is not None and reader.answer("交通", "v1", lambda _: True, 0) is None


def test_no_file_no_index(tmp_path: Path) -> None:
    assert LabelIndex.open_file(tmp_path) is None
    assert index_version(tmp_path) is None
