"""The RDF store: the only module that touches ``pyoxigraph.Store``.

A persistent store is a directory ``DIR`` holding ``DIR/oxigraph/`` (the pyoxigraph store) and
``DIR/manifest.json`` (what was built: counts, version hash, software version). ``build_store``
always builds from scratch into ``DIR/.oxigraph-building`` and swaps the result into place, so an
existing store is replaced whole and a failed build leaves the previous store untouched.
"""

import fcntl
import hashlib
import json
import os
import re
import shutil
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from pyoxigraph import (
    BlankNode,
    CanonicalizationAlgorithm,
    Dataset,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    QueryBoolean,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Store,
    Triple,
    Variable,
    serialize,
)

from sousei_kg import __version__
from sousei_kg.dataset.graph_naming import ShippedFile, shipped_files
from sousei_kg.errors import (
    DataFileError,
    QueryParameterError,
    QuerySyntaxError,
    StoreExistsError,
    StoreNotFoundError,
)
from sousei_kg.remote.remote_store import RemoteStore, RemoteTriples
from sousei_kg.store.large_stack import run_on_large_stack

__all__ = [
    "Manifest",
    "QueryResult",
    "ReadableStore",
    "RemoteStore",
    "RemoteTriples",
    "Store",
    "Term",
    "all_quads",
    "build_store",
    "copy_store",
    "drop_graph",
    "graph_counts",
    "graph_triples",
    "has_named_graph",
    "load_file",
    "load_shipped",
    "merge_graph",
    "open_snapshot",
    "open_store",
    "open_writable",
    "quad_count",
    "read_manifest",
    "replace_graph",
    "run_protocol_query",
    "run_query",
    "run_update",
    "union_triples",
    "version_hash",
    "write_manifest",
]

OXIGRAPH_DIR = "oxigraph"
MANIFEST_FILE = "manifest.json"
_BUILDING_DIR = ".oxigraph-building"
_OLD_DIR = ".oxigraph-old"
JOURNAL_DIR = "journal"
"""Where the writer keeps the change of a write until it is committed (see ``journal.py``)."""
WRITER_LOCK = "writer.lock"
"""Locked (``flock``) by the one process that writes to the store."""
DEFAULT_GRAPH_KEY = "default"
"""Key of the default graph in ``Manifest.graphs``."""

QueryResult = QuerySolutions | QueryBoolean | QueryTriples | RemoteTriples
ReadableStore = Store | RemoteStore
"""What the server reads from: the embedded pyoxigraph store, or a remote SPARQL engine
(:mod:`sousei_kg.remote`). Everything on the read path takes either; writes need a ``Store``."""
Term = NamedNode | Literal

_PARSER_POSITION = re.compile(r"^Parser error (?:at|between) .*?: ")
_LINE = re.compile(r"line (\d+)")
_QUERY_POSITION = re.compile(r"^error at (\d+):(\d+): ")
_UNPROJECTED = re.compile(r"does not contains? variable \?(\S+)")


@dataclass(frozen=True)
class Manifest:
    """What a persistent store holds, written next to it as ``manifest.json``.

    Attributes:
        version_hash: see :func:`version_hash`.
        quad_count: number of quads.
        graphs: quads per graph IRI (``"default"`` for the default graph).
        built_at: ISO 8601 UTC time of the build.
        software_version: version of sousei-kg that built it.
    """

    version_hash: str
    quad_count: int
    graphs: dict[str, int]
    built_at: str
    software_version: str


def open_store(directory: Path | None) -> Store:
    """Open a store.

    Args:
        directory: a directory made by :func:`build_store` (opened read-only), or ``None`` for a
            new, empty in-memory store.

    Returns:
        The store.

    Raises:
        StoreNotFoundError: if the directory is not a built store.
    """
    if directory is None:
        return Store()
    read_manifest(directory)
    _refuse_if_written(directory)
    path = directory / OXIGRAPH_DIR
    if not path.is_dir():
        raise StoreNotFoundError(f"{directory}: no {OXIGRAPH_DIR}/ folder; run `sousei-kg build`")
    try:
        return Store.read_only(str(path))
    except OSError as error:
        raise StoreNotFoundError(f"{path}: cannot open the store ({error})") from error


