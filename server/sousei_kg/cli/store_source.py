"""The data the reading commands (``validate``, ``query``, ``export``) work on: the shipped files
(or ``--resources``), loaded into memory, or a built store (``--store``), opened read-only."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pyoxigraph import Store

from sousei_kg.dataset.graph_naming import load_shipped
from sousei_kg.execution.worker import StoreSource
from sousei_kg.store.directory import open_store


def source_store(store_dir: Path | None, resources: Path | None) -> Store:
    """The store a command reads.

    Raises:
        StoreNotFoundError: if ``store_dir`` is not a built store.
        DataFileError: if a shipped file does not parse.
    """
    if store_dir is not None:
        return open_store(store_dir)
    store = open_store(None)
    load_shipped(store, resources)
    return store


@contextmanager
def opened_source(
    store_dir: Path | None, resources: Path | None
) -> Iterator[tuple[Store, StoreSource]]:
    """The store opened here, and where a query worker opens the same data (read-only beside
    this process for a built store, loaded again for the shipped files)."""
    store = source_store(store_dir, resources)
    yield store, StoreSource(store=store_dir, resources=None if store_dir else resources)
