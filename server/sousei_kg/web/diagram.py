"""The logic model as a picture: node and edge positions of goals → outcomes → outputs → measures.

Pure: it reads the store once per dataset version and returns plain dataclasses; the SVG itself is a
Jinja template (autoescaped), so the same layout serves the interactive page, the static
``/logic-model.svg`` and the KPI explorer. Which measures "reach" a KPI is decided here, on the
server, from ``sousei:contributesTo*`` paths to the KPI's goal, and written into each node as data,
so the browser only toggles classes and the no-JavaScript SVG can be highlighted the same way.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from pyoxigraph import Literal, NamedNode, QuerySolutions

from sousei_kg.linked_data.describe import solutions_of
from sousei_kg.linked_data.logic_model import LEVELS
from sousei_kg.sparql.internal_queries import internal_query
from sousei_kg.store.query import run_query
from sousei_kg.store.readable import ReadableStore

LEVEL_NAMES = ("goal", "outcome", "output", "measure")
"""CSS class and data name of each level, in the order of
:data:`sousei_kg.linked_data.logic_model.LEVELS`."""
COLUMN_X = (8, 168, 380, 640)
COLUMN_WIDTH = (144, 196, 244, 312)
ROW = 26
NODE_HEIGHT = 22
TOP = 44
WIDTH = COLUMN_X[-1] + COLUMN_WIDTH[-1] + 8
FONT_SIZE = 12
_CHAR_WIDTH = {"ja": 12.0, "en": 6.6}
"""Approximate advance of one character at :data:`FONT_SIZE` (a full-width kana vs Latin)."""


@dataclass(frozen=True)
class Node:
    """One box of the diagram.

    Attributes:
        iri: the element.
        level: 0 goal, 1 outcome, 2 output, 3 measure.
        notation: ``2``, ``C``, ``k`` (empty for measures).
        labels: language → label.
        x: left edge; y: top edge; width: box width (the height is :data:`NODE_HEIGHT`).
        kpis: keys of the KPIs this element reaches.
    """

    iri: str
    level: int
    notation: str
    labels: dict[str, str]
    x: float
    y: float
    width: float
    kpis: frozenset[str]

    @property
    def kind(self) -> str:
        """``goal``, ``outcome``, ``output`` or ``measure``."""
        return LEVEL_NAMES[self.level]

    def title(self, lang: str) -> str:
        """The full name in ``lang`` (fallback: the other language, then the IRI), with notation."""
        other = "en" if lang == "ja" else "ja"
        name = self.labels.get(lang) or self.labels.get(other) or self.iri
        return f"{self.notation}. {name}" if self.notation else name

    def text(self, lang: str) -> str:
        """The name cut to fit the box; the full name is in :meth:`title`."""
        full = self.title(lang)
        room = int((self.width - 12) / _CHAR_WIDTH.get(lang, 12.0))
        has_wide = any(ord(c) > 0x2E80 for c in full)
        if not has_wide:
            room = int((self.width - 12) / _CHAR_WIDTH["en"])
        return full if len(full) <= room else full[: max(room - 1, 1)] + "…"


@dataclass(frozen=True)
class Edge:
    """A ``contributesTo`` link drawn from ``source`` (right) to ``target`` (left).

    Attributes:
        source: the contributing element; target: what it contributes to.
        path: the SVG path data of the curve.
        kpis: keys of the KPIs this link lies on the way to (those its target reaches).
    """

    source: str
    target: str
    path: str
    kpis: frozenset[str]


@dataclass(frozen=True)
class Kpi:
    """A goal's KPI, as the chooser shows it.

    Attributes:
        key: the last segment of its IRI (``goal-2-kpi``): the ``?kpi=`` value of the pages.
        iri: the indicator; goal: its goal (a :class:`Node`).
        labels: language → the KPI's label.
    """

    key: str
    iri: str
    goal: Node
    labels: dict[str, str]

    def label(self, lang: str) -> str:
        """The KPI's name in ``lang`` (else the other language)."""
        return self.labels.get(lang) or self.labels.get("ja") or self.iri


@dataclass(frozen=True)
class Diagram:
    """The laid-out logic model.

    Attributes:
        nodes: every box, goals first; edges: every link; kpis: the KPIs, by goal notation.
        width, height: the drawing's size in SVG user units.
    """

    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    kpis: tuple[Kpi, ...]
    width: float
    height: float
    by_iri: dict[str, Node] = field(default_factory=dict)
    column_x: tuple[int, ...] = COLUMN_X

    def level(self, kind: str) -> list[Node]:
        """The nodes of one level (``measure`` …), top to bottom."""
        return [n for n in self.nodes if n.kind == kind]

    def kpi(self, key: str | None) -> Kpi | None:
        """The KPI with this key (``goal-2-kpi``) or IRI (as the named queries take it), or
        ``None`` (an unknown key selects nothing)."""
        return next((k for k in self.kpis if key in (k.key, k.iri)), None)

    def reaching(self, key: str, kind: str = "measure") -> list[Node]:
        """The nodes of a level with a ``contributesTo`` path to the goal of KPI ``key``."""
        return [n for n in self.level(kind) if key in n.kpis]


