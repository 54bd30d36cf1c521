"""What the KPI explorer shows, built from the named query ``list-measures-for-kpi``: its paths,
each with the responsible organisations and how sure we are of each (issue 17), and how many
measures a ``minConfidence`` choice drops.

The query answers one row per path and organisation, so that an organisation and its confidence
stay side by side; the page shows one row per path again, listing its organisations with their
badges and a link to each attribution. The choice of levels and their order is the vocabulary's
(``sousei:confidenceRank``); the page only names them.
"""

from dataclasses import dataclass, field

from pyoxigraph import Literal, NamedNode, QuerySolution, QuerySolutions

from sousei_kg.named_queries.tables import CONFIDENCE_LEVELS, SOUSEI

LEVEL_LABELS: dict[str, dict[str, str]] = {
    "OfficialSource": {"ja": "公式情報源", "en": "Official source"},
    "SecondarySource": {"ja": "二次情報源", "en": "Secondary source"},
    "WidelyKnown": {"ja": "周知の事実", "en": "Widely known"},
    "Inferred": {"ja": "推定", "en": "Inferred"},
}
"""The levels' labels as the vocabulary gives them (``skos:prefLabel`` in ontology/sousei.ttl)."""


@dataclass(frozen=True)
class Responsible:
    """One responsible organisation of a measure, with our confidence in the attribution.

    Attributes:
        iri: the organisation; labels: language → name.
        confidence: the level's name (``SecondarySource``), or None if not stated.
        attribution: the ``sousei:Attribution`` IRI (its page gives source and rationale).
    """

    iri: str
    labels: dict[str, str]
    confidence: str | None
    attribution: str | None

    def label(self, lang: str) -> str:
        """The name in ``lang``, else in Japanese, else the IRI."""
        return self.labels.get(lang) or self.labels.get("ja") or self.iri


@dataclass
class Path:
    """One path from a measure to the KPI's goal, and the measure's organisations.

    Attributes:
        measure: the measure IRI; hops: the IRIs after it (output?, outcome, goal).
        stated: every hop is stated by the summary itself.
        link_confidence: our confidence in the first link when it is curated.
        organisations: each responsible organisation once, in the query's order.
    """

    measure: str
    hops: list[str]
    stated: bool
    link_confidence: str | None
    organisations: list[Responsible] = field(default_factory=list)


def _value(row: QuerySolution, name: str) -> str | None:
    term = row[name]
    return term.value if isinstance(term, NamedNode | Literal) else None


def level_name(iri: str | None) -> str | None:
    """``https://w3id.org/sousei-kg/def#SecondarySource`` → ``SecondarySource``."""
    if iri is None:
        return None
    name = iri.removeprefix(SOUSEI)
    return name if name in CONFIDENCE_LEVELS else iri


def paths_of(solutions: QuerySolutions) -> list[Path]:
    """The query's rows folded into one :class:`Path` per (measure, hops), in the query's order."""
    paths: dict[tuple[str, ...], Path] = {}
    for row in solutions:
        measure = _value(row, "measure")
        if measure is None:
            continue
        hops = [
            h for h in (_value(row, "output"), _value(row, "outcome"), _value(row, "goal")) if h
        ]
        key = (measure, *hops)
        path = paths.get(key)
        if path is None:
            path = paths[key] = Path(
                measure=measure,
                hops=hops,
                stated=_value(row, "sourceStated") == "true",
                link_confidence=level_name(_value(row, "measureLinkConfidence")),
            )
        organisation = _value(row, "organisation")
        if organisation is not None and all(o.iri != organisation for o in path.organisations):
            labels = {
                lang: text
                for lang, column in (("ja", "organisationLabel"), ("en", "organisationLabelEn"))
                if (text := _value(row, column))
            }
            path.organisations.append(
                Responsible(
                    organisation,
                    labels,
                    level_name(_value(row, "organisationConfidence")),
                    _value(row, "organisationAttribution"),
                )
            )
    return list(paths.values())


def measures_of(paths: list[Path]) -> list[str]:
    """The distinct measures of some paths, sorted."""
    return sorted({p.measure for p in paths})
