"""Short keys for resources, as the web pages take them: ``goal-2-kpi`` for
``https://w3id.org/sousei-kg/id/indicator/goal-2-kpi``.

The KPI explorer takes ``?kpi=goal-2-kpi``; the named queries (over HTTP and in the CLI) take the
same for any IRI parameter. A key is the end of a resource's path under ``id/`` (its last segment,
or more of the path: ``indicator/goal-2-kpi``); it names a resource when exactly one IRI of the
dataset ends with it. A key for a resource added by a write works at once: what is read or
remembered belongs to one dataset version.

Two ways to find what a key names, behind one interface (:class:`DatasetKeys`), chosen by the
dataset's size as the query hints choose (:func:`~sousei_kg.linked_data.query_hints.
reads_every_iri`, up to ``HINTS_MAX_QUADS`` quads):

- **Small datasets** (the shipped data): every IRI of ours is read once per version
  (:func:`~sousei_kg.linked_data.query_hints.known_iris`, shared with the hints) and indexed by
  each end of its path (:class:`ShortKeys`); a key is one dictionary lookup.
- **Large ones**, where reading every IRI is what cannot be done (at 10 M quads: 92 s, during
  which the first short key waited, and ~170 MB): the store is asked whether it holds an IRI,
  one ASK each (:class:`LookedUpShortKeys`), with the vocabulary the hints read once per version
  (the ontology's and the small graphs' IRIs, :func:`~sousei_kg.linked_data.query_hints.
  read_vocabulary`). A key is first the whole path under ``id/`` (``org/mlit``: one lookup);
  else it is tried under each *folder* of the vocabulary (``org/``, ``indicator/``…: the path
  prefixes of its resources, at most :data:`MAX_FOLDERS`), one lookup each. The vocabulary's own
  resources resolve as on a small dataset, without a lookup. What a large graph holds under a
  folder the vocabulary does not know is reached by its whole path or IRI only, and the error
  says so. A key's answer is remembered per version (:data:`REMEMBERED_KEYS`), the IRIs found with
  the hints' lookups (so the hints of the query it is bound into ask nothing more).

The store failing (a remote engine down) is :class:`ShortKeysUnavailableError` for either way: a
request is answered 503 saying so, the CLI says it in one line.
"""

import threading
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Mapping
from difflib import get_close_matches
from typing import Protocol

from pyoxigraph import NamedNode

from sousei_kg.dataset.knowledge_graph import KnowledgeGraph
from sousei_kg.errors import SouseiError
from sousei_kg.linked_data.query_hints import (
    IriLookups,
    KnownIris,
    iri_lookups,
    known_iris,
    read_known_iris,
    read_vocabulary,
    reads_every_iri,
)
from sousei_kg.named_queries.parameters import ShortKeyResolver
from sousei_kg.namespaces import ID
from sousei_kg.store.canonical import DEFAULT_GRAPH_KEY
from sousei_kg.store.readable import ReadableStore

MAX_LISTED = 5
"""Candidates (or folders) named at most when a key is ambiguous or unknown."""
MAX_FOLDERS = 64
"""Above ``HINTS_MAX_QUADS``: folders a key is tried under at most (those holding the most
resources of the vocabulary), so that a key costs at most ``1 + MAX_FOLDERS`` lookups in the
store (~0.1 ms each, a few ms the first time a part of the index is read)."""
REMEMBERED_KEYS = 1024
"""Above ``HINTS_MAX_QUADS``: keys whose answer (an IRI, or why none) is remembered per dataset
version (least recently used forgotten), so that a repeated key asks the store nothing."""


class DatasetKeys(Protocol):
    """What a key names in a dataset, however its IRIs are known: :class:`ShortKeys` holds them
    all (small datasets), :class:`LookedUpShortKeys` asks the store (large ones)."""

    def resolve(self, key: str) -> str:
        """The IRI ``key`` names.

        Raises:
            LookupError: saying that ``key`` names several resources (which) or none (and what
                to give instead).
        """
        ...


def _ambiguous(key: str, found: list[str]) -> LookupError:
    listed = ", ".join(iri.removeprefix(ID) for iri in found[:MAX_LISTED])
    return LookupError(
        f"{key!r} names {len(found)} resources ({listed}); give more of the path, such "
        f"as {found[0].removeprefix(ID)}, or the whole IRI"
    )


