"""Short keys for resources, as the web pages take them: ``goal-2-kpi`` for
``https://w3id.org/sousei-kg/id/indicator/goal-2-kpi``.

The KPI explorer takes ``?kpi=goal-2-kpi``; the named queries (over HTTP and in the CLI) take the
same for any IRI parameter. A key is the end of a resource's path under ``id/`` (its last segment,
or more of the path: ``indicator/goal-2-kpi``); it names a resource when exactly one IRI of the
dataset ends with it. Read from the dataset's IRIs (:func:`~sousei_kg.linked_data.query_hints.
known_iris`, once per version), so a key for a resource added by a write works at once.
"""

from collections import defaultdict
from difflib import get_close_matches

from sousei_kg.dataset.knowledge_graph import KnowledgeGraph
from sousei_kg.linked_data.query_hints import KnownIris, known_iris
from sousei_kg.named_queries.parameters import ShortKeyResolver
from sousei_kg.namespaces import ID

MAX_LISTED = 5
"""Candidates named at most when a key is ambiguous or unknown."""


class ShortKeys:
    """Every resource under ``id/`` by each end of its path."""

    def __init__(self, known: KnownIris) -> None:
        self.by_end: dict[str, list[str]] = defaultdict(list)
        for iri in sorted(known.iris):
            if not iri.startswith(ID):
                continue
            segments = iri.removeprefix(ID).split("/")
            for start in range(len(segments)):
                self.by_end["/".join(segments[start:])].append(iri)
        self.last_segments = sorted({end for end in self.by_end if "/" not in end})

    def resolve(self, key: str) -> str:
        """The IRI ``key`` names.

        Raises:
            LookupError: saying that ``key`` names several resources (which) or none (and the
                closest keys).
        """
        found = self.by_end.get(key.strip("/"), [])
        if len(found) == 1:
            return found[0]
        if found:
            listed = ", ".join(iri.removeprefix(ID) for iri in found[:MAX_LISTED])
            raise LookupError(
                f"{key!r} names {len(found)} resources ({listed}); give more of the path, such "
                f"as {found[0].removeprefix(ID)}, or the whole IRI"
            )
        close = get_close_matches(key.rsplit("/", 1)[-1], self.last_segments, n=3, cutoff=0.7)
        hint = f"; did you mean {' or '.join(close)}?" if close else "; give the whole IRI"
        raise LookupError(f"{key!r} names no resource of the dataset{hint}")


def short_key_resolver(known: KnownIris) -> ShortKeyResolver:
    """A resolver for :meth:`~sousei_kg.named_queries.catalogue.NamedQuery.bind`."""
    return ShortKeys(known).resolve


def short_keys(graph: KnowledgeGraph) -> ShortKeys:
    """The short keys of ``graph``, indexed once per dataset version."""
    return graph.derived("short-keys", lambda: ShortKeys(known_iris(graph)))
