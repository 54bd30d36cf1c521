"""The dataset's main tables as CSV on the Web (issue 18): measures, organisations, programmes and
attributions at ``/tables/{name}.csv``, each described by CSVW metadata
(:mod:`sousei_kg.publication.csvw_metadata`).

A table is what analysts ask for first, in the shape a spreadsheet or ``pandas.read_csv`` takes
as it is: one row per measure and organisation (never several organisations in one cell), the
organisation's IRI, labels and ``organisationConfidence`` side by side, the same column names as
the named queries' downloads (issue 17). Each is read by an internal query
(``sparql/internal/table-*.rq``) and written once per dataset version, like the dumps, so its
bytes (and its strong ``ETag``) are the same in every process. Cells are those of the named
queries' downloads (:func:`sousei_kg.named_queries.tables.cell`): an IRI as itself, a literal as
its lexical form, a confidence level by its name. A cell that lists several values (a measure's
outputs, an attribution's sources) holds IRIs separated by one space, sorted, and says so in its
column's ``separator``; IRIs never hold a space.

The files start with a UTF-8 byte-order mark, as every CSV download of the server does: Excel on
Japanese Windows reads a file without one as Shift_JIS (issue 16). CSVW parsers read it: the
tabular data model decodes with the Encoding Standard's UTF-8 decoder, which drops the mark.

Each column says how it becomes RDF (its ``propertyUrl``, and ``aboutUrl``/``valueUrl`` URI
templates), so that csv2rdf gives back statements of the graph about our own IRIs. A column whose
values would not be statements of the graph is ``suppressOutput``: a count, an outcome reached
through an output, a literal whose language or datatype changes from row to row, and a list of
IRIs (CSVW expands a ``valueUrl`` once per cell, not once per listed value, so a list could only
become ``xsd:anyURI`` literals). The dumps hold all of those statements.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from pyoxigraph import QuerySolutions

from sousei_kg.dataset.knowledge_graph import KnowledgeGraph
from sousei_kg.named_queries.tables import (
    COLUMN_NAMES,
    CONFIDENCE_LEVELS,
    SOUSEI,
    Table,
    cell,
    delimited,
)
from sousei_kg.sparql.internal_queries import internal_query
from sousei_kg.store.query import run_query

TABLES_PATH = "tables"
"""Where the tables and their metadata are served, below the public base."""
MEDIA_TYPE = "text/csv; charset=utf-8; header=present"
LIST_SEPARATOR = " "
"""What separates the IRIs of a cell that lists several (CSVW ``separator``)."""
ADMS = "http://www.w3.org/ns/adms#"

IRI: Mapping[str, str] = {"base": "string", "format": r"https?://\S+"}
"""An IRI (http or https, no space). Not ``anyURI``: the ``csvw`` Python package reads an
``anyURI`` cell as a parsed URL, which its URI templates then expand to a comma-joined tuple of
URL parts; a string is expanded as it is, by every processor."""
TEXT = "string"
COUNT = "nonNegativeInteger"
CONFIDENCE: Mapping[str, str] = {"base": "string", "format": "|".join(CONFIDENCE_LEVELS)}
"""A confidence level by its name: one of the levels of ``sousei:ConfidenceScheme``."""

HEADINGS: dict[str, tuple[str, str]] = {
    **COLUMN_NAMES,
    "outcome": (
        "アウトカム（直接又はアウトプット経由）",
        "Outcomes (directly or through an output)",
    ),
    "output": ("アウトプット", "Outputs"),
    "parentOrganisation": ("上位組織", "Parent organisation"),
    "parentOrganisationLabel": ("上位組織（名称）", "Parent organisation (name)"),
    "identifier": ("識別子（法人番号）", "Identifier (Corporate Number)"),
    "programmes": ("制度・事業数", "Programmes"),
    "homepage": ("ホームページ", "Homepage"),
    "attribution": ("帰属記述", "Attribution"),
    "subject": ("主語", "Subject"),
    "predicate": ("述語", "Predicate"),
    "object": ("目的語（IRI）", "Object (IRI)"),
    "objectValue": ("目的語（値）", "Object (value)"),
    "objectLanguage": ("目的語の言語", "Language of the object"),
    "objectDatatype": ("目的語のデータ型", "Datatype of the object"),
    "confidence": ("確度", "Confidence"),
    "source": ("出典", "Sources"),
    "note": ("編集注記", "Editorial note"),
}
"""Japanese and English titles of every column (the named queries' where they share one)."""


@dataclass(frozen=True)
class TableColumn:
    """A column of a table and how its cells become RDF.

    Attributes:
        name: the variable of the query and the CSV header (``organisationConfidence``).
        datatype: a CSVW datatype name (``anyURI``) or a derived datatype description.
        property_url: the property its cells are values of; ``None`` only when suppressed.
        about_url: the URI template of the subject when it is not the row's (``{+organisation}``).
        value_url: the URI template of the value when the value is an IRI (``{+organisation}``).
        lang: the language of its text.
        separator: set when a cell lists several values.
        required: every row has a value.
        suppress: csv2rdf leaves it out (``suppressOutput``): its values are not statements of the
            graph.
    """

    name: str
    datatype: str | Mapping[str, str]
    property_url: str | None = None
    about_url: str | None = None
    value_url: str | None = None
    lang: str | None = None
    separator: str | None = None
    required: bool = False
    suppress: bool = False

    @property
    def titles(self) -> dict[str, str]:
        """Its titles in Japanese and English."""
        ja, en = HEADINGS[self.name]
        return {"ja": ja, "en": en}


def iri_column(
    name: str, property_url: str, *, about: str | None = None, required: bool = False
) -> TableColumn:
    """A column of IRIs, each the value of ``property_url``."""
    return TableColumn(
        name,
        IRI,
        property_url,
        about_url=about,
        value_url="{+" + name + "}",
        required=required,
    )


def label_column(name: str, of: str, lang: str) -> TableColumn:
    """A column of the ``skos:prefLabel`` in ``lang`` of the IRI in column ``of``."""
    return TableColumn(name, TEXT, "skos:prefLabel", about_url="{+" + of + "}", lang=lang)


def organisation_columns(about: str) -> tuple[TableColumn, ...]:
    """The columns every table with responsible organisations shares (issue 17): the
    organisation, its labels, the confidence of the attribution and the attribution itself."""
    return (
        iri_column("organisation", SOUSEI + "responsibleOrganization"),
        label_column("organisationLabel", "organisation", "ja"),
        label_column("organisationLabelEn", "organisation", "en"),
        TableColumn(
            "organisationConfidence",
            CONFIDENCE,
            SOUSEI + "confidence",
            about_url="{+organisationAttribution}",
            value_url=SOUSEI + "{organisationConfidence}",
        ),
        iri_column("organisationAttribution", SOUSEI + "qualifiedAttribution", about=about),
    )


@dataclass(frozen=True)
class CsvTable:
    """One table: what it shows, the query that reads it and its columns.

    Attributes:
        slug: its name (``measures``): ``/tables/measures.csv``.
        query: the text of the internal query that reads its rows.
        titles: ``{language: title}``.
        descriptions: ``{language: what a row is}``.
        about_url: the URI template of each row's subject (``{+measure}``).
        rdf_class: the class of each row's subject (stated by a virtual column).
        primary_key: the columns that tell its rows apart.
        columns: its columns, in order.
    """

    slug: str
    query: str = field(repr=False)
    titles: Mapping[str, str]
    descriptions: Mapping[str, str]
    about_url: str
    rdf_class: str
    primary_key: tuple[str, ...]
    columns: tuple[TableColumn, ...] = field(repr=False)

    @property
    def filename(self) -> str:
        """The file name (``measures.csv``)."""
        return f"{self.slug}.csv"

    @property
    def path(self) -> str:
        """Its URL path below the public base (``tables/measures.csv``)."""
        return f"{TABLES_PATH}/{self.filename}"

    @property
    def metadata_filename(self) -> str:
        """The file name of its CSVW metadata (``measures.csv-metadata.json``), where CSVW's
        default location (``{+url}-metadata.json``) looks for it."""
        return f"{self.filename}-metadata.json"

    @property
    def metadata_path(self) -> str:
        """The URL path of its CSVW metadata below the public base."""
        return f"{TABLES_PATH}/{self.metadata_filename}"

    @property
    def names(self) -> tuple[str, ...]:
        """Its column names, in order."""
        return tuple(column.name for column in self.columns)


MEASURES = CsvTable(
    slug="measures",
    query=internal_query("table-measures"),
    titles={"ja": "施策と担当府省庁", "en": "Measures and their responsible organisations"},
    descriptions={
        "ja": "施策ごと・担当府省庁ごとに一行：施策群とその政策目標、施策が貢献するアウトプット、"
        "直接又はアウトプット経由で貢献するアウトカム、担当府省庁の IRI・名称と帰属の確度"
        "（organisationConfidence）。担当府省庁のない施策はそれらの欄が空の一行。",
        "en": "One row per measure and responsible organisation: the measure group and its "
        "policy goal, the outputs the measure contributes to, the outcomes it reaches directly or "
        "through an output, and the organisation's IRI, labels and the confidence of the "
        "attribution (organisationConfidence). A measure without an organisation has one row "
        "with those cells empty.",
    },
    about_url="{+measure}",
    rdf_class=SOUSEI + "Measure",
    primary_key=("measure", "organisation"),
    columns=(
        TableColumn("measure", IRI, required=True, suppress=True),
        label_column("measureLabel", "measure", "ja"),
        label_column("measureLabelEn", "measure", "en"),
        iri_column("group", SOUSEI + "listedUnder"),
        iri_column("goal", SOUSEI + "forGoal", about="{+group}"),
        label_column("goalLabel", "goal", "ja"),
        # Reached through an output too, which the graph does not state of the measure.
        TableColumn("outcome", IRI, separator=LIST_SEPARATOR, suppress=True),
        TableColumn("output", IRI, separator=LIST_SEPARATOR, suppress=True),
        *organisation_columns("{+measure}"),
    ),
)

ORGANISATIONS = CsvTable(
    slug="organisations",
    query=internal_query("table-organisations"),
    titles={"ja": "府省庁", "en": "Organisations"},
    descriptions={
        "ja": "組織（府省庁）ごとに一行：名称、上位組織、識別子（法人番号）、担当とされる施策と"
        "制度・事業の数。",
        "en": "One row per organisation (ministry or agency): its labels, the organisation it is "
        "part of, its identifier (Corporate Number) and how many measures and programmes are "
        "attributed to it.",
    },
    about_url="{+organisation}",
    rdf_class="org:Organization",
    primary_key=("organisation",),
    columns=(
        TableColumn("organisation", IRI, required=True, suppress=True),
        label_column("organisationLabel", "organisation", "ja"),
        label_column("organisationLabelEn", "organisation", "en"),
        iri_column("parentOrganisation", "org:subOrganizationOf"),
        label_column("parentOrganisationLabel", "parentOrganisation", "ja"),
        iri_column("identifier", ADMS + "identifier"),
        TableColumn("measures", COUNT, required=True, suppress=True),
        TableColumn("programmes", COUNT, required=True, suppress=True),
    ),
)

PROGRAMMES = CsvTable(
    slug="programmes",
    query=internal_query("table-programmes"),
    titles={"ja": "制度・事業と担当府省庁", "en": "Programmes and their responsible organisations"},
    descriptions={
        "ja": "制度・事業ごと・担当府省庁ごとに一行：名称、ホームページ、関わる施策の数、"
        "担当府省庁の IRI・名称と帰属の確度（organisationConfidence）。",
        "en": "One row per programme and responsible organisation: its labels, homepage, how many "
        "measures involve it, and the organisation's IRI, labels and the confidence of the "
        "attribution (organisationConfidence).",
    },
    about_url="{+programme}",
    rdf_class=SOUSEI + "Programme",
    primary_key=("programme", "organisation"),
    columns=(
        TableColumn("programme", IRI, required=True, suppress=True),
        label_column("programmeLabel", "programme", "ja"),
        label_column("programmeLabelEn", "programme", "en"),
        iri_column("homepage", "foaf:homepage"),
        TableColumn("measures", COUNT, required=True, suppress=True),
        *organisation_columns("{+programme}"),
    ),
)

ATTRIBUTIONS = CsvTable(
    slug="attributions",
    query=internal_query("table-attributions"),
    titles={"ja": "帰属記述（出典と確度）", "en": "Attributions (sources and confidence)"},
    descriptions={
        "ja": "編集者が加えた記述ごとに一行（sousei:Attribution）：その記述（主語・述語・目的語）、"
        "確度、出典、編集注記。",
        "en": "One row per statement the editors curated (sousei:Attribution): the statement "
        "(subject, predicate, object), our confidence in it, its sources and the editors' note.",
    },
    about_url="{+attribution}",
    rdf_class=SOUSEI + "Attribution",
    primary_key=("attribution",),
    columns=(
        TableColumn("attribution", IRI, required=True, suppress=True),
        iri_column("subject", "rdf:subject", required=True),
        iri_column("predicate", "rdf:predicate", required=True),
        iri_column("object", "rdf:object"),
        # A literal's language or datatype differs from row to row; a column has one of each.
        TableColumn("objectValue", TEXT, suppress=True),
        TableColumn("objectLanguage", TEXT, suppress=True),
        TableColumn("objectDatatype", IRI, suppress=True),
        TableColumn(
            "confidence",
            CONFIDENCE,
            SOUSEI + "confidence",
            value_url=SOUSEI + "{confidence}",
            required=True,
        ),
        TableColumn("source", IRI, separator=LIST_SEPARATOR, suppress=True),
        TableColumn("note", TEXT, "skos:editorialNote", lang="en"),
    ),
)

TABLES: tuple[CsvTable, ...] = (MEASURES, ORGANISATIONS, PROGRAMMES, ATTRIBUTIONS)
"""Every table, in the order the catalogue and the table group list them."""


def csv_table(slug: str) -> CsvTable | None:
    """The table named ``slug``, if there is one."""
    for table in TABLES:
        if table.slug == slug:
            return table
    return None


def table_rows(graph: KnowledgeGraph, table: CsvTable) -> Table:
    """The rows of ``table`` as text, read by its internal query (lists sorted)."""
    result = run_query(graph.store, table.query)
    if not isinstance(result, QuerySolutions):  # pragma: no cover - the queries are SELECTs
        raise TypeError(f"the query of {table.filename} is not a SELECT query")
    lists = {column.name for column in table.columns if column.separator}
    rows = [
        tuple(
            LIST_SEPARATOR.join(sorted(set(cell(solution[name]).split())))
            if name in lists
            else cell(solution[name])
            for name in table.names
        )
        for solution in result
    ]
    return Table(table.slug, table.names, tuple(rows))


def csv_table_bytes(graph: KnowledgeGraph, table: CsvTable) -> bytes:
    """The CSV of ``table``: UTF-8 with a byte-order mark, CRLF, header first; written once per
    dataset version."""
    return graph.derived(("csv-table", table.slug), lambda: delimited(table_rows(graph, table)))
