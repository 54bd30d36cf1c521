"""The append-only audit log of writes: ``DIR/audit.jsonl``, one JSON object per line.

Each accepted write leaves two records, both flushed to disk (``fsync``) before the client gets
its 2xx:

- ``{"seq": N, "event": "write", "time", "token", "operation", "target", "payload_sha256",
  "added", "removed", "version_before", "version_after"}``, written *before* the store changes
  (write-ahead: from here on the write will be completed, after a crash by the writer's recovery);
- ``{"seq": N, "event": "committed", "time", "recovered"}``, written once the store holds it.

``token`` is a SHA-256 prefix of the bearer token (see :func:`sousei_kg.http.auth.token_id`),
never the token. Lines are only ever appended; the one exception is a torn last line (a crash in
the middle of writing it, so before its ``fsync`` returned and before the write it describes
began), which is cut off when the log is opened.
"""

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sousei_kg.store.durable import append_durably, fsync_dir


class AuditLog:
    """An open audit log (one writer process; callers serialize appends).

    Args:
        path: the log file; created if missing.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._repair()
        self._records = list(read_records(path))
        self.next_seq = 1 + max((int(r["seq"]) for r in self._records), default=0)
        self._events = {(int(r["seq"]), str(r["event"])) for r in self._records}

    def _repair(self) -> None:
        """Cut off a torn last line: it was never acknowledged, and nothing followed it."""
        if not self.path.exists():
            self.path.touch()
            fsync_dir(self.path.parent)
            return
        data = self.path.read_bytes()
        keep = len(data)
        if data and not data.endswith(b"\n"):
            keep = data.rfind(b"\n") + 1
        elif data:
            last = data[data.rfind(b"\n", 0, len(data) - 1) + 1 :]
            try:
                json.loads(last)
            except ValueError:
                keep = len(data) - len(last)
        if keep != len(data):
            with self.path.open("r+b") as handle:
                handle.truncate(keep)
                os.fsync(handle.fileno())

    def has(self, seq: int, event: str) -> bool:
        """Whether the log holds the record ``event`` of write ``seq``."""
        return (seq, event) in self._events

    def append(self, record: dict[str, Any]) -> None:
        """Append one record and flush it to disk before returning."""
        line = json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        append_durably(self.path, line.encode("utf-8") + b"\n")
        self._events.add((int(record["seq"]), str(record["event"])))
        self.next_seq = max(self.next_seq, int(record["seq"]) + 1)


def read_records(path: Path) -> Iterator[dict[str, Any]]:
    """The records of an audit log, in order; a torn last line is skipped."""
    if not path.exists():
        return
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.endswith("\n"):
                return
            try:
                record = json.loads(line)
            except ValueError:
                return
            if isinstance(record, dict):
                yield record
