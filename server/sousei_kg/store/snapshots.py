"""Read-only snapshots of a store that is being written, for everything that only reads.

pyoxigraph says opening a store read-only while another instance writes it is undefined
behaviour. So the writer makes a RocksDB checkpoint (``Store.backup``: hard links, a few
milliseconds) after each commit, under ``DIR/snapshots/``, and the pages and the query workers read
the newest one. A snapshot is never written, so any number of processes may open it. Old ones are
deleted once they are not the newest two and are older than a grace period, by which time every
query that could still read one has ended (queries are killed at the time limit).
"""

import itertools
import os
import shutil
import time
from pathlib import Path

from pyoxigraph import Store

from sousei_kg.store.directory import SNAPSHOTS_DIR

_COUNTER = itertools.count()


def take(store: Store, directory: Path, seq: int) -> Path:
    """Checkpoint ``store`` into a new folder under ``DIR/snapshots/`` and return it.

    Raises:
        OSError: if the checkpoint cannot be made.
    """
    root = directory / SNAPSHOTS_DIR
    root.mkdir(exist_ok=True)
    # The process id and a counter keep names unique across restarts of the writer.
    target = root / f"{seq:012d}-{os.getpid()}-{next(_COUNTER)}"
    store.backup(str(target))
    return target


def collect(directory: Path, keep: Path, grace_seconds: float) -> None:
    """Delete snapshots other than ``keep`` and the one before it that are older than the grace
    period (by modification time)."""
    root = directory / SNAPSHOTS_DIR
    if not root.is_dir():
        return
    older = sorted((p for p in root.iterdir() if p != keep), key=lambda p: p.stat().st_mtime)
    now = time.time()
    for path in older[:-1]:
        if now - path.stat().st_mtime > grace_seconds:
            shutil.rmtree(path, ignore_errors=True)


def clear(directory: Path) -> None:
    """Delete every snapshot (at the writer's start: no reader of this process uses them)."""
    shutil.rmtree(directory / SNAPSHOTS_DIR, ignore_errors=True)