def _did_you_mean(close: list[str], otherwise: str) -> str:
    return f"; did you mean {' or '.join(close)}?" if close else otherwise


class ShortKeys:
    """Every resource under ``id/`` of a set of IRIs (all the dataset's, or its vocabulary's) by
    each end of its path."""

    def __init__(self, known: KnownIris) -> None:
        self.by_end: dict[str, list[str]] = defaultdict(list)
        for iri in sorted(known.iris):
            if not iri.startswith(ID):
                continue
            segments = iri.removeprefix(ID).split("/")
            for start in range(len(segments)):
                self.by_end["/".join(segments[start:])].append(iri)
        self.last_segments = sorted({end for end in self.by_end if "/" not in end})

    def matches(self, key: str) -> list[str]:
        """The IRIs held here whose path ends with ``key``, in order."""
        return self.by_end.get(key.strip("/"), [])

    def close_keys(self, key: str) -> list[str]:
        """Last segments held here that are close to ``key``'s (at most three)."""
        return get_close_matches(key.rsplit("/", 1)[-1], self.last_segments, n=3, cutoff=0.7)

    def resolve(self, key: str) -> str:
        """The IRI ``key`` names.

        Raises:
            LookupError: saying that ``key`` names several resources (which) or none (and the
                closest keys).
        """
        found = self.matches(key)
        if len(found) == 1:
            return found[0]
        if found:
            raise _ambiguous(key, found)
        hint = _did_you_mean(self.close_keys(key), "; give the whole IRI")
        raise LookupError(f"{key!r} names no resource of the dataset{hint}")


def folders_of(iris: Iterable[str], limit: int) -> list[str]:
    """The folders of the resources under ``id/`` among ``iris``: every path prefix that ends
    with ``/`` (``org/``; ``identifier/`` and ``identifier/corporate-number/``), those holding the
    most resources first, at most ``limit``."""
    counts: Counter[str] = Counter()
    for iri in iris:
        if iri.startswith(ID):
            segments = iri.removeprefix(ID).split("/")[:-1]
            counts.update("/".join(segments[:end]) + "/" for end in range(1, len(segments) + 1))
    return sorted(counts, key=lambda folder: (-counts[folder], folder))[:limit]


class LookedUpShortKeys:
    """The short keys of a large dataset for one version: what the vocabulary holds, and else
    the store asked about the key as a whole path and under each known folder.

    Thread-safe: requests resolve keys on worker threads.
    """

    def __init__(self, lookups: IriLookups, size: int = REMEMBERED_KEYS) -> None:
        self.lookups = lookups
        self.vocabulary = ShortKeys(lookups.vocabulary)
        self.folders = folders_of(lookups.vocabulary.iris, MAX_FOLDERS)
        self.size = size
        self.lock = threading.Lock()
        self.answers: OrderedDict[str, tuple[str, bool]] = OrderedDict()

    def resolve(self, key: str) -> str:
        """The IRI ``key`` names: a remembered answer, or at most ``1 + MAX_FOLDERS`` lookups.

        Raises:
            LookupError: ``key`` names several resources (which), or none that the vocabulary
                holds or the store holds as a whole path or under a known folder.
            Exception: whatever the store raises (a remote engine down); nothing is remembered.
        """
        with self.lock:
            answer = self.answers.get(key)
            if answer is not None:
                self.answers.move_to_end(key)
        if answer is None:
            try:
                answer = (self._resolve(key), True)
            except LookupError as error:
                answer = (str(error), False)
            with self.lock:
                self.answers[key] = answer
                while len(self.answers) > self.size:
                    self.answers.popitem(last=False)
        text, named = answer
        if not named:
            raise LookupError(text)
        return text

    def _holds(self, iri: str) -> bool:
        present = self.lookups.remembered(iri)
        if present is None:
            present = self.lookups.look_up(iri, remember_absent=False)
        return present

    def _resolve(self, key: str) -> str:
        path = key.strip("/")
        whole = ID + path
        try:
            NamedNode(whole)
        except ValueError:
            raise LookupError(
                f"{key!r} cannot end the path of an IRI (<{whole}> is not a valid IRI); give "
                "the whole IRI"
            ) from None
        known = self.vocabulary.matches(path)
        if path and self._holds(whole):
            found = sorted({whole, *known})
        else:
            tried = (ID + folder + path for folder in self.folders)
            found = sorted({*known, *(iri for iri in tried if path and self._holds(iri))})
        if len(found) == 1:
            return found[0]
        if found:
            raise _ambiguous(key, found)
        raise LookupError(self._unknown(key, path))

    def _unknown(self, key: str, path: str) -> str:
        if self.folders:
            listed = ", ".join(self.folders[:MAX_LISTED])
            more = f", … {len(self.folders)} in all" if len(self.folders) > MAX_LISTED else ""
            where = f"only under the folders of its vocabulary ({listed}{more})"
            example = self.folders[0]
        else:
            where, example = "only as a whole path (its vocabulary has no folders)", ""
        hint = _did_you_mean(self.vocabulary.close_keys(path), "")
        return (
            f"{key!r} names no resource of the dataset; on a dataset this large a short key is "
            f"looked for {where}: give the whole path under id/ ({example}…) or the whole IRI"
            f"{hint}"
        )


