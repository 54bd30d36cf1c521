"""The knowledge graph a server process answers from: the store plus what is known about it.

Opened once at start-up (``create_app``'s lifespan). A persistent store is opened read-only and its
version hash comes from the manifest written at build time (no recount); without a store the shipped
files are loaded into memory and hashed. Its label index (:mod:`sousei_kg.store.label_index`) is the
store's ``labels.sqlite3``, or built in memory for the shipped files (milliseconds).
"""

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import TypeVar, cast

from sousei_kg.config import Settings
from sousei_kg.dataset.graph_naming import load_shipped
from sousei_kg.store.canonical import graph_counts, quad_count, version_hash
from sousei_kg.store.directory import open_store, read_manifest
from sousei_kg.store.label_lookup import LabelIndex
from sousei_kg.store.readable import ReadableStore

T = TypeVar("T")


@dataclass(frozen=True)
class KnowledgeGraph:
    """A loaded dataset.

    Attributes:
        store: the pyoxigraph store, or the remote engine's (all graphs; queries use the union as
            default graph).
        version: the dataset's version hash (SHA-256 of its canonical N-Quads).
        quad_count: the number of quads, over all graphs.
        graphs: quads per named-graph IRI.
        loaded_at: when the store was built (persistent) or loaded (in memory), UTC.
        resources: the folder holding ``queries/`` etc. in place of the shipped ones, if any.
        labels: the label index, if the store has one (it says itself which version it holds).
        changed_at: when an acknowledged write last changed the data, UTC; ``None`` for data as
            built or loaded (``dcterms:modified`` is then the data's own latest
            ``prov:generatedAtTime``).
        store_directory: the persistent store's folder (where its manifest and its stored
            statistics are), ``None`` for the shipped files in memory and the remote backend.
    """

    store: ReadableStore
    version: str
    quad_count: int
    graphs: dict[str, int]
    loaded_at: datetime
    resources: Path | None = None
    labels: LabelIndex | None = field(default=None, repr=False, compare=False)
    changed_at: datetime | None = None
    store_directory: Path | None = None
    _derived: dict[Hashable, object] = field(default_factory=dict, repr=False, compare=False)
    # One lock per key, so a long computation (a dump, the CSV tables, the change feed's index)
    # never holds up a quick one (the query hints' cache, read on the event loop); re-entrant, as
    # one derived value may be computed from another (a dump's from the statistics).
    _derived_locks: dict[Hashable, threading.RLock] = field(
        default_factory=dict, repr=False, compare=False
    )
    _locks_lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def derived(self, key: Hashable, compute: Callable[[], T]) -> T:
        """A value computed from this dataset once and kept with it (statistics, the diagram,
        the dumps). A write replaces the whole ``KnowledgeGraph``, so nothing derived from an
        older version can be served, and no cache needs clearing."""
        if key in self._derived:  # computed: no lock to wait for
            return cast(T, self._derived[key])
        with self._locks_lock:
            lock = self._derived_locks.setdefault(key, threading.RLock())
        with lock:
            if key not in self._derived:
                self._derived[key] = compute()
            return cast(T, self._derived[key])

    def has_derived(self, key: Hashable) -> bool:
        """Whether :meth:`derived` has the value for ``key`` already (it would not compute)."""
        return key in self._derived

    @property
    def etag(self) -> str:
        """A strong entity tag for representations that depend only on the dataset version."""
        return f'"{self.version[:32]}"'

    @property
    def last_modified(self) -> str:
        """``Last-Modified`` header value (IMF-fixdate)."""
        return format_datetime(self.loaded_at.replace(microsecond=0), usegmt=True)


def open_knowledge_graph(settings: Settings) -> KnowledgeGraph:
    """Open the embedded store the settings name, or load the shipped files into memory (the
    remote backend's graph is opened by :func:`sousei_kg.remote.graph.open_remote_graph`).

    Raises:
        StoreNotFoundError: if ``settings.store`` is not a built store.
        DataFileError: if a shipped file does not parse.
    """
    if settings.store is not None:
        manifest = read_manifest(settings.store)
        return KnowledgeGraph(
            store=open_store(settings.store),
            version=manifest.version_hash,
            quad_count=manifest.quad_count,
            graphs=dict(manifest.graphs),
            loaded_at=datetime.fromisoformat(manifest.built_at).astimezone(UTC),
            resources=settings.resources,
            labels=LabelIndex.open_file(settings.store),
            changed_at=moment(manifest.changed_at),
            store_directory=settings.store,
        )
    store = open_store(None)
    load_shipped(store, settings.resources)
    version = version_hash(store)
    return KnowledgeGraph(
        store=store,
        version=version,
        quad_count=quad_count(store),
        graphs=graph_counts(store),
        loaded_at=datetime.now(UTC),
        resources=settings.resources,
        labels=LabelIndex.in_memory(store, version),
    )


def moment(text: str | None) -> datetime | None:
    """An ISO 8601 time of the manifest or a commit as UTC; ``None`` for none (``""`` too)."""
    return datetime.fromisoformat(text).astimezone(UTC) if text else None
