"""The change log behind the LDES feed: the release when a writer first opens a store, one entry
per write saved before the write's commit point (its audit record), entries of writes that never
reached it dropped, and the feed served only up to the version a server serves."""

from datetime import datetime
from pathlib import Path

import pytest
from pyoxigraph import NamedNode, Store

from sousei_kg.dataset.knowledge_graph import KnowledgeGraph
from sousei_kg.publication import change_feed
from sousei_kg.publication.change_feed import feed_index, page_triples, version_iri
from sousei_kg.store.backups import backup, restore
from sousei_kg.store.directory import CHANGES_DIR, open_store, read_manifest
from sousei_kg.writes.audit import AuditLog
from sousei_kg.writes.change_log import entry_seqs, read_entry
from sousei_kg.writes.writer import Writer, WriteRequest
from write_support import small_store

ID = "https://w3id.org/sousei-kg/id/"
CURATION = "https://w3id.org/sousei-kg/graph/curation"
STRATEGY = "https://w3id.org/sousei-kg/graph/strategy-2025"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


def _update(text: str) -> WriteRequest:
    def apply(store: Store) -> bool:
        store.update(text)
        return False

    return WriteRequest("update", None, "token", "0" * 64, apply)


RELABEL = (
    f"DELETE {{ GRAPH <{STRATEGY}> {{ <{ID}measure/b> <{LABEL}> ?l }} }} "
    f'INSERT {{ GRAPH <{STRATEGY}> {{ <{ID}measure/b> <{LABEL}> "施策B（改）"@ja }} }} '
    f"WHERE {{ GRAPH <{STRATEGY}> {{ <{ID}measure/b> <{LABEL}> ?l }} }}"
)


def test_release_then_one_entry_per_write(tmp_path: Path) -> None:
    store, resources = small_store(tmp_path)
    writer = Writer.open(store, resources)
    try:
        release = read_entry(store, 0)
        assert {v.resource for v in release.versions} == {
            ID + "measure/a",
            ID + "measure/b",
        }
        a = next(v for v in release.versions if v.resource == ID + "measure/a")
        assert any(t.predicate.value.endswith("#note") for t in a.triples)  # its blank node too
        assert len(a.triples) == 5 and release.version == writer.version
        commit = writer.write(_update(RELABEL))
    finally:
        writer.close()
    entry = read_entry(store, commit.seq)
    assert entry.version == commit.version and entry.time > release.time
    assert [v.resource for v in entry.versions] == [ID + "measure/b"]
    labels = {str(t.object) for t in entry.versions[0].triples if t.predicate.value == LABEL}
    assert labels == {'"施策B（改）"@ja'}
    records = AuditLog(store / "audit.jsonl")
    assert records.has(commit.seq, "write") and records.has(commit.seq, "committed")


def test_a_changed_blank_node_is_a_new_version_of_its_resource_and_deletion_is_marked(
    tmp_path: Path,
) -> None:
    store, resources = small_store(tmp_path)
    writer = Writer.open(store, resources)
    try:
        note = (
            f"DELETE {{ GRAPH <{STRATEGY}> {{ ?n <{LABEL}> ?l }} }} "
            f'INSERT {{ GRAPH <{STRATEGY}> {{ ?n <{LABEL}> "changed" }} }} '
            f"WHERE {{ GRAPH <{STRATEGY}> {{ <{ID}measure/a> ?p ?n . ?n <{LABEL}> ?l }} }}"
        )
        first = writer.write(_update(note))
        gone = writer.write(
            _update(f"DELETE WHERE {{ GRAPH <{STRATEGY}> {{ <{ID}measure/b> ?p ?o }} }}")
        )
    finally:
        writer.close()
    assert [v.resource for v in read_entry(store, first.seq).versions] == [ID + "measure/a"]
    deleted = read_entry(store, gone.seq).versions
    assert [(v.resource, v.deleted) for v in deleted] == [(ID + "measure/b", True)]


