"""Triple Pattern Fragments (https://linkeddatafragments.org/specification/triple-pattern-fragments/)
with the ``graph`` parameter of Quad Pattern Fragments: query without SPARQL.

A fragment is every triple that matches a pattern, in pages of :data:`PAGE_SIZE`, each page with
the fragment's size and the ``hydra:search`` form that builds the URL of any other fragment. What
is read:

- no ``graph``: every named graph; each triple once, in every graph that holds it (TriG, N-Quads,
  JSON-LD), or once as a triple (Turtle, N-Triples): the union;
- ``graph=<IRI>``: that graph alone;
- ``graph=`` :data:`~sousei_kg.publication.fragment_pattern.UNION_GRAPH`: the union as the default
  graph. The fragments declare it as ``sd:defaultGraph``, so Comunica sends every default-graph
  pattern there, and reads ``GRAPH`` patterns from the fragments without ``graph``.

Each fragment is one query (``sparql/internal/fragment-quads.rq``, the pattern's terms bound by
substitution), on the embedded store and on a remote engine alike. Its triples are sorted (their
N-Triples text) so that pages are the same in every process and replica, and the sorted fragment
is kept per dataset version (bounded by size), so its pages and its count cost one query. The
count (``hydra:totalItems``, ``void:triples``) is therefore exact, the number of distinct triples;
only a fragment over :data:`MAX_FRAGMENT_TRIPLES` is cut there and its count marked an estimate.
"""

import threading
from dataclasses import dataclass
from itertools import islice
from urllib.parse import quote, urlencode

from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    QuerySolutions,
    RdfFormat,
    Triple,
    Variable,
    serialize,
)

from sousei_kg.dataset.knowledge_graph import KnowledgeGraph
from sousei_kg.errors import SouseiError
from sousei_kg.execution.versioned_lru import ENTRY_OVERHEAD_BYTES, VersionedLRU
from sousei_kg.publication.fragment_pattern import (
    UNION_GRAPH,
    FragmentPageNotFoundError,
    Pattern,
)
from sousei_kg.publication.statistics import NS, integer
from sousei_kg.sparql.internal_queries import internal_query
from sousei_kg.store.readable import Bound

PAGE_SIZE = 100
"""Triples per page."""

MAX_FRAGMENT_TRIPLES = 20_000
"""The most triples one fragment is read to (five times what the shipped dataset holds in all).
At 10 M triples a pattern such as ``?s rdf:type ?o`` was read to 200,000 before: 6-9 s of the
server's CPU and ~300 MB per request, never kept (larger than :data:`CACHE_BYTES`), so every page
cost it again. At 20,000 a read is under half a second and ~40 MB, and is kept, so the fragment's
other pages are lookups."""

ENTRY_BYTES = 2_000
"""Memory of one triple of a kept fragment: its ``Triple``, terms and the tuples holding them
(measured: 50,000 entries held ~103 MB). Was counted as 400, so the cache held five times its
bound."""

CACHE_BYTES = 64 * 1024 * 1024
"""What the sorted fragments of one dataset version may hold in memory (about 32,000 triples:
one fragment cut at :data:`MAX_FRAGMENT_TRIPLES` and many small ones)."""

READS_AT_ONCE = 2
"""Fragments read from the store at once, server-wide (one per core here). A fragment read runs on
the server's thread pool, outside the query workers' time and memory limits; on a large dataset
each is seconds and ~100 MB, so unbounded, one client's burst of distinct patterns (the pages
budget allows hundreds at once) would take every core and GBs of memory from the others."""
READ_WAIT_SECONDS = 10.0
"""How long a read waits for one of :data:`READS_AT_ONCE`; then the request is answered 503."""


class FragmentsBusyError(SouseiError):
    """Every slot for reading fragments stayed busy (503, with ``Retry-After``): what was asked
    is not in the cache and the server is reading other fragments."""


FRAGMENTS_PATH = "fragments"
"""Where the fragments are served, under the public base URL."""

TPF_SPECIFICATION = "https://linkeddatafragments.org/specification/triple-pattern-fragments/"
QPF_SPECIFICATION = "https://linkeddatafragments.org/specification/quad-pattern-fragments/"

HYDRA = "http://www.w3.org/ns/hydra/core#"
PREFIXES = {**NS, "hydra": HYDRA}

Entry = tuple[Triple, tuple[NamedNode, ...]]
"""A triple of a fragment and the named graphs that hold it."""


