"""Hints for queries that name an IRI of ours the dataset does not hold.

A query that names ``http://w3id.org/sousei-kg/def#PolicyGoal`` (``http`` for ``https``), or
``sousei:PolicyGoals`` (a plural), runs, finds nothing and answers 200 with no rows: the mistake
is silent. So the answer carries a hint naming the IRI and the nearest one that exists, found in
this order: the same IRI with ``https``, a lower-case host, ``/id/`` for a page's ``/doc/``,
``def#`` for ``def/``; the same with a letter case, singular or plural changed; the closest local
name in the same namespace folder (small edit distance); the closest IRI overall.

Two ways to know which IRIs the dataset holds, behind one interface (:class:`DatasetIris`: ``in``
and :meth:`~DatasetIris.nearest`), chosen by the dataset's size (:data:`HINTS_MAX_QUADS`):

- **Up to 1 M quads** (the shipped data: ~4 k quads, a few hundred IRIs of ours): every IRI of
  our namespace is read once per dataset version (the internal query ``known-iris``) into
  :class:`KnownIris`; presence is a set lookup, and the nearest-IRI search compares with all.
- **Above**, reading them all is what cannot be done (at 10 M quads: 92 s, ~170 MB). Presence is
  asked of the store per IRI the query names (``iri-present``: an ASK on the quad indexes, well
  under a millisecond), at most :data:`CHECKED_PER_TEXT` IRIs and :data:`LOOKUPS_PER_TEXT`
  lookups per text, the answers remembered per version (:data:`REMEMBERED_IRIS`, least recently
  used forgotten). The nearest IRI tries the exact spellings above by the same lookup; the
  letter-case and edit-distance search runs over a small set read once per version
  (:func:`read_vocabulary`): the IRIs of ours in the ontology graph and in the other small named
  graphs (:data:`VOCABULARY_GRAPH_QUADS` each, :data:`VOCABULARY_QUADS` in all), and the graph
  names. The ontology declares every class and property, which is where mistakes are mostly
  made; the graphs are chosen by the quad counts the dataset already knows, so the set stays
  small whatever is loaded. A resource of a large graph is suggested only for an exact spelling.

A write replaces the dataset version and with it what was read or remembered. The hints of a query
text are remembered per text (:class:`HintCache`), so a repeated query costs one dictionary
lookup; a new text costs a linear scan of it (:func:`~sousei_kg.sparql.query_iris.named_iris`)
and a set (or remembered-lookup) check per IRI, and the search for a nearest IRI only for IRIs
that are missing.
"""

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from difflib import get_close_matches
from typing import Protocol

from pyoxigraph import NamedNode, QueryBoolean

from sousei_kg.dataset.knowledge_graph import KnowledgeGraph
from sousei_kg.linked_data.describe import solutions_of
from sousei_kg.namespaces import CANONICAL_BASE, GRAPH, ID, ONTOLOGY_GRAPH, VOCAB
from sousei_kg.sparql.internal_queries import internal_query
from sousei_kg.sparql.query_iris import named_iris
from sousei_kg.store.canonical import DEFAULT_GRAPH_KEY
from sousei_kg.store.query import run_query
from sousei_kg.store.readable import ReadableStore

OURS = re.compile(r"^(?P<base>https?://w3id\.org/sousei-kg)(?:[/#]|$)", re.IGNORECASE)
"""IRIs in our namespaces, as people mistype them (either scheme, any letter case of the host)."""
NAMESPACES = frozenset({CANONICAL_BASE, VOCAB, ID, GRAPH, CANONICAL_BASE + "def"})
"""Namespace IRIs themselves: named in a query (``FILTER(STRSTARTS(…))``), they are no mistake."""
MAX_HINTS = 5
"""Hints per answer at most: a header stays short, and five mistakes say enough."""
HINTS_MAX_QUADS = 1_000_000
"""Largest dataset whose IRIs the hints read and hold all. Above it, the store is asked per IRI
(:class:`LookedUpIris`): at 10 M quads reading them all took 92 s (the first query waited) and
held ~170 MB (docs/performance.md)."""
CHECKED_PER_TEXT = 32
"""Above :data:`HINTS_MAX_QUADS`: IRIs of ours a text names whose presence is looked up in the
store at most (those remembered or in the vocabulary cost no lookup); the others are taken as
present, so a text naming hundreds of IRIs costs a bounded time, and may miss a hint."""
LOOKUPS_PER_TEXT = 64
"""Above :data:`HINTS_MAX_QUADS`: store lookups per text at most, the nearest-IRI spellings
included (at most six per missing IRI, :data:`MAX_HINTS` of them: within what the presence checks
leave)."""
REMEMBERED_IRIS = 4096
"""Above :data:`HINTS_MAX_QUADS`: IRIs whose presence is remembered per dataset version (least
recently used forgotten), so that the IRIs queries name again and again cost no lookup."""
VOCABULARY_GRAPH_QUADS = 10_000
"""Above :data:`HINTS_MAX_QUADS`: named graphs up to this size have their IRIs of ours read for
the nearest-IRI search (besides the ontology graph, read whatever its size up to
:data:`VOCABULARY_QUADS`)."""
VOCABULARY_QUADS = 50_000
"""Above :data:`HINTS_MAX_QUADS`: quads of the graphs read for the nearest-IRI search in all, at
most (the ontology first, then the smallest graphs): a few MB of IRIs at worst."""
CACHED_TEXTS = 128
"""Query texts whose hints are remembered per dataset version."""
CACHED_TEXT_CHARS = 64 * 1024
"""Longer texts are scanned each time rather than kept."""


