"""A persistent store's directory: opening it, building it, and what lives beside the engine's data.

A persistent store is a directory ``DIR`` holding ``DIR/oxigraph/`` (the pyoxigraph store),
``DIR/manifest.json`` (what was built: counts, version hash, software version), the label index
``DIR/labels.sqlite3`` and the dataset's statistics ``DIR/statistics.json`` (counted at build
time, so that no request has to count a large dataset: see
:mod:`sousei_kg.publication.statistics_record`, which the store package does not import; the
builder is handed the function that counts). A store with a writer also holds ``writer.lock``,
``journal/``, ``audit.jsonl`` and ``snapshots/`` (:mod:`sousei_kg.writes`). ``build_store``
always builds from scratch into ``DIR/.oxigraph-building`` and swaps the result into place, so an
existing store is replaced whole and a failed build leaves the previous store untouched.

The store package is the only one that opens a ``pyoxigraph.Store``: read-only, read-write, a
snapshot, a fresh one in memory, or a copy (:mod:`sousei_kg.store.graph_edits`).
"""

import fcntl
import json
import shutil
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from pyoxigraph import Store

from sousei_kg import __version__
from sousei_kg.errors import StoreExistsError, StoreNotFoundError
from sousei_kg.store.canonical import graph_counts, quad_count, version_hash
from sousei_kg.store.durable import atomic_write_bytes
from sousei_kg.store.label_index import build_index_file
from sousei_kg.store.loading import GraphFile, load_files

OXIGRAPH_DIR = "oxigraph"
MANIFEST_FILE = "manifest.json"
STATISTICS_FILE = "statistics.json"
"""The dataset's statistics as counted offline, naming the version they describe (VoID, DCAT)."""
_BUILDING_DIR = ".oxigraph-building"
_OLD_DIR = ".oxigraph-old"
JOURNAL_DIR = "journal"
"""Where the writer keeps the change of a write until it is committed (:mod:`sousei_kg.writes`)."""
WRITER_LOCK = "writer.lock"
"""Locked (``flock``) by the one process that writes to the store."""
AUDIT_FILE = "audit.jsonl"
"""The writer's append-only audit log (:mod:`sousei_kg.writes.audit`)."""
CHANGES_DIR = "changes"
"""The change log behind the LDES feed (``writes/change_log.py``), kept by backups."""
SNAPSHOTS_DIR = "snapshots"
"""Read-only checkpoints the writer takes for readers (:mod:`sousei_kg.store.snapshots`)."""


@dataclass(frozen=True)
class Manifest:
    """What a persistent store holds, written next to it as ``manifest.json``.

    Attributes:
        version_hash: see :func:`version_hash`.
        quad_count: number of quads.
        graphs: quads per graph IRI (``"default"`` for the default graph).
        built_at: ISO 8601 UTC time of the build.
        software_version: version of sousei-kg that built it.
        changed_at: ISO 8601 UTC time of the last acknowledged write, or ``None`` for a store as
            built (what ``dcterms:modified`` in VoID and DCAT reports after writes).
    """

    version_hash: str
    quad_count: int
    graphs: dict[str, int]
    built_at: str
    software_version: str
    changed_at: str | None = None


def open_store(directory: Path | None) -> Store:
    """Open a store.

    Args:
        directory: a directory made by :func:`build_store` (opened read-only), or ``None`` for a
            new, empty in-memory store.

    Returns:
        The store.

    Raises:
        StoreNotFoundError: if the directory is not a built store.
    """
    if directory is None:
        return Store()
    check_store(directory)
    _refuse_if_written(directory)
    path = directory / OXIGRAPH_DIR
    try:
        return Store.read_only(str(path))
    except OSError as error:
        raise StoreNotFoundError(f"{path}: cannot open the store ({error})") from error


def check_store(directory: Path) -> Manifest:
    """Whether ``directory`` holds a store made by ``sousei-kg build``, without opening it (what a
    server checks before it starts).

    Raises:
        StoreNotFoundError: if it is missing, empty, or holds something else.
    """
    manifest = read_manifest(directory)
    if not (directory / OXIGRAPH_DIR).is_dir():
        raise StoreNotFoundError(f"{directory}: no {OXIGRAPH_DIR}/ folder; run `sousei-kg build`")
    return manifest


def _refuse_if_written(directory: Path) -> None:
    """A store with a writing server must not be opened read-only beside it (pyoxigraph: undefined
    behaviour), nor one whose last write is unfinished (only the writer can finish it).

    Raises:
        StoreNotFoundError: in either case, saying what to do.
    """
    journal = directory / JOURNAL_DIR
    if journal.is_dir() and any(journal.iterdir()):
        raise StoreNotFoundError(
            f"{directory} has an unfinished write (in {JOURNAL_DIR}/); start `sousei-kg serve "
            "--store DIR --write-token …` once to finish it"
        )
    lock = directory / WRITER_LOCK
    if not lock.is_file():
        return
    with lock.open("rb") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StoreNotFoundError(
                f"{directory} is open for writing by a running server; read it through that "
                "server (or `sousei-kg backup`)"
            ) from None
        fcntl.flock(handle, fcntl.LOCK_UN)


