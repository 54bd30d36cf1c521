"""The one writer of a persistent store: stage → validate → commit.

A write is computed on an in-memory copy of the store (``copy_store``: about 30 ms for the 3,759
quads of the shipped data), so nothing touches the real store before the write is known to be
allowed and valid. The copy's post-state is validated against the *shipped* shapes (never shapes
from the request or the store), where the change can have changed results
(:mod:`sousei_kg.dataset.incremental_validation`); a write that adds a Violation is refused with
the report and the store is untouched. An allowed write is then committed (see
:mod:`sousei_kg.writes.journal` for crash safety):

1. the change (removed/added quads and graphs, diffed against the copy) is saved to the journal;
2. the audit record is appended and flushed (write-ahead);
3. the change is applied to the store and ``flush()``-ed to disk;
4. the manifest (version hash, counts) is rewritten and the ``committed`` record flushed;
5. a snapshot is taken for the readers.

Only then does the caller answer 2xx. Applying the diff rather than running the update again
makes the store hold exactly what was validated, even for ``NOW()``, ``RAND()`` or ``UUID()``.
Exactly one process writes: it holds an exclusive ``flock`` on ``DIR/writer.lock``.
"""

import fcntl
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Literal

from pyoxigraph import NamedNode, Store

from sousei_kg import __version__
from sousei_kg.config import Settings
from sousei_kg.dataset.data_graph import store_data_graph, triple_change
from sousei_kg.dataset.incremental_validation import (
    load_change_shapes,
    validate_change,
    validate_everything,
)
from sousei_kg.dataset.knowledge_graph import KnowledgeGraph
from sousei_kg.dataset.validation import ValidationOutcome
from sousei_kg.dataset.violation_baseline import ViolationBaseline
from sousei_kg.errors import SouseiError, StoreNotFoundError
from sousei_kg.namespaces import ONTOLOGY_GRAPH, SHAPES_GRAPH
from sousei_kg.store import snapshots
from sousei_kg.store.canonical import graph_counts, version_hash
from sousei_kg.store.directory import (
    AUDIT_FILE,
    JOURNAL_DIR,
    WRITER_LOCK,
    Manifest,
    open_snapshot,
    open_writable,
    write_manifest,
)
from sousei_kg.store.graph_edits import copy_store
from sousei_kg.writes import journal
from sousei_kg.writes.audit import AuditLog
from sousei_kg.writes.journal import Change

READ_ONLY_GRAPHS = frozenset({ONTOLOGY_GRAPH, SHAPES_GRAPH})
"""Graphs no write may change: the vocabulary and the shapes every write is checked against."""


RefusalReason = Literal["read-only", "invalid-data", "unfinished-write"]
"""Why a write is refused: it touches a read-only graph, it would add a SHACL violation, or an
earlier write stopped half-way (only a restart finishes it)."""


class WriteRefusedError(SouseiError):
    """A write the server will not apply; the store is unchanged.

    Args:
        reason: why (the HTTP layer maps it to a status, :mod:`sousei_kg.http.errors`).
        message: what is wrong, safe to show the client.
        outcome: for ``invalid-data``, the validation of the post-state (its report goes to the
            client).
    """

    def __init__(
        self, reason: RefusalReason, message: str, outcome: ValidationOutcome | None = None
    ) -> None:
        self.reason: RefusalReason = reason
        self.message = message
        self.outcome = outcome
        super().__init__(message)


