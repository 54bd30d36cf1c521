"""The named-query catalogue: ``queries/*.rq`` files whose ``#+`` YAML header declares them.

A header (``queries/README.md`` gives the grammar) says what a query answers and which of its
variables a caller may bind, with a type. This module parses headers into frozen dataclasses and
casts request values into RDF terms, so the server and the CLI bind values the same way: through
pyoxigraph's ``substitutions``, never by editing the SPARQL text.

Each file is also executed once on an empty store when the catalogue loads: that proves it parses,
that it is a SELECT, and, from the variables the engine reports, that every parameter is a
projected variable (pyoxigraph refuses to substitute any other). A bad file fails at start-up, not
on a user's request.
"""

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pyoxigraph import QuerySolutions

from sousei_kg.dataset.resources import resource_dir
from sousei_kg.errors import QueryParameterError, QuerySyntaxError, SouseiError
from sousei_kg.named_queries.parameters import (
    BASE_TYPES,
    PARAM_NAME,
    RESERVED_PARAMS,
    XSD_CHECKS,
    ParameterError,
    QueryParam,
    ShortKeyResolver,
)
from sousei_kg.store.directory import open_store
from sousei_kg.store.query import run_query
from sousei_kg.store.readable import Term

NAME = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
"""Query names: kebab-case, the file stem (``list-measures-for-kpi``)."""
HEADER_KEYS = frozenset({"summary", "description", "tags", "params", "returns", "path"})
PARAM_KEYS = frozenset({"type", "required", "default", "example", "description", "enum"})


class CatalogError(SouseiError):
    """A query file has a bad header or a parameter the engine cannot bind (found at load time)."""


@dataclass(frozen=True)
class NamedQuery:
    """A ``queries/*.rq`` file and what its header declares.

    Attributes:
        name: the file stem, kebab-case; the URL is ``/queries/{name}``.
        summary: one line.
        description: longer text (may be empty).
        tags: grouping for the API documentation.
        params: the bindable variables, in header order.
        text: the whole file, run unchanged (the header is SPARQL comments).
        path: the file.
        variables: the projected variables, in the order the engine reports them.
        returns: the columns the header promises (``variables`` if not declared).
        path_columns: columns that form a hop-by-hop path, drawn as one in HTML (``path:``).
    """

    name: str
    summary: str
    description: str
    tags: tuple[str, ...]
    params: tuple[QueryParam, ...]
    text: str
    path: Path
    variables: tuple[str, ...] = ()
    returns: tuple[str, ...] = ()
    path_columns: tuple[str, ...] = ()

    def param(self, name: str) -> QueryParam | None:
        """The declared parameter called ``name``, if any."""
        return next((p for p in self.params if p.name == name), None)

    def bind(
        self, values: Mapping[str, Sequence[str]], resolve: ShortKeyResolver | None = None
    ) -> dict[str, Term]:
        """Cast request values into substitutions; defaults fill in omitted parameters.

        Args:
            values: request parameter name → the values given (reserved names excluded).
            resolve: turns a short key given for an IRI (``goal-2-kpi``) into its IRI.

        Returns:
            Variable name → term, for every given or defaulted parameter.

        Raises:
            ParameterError: for undeclared, repeated, missing required or ill-typed parameters.
        """
        unknown = sorted(set(values) - {p.name for p in self.params})
        if unknown:
            declared = ", ".join(p.name for p in self.params) or "none"
            raise ParameterError(
                ", ".join(unknown),
                f"undeclared parameter(s) {', '.join(unknown)} for query {self.name}; "
                f"declared: {declared}",
            )
        bindings: dict[str, Term] = {}
        for param in self.params:
            given = values.get(param.name, ())
            if len(given) > 1:
                raise ParameterError(param.name, f"parameter {param.name} is given more than once")
            if given:
                bindings[param.name] = param.cast(given[0], resolve)
            elif param.default is not None:
                bindings[param.name] = param.cast(param.default)
            elif param.required:
                raise ParameterError(
                    param.name, f"missing required parameter {param.name} ({param.type_hint})"
                )
        return bindings


def parse_header(text: str) -> dict[str, Any]:
    """Read the leading ``#+`` lines of a query file as one YAML mapping.

    Raises:
        CatalogError: if there is no header or it is not a YAML mapping.
    """
    lines: list[str] = []
    for line in text.splitlines():
        if not line.startswith("#+"):
            break
        lines.append(line[3:] if line.startswith("#+ ") else line[2:])
    if not lines:
        raise CatalogError("no '#+' header at the top of the file")
    try:
        header = yaml.safe_load("\n".join(lines))
    except yaml.YAMLError as error:
        raise CatalogError(f"header is not valid YAML: {error}") from error
    if not isinstance(header, dict):
        raise CatalogError("header is not a YAML mapping")
    return header


