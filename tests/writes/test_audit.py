"""The audit log and the redo journal: what a write leaves behind, and how an interrupted write is
finished (issue 5)."""

import hashlib
from pathlib import Path

import pytest
from pyoxigraph import NamedNode, Quad

from sousei_kg.store.canonical import version_hash
from sousei_kg.store.directory import AUDIT_FILE, JOURNAL_DIR, open_writable
from sousei_kg.store.graph_edits import copy_store
from sousei_kg.store.query import run_update
from sousei_kg.writes import journal
from sousei_kg.writes.audit import AuditLog, read_records
from sousei_kg.writes.refusals import WriteRefusedError
from sousei_kg.writes.writer import Writer, WriteRequest, diff
from write_support import insert_measure, small_store


def request(text: str) -> WriteRequest:
    def apply(copy: object) -> bool:
        run_update(copy, text)  # type: ignore[arg-type]
        return False

    digest = hashlib.sha256(text.encode()).hexdigest()
    return WriteRequest("update", None, "0123456789abcdef", digest, apply)


def test_a_write_leaves_a_write_and_a_committed_record(tmp_path: Path) -> None:
    store, resources = small_store(tmp_path)
    writer = Writer.open(store, resources)
    try:
        text = insert_measure("audited")
        commit = writer.write(request(text))
    finally:
        writer.close()
    write, committed = list(read_records(store / AUDIT_FILE))
    assert write["event"] == "write" and committed == {**committed, "event": "committed"}
    assert write["seq"] == committed["seq"] == commit.seq
    assert write["payload_sha256"] == hashlib.sha256(text.encode()).hexdigest()
    assert (write["added"], write["removed"], write["token"]) == (2, 0, "0123456789abcdef")
    assert write["version_after"] == commit.version != write["version_before"]
    assert {"time", "operation", "target"} <= set(write)
    assert not any((store / JOURNAL_DIR).iterdir())


def test_a_refused_write_leaves_no_record(tmp_path: Path) -> None:
    store, resources = small_store(tmp_path)
    writer = Writer.open(store, resources)
    try:
        with pytest.raises(WriteRefusedError) as refused:
            writer.write(request(insert_measure("unlabelled", label=False)))
    finally:
        writer.close()
    assert refused.value.reason == "invalid-data"
    assert list(read_records(store / AUDIT_FILE)) == []


def test_an_interrupted_write_is_finished_at_the_next_start(tmp_path: Path) -> None:
    """Simulate a crash after the write-ahead record and half of the change: the next writer
    applies the whole change and records it as committed."""
    store, resources = small_store(tmp_path)
    db = open_writable(store)
    after = copy_store(db)
    run_update(after, insert_measure("interrupted"))
    run_update(after, "DELETE WHERE { GRAPH ?g { ?s <urn:none> ?o } }")
    change = diff(db, after)
    expected = version_hash(after)
    journal.save(store / JOURNAL_DIR, 1, change)
    AuditLog(store / AUDIT_FILE).append({"seq": 1, "event": "write", "version_after": expected})
    db.add(next(iter(change.added)))  # half of the change reached the store
    db.flush()
    del db, after
    writer = Writer.open(store, resources)
    try:
        assert writer.version == expected
    finally:
        writer.close()
    records = list(read_records(store / AUDIT_FILE))
    assert records[-1] == {**records[-1], "seq": 1, "event": "committed", "recovered": True}


def test_a_journal_entry_without_its_audit_record_was_never_started(tmp_path: Path) -> None:
    store, resources = small_store(tmp_path)
    db = open_writable(store)
    before = version_hash(db)
    quad = Quad(NamedNode("urn:a"), NamedNode("urn:b"), NamedNode("urn:c"), NamedNode("urn:g"))
    journal.save(store / JOURNAL_DIR, 1, journal.Change(frozenset(), frozenset({quad})))
    del db
    writer = Writer.open(store, resources)
    try:
        assert writer.version == before
    finally:
        writer.close()
    assert list(read_records(store / AUDIT_FILE)) == []


def test_a_torn_last_line_is_cut_off(tmp_path: Path) -> None:
    path = tmp_path / AUDIT_FILE
    path.write_text('{"seq": 1, "event": "write"}\n{"seq": 2, "event": "wr', encoding="utf-8")
    log = AuditLog(path)
    assert path.read_text(encoding="utf-8") == '{"seq": 1, "event": "write"}\n'
    assert log.next_seq == 2
    log.append({"seq": 2, "event": "write"})
    assert [r["seq"] for r in read_records(path)] == [1, 2]