class WriterSetupError(SouseiError):
    """Writes are configured in a way that cannot work (no store, several processes, a lock
    held by another process)."""


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
    """A committed write: what the server now publishes.

    Attributes:
        seq: the write's number in the audit log.
        graph: the knowledge graph to answer from (a snapshot of the post-state).
        snapshot: the snapshot folder (for the query workers).
        added: quads added.
        removed: quads removed.
        created: whether the write created the graph it targets.
    """

    seq: int
    graph: KnowledgeGraph
    snapshot: Path
    added: int
    removed: int
    created: bool


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
        self, directory: Path, store: Store, lock: IO[bytes], resources: Path | None
    ) -> None:
        self.directory = directory
        self.resources = resources
        self._store = store
        self._lock_file = lock
        self._lock = threading.Lock()
        self._broken = False
        self.audit = AuditLog(directory / AUDIT_FILE)
        self.version = self._recover()
        self._shapes = load_change_shapes(root=resources)
        self._baseline = ViolationBaseline.of(
            validate_everything(store_data_graph(store), self._shapes)
        )
        snapshots.clear(directory)
        self.current = self._publishable(self.audit.next_seq - 1, store, self.version, False, 0, 0)

    @classmethod
    def open(cls, directory: Path, resources: Path | None = None) -> "Writer":
        """Take the writer lock, open the store read-write and finish any interrupted write.

        Raises:
            WriterSetupError: if another process holds the lock.
            StoreNotFoundError: if the directory is not a built store.
        """
        if not directory.is_dir():
            raise StoreNotFoundError(f"store directory {directory} does not exist")
        lock = (directory / WRITER_LOCK).open("ab")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            raise WriterSetupError(
                f"another process writes to {directory} (it holds {WRITER_LOCK}); exactly one "
                "server may have write tokens for a store"
            ) from None
        try:
            return cls(directory, open_writable(directory), lock, resources)
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
        for seq, change in journal.pending(folder):
            if self.audit.has(seq, "write") and not self.audit.has(seq, "committed"):
                apply_change(self._store, change)
                self.audit.append(
                    {"seq": seq, "event": "committed", "time": _now(), "recovered": True}
                )
            journal.discard(folder, seq)
        version = version_hash(self._store)
        self._write_manifest(version, self._store, _now())
        return version

    def _write_manifest(self, version: str, store: Store, when: str) -> None:
        write_manifest(
            self.directory,
            Manifest(version, len(store), graph_counts(store), when, __version__),
        )

    def write(self, request: WriteRequest) -> Commit:
        """Stage, validate and commit one write.

        Raises:
            WriteRefusedError: a read-only graph, or the post-state adds a SHACL Violation; the
                store is unchanged.
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
            created = request.apply(copy)
            change = diff(self._store, copy)
            touched = sorted(change.graph_names() & READ_ONLY_GRAPHS)
            if touched:
                raise WriteRefusedError(
                    "read-only",
                    f"{touched[0]} is read-only: writes may not change the vocabulary or shapes",
                )
            checked = validate_change(
                store_data_graph(copy), triple_change(change.removed, change.added), self._shapes
            )
            if self._baseline.added_by(checked):
                raise WriteRefusedError(
                    "invalid-data",
                    "the write would add SHACL violations; nothing was changed",
                    checked.outcome,
                )
            version_after = version_hash(copy)
            seq = self.audit.next_seq
            folder = self.directory / JOURNAL_DIR
            journal.save(folder, seq, change)
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
            self.version = version_after
            self._baseline = self._baseline.after(checked)
            commit = self._publishable(
                seq, copy, version_after, created, len(change.added), len(change.removed)
            )
            self.current = commit
            return commit

    def _publishable(
        self, seq: int, state: Store, version: str, created: bool, added: int, removed: int
    ) -> Commit:
        """Snapshot the store (which now equals ``state``) and open the snapshot for readers."""
        path = snapshots.take(self._store, self.directory, seq)
        graph = KnowledgeGraph(
            store=open_snapshot(path),
            version=version,
            quad_count=len(state),
            graphs=graph_counts(state),
            loaded_at=datetime.now(UTC),
            resources=self.resources,
        )
        return Commit(seq, graph, path, added, removed, created)

    def collect_snapshots(self, grace_seconds: float) -> None:
        """Delete snapshots no reader can still use."""
        snapshots.collect(self.directory, self.current.snapshot, grace_seconds)


def open_writer(settings: Settings) -> Writer | None:
    """The writer a server with write tokens needs, or ``None`` when writes are off.

    Raises:
        WriterSetupError: without a persistent store, with several server processes, or when
            another process writes to the store.
        StoreNotFoundError: if the store is not a built store.
    """
    if not settings.write_tokens:
        return None
    if settings.store is None:
        raise WriterSetupError(
            "writes need a persistent store: build one with `sousei-kg build --store DIR` and "
            "serve it with --store DIR (write tokens are configured, no store is)"
        )
    if settings.workers > 1:
        raise WriterSetupError(
            f"writes need exactly one server process, and --workers is {settings.workers}: one "
            "process owns the store's write lock; use --workers 1 with write tokens (query "
            "workers still run in parallel, see --query-workers)"
        )
    return Writer.open(settings.store, settings.resources)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def audit_summary(commit: Commit) -> dict[str, Any]:
    """What a client learns about its committed write."""
    return {
        "seq": commit.seq,
        "added": commit.added,
        "removed": commit.removed,
        "dataset_version": commit.graph.version,
    }
