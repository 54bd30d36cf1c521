"""Project errors: user-facing problems the CLI reports in one line (exit code 2)."""

from pathlib import Path
from typing import Literal


class SouseiError(Exception):
    """Base class for problems caused by the input (files, paths, queries), not by a bug."""


class ResourceNotFoundError(SouseiError):
    """A folder of shipped files (ontology/, shapes/, data/, queries/) cannot be found."""


class StoreNotFoundError(SouseiError):
    """A store directory is missing or was not made by ``sousei-kg build``."""


class StoreExistsError(SouseiError):
    """A build target exists but is not a sousei-kg store, so it is not overwritten."""


class InvalidFileNameError(SouseiError, ValueError):
    """A shipped file's name does not give a valid named graph (docs/model.md)."""


class QueryParameterError(SouseiError):
    """A query parameter is malformed or names no variable of the query."""


class UpdateNotApplicableError(SouseiError):
    """A SPARQL Update that parses but cannot be applied to this store.

    Args:
        reason: ``graph-exists`` (CREATE of a graph that exists), ``missing-graph`` (DROP, CLEAR,
            MOVE… of one that does not), or ``not-applicable`` (anything else the engine says).
        message: what the engine said, for the client.
    """

    def __init__(
        self, reason: Literal["graph-exists", "missing-graph", "not-applicable"], message: str
    ) -> None:
        self.reason: Literal["graph-exists", "missing-graph", "not-applicable"] = reason
        super().__init__(message)


class DataFileError(SouseiError):
    """An RDF file cannot be parsed.

    Args:
        path: the file.
        line: the 1-based line of the error, when the parser reports one.
        message: the parser's description of the problem.
    """

    def __init__(self, path: Path, line: int | None, message: str) -> None:
        self.path = path
        self.line = line
        self.message = message
        where = f"{path}, line {line}" if line is not None else str(path)
        super().__init__(f"syntax error in {where}: {message}")


class QuerySyntaxError(SouseiError):
    """A SPARQL query cannot be parsed.

    Args:
        line: the 1-based line of the error, when known.
        column: the 1-based column, when known. Both are pyoxigraph's: the place its parser
            stopped, which can lie just past the mistake.
        message: the parser's description of the problem.
    """

    def __init__(self, line: int | None, column: int | None, message: str) -> None:
        self.line = line
        self.column = column
        self.message = message
        where = f" at line {line}, column {column}" if line is not None else ""
        super().__init__(f"SPARQL syntax error{where}: {message}")