def _key(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


def _rows(store: ReadableStore, query: str) -> QuerySolutions:
    return solutions_of(run_query(store, query))


def _sort_key(notation: str, labels: dict[str, str], iri: str) -> tuple[int, str, str]:
    number = int(notation) if notation.isdigit() else 0
    return (number, notation, labels.get("ja", iri))


def build(store: ReadableStore) -> Diagram:
    """Read the logic model from ``store`` and lay it out in four columns.

    Each column is ordered by where its members point (an outcome under its goal, an output under
    its outcome, a measure by the mean height of what it serves), so links mostly run straight.
    """
    level_of: dict[str, int] = {}
    notation: dict[str, str] = {}
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    for row in _rows(store, internal_query("diagram-nodes")):
        iri = row["node"].value
        level_of[iri] = LEVELS.index(row["type"].value)
        if isinstance(n := row["notation"], Literal):
            notation[iri] = n.value
        if isinstance(label := row["label"], Literal) and label.language in ("ja", "en"):
            labels[iri][label.language] = label.value
    targets: dict[str, list[str]] = defaultdict(list)
    for row in _rows(store, internal_query("diagram-edges")):
        if row["source"].value in level_of and row["target"].value in level_of:
            targets[row["source"].value].append(row["target"].value)
    reach: dict[str, set[str]] = defaultdict(set)
    for row in _rows(store, internal_query("diagram-kpi-reach")):
        reach[row["node"].value].add(_key(row["kpi"].value))

    columns: list[list[str]] = [[] for _ in LEVELS]
    for iri, level in level_of.items():
        columns[level].append(iri)
    height = TOP + max(len(c) for c in columns) * ROW + 8
    y_of: dict[str, float] = {}
    nodes: list[Node] = []
    for level, members in enumerate(columns):

        def order(iri: str) -> tuple[float, tuple[int, str, str]]:
            above = [y_of[t] for t in targets.get(iri, []) if t in y_of]
            mean = sum(above) / len(above) if above else float(height)
            return (mean, _sort_key(notation.get(iri, ""), labels[iri], iri))

        members.sort(key=order)
        spacing = (height - TOP - 8) / max(len(members), 1)
        for index, iri in enumerate(members):
            y = TOP + index * spacing + (spacing - NODE_HEIGHT) / 2
            y_of[iri] = y
            nodes.append(
                Node(
                    iri=iri,
                    level=level,
                    notation=notation.get(iri, "") if level < 3 else "",
                    labels=dict(labels[iri]),
                    x=COLUMN_X[level],
                    y=round(y, 1),
                    width=COLUMN_WIDTH[level],
                    kpis=frozenset(reach.get(iri, ())),
                )
            )
    by_iri = {n.iri: n for n in nodes}
    edges = tuple(
        _edge(by_iri[source], by_iri[target])
        for source in sorted(targets)
        for target in sorted(targets[source])
    )
    goal_of: dict[str, str] = {}
    kpi_labels: dict[str, dict[str, str]] = defaultdict(dict)
    for row in _rows(store, internal_query("diagram-kpis")):
        if isinstance(row["kpi"], NamedNode) and row["goal"].value in by_iri:
            goal_of[row["kpi"].value] = row["goal"].value
        if isinstance(label := row["label"], Literal) and label.language in ("ja", "en"):
            kpi_labels[row["kpi"].value][label.language] = label.value
    kpis = sorted(
        (Kpi(_key(iri), iri, by_iri[goal], dict(kpi_labels[iri])) for iri, goal in goal_of.items()),
        key=lambda k: (_sort_key(k.goal.notation, k.goal.labels, k.goal.iri), k.iri),
    )
    return Diagram(
        nodes=tuple(nodes),
        edges=edges,
        kpis=tuple(kpis),
        width=WIDTH,
        height=height,
        by_iri=by_iri,
    )


def _edge(source: Node, target: Node) -> Edge:
    """A horizontal S-curve from the target's right side to the source's left side."""
    x1, y1 = target.x + target.width, target.y + NODE_HEIGHT / 2
    x2, y2 = source.x, source.y + NODE_HEIGHT / 2
    bend = (x2 - x1) / 2
    path = (
        f"M{x1:.1f},{y1:.1f} C{x1 + bend:.1f},{y1:.1f} {x2 - bend:.1f},{y2:.1f} {x2:.1f},{y2:.1f}"
    )
    return Edge(source=source.iri, target=target.iri, path=path, kpis=target.kpis)
