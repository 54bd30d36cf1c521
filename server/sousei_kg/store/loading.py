"""Bulk-loading RDF files into named graphs of a store.

Which file goes into which graph is the dataset's rule (:mod:`sousei_kg.dataset.graph_naming`);
this module only loads what it is given and reports a parse error with its file and line.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import NamedNode, RdfFormat, Store

from sousei_kg.errors import DataFileError


@dataclass(frozen=True)
class GraphFile:
    """One RDF file and the named graph it is loaded into.

    Attributes:
        path: the file.
        graph: the IRI of its named graph.
        format: its media type.
    """

    path: Path
    graph: str
    format: str


_PARSER_POSITION = re.compile(r"^Parser error (?:at|between) .*?: ")
_LINE = re.compile(r"line (\d+)")


def load_file(store: Store, file: GraphFile) -> None:
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


def load_files(store: Store, files: Iterable[GraphFile]) -> None:
    """Load each file into its named graph, in order.

    Raises:
        DataFileError: if a file does not parse (the files before it stay loaded).
    """
    for file in files:
        load_file(store, file)
