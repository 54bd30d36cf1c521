"""The writer's Violation baseline, remembered on disk between starts.

The writer refuses a write that adds a Violation, so it must know the Violations of the committed
state (:class:`~sousei_kg.dataset.violation_baseline.ViolationBaseline`). Finding them means
validating the whole store: seconds, at every start of the write process (and it restarts after
a write is killed at its deadline). So the baseline is written next to the store
(``DIR/validation-baseline.json``) by ``sousei-kg build`` and after every commit, keyed by the
dataset's version hash and a digest of the shapes files; a start that finds the key unchanged
reads it instead of validating.

A baseline holding Violations of a whole-graph shape that is a blank node is not written (the
shape's label changes with every parse of the files, so the results could not be matched to it
after a restart): the next start validates.
"""

import hashlib
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from sousei_kg.dataset.validation import ValidationResult, shipped_shapes_files
from sousei_kg.dataset.violation_baseline import ViolationBaseline
from sousei_kg.store.durable import atomic_write_bytes

BASELINE_FILE = "validation-baseline.json"
"""The Violations of the current version, remembered so that a restart need not revalidate."""

NO_VIOLATIONS = ViolationBaseline(confined={}, whole={})
"""The baseline of a state that conforms (what ``sousei-kg build`` writes: it builds nothing
else)."""


def shapes_digest(resources: Path | None) -> str:
    """SHA-256 of the shapes files (a baseline holds only for the shapes it was found with)."""
    digest = hashlib.sha256()
    for path in shipped_shapes_files(resources):
        digest.update(path.name.encode("utf-8") + b"\0" + path.read_bytes())
    return digest.hexdigest()


def remember_baseline(
    directory: Path, version: str, resources: Path | None, baseline: ViolationBaseline
) -> None:
    """Write the baseline of the store in ``directory`` at ``version``; or, if it cannot be
    matched after a restart, remove any older one."""
    path = directory / BASELINE_FILE
    whole = {shape: results for shape, results in baseline.whole.items() if results}
    if any(shape.startswith("_:") for shape in whole):
        path.unlink(missing_ok=True)
        return
    document = {
        "key": [version, shapes_digest(resources)],
        "confined": _results(baseline.confined),
        "whole": _results(whole),
    }
    atomic_write_bytes(path, json.dumps(document, ensure_ascii=False).encode("utf-8"))


def recall_baseline(
    directory: Path, version: str, resources: Path | None
) -> ViolationBaseline | None:
    """The remembered baseline of the store at ``version`` with these shapes, if there is one."""
    try:
        document = json.loads((directory / BASELINE_FILE).read_text(encoding="utf-8"))
        if document["key"] != [version, shapes_digest(resources)]:
            return None
        return ViolationBaseline(
            confined=_parsed(document["confined"]), whole=_parsed(document["whole"])
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _results(groups: Any) -> dict[str, list[dict[str, Any]]]:
    return {
        key: sorted((asdict(result) for result in results), key=lambda r: json.dumps(r))
        for key, results in groups.items()
    }


def _parsed(groups: dict[str, list[dict[str, Any]]]) -> dict[str, frozenset[ValidationResult]]:
    return {
        key: frozenset(ValidationResult(**result) for result in results)
        for key, results in groups.items()
    }