def _param(name: object, spec: object) -> QueryParam:
    if not isinstance(name, str) or not PARAM_NAME.fullmatch(name):
        raise CatalogError(f"parameter name {name!r} is not a SPARQL variable name")
    if name in RESERVED_PARAMS:
        raise CatalogError(f"parameter name {name!r} is reserved by the server")
    if not isinstance(spec, dict):
        raise CatalogError(f"parameter {name}: expected a mapping with at least 'type'")
    extra = set(spec) - PARAM_KEYS
    if extra:
        raise CatalogError(f"parameter {name}: unknown key(s) {', '.join(sorted(extra))}")
    kind = spec.get("type")
    if not isinstance(kind, str) or not (
        kind in BASE_TYPES or (kind.startswith("xsd:") and kind.removeprefix("xsd:") in XSD_CHECKS)
    ):
        allowed = ", ".join((*BASE_TYPES, *(f"xsd:{d}" for d in XSD_CHECKS)))
        raise CatalogError(f"parameter {name}: type {kind!r} is not one of {allowed}")

    def text(key: str) -> str | None:
        value = spec.get(key)
        if value is None:
            return None
        return str(value).lower() if isinstance(value, bool) else str(value)

    enum = spec.get("enum") or []
    if not isinstance(enum, list):
        raise CatalogError(f"parameter {name}: enum must be a list")
    param = QueryParam(
        name=name,
        type=kind,
        required=bool(spec.get("required", False)),
        default=text("default"),
        example=text("example"),
        description=text("description") or "",
        enum=tuple(str(v).lower() if isinstance(v, bool) else str(v) for v in enum),
    )
    if param.example is None:
        raise CatalogError(f"parameter {name}: an example is required")
    for value in (param.example, param.default):
        if value is not None:
            try:
                param.cast(value)
            except ParameterError as error:
                raise CatalogError(f"header value does not fit its type: {error}") from error
    return param


def _strings(header: dict[str, Any], key: str) -> tuple[str, ...]:
    value = header.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CatalogError(f"{key} must be a list of strings")
    return tuple(value)


def load_query(path: Path) -> NamedQuery:
    """Parse and check one query file.

    Raises:
        CatalogError: if the name, the header, the SPARQL or a parameter is wrong; the message
            starts with the file path.
    """
    try:
        return _load_query(path)
    except CatalogError as error:
        raise CatalogError(f"{path}: {error}") from error


def _load_query(path: Path) -> NamedQuery:
    name = path.stem
    if not NAME.fullmatch(name):
        raise CatalogError(f"query name {name!r} is not kebab-case")
    text = path.read_text(encoding="utf-8")
    header = parse_header(text)
    extra = set(header) - HEADER_KEYS
    if extra:
        raise CatalogError(f"unknown header key(s) {', '.join(sorted(extra))}")
    summary = header.get("summary")
    if not isinstance(summary, str) or not summary.strip():
        raise CatalogError("summary is required")
    raw_params = header.get("params")
    if "params" not in header or not isinstance(raw_params, dict | None):
        raise CatalogError("params is required (a mapping; '{}' for none)")
    params = tuple(_param(k, v) for k, v in (raw_params or {}).items())
    variables = _projected_variables(text, params)
    unprojected = [p.name for p in params if p.name not in variables]
    if unprojected:
        raise CatalogError(
            f"parameter(s) {', '.join(unprojected)} are not projected by the SELECT; "
            "pyoxigraph only substitutes projected variables"
        )
    returns = _strings(header, "returns") or variables
    path_columns = _strings(header, "path")
    missing = [v for v in (*returns, *path_columns) if v not in variables]
    if missing:
        raise CatalogError(f"returns/path name(s) the query does not select: {', '.join(missing)}")
    return NamedQuery(
        name=name,
        summary=summary.strip(),
        description=str(header.get("description") or "").strip(),
        tags=_strings(header, "tags"),
        params=params,
        text=text,
        path=path,
        variables=variables,
        returns=returns,
        path_columns=path_columns,
    )


def _projected_variables(text: str, params: tuple[QueryParam, ...]) -> tuple[str, ...]:
    """Run the query on an empty store, every parameter bound to its example, and return the
    projected variables: the engine itself decides what parses and what can be substituted."""
    bindings = {p.name: p.cast(p.example) for p in params if p.example is not None}
    try:
        result = run_query(open_store(None), text, bindings)
    except QuerySyntaxError as error:
        raise CatalogError(str(error)) from error
    except QueryParameterError as error:
        raise CatalogError(f"{error}; pyoxigraph only substitutes projected variables") from error
    if not isinstance(result, QuerySolutions):
        raise CatalogError("only SELECT queries can be named queries")
    return tuple(v.value for v in result.variables)


@dataclass(frozen=True)
class Catalog:
    """The named queries of one ``queries/`` folder, by name, in name order."""

    queries: tuple[NamedQuery, ...]

    def __iter__(self) -> Iterator[NamedQuery]:
        return iter(self.queries)

    def __len__(self) -> int:
        return len(self.queries)

    def get(self, name: str) -> NamedQuery | None:
        """The query called ``name``, if any."""
        return next((q for q in self.queries if q.name == name), None)

    @property
    def names(self) -> tuple[str, ...]:
        """Every query name, sorted."""
        return tuple(q.name for q in self.queries)


def load_catalog(directory: Path) -> Catalog:
    """Load every ``*.rq`` directly in ``directory`` (``checks/`` are tests, not API).

    Raises:
        CatalogError: if any file is bad (the first one found, in name order).
    """
    return Catalog(tuple(load_query(p) for p in sorted(directory.glob("*.rq"))))


@lru_cache(maxsize=8)
def catalog_for(root: Path | None) -> Catalog:
    """The catalogue of the shipped ``queries/`` (or ``root/queries``), loaded once per folder.

    Raises:
        CatalogError: if a file is bad.
        ResourceNotFoundError: if there is no ``queries/`` folder.
    """
    return load_catalog(resource_dir("queries", root))
