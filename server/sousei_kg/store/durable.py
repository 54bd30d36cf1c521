"""Files that survive a crash: written whole or not at all, and flushed to disk with their folder.

Every file the store keeps beside the engine's data (the manifest, the write journal, the audit
log) is written this way: the content goes to a temporary file, which is flushed (``fsync``) and
renamed over the target; then the folder is flushed too, so the rename itself survives a power
loss (a rename is only durable once its directory entry is on disk).
"""

import os
from pathlib import Path


def fsync_dir(directory: Path) -> None:
    """Flush a folder's entries (a new, renamed or removed file) to disk."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data``: readers see the old file or the new one, never a part.

    Raises:
        OSError: if the file cannot be written (the old one, if any, is then unchanged).
    """
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    tmp.replace(path)
    fsync_dir(path.parent)


def append_durably(path: Path, data: bytes) -> None:
    """Append ``data`` to ``path`` and flush it to disk before returning."""
    with path.open("ab") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
