"""``sousei-kg backup`` and ``sousei-kg restore``: a store copied whole, and checked on the way
back.

A backup folder holds ``oxigraph/`` (a RocksDB checkpoint, ``Store.backup``), ``manifest.json``
(the version hash counted from the backup itself, not copied), ``audit.jsonl`` (the audit log
at that moment) and ``statistics.json`` if the store has one (it names the version it counted, so
a server uses it only if that is the version restored). While a server writes the store, the
backup is taken from its newest snapshot (a committed state), since opening a store that another
process writes is undefined behaviour.
A restore refuses a backup whose content does not hash to its manifest, and a store that a
running server writes.
"""

import fcntl
import shutil
from pathlib import Path

from pyoxigraph import Store

from sousei_kg.errors import StoreExistsError, StoreNotFoundError
from sousei_kg.store.canonical import graph_counts, version_hash
from sousei_kg.store.directory import (
    AUDIT_FILE,
    CHANGES_DIR,
    JOURNAL_DIR,
    MANIFEST_FILE,
    OXIGRAPH_DIR,
    SNAPSHOTS_DIR,
    STATISTICS_FILE,
    WRITER_LOCK,
    Manifest,
    open_snapshot,
    open_store,
    read_manifest,
    write_manifest,
)


def _written_by_server(directory: Path) -> bool:
    lock = directory / WRITER_LOCK
    if not lock.is_file():
        return False
    with lock.open("rb") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
    return False


def _manifest(store: Store, built_at: str, software_version: str) -> Manifest:
    counts = graph_counts(store)
    return Manifest(version_hash(store), len(store), counts, built_at, software_version)


def backup(directory: Path, target: Path) -> Manifest:
    """Copy the store in ``directory`` to the new folder ``target``.

    Raises:
        StoreNotFoundError: if ``directory`` is not a built store.
        StoreExistsError: if ``target`` exists and is not empty.
    """
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise StoreExistsError(f"{target} exists and is not empty; back up into a new folder")
    source_manifest = read_manifest(directory)
    if _written_by_server(directory):
        snapshots = sorted((directory / SNAPSHOTS_DIR).iterdir())
        if not snapshots:
            raise StoreNotFoundError(f"{directory} is being written and has no snapshot yet")
        source = open_snapshot(snapshots[-1])
    else:
        source = open_store(directory)
    target.mkdir(parents=True, exist_ok=True)
    source.backup(str(target / OXIGRAPH_DIR))
    copy = open_snapshot(target / OXIGRAPH_DIR)
    manifest = _manifest(copy, source_manifest.built_at, source_manifest.software_version)
    write_manifest(target, manifest)
    for name in (AUDIT_FILE, STATISTICS_FILE):
        if (directory / name).is_file():
            shutil.copy2(directory / name, target / name)
    if (directory / CHANGES_DIR).is_dir():  # the change feed's log (entries are never rewritten)
        shutil.copytree(directory / CHANGES_DIR, target / CHANGES_DIR, ignore=_temporary)
    return manifest


def _temporary(_folder: str, names: list[str]) -> list[str]:
    return [name for name in names if name.endswith(".tmp")]


def restore(backup_dir: Path, directory: Path) -> Manifest:
    """Replace the store in ``directory`` with the backup in ``backup_dir`` (and its audit log).

    Raises:
        StoreNotFoundError: if the backup is not one, or does not hash to its manifest.
        StoreExistsError: if a running server writes ``directory``, or it is not a store.
    """
    expected = read_manifest(backup_dir)
    backup_store = open_snapshot(backup_dir / OXIGRAPH_DIR)
    actual = version_hash(backup_store)
    del backup_store
    if actual != expected.version_hash:
        raise StoreNotFoundError(
            f"{backup_dir}: the data hashes to {actual}, its manifest says "
            f"{expected.version_hash}; the backup is damaged, not restored"
        )
    if directory.exists():
        if _written_by_server(directory):
            raise StoreExistsError(f"a running server writes {directory}; stop it first")
        is_store = (directory / MANIFEST_FILE).is_file() or (directory / OXIGRAPH_DIR).is_dir()
        if any(directory.iterdir()) and not is_store:
            raise StoreExistsError(f"{directory} is not empty and is not a sousei-kg store")
    directory.mkdir(parents=True, exist_ok=True)
    building, old = directory / ".oxigraph-restoring", directory / ".oxigraph-old"
    shutil.rmtree(building, ignore_errors=True)
    shutil.copytree(backup_dir / OXIGRAPH_DIR, building)
    shutil.rmtree(old, ignore_errors=True)
    if (directory / OXIGRAPH_DIR).exists():
        (directory / OXIGRAPH_DIR).rename(old)
    building.rename(directory / OXIGRAPH_DIR)
    shutil.rmtree(old, ignore_errors=True)
    for stale in (JOURNAL_DIR, SNAPSHOTS_DIR):
        shutil.rmtree(directory / stale, ignore_errors=True)
    if (backup_dir / AUDIT_FILE).is_file():
        shutil.copy2(backup_dir / AUDIT_FILE, directory / AUDIT_FILE)
    (directory / STATISTICS_FILE).unlink(missing_ok=True)
    if (backup_dir / STATISTICS_FILE).is_file():
        shutil.copy2(backup_dir / STATISTICS_FILE, directory / STATISTICS_FILE)
    # The change feed goes back with the data: harvesters following it must replicate it again.
    shutil.rmtree(directory / CHANGES_DIR, ignore_errors=True)
    if (backup_dir / CHANGES_DIR).is_dir():
        shutil.copytree(backup_dir / CHANGES_DIR, directory / CHANGES_DIR)
    write_manifest(directory, expected)
    return expected
