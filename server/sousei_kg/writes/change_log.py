"""The change log: the durable source of the LDES change feed (``DIR/changes/``).

One file per entry, ``<seq>.json`` (12 digits), written whole (``store/durable.py``: a
temporary file, ``fsync``, rename, ``fsync`` of the folder)::

    {"seq": 7, "time": "2026-12-03T13:16:14.123456Z", "version": "<version hash after>",
     "versions": [{"resource": "https://…/id/measure/x", "triples": "<N-Triples>"}, …]}

Entry 0 is the release: every resource of the store as it was when the log began (written when a
writer first opens the store; its time is the data's own ``prov:generatedAtTime``, so replicas
built from one release agree). Entry *N* is write *N* of the audit log: the post-state version of
every resource the write changed (no triples: the resource was deleted).

**Where it is written relative to the commit point.** The writer saves a write's entry after its
journal entry and *before* its audit record (the commit point), both flushed. So the audit record
commits the journal entry and the change-log entry together: a write stopped before the audit
append has neither (its entry is deleted when the writer next opens the store); a write that
reached it is completed from the journal and already has its entry. Every acknowledged write is
in the log, even after ``kill -9`` or a power loss; nothing unacknowledged stays there.

Readers (the server, :mod:`sousei_kg.publication.change_feed`) serve the entries up to the one
whose ``version`` is the version they serve, so an entry saved before its commit is never shown
early. Times never go backwards: an entry's time is at least its predecessor's.
"""

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pyoxigraph import (
    Literal,
    QuerySolutions,
    RdfFormat,
    Store,
    Triple,
    parse,
    serialize,
)

from sousei_kg.sparql.internal_queries import internal_query
from sousei_kg.store.directory import CHANGES_DIR
from sousei_kg.store.durable import atomic_write_bytes
from sousei_kg.writes.audit import AuditLog
from sousei_kg.writes.journal import Change
from sousei_kg.writes.versions import Version, changed_resources, describe, resources

RELEASE_SEQ = 0
_NAME = re.compile(r"(\d{12})\.json")


@dataclass(frozen=True)
class Entry:
    """One entry of the log.

    Attributes:
        seq: 0 for the release, else the write's number in the audit log.
        time: when it happened (UTC, ISO 8601 with ``Z``).
        version: the dataset's version hash after it.
        versions: the resources it changed, each as it is after it.
    """

    seq: int
    time: str
    version: str
    versions: tuple[Version, ...]


def _path(folder: Path, seq: int) -> Path:
    return folder / f"{seq:012d}.json"


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def entry_seqs(directory: Path) -> list[int]:
    """The numbers of the entries saved in the store ``directory``, in order."""
    folder = directory / CHANGES_DIR
    if not folder.is_dir():
        return []
    return sorted(int(m.group(1)) for p in folder.iterdir() if (m := _NAME.fullmatch(p.name)))


def encode(entry: Entry) -> bytes:
    """An entry as the log stores it."""
    document = {
        "seq": entry.seq,
        "time": entry.time,
        "version": entry.version,
        "versions": [
            {
                "resource": v.resource,
                "triples": (serialize(v.triples, format=RdfFormat.N_TRIPLES) or b"").decode(),
            }
            for v in entry.versions
        ],
    }
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


def read_entry(directory: Path, seq: int) -> Entry:
    """Entry ``seq`` of the store ``directory``.

    Raises:
        OSError: if it is missing or unreadable.
    """
    document = json.loads(_path(directory / CHANGES_DIR, seq).read_bytes())
    versions = tuple(
        Version(
            str(item["resource"]),
            tuple(
                Triple(q.subject, q.predicate, q.object)
                for q in parse(item["triples"].encode("utf-8"), format=RdfFormat.N_TRIPLES)
            ),
        )
        for item in document["versions"]
    )
    return Entry(int(document["seq"]), str(document["time"]), str(document["version"]), versions)


def release_time(store: Store) -> str:
    """The release's time: the latest ``prov:generatedAtTime`` the data gives its graphs (the
    same on every replica of one release), else now."""
    result = store.query(internal_query("statistics-modified"), use_default_graph_as_union=True)
    if isinstance(result, QuerySolutions):
        for row in result:
            value = row["modified"]
            if isinstance(value, Literal):
                try:
                    return _iso(_moment(value.value))
                except ValueError:
                    break
    return _iso(datetime.now(UTC))


def release_entry(store: Store, version: str) -> Entry:
    """Entry 0: every resource of ``store``."""
    versions = tuple(describe(store, r) for r in resources(store))
    return Entry(RELEASE_SEQ, release_time(store), version, versions)


class ChangeLog:
    """The log of one store, kept by its writer (the write process): :meth:`open` it when the
    writer starts, :meth:`record` each write before its audit record."""

    def __init__(self, directory: Path, last_time: str) -> None:
        self.folder = directory / CHANGES_DIR
        self._last = _moment(last_time)

    @classmethod
    def open(cls, directory: Path, store: Store, audit: AuditLog, version: str) -> "ChangeLog":
        """Delete the entries of writes that never reached their commit point, and save the
        release entry if the log has none (a store built before the log, or just built)."""
        folder = directory / CHANGES_DIR
        folder.mkdir(exist_ok=True)
        for leftover in folder.glob("*.tmp"):
            leftover.unlink()
        seqs = entry_seqs(directory)
        for seq in seqs:
            if seq != RELEASE_SEQ and not audit.has(seq, "write"):
                _path(folder, seq).unlink()
        seqs = entry_seqs(directory)
        if RELEASE_SEQ not in seqs:
            atomic_write_bytes(_path(folder, RELEASE_SEQ), encode(release_entry(store, version)))
            seqs = [RELEASE_SEQ, *seqs]
        last = json.loads(_path(folder, seqs[-1]).read_bytes())["time"]
        return cls(directory, str(last))

    def record(self, seq: int, version: str, before: Store, after: Store, change: Change) -> None:
        """Save write ``seq``'s entry, flushed: the post-state of every resource it changes.
        Call it before the write's audit record. A write that changes no resource (an empty
        graph created, a blank node nothing reaches) still gets an entry, without versions, so
        that every version served has its entry."""
        changed = changed_resources(change.removed, change.added, (before, after))
        now = datetime.now(UTC)
        moment = max(now, self._last + timedelta(microseconds=1))
        entry = Entry(seq, _iso(moment), version, tuple(describe(after, r) for r in changed))
        atomic_write_bytes(_path(self.folder, seq), encode(entry))
        self._last = moment
