"""The logic-model chain around one element: up to the goals and their KPIs, down to the measures.

A measure's page has to answer "what does this serve, and how sure are we?": a measure reaches its
goal through ``sousei:contributesTo`` links, some stated by the summary (graph/strategy-2025), some
our editorial classification (graph/curation, qualified by a ``sousei:Attribution``). Each link
keeps where it comes from, so the page never presents a guess as a fact. The queries are the
packaged ``logic-model-*.rq`` files (:mod:`sousei_kg.sparql.internal_queries`), with the element
bound by substitution (``?start``).
"""

from collections import defaultdict
from dataclasses import dataclass, field

from pyoxigraph import Literal, NamedNode, QuerySolution, QuerySolutions

from sousei_kg.linked_data.describe import (
    CURATION_GRAPH,
    STATED_GRAPH,
    Attribution,
    Labels,
    solutions_of,
)
from sousei_kg.namespaces import VOCAB
from sousei_kg.sparql.internal_queries import internal_query
from sousei_kg.store.query import run_query
from sousei_kg.store.readable import ReadableStore

POLICY_GOAL = VOCAB + "PolicyGoal"
OUTCOME = VOCAB + "Outcome"
OUTPUT = VOCAB + "Output"
MEASURE = VOCAB + "Measure"
LEVELS: tuple[str, ...] = (POLICY_GOAL, OUTCOME, OUTPUT, MEASURE)
"""Classes that take part in the chain, from the top of the logic model down."""


@dataclass(frozen=True)
class Link:
    """One statement of the chain (``source`` contributesTo / responsibleOrganization ``target``).

    Attributes:
        source: the subject.
        target: the object.
        graphs: the named graphs stating it.
        attribution: the qualified attribution, for a curated link.
    """

    source: str
    target: str
    graphs: tuple[str, ...]
    attribution: Attribution | None = None

    @property
    def stated(self) -> bool:
        """Whether the summary itself states the link (graph/strategy-2025)."""
        return STATED_GRAPH in self.graphs

    @property
    def curated(self) -> bool:
        """Whether the link is only our attribution (graph/curation)."""
        return not self.stated and CURATION_GRAPH in self.graphs


@dataclass(frozen=True)
class Chain:
    """The logic-model neighbourhood of one element.

    Attributes:
        focus: the element.
        up: links from the focus upwards, to the goals.
        down: links from below into the focus (or into elements below it).
        goals: (goal, KPI) pairs the focus reaches.
        organisations: measure → its responsible-organisation links.
        types: IRI → its classes.
        labels: IRI → language → label.
    """

    focus: str
    up: tuple[Link, ...]
    down: tuple[Link, ...]
    goals: tuple[tuple[str, str], ...]
    organisations: dict[str, tuple[Link, ...]]
    types: dict[str, frozenset[str]] = field(default_factory=dict)
    labels: Labels = field(default_factory=dict)

    def paths_up(self) -> list[list[Link]]:
        """Every path of links from the focus to a node with nothing above it (a goal)."""
        above: dict[str, list[Link]] = defaultdict(list)
        for link in self.up:
            above[link.source].append(link)
        paths: list[list[Link]] = []

        def walk(node: str, path: list[Link]) -> None:
            if not above.get(node):
                if path:
                    paths.append(path)
                return
            for link in above[node]:
                if all(step.source != link.target for step in path):  # no cycles
                    walk(link.target, [*path, link])

        walk(self.focus, [])
        return paths

    def down_by_level(self) -> list[tuple[str, list[str]]]:
        """Elements below the focus grouped by class (outcomes, outputs, measures), sorted."""
        below = {link.source for link in self.down}
        groups: list[tuple[str, list[str]]] = []
        for level in LEVELS:
            members = sorted(n for n in below if level in self.types.get(n, frozenset()))
            if members:
                groups.append((level, members))
        return groups

    def links_from(self, source: str) -> list[Link]:
        """The downward links leaving ``source`` (what it contributes to, and how sure we are)."""
        return [link for link in self.down if link.source == source]


def _rows(store: ReadableStore, query: str, focus: str) -> QuerySolutions:
    return solutions_of(run_query(store, query, {"start": NamedNode(focus)}))


def _links(rows: QuerySolutions) -> tuple[Link, ...]:
    """Merge rows (one per graph, source and note) into one Link per (source, target)."""
    graphs: dict[tuple[str, str], set[str]] = defaultdict(set)
    evidence: dict[tuple[str, str], tuple[str, str | None, list[str], list[str]]] = {}
    for row in rows:
        key = (str(row["s"].value), str(row["t"].value))
        graphs[key].add(str(row["g"].value))
        _collect_evidence(row, key, evidence)
    return tuple(
        Link(
            source=key[0],
            target=key[1],
            graphs=tuple(sorted(graphs[key])),
            attribution=(
                Attribution(
                    iri=e[0],
                    confidence=e[1],
                    sources=tuple(sorted(e[2])),
                    notes=tuple(sorted(e[3])),
                )
                if (e := evidence.get(key))
                else None
            ),
        )
        for key in sorted(graphs)
    )


def _collect_evidence(
    row: QuerySolution,
    key: tuple[str, str],
    evidence: dict[tuple[str, str], tuple[str, str | None, list[str], list[str]]],
) -> None:
    node = row["a"]
    if node is None:
        return
    confidence = row["confidence"]
    entry = evidence.setdefault(
        key, (str(node.value), confidence.value if confidence else None, [], [])
    )
    for name, bucket in (("source", entry[2]), ("note", entry[3])):
        term = row[name]
        if term is not None and term.value not in bucket:
            bucket.append(term.value)


def is_chain_member(types: tuple[str, ...] | frozenset[str]) -> bool:
    """Whether a resource of these classes has a chain (measures and logic-model elements)."""
    return any(t in LEVELS for t in types)


def chain(store: ReadableStore, focus: str) -> Chain:
    """Gather the chain of ``focus``: links up and down, goals and KPIs, organisations, labels.

    Args:
        store: the store.
        focus: the IRI of a measure, output, outcome or policy goal.

    Returns:
        The chain; its parts are empty for an element with no links.
    """
    organisations: dict[str, list[Link]] = defaultdict(list)
    for link in _links(_rows(store, internal_query("logic-model-organisations"), focus)):
        organisations[link.source].append(link)
    types: dict[str, set[str]] = defaultdict(set)
    labels: Labels = defaultdict(dict)
    for row in _rows(store, internal_query("logic-model-nodes"), focus):
        node = row["n"]
        if not isinstance(node, NamedNode):
            continue
        if (kind := row["type"]) is not None:
            types[node.value].add(str(kind.value))
        if isinstance(label := row["label"], Literal):
            labels[node.value][label.language or ""] = label.value
    return Chain(
        focus=focus,
        up=_links(_rows(store, internal_query("logic-model-up"), focus)),
        down=_links(_rows(store, internal_query("logic-model-down"), focus)),
        # Sorted and deduplicated: Virtuoso 7 repeats rows of a `+` path (SPARQL 1.1 paths
        # have set semantics), and engines differ in row order.
        goals=tuple(
            sorted(
                {
                    (str(row["goal"].value), str(row["kpi"].value))
                    for row in _rows(store, internal_query("logic-model-goals"), focus)
                }
            )
        ),
        organisations={m: tuple(links) for m, links in organisations.items()},
        types={n: frozenset(t) for n, t in types.items()},
        labels=dict(labels),
    )
