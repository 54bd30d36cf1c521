"""Loading, hashing, building and querying the store."""

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad, QueryBoolean, QuerySolutions, Store

from sousei_kg.dataset.graph_naming import load_shipped, shipped_files
from sousei_kg.errors import (
    DataFileError,
    QueryParameterError,
    QuerySyntaxError,
    StoreExistsError,
    StoreNotFoundError,
)
from sousei_kg.namespaces import GRAPH, ID, ONTOLOGY_GRAPH, SHAPES_GRAPH, VOCAB
from sousei_kg.store.canonical import graph_counts, quad_count, union_triples, version_hash
from sousei_kg.store.directory import (
    MANIFEST_FILE,
    OXIGRAPH_DIR,
    build_store,
    open_store,
    read_manifest,
)
from sousei_kg.store.label_index import INDEX_FILE, index_version
from sousei_kg.store.large_stack import run_on_large_stack
from sousei_kg.store.loading import load_file
from sousei_kg.store.query import run_query

# Quads per graph in the conftest tree.
COUNTS = {
    GRAPH + "curation": 2,
    ONTOLOGY_GRAPH: 3,
    SHAPES_GRAPH: 11,
    GRAPH + "strategy-2025": 6,
}


def loaded(root: Path) -> Store:
    store = open_store(None)
    load_shipped(store, root)
    return store


def test_load_shipped_puts_each_file_in_its_graph(resources: Path) -> None:
    store = loaded(resources)
    assert graph_counts(store) == COUNTS
    assert quad_count(store) == sum(COUNTS.values())


def test_load_syntax_error_names_file_and_line(broken_resources: Path) -> None:
    with pytest.raises(DataFileError) as caught:
        loaded(broken_resources)
    error = caught.value
    assert error.path == broken_resources / "data" / "meta.ttl"
    assert error.line == 4
    assert "meta.ttl, line 4" in str(error)
    assert "Parser error" not in error.message


def test_version_hash_ignores_blank_node_labels_and_load_order(resources: Path) -> None:
    first, second = loaded(resources), open_store(None)
    for file in reversed(shipped_files(resources)):
        load_file(second, file)
    # Blank nodes get fresh labels on every load, so the raw N-Quads differ...
    assert {str(q) for q in first} != {str(q) for q in second}
    # ...but the hash is taken over the canonical form.
    assert version_hash(first) == version_hash(second)
    assert len(version_hash(first)) == 64


def test_version_hash_changes_with_content(resources: Path) -> None:
    store = loaded(resources)
    before = version_hash(store)
    store.add(Quad(NamedNode(ID + "measure/z"), NamedNode(VOCAB + "p"), Literal("z")))
    assert version_hash(store) != before


def test_union_triples_deduplicates_across_graphs(resources: Path) -> None:
    store = loaded(resources)
    triples = union_triples(store)
    # measure/a's rdf:type is stated in both strategy-2025 and curation.
    assert len(triples) == quad_count(store) - 1
    assert len(set(triples)) == len(triples)
    without_shapes = union_triples(store, exclude_graphs=frozenset({SHAPES_GRAPH}))
    assert len(without_shapes) == len(triples) - COUNTS[SHAPES_GRAPH]


def test_build_store_writes_manifest(resources: Path, tmp_path: Path) -> None:
    directory = tmp_path / "store"
    manifest = build_store(directory, shipped_files(resources))
    assert (directory / OXIGRAPH_DIR).is_dir()
    on_disk = json.loads((directory / MANIFEST_FILE).read_text(encoding="utf-8"))
    assert on_disk["version_hash"] == manifest.version_hash
    assert on_disk["quad_count"] == sum(COUNTS.values())
    assert on_disk["graphs"] == COUNTS
    assert {"built_at", "software_version"} <= on_disk.keys()
    assert read_manifest(directory) == manifest
    store = open_store(directory)
    assert quad_count(store) == manifest.quad_count
    assert version_hash(store) == manifest.version_hash


def test_version_hash_stable_across_builds(resources: Path, tmp_path: Path) -> None:
    first = build_store(tmp_path / "one", shipped_files(resources))
    second = build_store(tmp_path / "two", shipped_files(resources))
    assert first.version_hash == second.version_hash


def test_rebuild_replaces_and_failed_build_keeps_previous(resources: Path, tmp_path: Path) -> None:
    directory = tmp_path / "store"
    build_store(directory, shipped_files(resources))
    (resources / "data" / "curation--organisations.ttl").unlink()
    rebuilt = build_store(directory, shipped_files(resources))
    assert rebuilt.quad_count == sum(COUNTS.values()) - COUNTS[GRAPH + "curation"]
    (resources / "data" / "meta.ttl").write_text("<urn:x:a> <urn:x:b> .\n", encoding="utf-8")
    with pytest.raises(DataFileError):
        build_store(directory, shipped_files(resources))
    assert read_manifest(directory) == rebuilt
    assert quad_count(open_store(directory)) == rebuilt.quad_count
    assert sorted(p.name for p in directory.iterdir()) == [INDEX_FILE, MANIFEST_FILE, OXIGRAPH_DIR]
    assert index_version(directory) == rebuilt.version_hash  # the label index is the rebuilt one


