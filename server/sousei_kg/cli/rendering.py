"""How ``sousei-kg query`` prints an answer: an aligned table for people, or the SPARQL results
formats for programs."""

import unicodedata
from typing import Literal, get_args

from pyoxigraph import (
    BlankNode,
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    Triple,
    serialize,
)
from pyoxigraph import Literal as OxLiteral

from sousei_kg.namespaces import PREFIXES
from sousei_kg.store.readable import QueryResult

OutputFormat = Literal["table", "csv", "json"]


OUTPUT_FORMATS: tuple[str, ...] = get_args(OutputFormat)


def render_result(result: QueryResult, fmt: OutputFormat) -> str:
    """Write a query result as text.

    SELECT results follow ``fmt`` (``table``: aligned columns with prefixed IRIs; ``csv`` and
    ``json``: the SPARQL 1.1 results formats). ASK gives ``true``/``false`` (``json``: the SPARQL
    JSON boolean). CONSTRUCT and DESCRIBE results are always Turtle.
    """
    if isinstance(result, QuerySolutions):
        if fmt == "table":
            return _table(result)
        results_format = QueryResultsFormat.CSV if fmt == "csv" else QueryResultsFormat.JSON
        text = _bytes(result.serialize(format=results_format)).decode("utf-8")
        return text if text.endswith("\n") else text + "\n"
    if isinstance(result, QueryBoolean):
        if fmt == "json":
            return _bytes(result.serialize(format=QueryResultsFormat.JSON)).decode("utf-8") + "\n"
        return ("true" if bool(result) else "false") + "\n"
    triples: list[Triple] = list(result)
    return _bytes(serialize(triples, format=RdfFormat.TURTLE, prefixes=PREFIXES)).decode("utf-8")


def _cell(term: object) -> str:
    if term is None:
        return ""
    if isinstance(term, NamedNode):
        for prefix, namespace in PREFIXES.items():
            local = term.value.removeprefix(namespace)
            if local != term.value and local and "/" not in local and "#" not in local:
                return f"{prefix}:{local}"
        return term.value
    if isinstance(term, OxLiteral):
        return term.value if term.language is None else f"{term.value}@{term.language}"
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    return str(term)


def _width(text: str) -> int:
    """Display width in a terminal: East Asian wide and fullwidth characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _table(solutions: QuerySolutions) -> str:
    header = [v.value for v in solutions.variables]
    rows = [[_cell(solution[name]) for name in header] for solution in solutions]
    widths = [max([_width(h)] + [_width(r[i]) for r in rows]) for i, h in enumerate(header)]

    def line(cells: list[str]) -> str:
        padded = (c + " " * (w - _width(c)) for c, w in zip(cells, widths, strict=True))
        return "  ".join(padded).rstrip()

    out = [line(header), line(["-" * w for w in widths])]
    out.extend(line(r) for r in rows)
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"


def _bytes(data: bytes | None) -> bytes:
    return data if data is not None else b""
