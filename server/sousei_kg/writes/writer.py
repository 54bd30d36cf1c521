"""The one writer of a persistent store: stage → check → validate → commit.

It runs in the write process (:mod:`sousei_kg.writes.write_process`), never in the server. A
write is computed on an in-memory copy of the store (``copy_store``: about 30 ms for the 3,759
quads of the shipped data), so nothing touches the real store before the write is known to be
allowed and valid. It is refused (:mod:`sousei_kg.writes.refusals`) if it touches a read-only
graph, writes the default graph (which every query reads as the union of the named graphs; the
store's own stays empty), or changes more than the limits allow. The post-state is validated
against the *shipped* shapes (never shapes from the request or the store), where the change can
have changed results (:mod:`sousei_kg.dataset.incremental_validation`); a write that adds a
Violation is refused with the report and the store is untouched. A write past its deadline is
not committed. An allowed write is then committed (see :mod:`sousei_kg.writes.journal` for
crash safety):

1. the change (removed/added quads and graphs, diffed against the copy) is saved to the journal;
2. the audit record is appended and flushed (write-ahead);
3. the change is applied to the store and ``flush()``-ed to disk;
4. the manifest (version hash, counts) is rewritten and the ``committed`` record flushed;
5. the label index (``labels.sqlite3``) is brought in step: the rows of the resources whose
   labels or types the write changed, and the new version, in one SQLite transaction (if that
   fails the index still names the old version, readers search without it, and the next start
   rebuilds it);
6. a snapshot is taken for the readers.

Only then does the caller answer 2xx. Applying the diff rather than running the update again
makes the store hold exactly what was validated, even for ``NOW()``, ``RAND()`` or ``UUID()``.
Exactly one process writes: it holds an exclusive ``flock`` on ``DIR/writer.lock``.
"""

import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from pyoxigraph import NamedNode, Store

from sousei_kg import __version__
from sousei_kg.dataset.data_graph import store_data_graph, triple_change
from sousei_kg.dataset.incremental_validation import (
    load_change_shapes,
    validate_change,
    validate_everything,
)
from sousei_kg.dataset.violation_baseline import ViolationBaseline
from sousei_kg.errors import StoreNotFoundError, UpdateNotApplicableError
from sousei_kg.store import snapshots
from sousei_kg.store.canonical import graph_counts, version_hash
from sousei_kg.store.directory import (
    AUDIT_FILE,
    JOURNAL_DIR,
    WRITER_LOCK,
    Manifest,
    open_writable,
    read_manifest,
    write_manifest,
)
from sousei_kg.store.graph_edits import copy_store
from sousei_kg.store.label_index import (
    build_index_file,
    index_version,
    indexed_subjects,
    update_index_file,
)
from sousei_kg.writes import journal
from sousei_kg.writes.audit import AuditLog
from sousei_kg.writes.baseline_file import recall_baseline, remember_baseline
from sousei_kg.writes.change_log import ChangeLog
from sousei_kg.writes.journal import Change
from sousei_kg.writes.refusals import (
    WriteLimits,
    WriteRefusedError,
    check_graphs,
    check_limits,
)
from sousei_kg.writes.writer_setup import LOCK_WAIT_SECONDS, WriterSetupError, lock_within

LOG = logging.getLogger("sousei_kg.writes")


@dataclass(frozen=True)
class WriteRequest:
    """One write, described for the audit log.

    Attributes:
        operation: ``update`` (SPARQL Update) or ``put``/``post``/``delete`` (Graph Store).
        target: the graph a Graph Store request names (``default`` or an IRI), else ``None``.
        token: the token id of the writer (see ``auth.token_id``).
        payload_sha256: SHA-256 of the request body, as received.
        apply: makes the change on the staging copy; returns whether it created the target graph.
    """

    operation: str
    target: str | None
    token: str
    payload_sha256: str
    apply: Callable[[Store], bool]


@dataclass(frozen=True)
class Commit:
    """A committed write: what the server now publishes (plain values: it crosses from the write
    process to the server).

    Attributes:
        seq: the write's number in the audit log.
        snapshot: the read-only snapshot of the post-state (for the pages and the query workers).
        version: the dataset's version hash after the write.
        quad_count: quads after the write.
        graphs: quads per graph after the write.
        added: quads added.
        removed: quads removed.
        created: whether the write created the graph it targets.
        time: when it was committed (ISO 8601, UTC), as the manifest records it.
    """

    seq: int
    snapshot: Path
    version: str
    quad_count: int
    graphs: dict[str, int]
    added: int
    removed: int
    created: bool
    time: str = ""


