"""The rule that puts each shipped file into its named graph (docs/model.md), and loading them."""

import re
from pathlib import Path
from typing import Literal

from pyoxigraph import Store

from sousei_kg.dataset.resources import resource_dir
from sousei_kg.errors import InvalidFileNameError
from sousei_kg.namespaces import GRAPH, ONTOLOGY_GRAPH, SHAPES_GRAPH
from sousei_kg.store.loading import GraphFile, load_files

TURTLE = "text/turtle"

FileKind = Literal["ontology", "shapes", "data"]
FILE_KINDS: tuple[FileKind, ...] = ("ontology", "shapes", "data")

_GRAPH_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def graph_for(path: Path, kind: FileKind | None = None) -> str:
    """Return the named-graph IRI a file is loaded into.

    ``ontology/*`` → ``graph:ontology``, ``shapes/*`` → ``graph:shapes``, and
    ``data/<name>[--<part>].ttl`` → ``graph:<name>``.

    Args:
        path: the file.
        kind: which folder the file belongs to; by default the name of its parent folder.

    Returns:
        The graph IRI.

    Raises:
        InvalidFileNameError: if the kind cannot be told or a data graph name is not kebab-case.
    """
    folder = kind if kind is not None else path.parent.name
    if folder == "ontology":
        return ONTOLOGY_GRAPH
    if folder == "shapes":
        return SHAPES_GRAPH
    if folder != "data":
        raise InvalidFileNameError(
            f"{path}: not in ontology/, shapes/ or data/, so it has no graph"
        )
    name = path.name.split(".", 1)[0].split("--", 1)[0]
    if not _GRAPH_NAME.fullmatch(name):
        raise InvalidFileNameError(f"{path}: graph name {name!r} is not kebab-case (a-z, 0-9, '-')")
    return GRAPH + name


def shipped_files(root: Path | None = None) -> list[GraphFile]:
    """List the RDF files of ``ontology/``, ``shapes/`` and ``data/`` with their graphs.

    Args:
        root: a directory holding the three folders, instead of the shipped ones.

    Returns:
        Every ``*.ttl`` file (READMEs are not RDF and are skipped), sorted by folder then name.

    Raises:
        ResourceNotFoundError: if a folder is missing.
        InvalidFileNameError: if a data file name does not give a valid graph name.
    """
    files: list[GraphFile] = []
    for kind in FILE_KINDS:
        folder = resource_dir(kind, root)
        for path in sorted(folder.glob("*.ttl")):
            files.append(GraphFile(path=path, graph=graph_for(path, kind), format=TURTLE))
    return files


def dataset_graphs(root: Path | None = None) -> list[str]:
    """The named graphs the shipped files fill, sorted (what a remote engine is asked for)."""
    return sorted({file.graph for file in shipped_files(root)})


def load_shipped(store: Store, root: Path | None = None) -> list[GraphFile]:
    """Load every shipped ontology, shapes and data file into its named graph.

    Args:
        store: the store to load into.
        root: a directory holding ``ontology/``, ``shapes/`` and ``data/``, instead of the
            shipped ones.

    Returns:
        The files loaded.

    Raises:
        DataFileError: if a file does not parse.
        ResourceNotFoundError: if a folder is missing.
        InvalidFileNameError: if a data file name gives no valid graph.
    """
    files = shipped_files(root)
    load_files(store, files)
    return files