@dataclass(frozen=True)
class QueryHint:
    """An IRI of ours that a query names and the dataset does not hold.

    Attributes:
        iri: the IRI as the query names it.
        nearest: the closest IRI the dataset holds, if any is close.
    """

    iri: str
    nearest: str | None

    @property
    def message(self) -> str:
        """One sentence: ``<iri> is not in the dataset (did you mean <nearest>?)``."""
        if self.nearest is None:
            return f"<{self.iri}> is not in the dataset (and nothing close to it is)"
        return f"<{self.iri}> is not in the dataset (did you mean <{self.nearest}>?)"


def _split(iri: str) -> tuple[str, str]:
    """An IRI as its folder (up to the last ``/`` or ``#``) and its local name."""
    cut = max(iri.rfind("/"), iri.rfind("#")) + 1
    return iri[:cut], iri[cut:]


def _canonical(iri: str) -> str:
    """The IRI with our base written as it is minted: ``https``, the host in lower case, and the
    mistakes of form people make (``/doc/`` for ``/id/``, ``def/`` for ``def#``, a final ``/``)."""
    match = OURS.match(iri)
    if match is None:
        return iri
    fixed = CANONICAL_BASE.rstrip("/") + iri[match.end("base") :]
    for wrong, right in ((CANONICAL_BASE + "doc/", ID), (CANONICAL_BASE + "def/", VOCAB)):
        if fixed.startswith(wrong):
            fixed = right + fixed.removeprefix(wrong)
    return fixed.rstrip("/") if fixed.rstrip("/") + "/" not in NAMESPACES else fixed


def _number_variants(local: str) -> list[str]:
    """The local name made singular or plural (``PolicyGoals`` ↔ ``PolicyGoal``)."""
    variants = [local + "s", local + "es"]
    if local.endswith("ies"):
        variants.append(local[:-3] + "y")
    if local.endswith("es"):
        variants.append(local[:-2])
    if local.endswith("s"):
        variants.append(local[:-1])
    if local.endswith("y"):
        variants.append(local[:-1] + "ies")
    return variants


class DatasetIris(Protocol):
    """What the hints ask about the dataset's IRIs, whichever way they are known: whether it holds
    one (``iri in iris``), and which one a mistaken IRI most likely means. :class:`KnownIris` holds
    them all (small datasets); :class:`LookedUpIris` asks the store (large ones)."""

    def __contains__(self, iri: object, /) -> bool: ...

    def nearest(self, iri: str) -> str | None:
        """The IRI the dataset holds that ``iri`` most likely means, if one is close."""
        ...


def nearest_iri(iri: str, holds: Callable[[str], bool], index: "KnownIris") -> str | None:
    """The IRI that ``iri`` most likely means: the first spelling (canonical form, then singular or
    plural) that the dataset ``holds``, or that ``index`` holds in another letter case; else the
    closest local name in the same folder of ``index``, else the closest IRI of ``index``.

    ``holds`` may be the index itself (every IRI is in it) or a lookup in the store (``index``
    holding only the vocabulary): the order of the search is the same either way.
    """
    canonical = _canonical(iri)
    folder, local = _split(canonical)
    for candidate in (canonical, *(folder + v for v in _number_variants(local))):
        if holds(candidate):
            return candidate
        if (found := index.by_lower.get(candidate.lower())) is not None:
            return found
    locals_ = index.by_folder.get(folder, [])
    if local and (close := get_close_matches(local, locals_, n=1, cutoff=0.7)):
        return folder + close[0]
    close = get_close_matches(canonical, index.ordered, n=1, cutoff=0.85)
    return close[0] if close else None