def diff(before: Store, after: Store) -> Change:
    """What turns ``before`` into ``after``."""
    old, new = set(before), set(after)
    old_graphs = {g for g in before.named_graphs() if isinstance(g, NamedNode)}
    new_graphs = {g for g in after.named_graphs() if isinstance(g, NamedNode)}
    return Change(
        removed=frozenset(old - new),
        added=frozenset(new - old),
        graphs_removed=frozenset(old_graphs - new_graphs),
        graphs_added=frozenset(new_graphs - old_graphs),
    )


def apply_change(store: Store, change: Change) -> None:
    """Apply a change; every step is idempotent, so a change may be applied again after a crash."""
    for quad in change.removed:
        store.remove(quad)
    for graph in change.graphs_removed:
        if store.contains_named_graph(graph):
            store.remove_graph(graph)
    for graph in change.graphs_added:
        store.add_graph(graph)
    store.extend(change.added)
    store.flush()


class Writer:
    """Owns the store of a server with write tokens. Use :meth:`open`; call :meth:`close` at the
    end. :meth:`write` may be called from several threads: writes run one at a time."""

    def __init__(
        self,
        directory: Path,
        store: Store,
        lock: IO[bytes],
        resources: Path | None,
        limits: WriteLimits | None = None,
    ) -> None:
        self.directory = directory
        self.resources = resources
        self.limits = limits or WriteLimits()
        self._store = store
        self._lock_file = lock
        self._lock = threading.Lock()
        self._broken = False
        self.audit = AuditLog(directory / AUDIT_FILE)
        self.version = self._recover()
        self._check_label_index()
        # The change feed's log: entries of unfinished writes dropped, the release saved.
        self.changes = ChangeLog.open(directory, store, self.audit, self.version)
        self._shapes = load_change_shapes(root=resources)
        self._baseline = self._known_baseline(store)
        snapshots.clear(directory)
        self.current = self._publishable(
            self.audit.next_seq - 1,
            store,
            self.version,
            False,
            0,
            0,
            read_manifest(directory).changed_at or "",
        )

    @classmethod
    def open(
        cls, directory: Path, resources: Path | None = None, limits: WriteLimits | None = None
    ) -> "Writer":
        """Take the writer lock, open the store read-write and finish any interrupted write.

        Raises:
            WriterSetupError: if another process holds the lock.
            StoreNotFoundError: if the directory is not a built store.
        """
        if not directory.is_dir():
            raise StoreNotFoundError(f"store directory {directory} does not exist")
        lock = (directory / WRITER_LOCK).open("ab")
        if not lock_within(lock, LOCK_WAIT_SECONDS):
            lock.close()
            raise WriterSetupError(
                f"another process writes to {directory} (it holds {WRITER_LOCK}); exactly one "
                "server may have write tokens for a store"
            ) from None
        try:
            return cls(directory, open_writable(directory), lock, resources, limits)
        except BaseException:
            lock.close()
            raise

    def close(self) -> None:
        """Release the store and the lock."""
        del self._store
        self._lock_file.close()

    def _recover(self) -> str:
        """Finish writes whose audit record was written but whose commit was not recorded, and
        bring the manifest up to date. Returns the store's version hash."""
        folder = self.directory / JOURNAL_DIR
        finished = False
        for seq, change in journal.pending(folder):
            if self.audit.has(seq, "write") and not self.audit.has(seq, "committed"):
                apply_change(self._store, change)
                self.audit.append(
                    {"seq": seq, "event": "committed", "time": _now(), "recovered": True}
                )
                finished = True
            journal.discard(folder, seq)
        if not finished:
            # Nothing was half done: the manifest, written at the last commit, names this state
            # (hashing the whole store again took seconds at every start).
            return read_manifest(self.directory).version_hash
        version = version_hash(self._store)
        self._write_manifest(version, self._store, _now())
        return version

    def _check_label_index(self) -> None:
        """Rebuild the label index if it is missing or describes another version (a store built
        before the index existed, a write recovered from the journal, a failed index update)."""
        if index_version(self.directory) == self.version:
            return
        started = time.monotonic()
        count = build_index_file(self.directory, self._store, self.version)
        LOG.info("label index rebuilt: %d labels in %.1f s", count, time.monotonic() - started)

    def _update_label_index(self, change: Change, version: str) -> None:
        """Bring the label index in step with a committed write (see the module docstring)."""
        subjects = indexed_subjects(change.removed) | indexed_subjects(change.added)
        try:
            update_index_file(self.directory, self._store, subjects, version)
        except (sqlite3.Error, OSError) as error:
            LOG.warning(
                "label index not updated (searched without it until the next start): %s", error
            )

    def _known_baseline(self, store: Store) -> ViolationBaseline:
        """The Violations of the store as it is: remembered with its version and the shapes
        (:mod:`sousei_kg.writes.baseline_file`), else found by validating the whole store
        (seconds) and remembered."""
        known = recall_baseline(self.directory, self.version, self.resources)
        if known is not None:
            return known
        baseline = ViolationBaseline.of(validate_everything(store_data_graph(store), self._shapes))
        remember_baseline(self.directory, self.version, self.resources, baseline)
        return baseline

    def _write_manifest(self, version: str, store: Store, when: str) -> None:
        """The manifest of a state a write (or a recovered write) just made, at ``when``."""
        write_manifest(
            self.directory,
            Manifest(version, len(store), graph_counts(store), when, __version__, changed_at=when),
        )

    def write(
        self,
        request: WriteRequest,
        deadline: float | None = None,
        on_commit: Callable[[int], None] | None = None,
    ) -> Commit:
        """Stage, check, validate and commit one write.

        The store's default graph is empty and stays so (every query reads the union of the
        named graphs as its default graph): a write that would change it is refused.

        Args:
            request: the write (its ``apply`` makes the change on a staging copy).
            deadline: ``time.monotonic()`` past which it is not committed (checked just before
                the commit point); ``None``: no deadline.
            on_commit: called with the write's number when it reaches its commit point (the
                journal and audit append): from then on it is finished, even after a crash.

        Raises:
            WriteRefusedError: the write touches the default graph or a read-only graph, changes
                too much, misses its deadline, names a missing graph or creates an existing one,
                or its post-state adds a SHACL Violation; the store is unchanged.
            QuerySyntaxError: the update does not parse.
            OSError: if the disk fails (the write may then be completed at the next start).
        """
        with self._lock:
            if self._broken:
                raise WriteRefusedError(
                    "unfinished-write",
                    "an earlier write failed half-way; restart the server to finish it",
                )
            copy = copy_store(self._store)
            try:
                created = request.apply(copy)
            except UpdateNotApplicableError as error:
                raise WriteRefusedError(error.reason, str(error)) from None
            change = diff(self._store, copy)
            check_graphs(change, self._store)
            check_limits(change, self.limits)
            checked = validate_change(
                store_data_graph(copy), triple_change(change.removed, change.added), self._shapes
            )
            if self._baseline.added_by(checked):
                raise WriteRefusedError(
                    "invalid-data",
                    "the write would add SHACL violations; nothing was changed",
                    checked.outcome,
                )
            if deadline is not None and time.monotonic() > deadline:
                raise WriteRefusedError(
                    "deadline",
                    "the write did not finish within its time limit (parsing and validating it "
                    "took too long) and was not committed; nothing was changed: send a smaller "
                    "write",
                )
            version_after = version_hash(copy)
            seq = self.audit.next_seq
            folder = self.directory / JOURNAL_DIR
            journal.save(folder, seq, change)
            # Before the audit record, which commits the journal and the change-log entry alike.
            self.changes.record(seq, version_after, self._store, copy, change)
            self.audit.append(
                {
                    "seq": seq,
                    "event": "write",
                    "time": _now(),
                    "token": request.token,
                    "operation": request.operation,
                    "target": request.target,
                    "payload_sha256": request.payload_sha256,
                    "added": len(change.added),
                    "removed": len(change.removed),
                    "version_before": self.version,
                    "version_after": version_after,
                }
            )
            if on_commit is not None:
                on_commit(seq)
            try:
                apply_change(self._store, change)
                when = _now()
                self._write_manifest(version_after, copy, when)
                self.audit.append(
                    {"seq": seq, "event": "committed", "time": when, "recovered": False}
                )
            except BaseException:
                self._broken = True  # the journal holds the change: the next start finishes it
                raise
            journal.discard(folder, seq)
            self._update_label_index(change, version_after)
            self.version = version_after
            self._baseline = self._baseline.after(checked)
            remember_baseline(self.directory, version_after, self.resources, self._baseline)
            commit = self._publishable(
                seq, copy, version_after, created, len(change.added), len(change.removed), when
            )
            self.current = commit
            return commit

    def _publishable(
        self,
        seq: int,
        state: Store,
        version: str,
        created: bool,
        added: int,
        removed: int,
        when: str,
    ) -> Commit:
        """Snapshot the store (which now equals ``state``, last changed by a write at ``when``,
        ``""`` if never) for the readers."""
        path = snapshots.take(self._store, self.directory, seq)
        counts = graph_counts(state)
        return Commit(seq, path, version, len(state), counts, added, removed, created, when)

    def collect_snapshots(self, grace_seconds: float) -> None:
        """Delete snapshots no reader can still use."""
        snapshots.collect(self.directory, self.current.snapshot, grace_seconds)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def audit_summary(commit: Commit) -> dict[str, Any]:
    """What a client learns about its committed write."""
    return {
        "seq": commit.seq,
        "added": commit.added,
        "removed": commit.removed,
        "dataset_version": commit.version,
    }