def _refuse_if_written(directory: Path) -> None:
    """A store with a writing server must not be opened read-only beside it (pyoxigraph: undefined
    behaviour), nor one whose last write is unfinished (only the writer can finish it).

    Raises:
        StoreNotFoundError: in either case, saying what to do.
    """
    journal = directory / JOURNAL_DIR
    if journal.is_dir() and any(journal.iterdir()):
        raise StoreNotFoundError(
            f"{directory} has an unfinished write (in {JOURNAL_DIR}/); start `sousei-kg serve "
            "--store DIR --write-token …` once to finish it"
        )
    lock = directory / WRITER_LOCK
    if not lock.is_file():
        return
    with lock.open("rb") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StoreNotFoundError(
                f"{directory} is open for writing by a running server; read it through that "
                "server (or `sousei-kg backup`)"
            ) from None
        fcntl.flock(handle, fcntl.LOCK_UN)


def open_writable(directory: Path) -> Store:
    """Open a built store read-write: only the writer does this, holding ``writer.lock``.

    Raises:
        StoreNotFoundError: if the directory is not a built store or cannot be opened.
    """
    read_manifest(directory)
    path = directory / OXIGRAPH_DIR
    if not path.is_dir():
        raise StoreNotFoundError(f"{directory}: no {OXIGRAPH_DIR}/ folder; run `sousei-kg build`")
    try:
        return Store(str(path))
    except OSError as error:
        raise StoreNotFoundError(f"{path}: cannot open the store for writing ({error})") from error


def open_snapshot(path: Path) -> Store:
    """Open a checkpoint made by :func:`Store.backup` read-only (nobody writes a checkpoint, so
    several processes may open it at once, unlike a store that is being written).

    Raises:
        StoreNotFoundError: if the folder is not a store.
    """
    try:
        return Store.read_only(str(path))
    except OSError as error:
        raise StoreNotFoundError(f"{path}: cannot open the snapshot ({error})") from error


def copy_store(store: Store) -> Store:
    """An in-memory copy of every quad (blank-node identifiers kept), and every named graph,
    even an empty one."""
    copy = Store()
    copy.extend(store)
    for graph in store.named_graphs():
        copy.add_graph(graph)
    return copy


def run_update(store: Store, update: str, base_iri: str | None = None) -> None:
    """Apply a SPARQL 1.1 Update (one transaction), on a large stack: a deep expression in an
    update would otherwise overflow the engine's recursion and take the server down.

    Raises:
        QuerySyntaxError: if the update does not parse.
        OSError: if the store cannot be written.
    """
    try:
        run_on_large_stack(lambda: store.update(update, base_iri=base_iri))
    except SyntaxError as error:
        raise _query_syntax_error(error) from error


def has_named_graph(store: ReadableStore, iri: str) -> bool:
    """Whether the store has the named graph (possibly empty)."""
    return bool(store.contains_named_graph(NamedNode(iri)))


def graph_triples(store: ReadableStore, iri: str | None) -> list[Triple]:
    """The triples of one graph: a named graph, or the default graph for ``None``."""
    graph = DefaultGraph() if iri is None else NamedNode(iri)
    return [quad.triple for quad in store.quads_for_pattern(None, None, None, graph)]


def _graph(iri: str | None) -> NamedNode | DefaultGraph:
    return DefaultGraph() if iri is None else NamedNode(iri)


def merge_graph(store: Store, iri: str | None, triples: Sequence[Triple]) -> bool:
    """Add triples to a graph (``None``: the default graph). Returns whether it created the
    named graph."""
    graph = _graph(iri)
    created = isinstance(graph, NamedNode) and not store.contains_named_graph(graph)
    if isinstance(graph, NamedNode):
        store.add_graph(graph)
    store.extend(Quad(t.subject, t.predicate, t.object, graph) for t in triples)
    return created