class KnownIris:
    """IRIs of our namespace held in memory (all the dataset's, or its vocabulary's), indexed to
    find the nearest to a mistaken one."""

    def __init__(self, iris: Iterable[str]) -> None:
        self.iris = frozenset(iris)
        self.by_lower = {iri.lower(): iri for iri in sorted(self.iris)}
        self.by_folder: dict[str, list[str]] = {}
        for iri in sorted(self.iris):
            folder, local = _split(iri)
            self.by_folder.setdefault(folder, []).append(local)
        self.ordered = sorted(self.iris)

    def __contains__(self, iri: object) -> bool:
        return iri in self.iris

    def nearest(self, iri: str) -> str | None:
        """The IRI held here that ``iri`` most likely means, if one is close."""
        return nearest_iri(iri, self.iris.__contains__, self)


def read_known_iris(store: ReadableStore, graph_names: Iterable[str] = ()) -> KnownIris:
    """Read the IRIs of our namespace from a store, with its named graphs' names (uncached; see
    :func:`known_iris`)."""
    rows = solutions_of(run_query(store, internal_query("known-iris")))
    iris = {row["iri"].value for row in rows if isinstance(row["iri"], NamedNode)}
    return KnownIris(iris | set(graph_names))


KNOWN_IRIS = "known-iris"
"""The key of :func:`known_iris` among the graph's derived values."""


def known_iris(graph: KnowledgeGraph) -> KnownIris:
    """The IRIs of our namespace in ``graph``, read once per dataset version."""
    return graph.derived(KNOWN_IRIS, lambda: read_known_iris(graph.store, graph.graphs))


def vocabulary_graphs(graphs: Mapping[str, int]) -> list[str]:
    """The named graphs whose IRIs of ours a large dataset reads for the nearest-IRI search: the
    ontology graph, then graphs of at most :data:`VOCABULARY_GRAPH_QUADS` quads, smallest first,
    while the total stays within :data:`VOCABULARY_QUADS`.

    Args:
        graphs: quads per named graph (known without reading them: the manifest, or the engine's
            counts); the default graph's count (``"default"``) and a blank-node graph's (its
            label, no IRI) are left out, having no IRI to read them by.
    """
    chosen: list[str] = []
    total = 0
    for name, count in sorted(graphs.items(), key=lambda g: (g[0] != ONTOLOGY_GRAPH, g[1], g[0])):
        if name == DEFAULT_GRAPH_KEY or ":" not in name:
            continue
        limit = VOCABULARY_QUADS if name == ONTOLOGY_GRAPH else VOCABULARY_GRAPH_QUADS
        if count <= limit and total + count <= VOCABULARY_QUADS:
            chosen.append(name)
            total += count
    return chosen


def read_vocabulary(store: ReadableStore, graphs: Mapping[str, int]) -> KnownIris:
    """The IRIs of ours in the graphs :func:`vocabulary_graphs` chooses, and every graph's name:
    what a large dataset searches for a near spelling (one query per graph, each reading that
    graph only)."""
    iris = set(graphs) - {DEFAULT_GRAPH_KEY}
    for graph in vocabulary_graphs(graphs):
        rows = solutions_of(run_query(store, internal_query("graph-iris"), {"g": NamedNode(graph)}))
        iris.update(row["iri"].value for row in rows if isinstance(row["iri"], NamedNode))
    return KnownIris(iris)


def iri_present(store: ReadableStore, iri: str) -> bool:
    """Whether the store holds ``iri`` in any position of any quad, or as a graph name: one ASK,
    ``iri`` bound as a term (never written into the text). Not an IRI at all (a request's
    ``default-graph-uri`` may be anything): not held, and nothing is asked."""
    try:
        node = NamedNode(iri)
    except ValueError:
        return False
    result = run_query(store, internal_query("iri-present"), {"iri": node})
    return isinstance(result, QueryBoolean) and bool(result)


