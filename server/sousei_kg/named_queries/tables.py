"""Named-query answers as tidy tables for analysts: the columns a download keeps, plain cell
values, and CSV or TSV bytes that spreadsheets open as they are.

A download is not a SPARQL results document. It keeps the columns the query's header promises
(``returns``) except those that only echo the request: a parameter the request (or its default)
bound is the same on every row, and one it left unbound is empty on every row, yet pyoxigraph
makes the query project both (it substitutes projected variables only). Cells are plain text: an
IRI as itself, a literal as its lexical form without language tag or datatype, and a confidence
level (a ``sousei:ConfidenceScheme`` concept) by its name (``SecondarySource``), so that a
spreadsheet user can filter on it. CSV starts with a UTF-8 byte-order mark: without one, Excel on
Japanese Windows reads Shift_JIS (issue 16).
"""

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pyoxigraph import Literal, NamedNode, QuerySolutions

from sousei_kg.named_queries.catalogue import NamedQuery
from sousei_kg.store.readable import Term

SOUSEI = "https://w3id.org/sousei-kg/def#"
BOM = "\ufeff"
CONFIDENCE_LEVELS = ("OfficialSource", "SecondarySource", "WidelyKnown", "Inferred")
"""The levels from surest to least sure (their ``sousei:confidenceRank`` order)."""

COLUMN_NAMES: dict[str, tuple[str, str]] = {
    "kpi": ("KPI", "KPI"),
    "kpiLabel": ("KPI（名称）", "KPI (name)"),
    "goal": ("政策目標", "Policy goal"),
    "goalLabel": ("政策目標（名称）", "Policy goal (name)"),
    "outcome": ("アウトカム", "Outcome"),
    "outcomeLabel": ("アウトカム（名称）", "Outcome (name)"),
    "output": ("アウトプット", "Output"),
    "outputLabel": ("アウトプット（名称）", "Output (name)"),
    "measure": ("施策", "Measure"),
    "measureLabel": ("施策（名称）", "Measure (name)"),
    "measureLabelEn": ("施策（英語名）", "Measure (English name)"),
    "measureLinkGraph": ("最初の経路の出所（グラフ）", "Where the first link is stated (graph)"),
    "measureLinkConfidence": ("最初の経路の確度", "Confidence of the first link"),
    "sourceStated": ("経路全体が要約に記載", "Whole path stated in the summary"),
    "organisation": ("担当府省庁", "Responsible organisation"),
    "organisationLabel": ("担当府省庁（名称）", "Responsible organisation (name)"),
    "organisationLabelEn": ("担当府省庁（英語名）", "Responsible organisation (English name)"),
    "organisationConfidence": ("担当府省庁の確度", "Confidence of the organisation"),
    "organisationAttribution": ("帰属記述", "Attribution"),
    "organisationSource": ("出典", "Source"),
    "programme": ("制度・事業", "Programme"),
    "programmeLabel": ("制度・事業（名称）", "Programme (name)"),
    "programmeLabelEn": ("制度・事業（英語名）", "Programme (English name)"),
    "group": ("施策群", "Measure group"),
    "measures": ("施策数", "Measures"),
    "OfficialSource": ("うち公式情報源", "of which Official source"),
    "SecondarySource": ("うち二次情報源", "of which Secondary source"),
    "WidelyKnown": ("うち周知の事実", "of which Widely known"),
    "Inferred": ("うち推定", "of which Inferred"),
}
"""Japanese and English headings of the columns the named queries share."""


@dataclass(frozen=True)
class Table:
    """A tidy table: column names (the query's variables), their headings, and rows of text.

    Attributes:
        name: what the table shows (a sheet's name, a file's stem).
        columns: the variable names, in order.
        rows: one tuple of cells per solution ("" for an unbound cell).
        truncated: the result cap cut the answer, so the table is incomplete.
    """

    name: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    truncated: bool = False

    def headings(self, lang: str) -> tuple[str, ...]:
        """Each column's heading in ``ja`` or ``en`` (the variable name where none is known)."""
        index = 0 if lang == "ja" else 1
        return tuple(COLUMN_NAMES.get(c, (c, c))[index] for c in self.columns)


def download_columns(query: NamedQuery, bound: Iterable[str]) -> tuple[str, ...]:
    """The columns a download keeps: the header's ``returns`` without the bound parameters."""
    echoed = set(bound)
    return tuple(c for c in query.returns if c not in echoed)


def cell(term: Term | None) -> str:
    """A term as plain text: an IRI as itself (a confidence level by its name), a literal as its
    lexical form; "" when unbound."""
    if term is None:
        return ""
    if isinstance(term, NamedNode):
        local = term.value.removeprefix(SOUSEI)
        return local if local in CONFIDENCE_LEVELS else term.value
    if isinstance(term, Literal):
        return term.value
    return str(term)


def table_of(
    name: str,
    solutions: QuerySolutions,
    columns: Sequence[str],
    *,
    parameters: Iterable[str] = (),
    echoes: Iterable[Term] = (),
    truncated: bool = False,
) -> Table:
    """The rows of ``solutions`` restricted to ``columns``, as text.

    Two kinds of column go too: one named after one of ``parameters`` that is empty on every row
    (an unbound parameter the query projects holds nothing), and one whose every cell is one of
    ``echoes``, the IRIs the request bound (such as the organisation the query was asked about,
    repeated on each row under another name)."""
    projected = {v.value for v in solutions.variables}
    rows = [tuple(cell(s[c]) if c in projected else "" for c in columns) for s in solutions]
    optional = set(parameters)
    # Only IRIs: a bound boolean or string may equal a column's every value by coincidence.
    echoed = {term.value for term in echoes if isinstance(term, NamedNode)}
    keep = [
        i
        for i, c in enumerate(columns)
        if (c not in optional or any(row[i] for row in rows))
        and not (rows and all(row[i] in echoed for row in rows))
    ]
    return Table(
        name,
        tuple(columns[i] for i in keep),
        tuple(tuple(row[i] for i in keep) for row in rows),
        truncated,
    )


def delimited(table: Table, *, delimiter: str = ",", bom: bool = True) -> bytes:
    """The table as CSV (or TSV with ``delimiter="\\t"``), header first, UTF-8; with a byte-order
    mark unless ``bom`` is false. Fields are quoted where they must be (RFC 4180)."""
    out = io.StringIO(newline="")
    if bom:
        out.write(BOM)
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(table.columns)
    writer.writerows(table.rows)
    return out.getvalue().encode("utf-8")