@dataclass(frozen=True)
class Fragment:
    """Every triple matching one pattern, sorted.

    Attributes:
        entries: the triples with their graphs.
        complete: ``False`` when the fragment was cut at :data:`MAX_FRAGMENT_TRIPLES`.
    """

    entries: tuple[Entry, ...]
    complete: bool

    @property
    def pages(self) -> int:
        """How many pages it has (at least one, which may be empty)."""
        return max(1, -(-len(self.entries) // PAGE_SIZE))


def _entry_bytes(_key: object, fragment: Fragment) -> int:
    return ENTRY_OVERHEAD_BYTES + ENTRY_BYTES * len(fragment.entries)


_CACHE: VersionedLRU[tuple[str, ...], Fragment] = VersionedLRU(CACHE_BYTES, _entry_bytes)
_CACHE_LOCK = threading.Lock()
_READS = threading.BoundedSemaphore(READS_AT_ONCE)


def fragment(graph: KnowledgeGraph, pattern: Pattern) -> Fragment:
    """The fragment of ``pattern`` (any page), read once per dataset version.

    Raises:
        FragmentsBusyError: it is not cached and no read slot came free within
            :data:`READ_WAIT_SECONDS` (see :data:`READS_AT_ONCE`).
    """
    with _CACHE_LOCK:
        cached = _CACHE.get(graph.version, pattern.key)
    if cached is not None:
        return cached
    if not _READS.acquire(timeout=READ_WAIT_SECONDS):
        raise FragmentsBusyError(
            f"the server is reading {READS_AT_ONCE} other fragments from the store and this one "
            "is not cached yet; retry in a few seconds (pages already read are answered at once)"
        )
    try:
        with _CACHE_LOCK:  # read by a request that held the slot before this one?
            cached = _CACHE.get(graph.version, pattern.key)
        if cached is not None:
            return cached
        found = _read(graph, pattern)
    finally:
        _READS.release()
    with _CACHE_LOCK:
        _CACHE.put(graph.version, pattern.key, found)
    return found


def _read(graph: KnowledgeGraph, pattern: Pattern) -> Fragment:
    bindings: dict[Variable, Bound] = {
        Variable(name): value
        for name, value in (("s", pattern.subject), ("p", pattern.predicate), ("o", pattern.object))
        if value is not None
    }
    if isinstance(pattern.graph, NamedNode):
        bindings[Variable("g")] = pattern.graph
    result = graph.store.query(
        internal_query("fragment-quads"),
        use_default_graph_as_union=True,
        substitutions=bindings or None,
    )
    assert isinstance(result, QuerySolutions)  # noqa: S101 (a SELECT)
    graphs: dict[Triple, list[NamedNode]] = {}
    complete = True
    for row in result:
        s, p, o, g = (row[name] for name in ("s", "p", "o", "g"))
        if not isinstance(g, NamedNode) or not isinstance(p, NamedNode):
            continue
        if not isinstance(s, NamedNode | BlankNode) or not isinstance(
            o, NamedNode | BlankNode | Literal
        ):
            continue
        triple = Triple(s, p, o)
        holders = graphs.get(triple)
        if holders is None:
            if len(graphs) >= MAX_FRAGMENT_TRIPLES:
                complete = False
                break
            graphs[triple] = holders = []
        holders.append(g)
    entries = sorted(
        ((t, tuple(sorted(gs, key=lambda n: n.value))) for t, gs in graphs.items()),
        key=lambda entry: str(entry[0]),
    )
    return Fragment(tuple(entries), complete)


def fragment_url(base: str, given: tuple[tuple[str, str], ...], page: int | None = None) -> str:
    """The URL of a fragment (``page=None``: its first page, without ``page``)."""
    params = list(given) + ([("page", str(page))] if page is not None else [])
    return base + FRAGMENTS_PATH + ("?" + urlencode(params, quote_via=quote) if params else "")


def page_quads(
    found: Fragment, pattern: Pattern, base: str, requested: str, quads: bool
) -> list[Quad]:
    """One page of a fragment with its hypermedia controls.

    Args:
        found: the fragment.
        pattern: the request (its page and graph selector).
        base: this server's public base URL, ending in ``/``.
        requested: the URL the page was asked at (the page's own IRI).
        quads: whether the format keeps graphs: the data then keeps its named graphs and the
            controls go to a graph of their own (``<page#metadata>``), as the reference server
            writes them; in a triple format everything is one graph.

    Raises:
        FragmentPageNotFoundError: the page is past the last one.
    """
    if pattern.page > found.pages:
        raise FragmentPageNotFoundError(
            f"page {pattern.page} is past the last page ({found.pages}) of this fragment "
            f"({len(found.entries)} triples, {PAGE_SIZE} a page)"
        )
    start = (pattern.page - 1) * PAGE_SIZE
    out: list[Quad] = []
    for triple, holders in islice(found.entries, start, start + PAGE_SIZE):
        if not quads or pattern.graph == "union":
            out.append(Quad(triple.subject, triple.predicate, triple.object, DefaultGraph()))
            continue
        for holder in holders:
            out.append(Quad(triple.subject, triple.predicate, triple.object, holder))
    meta = NamedNode(requested + "#metadata") if quads else DefaultGraph()
    whole = NamedNode(fragment_url(base, pattern.given) if pattern.paged else requested)
    controls = _controls(found, pattern, base, whole, NamedNode(requested))
    out.extend(Quad(t.subject, t.predicate, t.object, meta) for t in controls)
    if isinstance(meta, NamedNode):
        out.append(Quad(meta, _name("foaf:primaryTopic"), whole, meta))
    return out


def _controls(
    found: Fragment, pattern: Pattern, base: str, whole: NamedNode, page: NamedNode
) -> list[Triple]:
    """The fragment's metadata and hypermedia controls (the order matters to Comunica: the
    ``void:subset`` links come before the ``sd:defaultGraph`` they qualify).

    Args:
        found: the fragment.
        pattern: the request.
        base: this server's public base URL.
        whole: the fragment's IRI (its URL without a page number).
        page: the page's IRI (the URL it was asked at).
    """
    dataset = NamedNode(base + FRAGMENTS_PATH + "#dataset")
    search = BlankNode("search")
    out: list[Triple] = []

    def add(s: NamedNode | BlankNode, p: str, o: NamedNode | BlankNode | Literal) -> None:
        out.append(Triple(s, _name(p), o))

    def link(s: NamedNode, p: str, number: int) -> None:
        add(s, p, NamedNode(fragment_url(base, pattern.given, number)))

    add(dataset, "void:subset", whole)
    add(whole, "void:subset", page)
    add(dataset, "rdf:type", _name("void:Dataset"))
    add(dataset, "rdf:type", _name("hydra:Collection"))
    add(dataset, "sd:defaultGraph", NamedNode(UNION_GRAPH))
    add(dataset, "hydra:search", search)
    template = base + FRAGMENTS_PATH + "{?subject,predicate,object,graph}"
    add(search, "hydra:template", Literal(template))
    add(search, "hydra:variableRepresentation", _name("hydra:ExplicitRepresentation"))
    for variable, prop in MAPPINGS:
        mapping = BlankNode("mapping-" + variable)
        add(search, "hydra:mapping", mapping)
        add(mapping, "hydra:variable", Literal(variable))
        add(mapping, "hydra:property", _name(prop))
    count = integer(len(found.entries))
    add(whole, "rdf:type", _name("hydra:Collection"))
    add(whole, "hydra:totalItems", count)
    add(whole, "void:triples", count)
    add(whole, "dcterms:source", dataset)
    if not found.complete:
        note = f"cut at {MAX_FRAGMENT_TRIPLES} triples: the count is a lower bound"
        add(whole, "rdfs:comment", Literal(note, language="en"))
    add(page, "rdf:type", _name("hydra:PartialCollectionView"))
    add(page, "hydra:itemsPerPage", integer(PAGE_SIZE))
    link(page, "hydra:first", 1)
    link(page, "hydra:last", found.pages)
    if pattern.page > 1:
        link(page, "hydra:previous", pattern.page - 1)
    if pattern.page < found.pages:
        link(page, "hydra:next", pattern.page + 1)
    return out


MAPPINGS = (
    ("subject", "rdf:subject"),
    ("predicate", "rdf:predicate"),
    ("object", "rdf:object"),
    ("graph", "sd:graph"),
)
"""The search form's variables and what each stands for (``sd:graph``: Quad Pattern Fragments)."""


def _name(prefixed: str) -> NamedNode:
    prefix, _, local = prefixed.partition(":")
    return NamedNode(PREFIXES[prefix] + local)


def serialize_page(quads: list[Quad], rdf_format: RdfFormat) -> bytes:
    """A page in one RDF format (a triple format gets the quads' triples, each once)."""
    prefixes = PREFIXES if rdf_format in (RdfFormat.TRIG, RdfFormat.TURTLE) else None
    if rdf_format.supports_datasets:
        return serialize(quads, format=rdf_format, prefixes=prefixes) or b""
    triples = list(dict.fromkeys(Triple(q.subject, q.predicate, q.object) for q in quads))
    return serialize(triples, format=rdf_format, prefixes=prefixes) or b""