def replace_graph(store: Store, iri: str | None, triples: Sequence[Triple]) -> bool:
    """Make a graph hold exactly ``triples``. Returns whether it created the named graph."""
    store.clear_graph(_graph(iri))
    return merge_graph(store, iri, triples)


def drop_graph(store: Store, iri: str | None) -> bool:
    """Remove a named graph (``None``: empty the default graph). Returns whether it existed."""
    graph = _graph(iri)
    if isinstance(graph, NamedNode) and not store.contains_named_graph(graph):
        return False
    store.remove_graph(graph)
    return True


def write_manifest(directory: Path, manifest: Manifest) -> None:
    """Replace ``DIR/manifest.json`` atomically, flushed to disk."""
    tmp = directory / (MANIFEST_FILE + ".tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        handle.write(json.dumps(asdict(manifest), indent=2) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    tmp.replace(directory / MANIFEST_FILE)


def load_file(store: Store, file: ShippedFile) -> None:
    """Bulk-load one RDF file into its named graph.

    Raises:
        DataFileError: if the file does not parse.
    """
    try:
        store.bulk_load(
            path=file.path,
            format=RdfFormat.from_media_type(file.format),
            to_graph=NamedNode(file.graph),
        )
    except SyntaxError as error:
        message = error.msg or str(error)
        line = error.lineno
        if line is None and (match := _LINE.search(message)):
            line = int(match.group(1))
        raise DataFileError(file.path, line, _PARSER_POSITION.sub("", message)) from error


def load_shipped(store: Store, root: Path | None = None) -> list[ShippedFile]:
    """Load every shipped ontology, shapes and data file into its named graph.

    Args:
        store: the store to load into.
        root: a directory holding ``ontology/``, ``shapes/`` and ``data/``, instead of the
            shipped ones.
        files: exactly these files, each into its graph, instead of a resources tree (used to
            serve other data, such as the W3C protocol tests' graphs).

    Returns:
        The files loaded.

    Raises:
        DataFileError: if a file does not parse.
        ResourceNotFoundError: if a folder is missing.
        InvalidFileNameError: if a data file name gives no valid graph.
    """
    files = shipped_files(root)
    for file in files:
        load_file(store, file)
    return files


def quad_count(store: ReadableStore) -> int:
    """Return the number of quads in the store."""
    return len(store)


def graph_counts(store: ReadableStore) -> dict[str, int]:
    """Return the number of quads per graph IRI, ``"default"`` for the default graph."""
    if isinstance(store, RemoteStore):
        return store.graph_counts()  # counted by the engine, not by fetching every quad
    counts: Counter[str] = Counter()
    for quad in store:
        graph = quad.graph_name
        counts[DEFAULT_GRAPH_KEY if isinstance(graph, DefaultGraph) else graph.value] += 1
    return dict(sorted(counts.items()))


def version_hash(store: ReadableStore) -> str:
    """Return a content hash of the store that does not depend on load order or blank-node labels.

    The quads of :func:`all_quads` (RDFC-1.0 blank-node labels) are written as N-Quads lines by
    pyoxigraph, and the SHA-256 is taken over the sorted lines.

    Returns:
        The hex digest.
    """
    nquads = serialize(all_quads(store), format=RdfFormat.N_QUADS) or b""
    digest = hashlib.sha256()
    for line in sorted(nquads.decode("utf-8").splitlines()):
        digest.update(line.encode("utf-8") + b"\n")
    return digest.hexdigest()


def all_quads(store: ReadableStore) -> list[Quad]:
    """Return every quad of the store, in one canonical order.

    Blank nodes get their RDFC-1.0 labels and the quads are sorted, so the same data gives the same
    dumps byte for byte on every replica and backend (a remote engine returns quads in its own
    order, and blank-node labels differ per load); the dumps' ETags and sizes agree with them.
    Canonicalising holds the whole dataset in memory: use it for what is published, not for counts.
    """
    dataset = Dataset(store)
    dataset.canonicalize(CanonicalizationAlgorithm.RDFC_1_0)
    return sorted(dataset, key=str)


def union_triples(
    store: ReadableStore, exclude_graphs: frozenset[str] = frozenset(), *, canonical: bool = False
) -> list[Triple]:
    """Return the union graph: every quad's triple, deduplicated, in first-seen order.

    Args:
        store: the store.
        exclude_graphs: IRIs of named graphs whose quads are left out.
        canonical: in the canonical order of :func:`all_quads` (for dumps, which must be the same
            on every replica); counting and validating need no order and skip that cost.
    """
    seen: dict[Triple, None] = {}
    for quad in all_quads(store) if canonical else store:
        graph = quad.graph_name
        if isinstance(graph, NamedNode) and graph.value in exclude_graphs:
            continue
        seen.setdefault(quad.triple, None)
    return list(seen)


def run_query(
    store: ReadableStore, query: str, params: Mapping[str, Term] | None = None
) -> QueryResult:
    """Run a SPARQL query over the union of all graphs.

    Args:
        store: the store.
        query: the SPARQL text, used as is.
        params: values bound to variables of the query (SPARQL substitutions, never text).

    Returns:
        The solutions, the boolean or the triples.

    Raises:
        QuerySyntaxError: if the query does not parse.
        QueryParameterError: if a parameter is not a variable the query can bind.
    """
    substitutions: dict[Variable, NamedNode | BlankNode | Literal | Triple] = {}
    for name, term in (params or {}).items():
        try:
            substitutions[Variable(name)] = term
        except ValueError as error:
            raise QueryParameterError(f"{name!r} is not a valid variable name") from error
    try:
        return store.query(query, use_default_graph_as_union=True, substitutions=substitutions)
    except SyntaxError as error:
        raise _query_syntax_error(error) from error
    except RuntimeError as error:
        # pyoxigraph refuses substitutions of variables that the query does not project.
        match = _UNPROJECTED.search(str(error))
        if substitutions and match:
            raise QueryParameterError(
                f"parameter {match.group(1)} is not a variable the query selects"
            ) from error
        raise


def run_protocol_query(
    store: ReadableStore,
    query: str,
    *,
    default_graphs: Sequence[str] | None = None,
    named_graphs: Sequence[str] | None = None,
    union_default_graph: bool = True,
    base_iri: str | None = None,
    substitutions: Mapping[Variable, NamedNode | BlankNode | Literal | Triple] | None = None,
) -> QueryResult:
    """Run a query received through the SPARQL Protocol, over the dataset it asks for.

    Graph IRIs name graphs of this store only: nothing is ever fetched, and a graph the store
    does not hold is empty. When the request names a dataset (either list given), it replaces the
    query's FROM/FROM NAMED, as the protocol requires: the default graph is the merge of
    ``default_graphs`` (empty if none) and the named graphs are exactly ``named_graphs``.

    Args:
        store: the store.
        query: the SPARQL text, used as is.
        default_graphs: ``default-graph-uri`` values, or ``None``.
        named_graphs: ``named-graph-uri`` values, or ``None``.
        union_default_graph: without a protocol dataset, whether the default graph is the union
            of all graphs; pass ``False`` when the query has FROM/FROM NAMED, which pyoxigraph's
            union mode would otherwise override.
        base_iri: the IRI relative IRIs in the query resolve against (the endpoint's URL).
        substitutions: values bound to variables before evaluation (never pasted as text).

    Returns:
        The solutions, the boolean or the triples.

    Raises:
        QuerySyntaxError: if the query does not parse.
        ValueError: if a graph IRI or the base IRI is not an absolute IRI.
        RuntimeError: if a substitution names a variable the query does not project.
    """
    bindings = dict(substitutions) if substitutions else None
    try:
        if default_graphs is None and named_graphs is None:
            return store.query(
                query,
                base_iri=base_iri,
                use_default_graph_as_union=union_default_graph,
                substitutions=bindings,
            )
        return store.query(
            query,
            base_iri=base_iri,
            default_graph=[NamedNode(iri) for iri in default_graphs or ()],
            named_graphs=[NamedNode(iri) for iri in named_graphs or ()],
            substitutions=bindings,
        )
    except SyntaxError as error:
        raise _query_syntax_error(error) from error


def _query_syntax_error(error: SyntaxError) -> QuerySyntaxError:
    """pyoxigraph's query SyntaxError ("error at L:C: …") as a QuerySyntaxError."""
    message = str(error)
    match = _QUERY_POSITION.match(message)
    if match is None:
        return QuerySyntaxError(None, None, message)
    line, column = int(match.group(1)), int(match.group(2))
    return QuerySyntaxError(line, column, message[match.end() :])


def read_manifest(directory: Path) -> Manifest:
    """Read ``DIR/manifest.json``.

    Raises:
        StoreNotFoundError: if the directory or its manifest is missing or unreadable.
    """
    if not directory.is_dir():
        raise StoreNotFoundError(f"store directory {directory} does not exist")
    path = directory / MANIFEST_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Manifest(
            version_hash=str(data["version_hash"]),
            quad_count=int(data["quad_count"]),
            graphs={str(k): int(v) for k, v in data["graphs"].items()},
            built_at=str(data["built_at"]),
            software_version=str(data["software_version"]),
        )
    except FileNotFoundError as error:
        raise StoreNotFoundError(
            f"{directory} is not a sousei-kg store (no {MANIFEST_FILE}); run `sousei-kg build`"
        ) from error
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise StoreNotFoundError(f"{path}: unreadable manifest ({error})") from error


def _manifest_for(store: Store) -> Manifest:
    return Manifest(
        version_hash=version_hash(store),
        quad_count=quad_count(store),
        graphs=graph_counts(store),
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        software_version=__version__,
    )


def build_store(
    directory: Path, root: Path | None = None, files: list[ShippedFile] | None = None
) -> Manifest:
    """Build a persistent store from the shipped files, replacing any store already there.

    The store is built in ``DIR/.oxigraph-building`` and moved to ``DIR/oxigraph`` only once all
    files loaded; the manifest is written last.

    Args:
        directory: the store directory; created if missing.
        root: a directory holding ``ontology/``, ``shapes/`` and ``data/``, instead of the
            shipped ones.

    Returns:
        The manifest written to ``DIR/manifest.json``.

    Raises:
        StoreExistsError: if the directory exists, is not empty and is not a sousei-kg store.
        DataFileError: if a file does not parse (the previous store, if any, is kept).
    """
    if directory.exists():
        if not directory.is_dir():
            raise StoreExistsError(f"{directory} exists and is not a directory")
        is_store = (directory / MANIFEST_FILE).is_file() or (directory / OXIGRAPH_DIR).is_dir()
        if any(directory.iterdir()) and not is_store:
            raise StoreExistsError(
                f"{directory} is not empty and is not a sousei-kg store; refusing to overwrite it"
            )
    directory.mkdir(parents=True, exist_ok=True)
    building = directory / _BUILDING_DIR
    shutil.rmtree(building, ignore_errors=True)
    try:
        store = Store(str(building))
        if files is None:
            load_shipped(store, root)
        else:
            for file in files:
                load_file(store, file)
        store.flush()
        manifest = _manifest_for(store)
        del store  # closes the RocksDB instance before its folder moves
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    target, old = directory / OXIGRAPH_DIR, directory / _OLD_DIR
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    building.rename(target)
    shutil.rmtree(old, ignore_errors=True)
    manifest_tmp = directory / (MANIFEST_FILE + ".tmp")
    manifest_tmp.write_text(json.dumps(asdict(manifest), indent=2) + "\n", encoding="utf-8")
    manifest_tmp.replace(directory / MANIFEST_FILE)
    return manifest