class IriLookups:
    """Above :data:`HINTS_MAX_QUADS`, for one dataset version: the vocabulary (read once, see
    :func:`read_vocabulary`) and the presence of the IRIs looked up so far, remembered up to
    :data:`REMEMBERED_IRIS` (least recently used forgotten). Thread-safe: hints are computed on
    worker threads and read on the event loop."""

    def __init__(
        self, store: ReadableStore, vocabulary: KnownIris, size: int = REMEMBERED_IRIS
    ) -> None:
        self.store = store
        self.vocabulary = vocabulary
        self.size = size
        self.lock = threading.Lock()
        self.presence: OrderedDict[str, bool] = OrderedDict()

    def remembered(self, iri: str) -> bool | None:
        """Whether the dataset holds ``iri``, if known without asking the store (cheap)."""
        if iri in self.vocabulary:
            return True
        with self.lock:
            present = self.presence.get(iri)
            if present is not None:
                self.presence.move_to_end(iri)
            return present

    def look_up(self, iri: str, *, remember_absent: bool = True) -> bool:
        """Ask the store whether it holds ``iri``, and remember the answer (call off the loop).

        Args:
            iri: the IRI.
            remember_absent: whether an IRI the store lacks is remembered too. Short keys
                (:mod:`~sousei_kg.linked_data.short_keys`) try a key under dozens of folders and
                keep only what they find, so that their misses do not push out the IRIs queries
                name.

        Raises:
            Exception: whatever the store raises (a remote engine down).
        """
        present = iri_present(self.store, iri)
        if not present and not remember_absent:
            return False
        with self.lock:
            self.presence[iri] = present
            self.presence.move_to_end(iri)
            while len(self.presence) > self.size:
                self.presence.popitem(last=False)
        return present


class LookedUpIris:
    """A large dataset's IRIs as one query text sees them (a :class:`DatasetIris`): what is
    remembered, and else a lookup in the store within this text's budget.

    Args:
        lookups: the version's vocabulary and remembered lookups.
        asks_store: whether the store may be asked. Without (the event loop), an IRI not known yet
            counts as missing, so that the text goes to a thread; with, an IRI beyond
            :data:`CHECKED_PER_TEXT` counts as present (left unchecked, no hint).
    """

    def __init__(self, lookups: IriLookups, *, asks_store: bool) -> None:
        self.lookups = lookups
        self.asks_store = asks_store
        self.checked = 0
        self.looked_up = 0

    def __contains__(self, iri: object, /) -> bool:
        if not isinstance(iri, str):
            return False
        present = self.lookups.remembered(iri)
        if present is not None:
            return present
        if not self.asks_store:
            return False
        if self.checked >= CHECKED_PER_TEXT or self.looked_up >= LOOKUPS_PER_TEXT:
            return True
        self.checked += 1
        return self._ask(iri)

    def holds(self, iri: str) -> bool:
        """Whether the dataset holds a spelling the nearest-IRI search tries; one not known and
        beyond the budget counts as not held (it is never suggested unchecked)."""
        present = self.lookups.remembered(iri)
        if present is not None:
            return present
        if not self.asks_store or self.looked_up >= LOOKUPS_PER_TEXT:
            return False
        return self._ask(iri)

    def _ask(self, iri: str) -> bool:
        self.looked_up += 1
        return self.lookups.look_up(iri)

    def nearest(self, iri: str) -> str | None:
        """The IRI the dataset holds that ``iri`` most likely means: the exact spellings asked of
        the store, the letter-case and edit-distance search within the vocabulary."""
        return nearest_iri(iri, self.holds, self.lookups.vocabulary)


IRI_LOOKUPS = "iri-lookups"
"""The key of :func:`iri_lookups` among the graph's derived values."""


def iri_lookups(graph: KnowledgeGraph) -> IriLookups:
    """The vocabulary and remembered lookups of a large ``graph``, set up once per version (the
    first call reads the vocabulary: call it off the event loop)."""
    return graph.derived(
        IRI_LOOKUPS, lambda: IriLookups(graph.store, read_vocabulary(graph.store, graph.graphs))
    )


def reads_every_iri(quads: int) -> bool:
    """Whether a dataset of ``quads`` quads has every IRI of ours read and held (up to
    :data:`HINTS_MAX_QUADS`), rather than looked up in the store per IRI: the one choice that
    query hints and short keys make alike."""
    return quads <= HINTS_MAX_QUADS


def dataset_iris(store: ReadableStore, graphs: Mapping[str, int]) -> DatasetIris:
    """The IRIs of a dataset for one use (the CLI, which keeps nothing between runs): every IRI
    read up to :data:`HINTS_MAX_QUADS` quads, above it the vocabulary read and the store asked.

    Args:
        store: the store.
        graphs: quads per named graph (the manifest's counts for a built store).
    """
    if not reads_every_iri(sum(graphs.values())):
        return LookedUpIris(IriLookups(store, read_vocabulary(store, graphs)), asks_store=True)
    return read_known_iris(store, graphs)