SHORT_KEYS = "short-keys"
"""The key of :func:`short_keys` among the graph's derived values."""
LOOKED_UP_KEYS = "looked-up-short-keys"
"""The key of :func:`looked_up_keys` among the graph's derived values."""


def short_keys(graph: KnowledgeGraph) -> ShortKeys:
    """The short keys of every IRI of ``graph``, indexed once per version (this reads every IRI:
    :func:`dataset_keys` chooses it for small datasets only)."""
    return graph.derived(SHORT_KEYS, lambda: ShortKeys(known_iris(graph)))


def looked_up_keys(graph: KnowledgeGraph) -> LookedUpShortKeys:
    """The short keys of a large ``graph``, set up once per version with the hints' vocabulary
    and lookups (the first call may read the vocabulary: call it off the event loop)."""
    return graph.derived(LOOKED_UP_KEYS, lambda: LookedUpShortKeys(iri_lookups(graph)))


def dataset_keys(graph: KnowledgeGraph) -> DatasetKeys:
    """The short keys of ``graph``, the way its size calls for (as the hints choose)."""
    if reads_every_iri(graph.quad_count):
        return short_keys(graph)
    return looked_up_keys(graph)


def store_keys(store: ReadableStore, graphs: Mapping[str, int]) -> DatasetKeys:
    """The short keys of a store for one use (the CLI, which keeps nothing between runs): every
    IRI read up to ``HINTS_MAX_QUADS`` quads, above it the vocabulary read and the store asked.

    Args:
        store: the store.
        graphs: quads per named graph (the manifest's counts for a built store).
    """
    if reads_every_iri(sum(graphs.values())):
        names = [name for name in graphs if name != DEFAULT_GRAPH_KEY and ":" in name]
        return ShortKeys(read_known_iris(store, names))
    return LookedUpShortKeys(IriLookups(store, read_vocabulary(store, graphs)))


class ShortKeysUnavailableError(SouseiError):
    """The dataset could not be asked what a short key names (a remote engine failing): the
    request cannot be bound, though the whole IRI could be.

    Args:
        key: the short key.
        error: what the store raised; its text is told only when it is one of ours (an engine's
            own text never is).
    """

    def __init__(self, key: str, error: Exception) -> None:
        reason = str(error) if isinstance(error, SouseiError) else "the engine failed"
        super().__init__(
            f"the short key {key!r} could not be looked up in the dataset ({reason}); give the "
            "whole IRI, or try again later"
        )


def key_resolver(keys: Callable[[], DatasetKeys]) -> ShortKeyResolver:
    """A resolver for :meth:`~sousei_kg.named_queries.catalogue.NamedQuery.bind` that sets up
    ``keys`` when a short key is first given (not before: that may read the dataset).

    The resolver raises ``LookupError`` for a key that names no single resource, and
    :class:`ShortKeysUnavailableError` when the store fails (any other exception of setting up
    or asking), which ``bind`` lets through.
    """
    built: list[DatasetKeys] = []

    def resolve(key: str) -> str:
        try:
            if not built:
                built.append(keys())
            return built[0].resolve(key)
        except LookupError:
            raise
        except Exception as error:  # any failure of the engine, local or remote
            raise ShortKeysUnavailableError(key, error) from error

    return resolve


def graph_key_resolver(graph: KnowledgeGraph) -> ShortKeyResolver:
    """The resolver for requests on ``graph`` (see :func:`key_resolver`)."""
    return key_resolver(lambda: dataset_keys(graph))
