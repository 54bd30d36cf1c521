"""The dataset's quality as linked data (W3C Data Quality Vocabulary): coverage figures as
``dqv:QualityMeasurement``\\ s, and a ``dqv:QualityAnnotation`` pointing at the SHACL validation
report (:mod:`sousei_kg.publication.validation_report`).

The figures are counted from the data (``sparql/internal/quality-*.rq``), never written down:
the data changes, and so do they. They are counted once per dataset version, the first time a
description asks for them, and kept with the version (``KnowledgeGraph.derived``); a write never
waits for them. Both the VoID and the DCAT description state them, with the same IRIs.

Each measurement's metric is a ``dqv:Metric`` with a definition in Japanese and English, so a
reader knows what was counted. The metrics for attributions follow the levels of the
vocabulary's ``sousei:ConfidenceScheme``, whatever they are.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from pyoxigraph import Literal, NamedNode, QuerySolutions

from sousei_kg.dataset.knowledge_graph import KnowledgeGraph
from sousei_kg.publication.description_builder import Description
from sousei_kg.publication.statistics import QUALITY, VALIDATION_REPORT, integer, term
from sousei_kg.sparql.internal_queries import internal_query
from sousei_kg.store.query import run_query
from sousei_kg.store.readable import ReadableStore

LDQD = "http://www.w3.org/2016/05/ldqd#"
"""The quality dimensions of Zaveri et al., as published with DQV."""
METRIC = QUALITY + "metric/"
MEASUREMENT = QUALITY + "measurement/"
ANNOTATION = QUALITY + "annotation/validation-report"
REPORT_PATH = "quality/validation-report"
"""Where this server serves the validation report (``/id/quality/validation-report`` → here)."""
SOURCE_GRAPH = "https://w3id.org/sousei-kg/graph/strategy-2025"
RATIO_PLACES = Decimal("0.0001")
REPORT_TITLE = {
    "ja": "sousei-kg の SHACL 検証結果",
    "en": "SHACL validation report of sousei-kg",
}


@dataclass(frozen=True)
class Metric:
    """What a measurement measures (``dqv:Metric``)."""

    slug: str
    labels: Mapping[str, str]
    definitions: Mapping[str, str]
    datatype: str
    """The datatype of its values, as a prefixed name (``xsd:integer``)."""
    dimension: str
    """The quality dimension it belongs to (an ``ldqd:`` IRI)."""

    @property
    def node(self) -> NamedNode:
        """The metric's IRI."""
        return NamedNode(METRIC + self.slug)

    def describe(self, out: Description) -> None:
        """Type it ``dqv:Metric``, with its labels, definitions, datatype and dimension."""
        out.add(self.node, "rdf:type", term("dqv:Metric"))
        out.texts(self.node, "skos:prefLabel", self.labels)
        out.texts(self.node, "skos:definition", self.definitions)
        out.add(self.node, "dqv:expectedDataType", term(self.datatype))
        out.add(self.node, "dqv:inDimension", NamedNode(self.dimension))


@dataclass(frozen=True)
class Measurement:
    """One figure: a metric's value for the dataset (``dqv:QualityMeasurement``)."""

    metric: Metric
    value: Literal

    @property
    def node(self) -> NamedNode:
        """The measurement's IRI (one per metric: the dataset has one value of each)."""
        return NamedNode(MEASUREMENT + self.metric.slug)


def _completeness(slug: str, en: tuple[str, str], ja: tuple[str, str], datatype: str) -> Metric:
    return Metric(
        slug,
        {"ja": ja[0], "en": en[0]},
        {"ja": ja[1], "en": en[1]},
        datatype,
        LDQD + "completeness",
    )


NAMED_MEASURES = _completeness(
    "named-measures",
    (
        "Measures named",
        "Measures the strategy summary names: distinct resources typed sousei:Measure in the "
        f"graph of what the summary states ({SOURCE_GRAPH}).",
    ),
    (
        "名前のある施策",
        "要約が名前を挙げる施策の数（要約の記述のグラフで sousei:Measure 型の資源）。",
    ),
    "xsd:integer",
)
DECLARED_MEASURES = _completeness(
    "declared-measures",
    (
        "Measures declared",
        "Measures the strategy summary declares in all: the sum of sousei:declaredMeasureCount "
        "over the strategies in the graph of what the summary states.",
    ),
    ("記載された施策数", "要約が記載する施策の総数（sousei:declaredMeasureCount の合計）。"),
    "xsd:integer",
)
MEASURE_COVERAGE = _completeness(
    "measure-coverage",
    (
        "Measure coverage",
        "Measures named divided by measures declared, to four decimal places.",
    ),
    ("施策の網羅率", "名前のある施策数を記載された施策数で割った値（小数第4位まで）。"),
    "xsd:decimal",
)
LISTED_INDICATORS = _completeness(
    "listed-indicators",
    (
        "Indicators listed",
        "Indicators in the logic model: distinct objects of sousei:hasKPI whose subject sits at "
        "a logic-model level (sousei:level).",
    ),
    (
        "列挙された指標",
        "ロジックモデルの指標の数（sousei:level を持つ要素の sousei:hasKPI の目的語）。",
    ),
    "xsd:integer",
)
DECLARED_INDICATORS = _completeness(
    "declared-indicators",
    (
        "Indicators declared",
        "Indicators the summary declares for the logic-model levels: the sum of "
        "sousei:declaredIndicatorCount over the sousei:LogicModelLevel resources.",
    ),
    (
        "記載された指標数",
        "要約がロジックモデルの各段階に記載する指標数の合計（sousei:declaredIndicatorCount）。",
    ),
    "xsd:integer",
)
INDICATOR_COVERAGE = _completeness(
    "indicator-coverage",
    (
        "Indicator coverage",
        "Indicators listed divided by indicators declared, to four decimal places.",
    ),
    ("指標の網羅率", "列挙された指標数を記載された指標数で割った値（小数第4位まで）。"),
    "xsd:decimal",
)