def is_missing(known: DatasetIris, iri: str) -> bool:
    """Whether ``iri`` is one of ours that the dataset does not hold (it gets a hint). A namespace
    IRI is settled before ``known`` is asked, which may cost a lookup in the store."""
    return OURS.match(iri) is not None and iri not in NAMESPACES and iri not in known


def hints_for(known: DatasetIris, iris: Iterable[str]) -> tuple[QueryHint, ...]:
    """A hint for each IRI of ours among ``iris`` that ``known`` does not hold (at most
    :data:`MAX_HINTS`)."""
    hints: list[QueryHint] = []
    for iri in iris:
        if is_missing(known, iri):
            hints.append(QueryHint(iri, known.nearest(iri)))
            if len(hints) == MAX_HINTS:
                break
    return tuple(hints)


class HintsUnavailableError(RuntimeError):
    """The dataset's IRIs could not be read or looked up, so no query of this version gets
    hints."""


HintKey = tuple[str, str | None, tuple[str, ...]]
"""A query text, its base IRI and the graph IRIs the request names besides."""


class HintCache:
    """The hints of recent query texts for one dataset version (kept with the graph, so a new
    version starts afresh). Thread-safe: named-query pages compute hints on worker threads."""

    def __init__(self, graph: KnowledgeGraph) -> None:
        self.graph = graph
        self.unavailable = False
        self.lock = threading.Lock()
        self.remembered: OrderedDict[HintKey, tuple[QueryHint, ...]] = OrderedDict()

    def cached(self, key: HintKey) -> tuple[QueryHint, ...] | None:
        """The hints already worked out for ``key``, if any (cheap: call on the event loop)."""
        with self.lock:
            hints = self.remembered.get(key)
            if hints is not None:
                self.remembered.move_to_end(key)
            return hints

    def answer_if_cheap(self, key: HintKey) -> tuple[QueryHint, ...] | None:
        """The hints for ``key`` when working them out takes only a scan of the text: hints are
        off for this version, or every IRI of ours the text names is known to exist without
        asking the store (small datasets: once the IRIs are read; large: in the vocabulary or
        remembered as present). Then ``()``, remembered. ``None`` otherwise, and :meth:`compute`
        should run off the event loop: the first read of the IRIs (or the vocabulary), a lookup
        in the store, or a nearest-IRI search, which compares the missing IRI with every known
        one (milliseconds on the shipped data, more on larger)."""
        if self.unavailable:
            return ()
        known = self._in_memory()
        if known is None:
            return None
        text, base, extra = key
        if any(is_missing(known, iri) for iri in (*named_iris(text, base), *extra)):
            return None
        self._remember(key, ())
        return ()

    def _large(self) -> bool:
        return not reads_every_iri(self.graph.quad_count)

    def _in_memory(self) -> DatasetIris | None:
        """What can be asked without touching the store, if this version has read it yet."""
        if self._large():
            if not self.graph.has_derived(IRI_LOOKUPS):
                return None
            return LookedUpIris(iri_lookups(self.graph), asks_store=False)
        return known_iris(self.graph) if self.graph.has_derived(KNOWN_IRIS) else None

    def compute(self, key: HintKey) -> tuple[QueryHint, ...]:
        """Work out the hints for ``key`` and remember them if the text is short enough. The
        first call per version reads the dataset's IRIs (small datasets) or its vocabulary
        (large ones, which then ask the store per IRI): call it off the event loop.

        Raises:
            HintsUnavailableError: the dataset's IRIs could not be read or looked up (a remote
                engine that failed); raised once per dataset version, after which every query
                gets no hints.
        """
        text, base, extra = key
        if self.unavailable:
            return ()
        try:
            known: DatasetIris
            if self._large():
                known = LookedUpIris(iri_lookups(self.graph), asks_store=True)
            else:
                known = known_iris(self.graph)
            hints = hints_for(known, (*named_iris(text, base), *extra))
        except Exception as error:  # any failure of the engine: hints only advise
            self.unavailable = True
            raise HintsUnavailableError(f"{type(error).__name__}: {error}") from error
        self._remember(key, hints)
        return hints

    def _remember(self, key: HintKey, hints: tuple[QueryHint, ...]) -> None:
        if len(key[0]) <= CACHED_TEXT_CHARS:
            with self.lock:
                self.remembered[key] = hints
                while len(self.remembered) > CACHED_TEXTS:
                    self.remembered.popitem(last=False)


def hint_cache(graph: KnowledgeGraph) -> HintCache:
    """The hint cache of this dataset version."""
    return graph.derived("query-hint-cache", lambda: HintCache(graph))
