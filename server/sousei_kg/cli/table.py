"""A query answer as a table for people at a terminal.

Rows are drawn to fit the terminal's width (``COLUMNS``, or 100 columns when the output is not a
terminal): IRIs are written as compact prefixed names (``id:indicator/goal-2-kpi``,
``sousei:Measure``), language tags and the datatypes of plain numbers and booleans are left out,
and a long cell wraps within its column, its characters counted as the terminal counts them (a
kanji takes two); a cell wider than :data:`MAX_CELL_WIDTH` columns in all is cut with an ellipsis,
so one long description does not make a row a screen tall. rich draws the table; the programs'
formats (CSV, TSV, JSON, RDF) come from the engine untouched.
"""

import io
import shutil

from pyoxigraph import BlankNode, Literal, NamedNode, Triple
from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from sousei_kg.namespaces import KNOWN_PREFIXES

MAX_CELL_WIDTH = 160
"""Terminal columns a cell's text may take in all (wrapped over several lines) before it is cut."""
FALLBACK_WIDTH = 100
"""Columns when standard output is not a terminal and ``COLUMNS`` is not set."""
XSD = "http://www.w3.org/2001/XMLSchema#"
PLAIN_DATATYPES = frozenset(
    XSD + name for name in ("string", "integer", "decimal", "double", "boolean")
)
"""Datatypes a reader sees from the value itself; others are shown (``2025-06-13 (xsd:date)``)."""
# Longest namespace first: ``id:`` and ``graph:`` sit inside the base, whose prefix is none.
_BY_LENGTH = sorted(KNOWN_PREFIXES.items(), key=lambda item: -len(item[1]))


def compact(iri: str) -> str:
    """``iri`` as a prefixed name when a known namespace holds it, else as it is."""
    for prefix, namespace in _BY_LENGTH:
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri.removeprefix(namespace)}"
    return iri


Cell = NamedNode | BlankNode | Literal | Triple | None


def cell_text(term: Cell) -> str:
    """What a cell shows for ``term``."""
    if term is None:
        return ""
    if isinstance(term, NamedNode):
        return compact(term.value)
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    if isinstance(term, Literal):
        datatype = term.datatype.value
        if term.language or datatype in PLAIN_DATATYPES:
            return term.value
        return f"{term.value} ({compact(datatype)})"
    return f"<< {cell_text(term.subject)} {cell_text(term.predicate)} {cell_text(term.object)} >>"


def cut(text: str, limit: int = MAX_CELL_WIDTH) -> str:
    """``text`` cut to ``limit`` terminal columns, ending in an ellipsis when it was longer."""
    if cell_len(text) <= limit:
        return text
    kept, width = [], 0
    for char in text:
        width += cell_len(char)
        if width > limit - 1:
            break
        kept.append(char)
    return "".join(kept) + "…"


def terminal_width() -> int:
    """The width to draw for: the terminal's, ``COLUMNS``, or :data:`FALLBACK_WIDTH`."""
    return shutil.get_terminal_size((FALLBACK_WIDTH, 24)).columns


def render_table(
    header: list[str], rows: list[list[Cell]], width: int | None = None, noun: str = "row"
) -> str:
    """The rows for a terminal ``width`` columns wide, then ``(N rows)``.

    Columns with the same value on every row (the parameters a named query echoes) are said once,
    above. The rest is a table, or, when the columns cannot each have :data:`MIN_COLUMN_WIDTH`
    columns of the terminal, one record per row (``name  value`` lines, as psql's expanded
    display), which stays readable however many columns there are.
    """
    width = width or terminal_width()
    texts = [[cut(cell_text(term)) for term in row] for row in rows]
    shared = _shared_columns(header, texts)
    kept = [i for i, name in enumerate(header) if name not in shared]
    parts: list[str] = []
    if shared:
        parts.append("on every row:")
        parts.append(_records([list(shared.items())], width, numbered=False))
    if kept and texts:
        shown = [header[i] for i in kept]
        body = [[row[i] for i in kept] for row in texts]
        if not fits(shown, body, width):
            parts.append(_records([list(zip(shown, row, strict=True)) for row in body], width))
        else:
            parts.append(_table(shown, body, width))
    elif kept:
        parts.append(_table([header[i] for i in kept], [], width))
    count = f"({len(rows)} {noun}{'' if len(rows) == 1 else 's'})"
    return "\n".join(part.rstrip("\n") for part in parts) + "\n" + count + "\n"


READABLE_WIDTH = 20
"""A column narrower than its text and than this many terminal columns wraps its cells into
fragments too short to read; a table that would need such columns is shown as records."""


def fits(header: list[str], rows: list[list[str]], width: int) -> bool:
    """Whether a table of these columns fits ``width`` with every column at least as wide as its
    text or :data:`READABLE_WIDTH`, whichever is less (columns are 3 apart)."""
    needed = 0
    for i, name in enumerate(header):
        natural = max([cell_len(name), *(cell_len(row[i]) for row in rows)])
        needed += min(natural, READABLE_WIDTH)
    return needed + 3 * (len(header) - 1) <= width


def _shared_columns(header: list[str], texts: list[list[str]]) -> dict[str, str]:
    """The columns holding one and the same non-empty value on every one of several rows."""
    if len(texts) < 2:
        return {}
    return {
        name: texts[0][i]
        for i, name in enumerate(header)
        if texts[0][i] and all(row[i] == texts[0][i] for row in texts)
    }


def _console(width: int) -> Console:
    return Console(
        file=io.StringIO(),
        width=width,
        no_color=True,
        color_system=None,
        highlight=False,
        force_terminal=False,
        legacy_windows=False,
    )


def _print(renderable: Table, width: int) -> str:
    console = _console(width)
    with console.capture() as captured:
        console.print(renderable)
    return "\n".join(line.rstrip() for line in captured.get().splitlines())


def _table(header: list[str], rows: list[list[str]], width: int) -> str:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, header_style="bold")
    for name in header:
        table.add_column(name, overflow="fold")
    for row in rows:
        table.add_row(*(Text(text, overflow="fold") for text in row))
    return _print(table, width)


def _records(records: list[list[tuple[str, str]]], width: int, numbered: bool = True) -> str:
    """Each record as ``name  value`` lines (values wrapped, unbound ones left out), numbered
    when there are rows."""
    out: list[str] = []
    for number, record in enumerate(records, start=1):
        grid = Table.grid(padding=(0, 2))
        grid.add_column(no_wrap=True, style="bold")
        grid.add_column(overflow="fold")
        for name, text in record:
            if text:  # an unbound variable says nothing in a record
                grid.add_row(name, Text(text, overflow="fold"))
        if numbered:
            out.append(f"-[ {number} ]" + "-" * max(0, min(width, 40) - 6 - len(str(number))))
        out.append(_print(grid, width))
    return "\n".join(out)