def open_writable(directory: Path) -> Store:
    """Open a built store read-write: only the writer does this, holding ``writer.lock``.

    Raises:
        StoreNotFoundError: if the directory is not a built store or cannot be opened.
    """
    read_manifest(directory)
    path = directory / OXIGRAPH_DIR
    if not path.is_dir():
        raise StoreNotFoundError(f"{directory}: no {OXIGRAPH_DIR}/ folder; run `sousei-kg build`")
    try:
        return Store(str(path))
    except OSError as error:
        raise StoreNotFoundError(f"{path}: cannot open the store for writing ({error})") from error


def open_snapshot(path: Path) -> Store:
    """Open a checkpoint made by :func:`Store.backup` read-only (nobody writes a checkpoint, so
    several processes may open it at once, unlike a store that is being written).

    Raises:
        StoreNotFoundError: if the folder is not a store.
    """
    try:
        return Store.read_only(str(path))
    except OSError as error:
        raise StoreNotFoundError(f"{path}: cannot open the snapshot ({error})") from error


def write_manifest(directory: Path, manifest: Manifest) -> None:
    """Replace ``DIR/manifest.json`` atomically, flushed to disk."""
    text = json.dumps(asdict(manifest), indent=2) + "\n"
    atomic_write_bytes(directory / MANIFEST_FILE, text.encode("utf-8"))


def read_manifest(directory: Path) -> Manifest:
    """Read ``DIR/manifest.json``.

    Raises:
        StoreNotFoundError: if the directory or its manifest is missing or unreadable.
    """
    if not directory.is_dir():
        raise StoreNotFoundError(f"store directory {directory} does not exist")
    path = directory / MANIFEST_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Manifest(
            version_hash=str(data["version_hash"]),
            quad_count=int(data["quad_count"]),
            graphs={str(k): int(v) for k, v in data["graphs"].items()},
            built_at=str(data["built_at"]),
            software_version=str(data["software_version"]),
            changed_at=None if data.get("changed_at") is None else str(data["changed_at"]),
        )
    except FileNotFoundError as error:
        raise StoreNotFoundError(
            f"{directory} is not a sousei-kg store (no {MANIFEST_FILE}); run `sousei-kg build`"
        ) from error
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise StoreNotFoundError(f"{path}: unreadable manifest ({error})") from error


def _manifest_for(store: Store) -> Manifest:
    return Manifest(
        version_hash=version_hash(store),
        quad_count=quad_count(store),
        graphs=graph_counts(store),
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        software_version=__version__,
    )


Describe = Callable[[Store, "Manifest"], bytes]
"""Counts a built store's statistics: the content of ``DIR/statistics.json``."""


def build_store(
    directory: Path, files: Sequence[GraphFile], statistics: Describe | None = None
) -> Manifest:
    """Build a persistent store from the shipped files, replacing any store already there.

    The store is built in ``DIR/.oxigraph-building`` and moved to ``DIR/oxigraph`` only once all
    files loaded; its label index (``DIR/labels.sqlite3``, :mod:`sousei_kg.store.label_index`) and
    its statistics are made from it before the move; the manifest is written last.

    Args:
        directory: the store directory; created if missing.
        files: the RDF files to load, each into its named graph
            (:func:`sousei_kg.dataset.graph_naming.shipped_files` for the shipped dataset).
        statistics: counts the statistics written to ``DIR/statistics.json``
            (``sousei-kg build`` passes :func:`sousei_kg.publication.statistics.describe_built`);
            without it, a statistics file from an earlier build is removed.

    Returns:
        The manifest written to ``DIR/manifest.json``.

    Raises:
        StoreExistsError: if the directory exists, is not empty and is not a sousei-kg store.
        DataFileError: if a file does not parse (the previous store, if any, is kept).
    """
    if directory.exists():
        if not directory.is_dir():
            raise StoreExistsError(f"{directory} exists and is not a directory")
        is_store = (directory / MANIFEST_FILE).is_file() or (directory / OXIGRAPH_DIR).is_dir()
        if any(directory.iterdir()) and not is_store:
            raise StoreExistsError(
                f"{directory} is not empty and is not a sousei-kg store; refusing to overwrite it"
            )
    directory.mkdir(parents=True, exist_ok=True)
    building = directory / _BUILDING_DIR
    shutil.rmtree(building, ignore_errors=True)
    try:
        store = Store(str(building))
        load_files(store, files)
        store.flush()
        manifest = _manifest_for(store)
        build_index_file(directory, store, manifest.version_hash)
        counted = None if statistics is None else statistics(store, manifest)
        del store  # closes the RocksDB instance before its folder moves
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    target, old = directory / OXIGRAPH_DIR, directory / _OLD_DIR
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    building.rename(target)
    shutil.rmtree(old, ignore_errors=True)
    if counted is None:
        (directory / STATISTICS_FILE).unlink(missing_ok=True)
    else:
        atomic_write_bytes(directory / STATISTICS_FILE, counted)
    write_manifest(directory, manifest)
    return manifest