def test_build_refuses_a_foreign_directory(resources: Path, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(StoreExistsError):
        build_store(tmp_path, shipped_files(resources))
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_open_store_missing(tmp_path: Path) -> None:
    with pytest.raises(StoreNotFoundError, match="does not exist"):
        open_store(tmp_path / "nope")
    with pytest.raises(StoreNotFoundError, match=r"no manifest\.json"):
        open_store(tmp_path)


def test_run_query_binds_substitutions(resources: Path) -> None:
    store = loaded(resources)
    query = "SELECT ?m ?label WHERE { ?m <http://www.w3.org/2000/01/rdf-schema#label> ?label }"
    result = run_query(store, query, {"m": NamedNode(ID + "measure/b")})
    assert isinstance(result, QuerySolutions)
    assert [s["label"] for s in result] == [Literal("施策B", language="ja")]
    ask = run_query(store, "ASK { ?s ?p ?label }", {"label": Literal("nothing")})
    assert isinstance(ask, QueryBoolean)
    assert not bool(ask)


def test_run_query_sees_all_graphs(resources: Path) -> None:
    result = run_query(loaded(resources), "SELECT ?o WHERE { ?s ?p ?o }")
    assert isinstance(result, QuerySolutions)
    assert len(list(result)) == quad_count(loaded(resources))


def test_run_query_syntax_error_position() -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        run_query(open_store(None), "SELECT * WHERE {\n  ?s ?p\n}")
    # The position is pyoxigraph's: just past the token where parsing stopped.
    assert (caught.value.line, caught.value.column) == (3, 2)
    assert "line 3, column 2" in str(caught.value)


def test_run_query_rejects_unselected_parameter() -> None:
    with pytest.raises(QueryParameterError, match="parameter x "):
        run_query(open_store(None), "SELECT ?s WHERE { ?s ?p ?o }", {"x": Literal("1")})


def test_shipped_files_load() -> None:
    """The real ontology/, shapes/ and data/ parse and fill the expected graphs."""
    store = open_store(None)
    load_shipped(store)
    counts = graph_counts(store)
    assert counts.get(ONTOLOGY_GRAPH, 0) > 0
    assert counts.get(SHAPES_GRAPH, 0) > 0
    assert any(g.startswith(GRAPH) and g not in (ONTOLOGY_GRAPH, SHAPES_GRAPH) for g in counts)


def test_a_deep_update_does_not_overflow_the_engine() -> None:
    """A flat chain of 20,000 negations nests as deep as it is long in pyoxigraph's recursive
    parser; on the default stack it kills the process (exit 139). Run in a child process so that
    a regression fails this test instead of the whole run."""
    program = (
        "from pyoxigraph import Store\n"
        "from sousei_kg.store.query import run_update\n"
        "run_update(Store(), 'DELETE { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(' + '!' * 20000 + "
        "'true) }')\n"
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, timeout=120)
    assert result.returncode == 0, result.stderr.decode()[-500:]


def test_engine_calls_on_the_large_stack_thread_run_in_place() -> None:
    """A query worker runs its whole loop on one large-stack thread: each query must not start
    another (that cost ~0.2 ms a query), and calls from other threads still get their own."""
    outer, inner = run_on_large_stack(
        lambda: (threading.get_ident(), run_on_large_stack(threading.get_ident))
    )
    assert outer == inner != threading.get_ident()
    assert run_on_large_stack(threading.get_ident) != threading.get_ident()


def test_free_memory_of_the_c_allocator_is_given_back() -> None:
    """What a large query freed stays in the process under glibc until malloc_trim: 200 MB in
    small blocks, freed below one block still in use (so free() cannot shrink the heap itself),
    must leave the resident set when release_free_memory is called. In a child process, so the
    test's own heap does not blur the figures."""
    program = """
import ctypes, ctypes.util
from sousei_kg.execution.heap import release_free_memory
libc = ctypes.CDLL(ctypes.util.find_library("c"))
libc.malloc.restype = ctypes.c_void_p
libc.free.argtypes = [ctypes.c_void_p]
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) // 1024
blocks = [libc.malloc(1024) for _ in range(200_000)]
for block in blocks:
    ctypes.memset(block, 1, 1024)
top = libc.malloc(1024)
for block in blocks:
    libc.free(block)
before = rss()
assert release_free_memory()
print(before, rss())
"""
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-500:]
    before, after = map(int, result.stdout.split())
    assert before - after > 100, (before, after)
