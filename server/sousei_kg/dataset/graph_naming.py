"""Namespaces and the rule that puts each shipped file into its named graph (docs/model.md)."""

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sousei_kg.dataset.resources import resource_dir
from sousei_kg.errors import InvalidFileNameError

BASE = "https://w3id.org/sousei-kg/"
VOCAB = BASE + "def#"
ID = BASE + "id/"
GRAPH = BASE + "graph/"

ONTOLOGY_GRAPH = GRAPH + "ontology"
SHAPES_GRAPH = GRAPH + "shapes"

TURTLE = "text/turtle"

PREFIXES: dict[str, str] = {
    "sousei": VOCAB,
    "graph": GRAPH,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "sh": "http://www.w3.org/ns/shacl#",
}
"""Prefixes used when writing Turtle or TriG. ``id:`` is left out on purpose: resource IRIs have
slashes (``id:measure/…``), which Turtle would have to escape (``id:measure\\/…``)."""

FileKind = Literal["ontology", "shapes", "data"]
FILE_KINDS: tuple[FileKind, ...] = ("ontology", "shapes", "data")

_GRAPH_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@dataclass(frozen=True)
class ShippedFile:
    """One RDF file and the named graph it is loaded into.

    Attributes:
        path: the file.
        graph: the IRI of its named graph.
        format: its media type.
    """

    path: Path
    graph: str
    format: str


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


def shipped_files(root: Path | None = None) -> list[ShippedFile]:
    """List the RDF files of ``ontology/``, ``shapes/`` and ``data/`` with their graphs.

    Args:
        root: a directory holding the three folders, instead of the shipped ones.

    Returns:
        Every ``*.ttl`` file (READMEs are not RDF and are skipped), sorted by folder then name.

    Raises:
        ResourceNotFoundError: if a folder is missing.
        InvalidFileNameError: if a data file name does not give a valid graph name.
    """
    files: list[ShippedFile] = []
    for kind in FILE_KINDS:
        folder = resource_dir(kind, root)
        for path in sorted(folder.glob("*.ttl")):
            files.append(ShippedFile(path=path, graph=graph_for(path, kind), format=TURTLE))
    return files


def dataset_graphs(root: Path | None = None) -> list[str]:
    """The named graphs the shipped files fill, sorted (what a remote engine is asked for)."""
    return sorted({file.graph for file in shipped_files(root)})
