"""Excel workbooks for analysts (openpyxl): a sheet per view, a heading row in Japanese and
English, frozen, columns sized to their contents, and a sheet that says what the columns
and the confidence levels mean.

Built in memory from :class:`~sousei_kg.named_queries.tables.Table` values, so the workbook holds
exactly the rows and columns of the CSV downloads (and the same confidence column).
"""

import io
from collections.abc import Sequence
from datetime import UTC, datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from sousei_kg.named_queries.tables import Table

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MIN_WIDTH, MAX_WIDTH = 8, 60
"""Column widths in characters: wide enough for a heading word, never wider than a screen."""
_HEADING_FILL = PatternFill("solid", fgColor="DDE7F3")
_INVALID_TITLE = str.maketrans({c: " " for c in "[]:*?/\\"})

LEVELS = (
    ("OfficialSource", "公式情報源", "A government page (go.jp) states it; cited as the source."),
    (
        "SecondarySource",
        "二次情報源",
        "Only a secondary source (press, a party, a copy) states it.",
    ),
    ("WidelyKnown", "周知の事実", "Common knowledge, no page at hand; the rationale is noted."),
    ("Inferred", "推定", "Our reasoning or translation; the rationale is noted."),
)


def sheet_title(name: str, taken: set[str]) -> str:
    """A valid, unique sheet title (at most 31 characters, none of ``[]:*?/\\``)."""
    base = name.translate(_INVALID_TITLE).strip()[:31] or "Sheet"
    title, n = base, 2
    while title in taken:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(title)
    return title


def _width(values: Sequence[str]) -> float:
    """Characters a column needs (its longest line): East Asian characters count double, as
    Excel draws them."""
    lines = [line for v in values for line in v.split("\n")]
    longest = max((sum(2 if ord(ch) > 0x2E80 else 1 for ch in line) for line in lines), default=0)
    return float(min(MAX_WIDTH, max(MIN_WIDTH, longest + 2)))


def _fill(sheet: Worksheet, table: Table) -> None:
    """One heading row, Japanese over English in each cell, frozen; then the rows."""
    sheet.append(
        [f"{ja}\n{en}" for ja, en in zip(table.headings("ja"), table.headings("en"), strict=True)]
    )
    for row in table.rows:
        sheet.append(list(row))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = _HEADING_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.row_dimensions[1].height = 32
    sheet.freeze_panes = "A2"
    for index in range(1, len(table.columns) + 1):
        values = [
            str(sheet.cell(row=r, column=index).value or "") for r in range(1, sheet.max_row + 1)
        ]
        sheet.column_dimensions[get_column_letter(index)].width = _width(values)
    if table.columns:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{sheet.max_row}"


def _about(
    sheet: Worksheet, title: str, source_url: str, version: str, notes: Sequence[str]
) -> None:
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(["出典 / Source", source_url])
    sheet.append(["データセットの版 / Dataset version", version])
    sheet.append(["作成日時 / Made at (UTC)", datetime.now(UTC).strftime("%Y-%m-%d %H:%M")])
    sheet.append(["ライセンス / Licence", "CC BY 4.0 (sousei-kg)"])
    for note in notes:
        sheet.append([note])
    sheet.append([])
    sheet.append(["確度 / Confidence", "日本語", "What it means (OfficialSource > … > Inferred)"])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for level, ja, meaning in LEVELS:
        sheet.append([level, ja, meaning])
    for letter, width in (("A", 36), ("B", 60), ("C", 60)):
        sheet.column_dimensions[letter].width = width


def workbook(
    tables: Sequence[Table],
    *,
    title: str,
    source_url: str,
    version: str,
    notes: Sequence[str] = (),
) -> bytes:
    """An .xlsx with one sheet per table (a frozen heading row, Japanese over English) and a last
    sheet, ``About``, naming the source URL, the dataset version and the confidence levels.

    Args:
        tables: the views, each its own sheet named after it.
        title: what the workbook holds, the About sheet's first line.
        source_url: the page or query URL it was made from.
        version: the dataset version it was made from.
        notes: more lines for the About sheet (such as how many measures a filter dropped).
    """
    book = Workbook()
    taken: set[str] = set()
    first = True
    for table in tables:
        sheet = book.active if first and book.active is not None else book.create_sheet()
        first = False
        sheet.title = sheet_title(table.name, taken)
        _fill(sheet, table)
        if table.truncated:
            sheet.append(["(truncated: the server's result cap cut this answer)"])
    about = book.create_sheet() if not first else book.active
    assert about is not None  # noqa: S101 - a new Workbook always has its first sheet
    about.title = sheet_title("About", taken)
    _about(about, title, source_url, version, notes)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
