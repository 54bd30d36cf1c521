"""The redo journal: the exact change of a write, on disk before the store is touched.

pyoxigraph applies an update in one transaction, but a change computed elsewhere (removed quads,
added quads, created and dropped graphs) takes several calls. So the writer first saves the change
here (``DIR/journal/<seq>.json``, flushed), and only then applies it. If the process dies half-way,
the writer's next start applies the whole change again (every step is idempotent), and the write is
wholly present; readers never see the half-way state, because they only read snapshots taken after
a commit.

Quads are kept as N-Quads with their blank-node labels, parsed back without renaming, so the change
names exactly the blank nodes of the store.
"""

import json
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import NamedNode, Quad, RdfFormat, parse, serialize

from sousei_kg.store.durable import atomic_write_bytes


@dataclass(frozen=True)
class Change:
    """What a write does to the store.

    Attributes:
        removed: quads to remove.
        added: quads to add.
        graphs_removed: named graphs to drop (with whatever they still hold).
        graphs_added: named graphs to create (possibly empty).
    """

    removed: frozenset[Quad]
    added: frozenset[Quad]
    graphs_removed: frozenset[NamedNode] = frozenset()
    graphs_added: frozenset[NamedNode] = frozenset()

    @property
    def empty(self) -> bool:
        """Whether the write changes nothing."""
        return not (self.removed or self.added or self.graphs_removed or self.graphs_added)

    def graph_names(self) -> set[str]:
        """IRIs of every named graph the change touches."""
        names = {g.value for g in self.graphs_removed | self.graphs_added}
        for quad in self.removed | self.added:
            if isinstance(quad.graph_name, NamedNode):
                names.add(quad.graph_name.value)
        return names


def _nquads(quads: frozenset[Quad]) -> str:
    return (serialize(sorted(quads, key=str), format=RdfFormat.N_QUADS) or b"").decode("utf-8")


def _quads(text: str) -> frozenset[Quad]:
    return frozenset(parse(text.encode("utf-8"), format=RdfFormat.N_QUADS))


def save(directory: Path, seq: int, change: Change) -> Path:
    """Write the change of write ``seq``, flushed to disk, and return its file."""
    directory.mkdir(exist_ok=True)
    document = {
        "seq": seq,
        "removed": _nquads(change.removed),
        "added": _nquads(change.added),
        "graphs_removed": sorted(g.value for g in change.graphs_removed),
        "graphs_added": sorted(g.value for g in change.graphs_added),
    }
    path = directory / f"{seq:012d}.json"
    atomic_write_bytes(path, json.dumps(document).encode("utf-8"))
    return path


def pending(directory: Path) -> list[tuple[int, Change]]:
    """The saved changes, oldest first; half-written ``.tmp`` files are deleted (their write never
    reached the audit log, so it was never started)."""
    if not directory.is_dir():
        return []
    for tmp in directory.glob("*.tmp"):
        tmp.unlink()
    changes = []
    for path in sorted(directory.glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        change = Change(
            removed=_quads(document["removed"]),
            added=_quads(document["added"]),
            graphs_removed=frozenset(NamedNode(g) for g in document["graphs_removed"]),
            graphs_added=frozenset(NamedNode(g) for g in document["graphs_added"]),
        )
        changes.append((int(document["seq"]), change))
    return changes


def discard(directory: Path, seq: int) -> None:
    """Delete the change of write ``seq`` (committed, or never started)."""
    # Not flushed: a change file that reappears after a crash is recognised as committed (or never
    # started) by the audit log, and discarded again.
    (directory / f"{seq:012d}.json").unlink(missing_ok=True)
