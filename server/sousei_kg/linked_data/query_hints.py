"""Hints for queries that name an IRI of ours the dataset does not hold.

A query that names ``http://w3id.org/sousei-kg/def#PolicyGoal`` (``http`` for ``https``), or
``sousei:PolicyGoals`` (a plural), runs, finds nothing and answers 200 with no rows: the mistake
is silent. So the answer carries a hint naming the IRI and the nearest one that exists, found in
this order: the same IRI with ``https``, a lower-case host, ``/id/`` for a page's ``/doc/``,
``def#`` for ``def/``; the same with a letter case, singular or plural changed; the closest local
name in the same namespace folder (small edit distance); the closest IRI overall.

Cost: the dataset's IRIs of our namespace (a few hundred) are read once per dataset version
(the internal query ``known-iris``), a write replaces the graph and so the set. The hints of a
query text are remembered per text (:class:`HintCache`), so a repeated query costs one dictionary
lookup; a new text costs a linear scan of it (:func:`~sousei_kg.sparql.query_iris.named_iris`)
and a set lookup per IRI, and the search for a nearest IRI only for IRIs that are missing.
"""

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from difflib import get_close_matches
from typing import Protocol

from pyoxigraph import NamedNode

from sousei_kg.dataset.knowledge_graph import KnowledgeGraph
from sousei_kg.linked_data.describe import solutions_of
from sousei_kg.namespaces import CANONICAL_BASE, GRAPH, ID, VOCAB
from sousei_kg.sparql.internal_queries import internal_query
from sousei_kg.sparql.query_iris import named_iris
from sousei_kg.store.query import run_query
from sousei_kg.store.readable import ReadableStore

OURS = re.compile(r"^(?P<base>https?://w3id\.org/sousei-kg)(?:[/#]|$)", re.IGNORECASE)
"""IRIs in our namespaces, as people mistype them (either scheme, any letter case of the host)."""
NAMESPACES = frozenset({CANONICAL_BASE, VOCAB, ID, GRAPH, CANONICAL_BASE + "def"})
"""Namespace IRIs themselves: named in a query (``FILTER(STRSTARTS(…))``), they are no mistake."""
MAX_HINTS = 5
"""Hints per answer at most: a header stays short, and five mistakes say enough."""
HINTS_MAX_QUADS = 1_000_000
"""Largest dataset whose IRIs the hints hold in memory. Above it hints are off: at 10 M quads
reading them took 92 s (the first query waited) and held ~170 MB (docs/performance.md)."""
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
    """The dataset's IRIs could not be read, so no query of this version gets hints."""


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
        off for this version, or its IRIs were read and every IRI of ours the text names exists.
        Then ``()``, remembered. ``None`` otherwise, and :meth:`compute` should run off the
        event loop: the first read of the IRIs, or a nearest-IRI search, which compares the
        missing IRI with every known one (milliseconds on the shipped data, more on larger)."""
        if self.unavailable:
            return ()
        if not self.graph.has_derived(KNOWN_IRIS):
            return None
        text, base, extra = key
        known = known_iris(self.graph)
        if any(is_missing(known, iri) for iri in (*named_iris(text, base), *extra)):
            return None
        self._remember(key, ())
        return ()

    def compute(self, key: HintKey) -> tuple[QueryHint, ...]:
        """Work out the hints for ``key`` (the first call per version reads the dataset's IRIs:
        call it off the event loop) and remember them if the text is short enough.

        Raises:
            HintsUnavailableError: the dataset's IRIs could not be read (a remote engine that
                failed); raised once per dataset version, after which every query gets no hints.
        """
        text, base, extra = key
        if self.unavailable:
            return ()
        if self.graph.quad_count > HINTS_MAX_QUADS:
            self.unavailable = True
            raise HintsUnavailableError(
                f"the dataset holds {self.graph.quad_count:,} quads, more than the "
                f"{HINTS_MAX_QUADS:,} whose IRIs the hints keep in memory"
            )
        try:
            known = known_iris(self.graph)
        except Exception as error:  # any failure of the engine: hints only advise
            self.unavailable = True
            raise HintsUnavailableError(f"{type(error).__name__}: {error}") from error
        hints = hints_for(known, (*named_iris(text, base), *extra))
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