def test_an_entry_without_its_audit_record_is_dropped_and_never_served(tmp_path: Path) -> None:
    """A write killed between its change-log entry and its audit record (the commit point) was
    never acknowledged: the server does not serve the entry, and the next writer deletes it."""
    store, resources = small_store(tmp_path)
    writer = Writer.open(store, resources)
    real_append = writer.audit.append

    def die_at_the_commit_point(record: dict[str, object]) -> None:
        if record["event"] == "write":
            raise OSError("killed at the commit point")
        real_append(record)

    writer.audit.append = die_at_the_commit_point  # type: ignore[method-assign]
    try:
        with pytest.raises(OSError, match="commit point"):
            writer.write(_update(RELABEL))
    finally:
        writer.close()
    assert entry_seqs(store) == [0, 1]  # saved, not committed
    manifest = read_manifest(store)
    served = KnowledgeGraph(
        Store(),
        manifest.version_hash,
        manifest.quad_count,
        dict(manifest.graphs),
        datetime.now(),
    )
    index = feed_index(served, store, remote=False)
    assert [seq for seq, _time, _count in index.entries] == [0]
    members = {
        str(t.object)
        for t in page_triples(index, store, "http://x/", 0)
        if t.predicate.value.endswith("#member")
    }
    assert f"<{version_iri(1, ID + 'measure/b')}>" not in members
    assert f"<{version_iri(0, ID + 'measure/b')}>" in members
    Writer.open(store, resources).close()  # the next start drops it
    assert entry_seqs(store) == [0]
    assert not (store / CHANGES_DIR / "000000000001.json").exists()


def test_the_feed_of_an_unwritten_store_is_its_release(tmp_path: Path) -> None:
    store, _resources = small_store(tmp_path)
    graph = Store()
    for quad in open_store(store):
        graph.add(quad)
    manifest = read_manifest(store)
    served = KnowledgeGraph(graph, manifest.version_hash, 0, {}, datetime.now())
    index = feed_index(served, store, remote=False)
    assert index.total == 2 and index.release is not None
    assert not (store / CHANGES_DIR).exists()  # computed, not written, by a reader
    assert NamedNode(ID + "measure/a") in {
        t.object for t in page_triples(index, store, "http://b/", 0)
    }


def test_backups_keep_the_change_log(tmp_path: Path) -> None:
    store, resources = small_store(tmp_path)
    writer = Writer.open(store, resources)
    try:
        commit = writer.write(_update(RELABEL))
    finally:
        writer.close()
    backup(store, tmp_path / "backup")
    assert entry_seqs(tmp_path / "backup") == [0, commit.seq]
    restore(tmp_path / "backup", tmp_path / "restored")
    assert read_entry(tmp_path / "restored", commit.seq) == read_entry(store, commit.seq)


def test_a_write_that_changes_no_resource_still_has_its_entry(tmp_path: Path) -> None:
    """A blank node nothing reaches is no resource's version, but the version it makes is
    served, so the feed must reach it."""
    store, resources = small_store(tmp_path)
    writer = Writer.open(store, resources)
    try:
        commit = writer.write(
            _update(f'INSERT DATA {{ GRAPH <{CURATION}> {{ _:x <{LABEL}> "alone" }} }}')
        )
    finally:
        writer.close()
    entry = read_entry(store, commit.seq)
    assert entry.versions == () and entry.version == commit.version
    manifest = read_manifest(store)
    served = KnowledgeGraph(Store(), manifest.version_hash, 0, {}, datetime.now())
    assert [seq for seq, _t, _n in feed_index(served, store, remote=False).entries] == [
        0,
        commit.seq,
    ]


def test_the_remembered_entry_headers_are_bounded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One header is remembered per entry read, so per write ever made: bounded, the oldest read
    again from its file when asked for."""
    monkeypatch.setattr(change_feed, "_HEADERS", {})
    monkeypatch.setattr(change_feed, "MAX_CACHED_HEADERS", 2)
    store, resources = small_store(tmp_path)
    writer = Writer.open(store, resources)
    try:
        seqs = [0]
        for label in ("一", "二", "三"):
            relabel = RELABEL.replace("施策B（改）", label)
            seqs.append(writer.write(_update(relabel)).seq)
    finally:
        writer.close()
    first = [change_feed._header(store, seq) for seq in seqs]
    assert len(change_feed._HEADERS) == 2
    assert [change_feed._header(store, seq) for seq in seqs] == first  # read again, the same
    assert [read_entry(store, seq).version for seq in seqs] == [h[0] for h in first]
    assert len(change_feed._HEADERS) == 2
