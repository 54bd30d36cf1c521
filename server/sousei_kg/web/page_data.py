"""What the human-facing pages show that the linked-data pages do not: the dataset's headline
numbers, organisations with their measure counts, and the landing page's schema.org description.

Every number is counted from the store (never typed into a template), so the landing page stays
true when the data changes. Queries are packaged ``.rq`` files
(:mod:`sousei_kg.sparql.internal_queries`); an organisation is bound by substitution.
"""

import json
from collections import defaultdict
from dataclasses import dataclass, field

from markupsafe import Markup
from pyoxigraph import Literal, NamedNode

from sousei_kg.linked_data.describe import solutions_of
from sousei_kg.namespaces import ID
from sousei_kg.sparql.internal_queries import internal_query
from sousei_kg.store.query import run_query
from sousei_kg.store.readable import ReadableStore

CONFIDENCE_ORDER = ("OfficialSource", "SecondarySource", "WidelyKnown", "Inferred")
"""The levels, surest first (``sousei:confidenceRank``): the chart stacks its bars in this order."""
_SOUSEI = "https://w3id.org/sousei-kg/def#"


@dataclass(frozen=True)
class Organisation:
    """An organisation and its measure count.

    Attributes:
        iri: the ``org:Organization``; slug: the last segment of its IRI (``mlit``).
        labels: language → name; measures: named measures attributed to it.
        by_confidence: level name → how many of those attributions carry it, surest first.
    """

    iri: str
    slug: str
    labels: dict[str, str]
    measures: int
    by_confidence: dict[str, int] = field(default_factory=dict)

    def label(self, lang: str) -> str:
        """The name in ``lang`` (else Japanese, else the slug)."""
        return self.labels.get(lang) or self.labels.get("ja") or self.slug


def counts(store: ReadableStore) -> tuple[dict[str, int], dict[str, int]]:
    """``(enumerated, declared)``: resources per kind in the graph; what the summary declares."""
    enumerated = {
        row["name"].value: int(row["count"].value)
        for row in solutions_of(run_query(store, internal_query("enumerated-counts")))
    }
    declared = {
        row["name"].value: int(row["count"].value)
        for row in solutions_of(run_query(store, internal_query("declared-counts")))
        if row["count"] is not None
    }
    return enumerated, declared


def attribution_counts(store: ReadableStore) -> dict[str, tuple[int, int]]:
    """Level name → (curated statements, of which responsible organisations), surest first."""
    found: dict[str, tuple[int, int]] = {}
    for row in solutions_of(run_query(store, internal_query("attribution-counts"))):
        if isinstance(level := row["confidence"], NamedNode):
            name = level.value.removeprefix(_SOUSEI)
            found[name] = (int(row["statements"].value), int(row["organisations"].value))
    return {level: found[level] for level in CONFIDENCE_ORDER if level in found}


def organisations(store: ReadableStore) -> list[Organisation]:
    """Organisations, most measures first, then by English name."""
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    levels: dict[str, dict[str, int]] = defaultdict(dict)
    for row in solutions_of(run_query(store, internal_query("organisation-measure-counts"))):
        iri = row["org"].value
        # One row per label and level: a measure counts once per level, whatever the labels.
        if isinstance(level := row["confidence"], NamedNode):
            levels[iri][level.value.removeprefix(_SOUSEI)] = int(row["measures"].value)
        else:
            levels[iri].setdefault("", int(row["measures"].value))
        if isinstance(label := row["label"], Literal) and label.language in ("ja", "en"):
            labels[iri][label.language] = label.value
    found = [
        Organisation(
            iri,
            iri.rsplit("/", 1)[-1],
            dict(labels[iri]),
            sum(counts.values()),
            {level: counts[level] for level in CONFIDENCE_ORDER if counts.get(level)},
        )
        for iri, counts in levels.items()
        if iri.startswith(ID + "org/")
    ]
    return sorted(found, key=lambda o: (-o.measures, o.labels.get("en", o.slug)))


def organisation(store: ReadableStore, slug: str) -> Organisation | None:
    """The organisation ``id/org/{slug}``, or ``None``: the slug is compared, never queried."""
    return next((o for o in organisations(store) if o.slug == slug), None)


def json_ld(document: dict[str, object]) -> Markup:
    """JSON safe inside ``<script type="application/ld+json">``: ``<``, ``>`` and ``&`` become
    JSON escapes (the same JSON), so no data value can close the element."""
    text = json.dumps(document, ensure_ascii=False, indent=1)
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escape)
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(text)  # noqa: S704 - every markup-significant character is escaped above


def dataset_json_ld(
    *,
    base: str,
    name: dict[str, str],
    description: dict[str, str],
    downloads: list[tuple[str, str]],
    version: str,
    temporal: str | None,
) -> dict[str, object]:
    """The landing page's schema.org ``Dataset`` (what Google Dataset Search and others read).

    Args:
        base: this server's public base URL.
        name: language → title; description: language → summary.
        downloads: ``(URL, media type)`` of each dump.
        version: the dataset version hash.
        temporal: the period as ``start/end`` (ISO 8601), if the data states one.
    """
    document: dict[str, object] = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": "https://w3id.org/sousei-kg/id/dataset",
        "name": [{"@value": v, "@language": k} for k, v in name.items()],
        "description": [{"@value": v, "@language": k} for k, v in description.items()],
        "url": base,
        "sameAs": "https://w3id.org/sousei-kg/",
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "isAccessibleForFree": True,
        "inLanguage": ["ja", "en"],
        "version": version,
        "spatialCoverage": {"@type": "Place", "name": "Japan"},
        "keywords": ["地方創生", "regional revitalization", "logic model", "KPI", "linked data"],
        "creator": {"@type": "Organization", "name": "sousei-kg"},
        "isBasedOn": "地方創生に関する総合戦略（閣議決定、2025年）",
        "distribution": [
            {"@type": "DataDownload", "contentUrl": url, "encodingFormat": media}
            for url, media in downloads
        ],
        "potentialAction": {
            "@type": "SearchAction",
            "target": base + "search?q={query}",
            "query-input": "required name=query",
        },
        "subjectOf": {"@type": "WebAPI", "name": "SPARQL endpoint", "url": base + "sparql"},
    }
    if temporal:
        document["temporalCoverage"] = temporal
    return document


def iri_of(slug: str) -> NamedNode:
    """The IRI of organisation ``slug`` (for a named query's substitution)."""
    return NamedNode(ID + "org/" + slug)