def attribution_metric(level: str, labels: Mapping[str, str]) -> Metric:
    """The metric counting the attributions at one confidence level (its IRI and labels are the
    vocabulary's)."""
    local = re.split(r"[#/]", level)[-1]
    slug = "attributions-" + re.sub(r"(?<!^)(?=[A-Z])", "-", local).lower()
    en, ja = labels.get("en", local), labels.get("ja", local)
    return Metric(
        slug,
        {"ja": f"確度「{ja}」の付与", "en": f"Attributions at confidence {en}"},
        {
            "ja": f"確度が{ja}（{level}）である付与（sousei:Attribution）の数。",
            "en": f"Curated statements (sousei:Attribution) whose sousei:confidence is {level} "
            f"({en}).",
        },
        "xsd:integer",
        LDQD + "verifiability",
    )


def quality_measurements(graph: KnowledgeGraph) -> tuple[Measurement, ...]:
    """The dataset's measurements, counted once per dataset version."""
    return graph.derived("quality-measurements", lambda: compute_measurements(graph.store))


def compute_measurements(store: ReadableStore) -> tuple[Measurement, ...]:
    """Count the measurements (uncached; see :func:`quality_measurements`).

    A coverage ratio is left out when nothing is declared: it has no denominator.
    """
    row = next(iter(_rows(store, internal_query("quality-coverage"))))
    found: list[Measurement] = []
    for counted, declared, named_metric, declared_metric, ratio_metric in (
        ("namedMeasures", "declaredMeasures", NAMED_MEASURES, DECLARED_MEASURES, MEASURE_COVERAGE),
        (
            "listedIndicators",
            "declaredIndicators",
            LISTED_INDICATORS,
            DECLARED_INDICATORS,
            INDICATOR_COVERAGE,
        ),
    ):
        have, want = _int(row[counted]), _int(row[declared])
        found.append(Measurement(named_metric, integer(have)))
        if want > 0:
            found.append(Measurement(declared_metric, integer(want)))
            found.append(Measurement(ratio_metric, _ratio(have, want)))
    for level_row in _rows(store, internal_query("quality-attributions")):
        labels = {
            language: value.value
            for language, value in (("ja", level_row["labelJa"]), ("en", level_row["labelEn"]))
            if isinstance(value, Literal)
        }
        metric = attribution_metric(level_row["level"].value, labels)
        found.append(Measurement(metric, integer(_int(level_row["attributions"]))))
    return tuple(found)


def add_quality(
    out: Description, dataset: NamedNode, measurements: tuple[Measurement, ...], access: str
) -> None:
    """State the measurements of ``dataset`` and link its validation report.

    Args:
        out: the description to add to.
        dataset: the dataset's node.
        measurements: what :func:`quality_measurements` counted.
        access: this server's public base URL, where the report's page is served.
    """
    for measurement in measurements:
        node = measurement.node
        out.add(dataset, "dqv:hasQualityMeasurement", node)
        out.add(node, "rdf:type", term("dqv:QualityMeasurement"))
        out.add(node, "dqv:computedOn", dataset)
        out.link(node, "dqv:isMeasurementOf", measurement.metric)
        out.add(node, "dqv:value", measurement.value)
    annotation, report = NamedNode(ANNOTATION), NamedNode(VALIDATION_REPORT)
    out.add(dataset, "dqv:hasQualityAnnotation", annotation)
    out.add(annotation, "rdf:type", term("dqv:QualityAnnotation"))
    out.add(annotation, "oa:hasTarget", dataset)
    out.add(annotation, "oa:hasBody", report)
    out.add(annotation, "oa:motivatedBy", term("dqv:qualityAssessment"))
    out.add(report, "rdf:type", term("sh:ValidationReport"))
    out.texts(report, "dcterms:title", REPORT_TITLE)
    out.add(report, "foaf:page", NamedNode(access + REPORT_PATH))


def _rows(store: ReadableStore, query: str) -> QuerySolutions:
    result = run_query(store, query)
    if not isinstance(result, QuerySolutions):  # pragma: no cover - the queries are SELECTs
        raise TypeError("internal quality queries are SELECT queries")
    return result


def _int(value: object) -> int:
    """An integer result; an engine may answer an empty SUM unbound."""
    return int(value.value) if isinstance(value, Literal) else 0


def _ratio(part: int, whole: int) -> Literal:
    ratio = (Decimal(part) / Decimal(whole)).quantize(RATIO_PLACES, rounding=ROUND_HALF_EVEN)
    return Literal(str(ratio), datatype=term("xsd:decimal"))
