"""The source graph holds only what the summary states (issue 17): every literal of
``graph/strategy-2025`` appears in the summary's text, shipped as a fixture
(``tests/fixtures/source/``), and every curated attribution stays at or below the confidence the
research gave it (``../shared/reference/domain-facts.md``: SRC, SRC2, WK, GUESS; never upgraded)."""

from functools import cache

import pytest
from pyoxigraph import Literal, QuerySolutions, Store

from conftest import FIXTURES
from sousei_kg.dataset.graph_naming import load_shipped
from sousei_kg.store.directory import open_store
from sousei_kg.store.query import run_query

SUMMARY = FIXTURES / "source" / "strategy-summary.ja.txt"
ID = "https://w3id.org/sousei-kg/id/"
SOUSEI = "https://w3id.org/sousei-kg/def#"
RANK = {"OfficialSource": 4, "SecondarySource": 3, "WidelyKnown": 2, "Inferred": 1}


@cache
def store() -> Store:
    shipped = open_store(None)
    load_shipped(shipped)
    return shipped


def summary_text() -> str:
    """The summary as the source graph writes it: the PDF's letter-spaced abbreviations (``K P I``,
    ``P D C A``) without their spaces, as ``graph/meta`` says of the source document."""
    text = SUMMARY.read_text(encoding="utf-8")
    return text.replace("K P I", "KPI").replace("P D C A", "PDCA")


def source_literals() -> list[Literal]:
    result = run_query(
        store(),
        """SELECT DISTINCT ?o WHERE {
             GRAPH <https://w3id.org/sousei-kg/graph/strategy-2025> { ?s ?p ?o FILTER(isLiteral(?o)) }
           } ORDER BY ?o""",
    )
    assert isinstance(result, QuerySolutions)
    found = [row["o"] for row in result if isinstance(row["o"], Literal)]
    assert len(found) > 100, "the source graph's literals were not found"
    return found


def test_the_fixture_is_the_summary() -> None:
    text = summary_text()
    assert "地方創生に関する総合戦略" in text and "KPI：東京圏以外における" in text
    assert "K P I" not in text


@pytest.mark.parametrize("literal", source_literals(), ids=lambda lit: lit.value[:30])
def test_every_source_literal_is_in_the_summary(literal: Literal) -> None:
    assert literal.value in summary_text()


def test_a_literal_not_in_the_summary_is_caught() -> None:
    """What the test above rests on: an inferred name (our English, or a matching we made) is not
    in the text, so it could not hide in the source graph."""
    assert "Strong economy" not in summary_text()
    assert "デジタル田園都市国家構想データ分析評価プラットフォーム" not in summary_text()


def test_every_source_statement_is_about_the_summary_only() -> None:
    """No English, no attribution, no curated predicate in the source graph."""
    result = run_query(
        store(),
        """SELECT ?s ?p ?o WHERE { GRAPH <https://w3id.org/sousei-kg/graph/strategy-2025> {
             ?s ?p ?o
             FILTER(?p IN (<https://w3id.org/sousei-kg/def#responsibleOrganization>,
                           <https://w3id.org/sousei-kg/def#qualifiedAttribution>)
                    || (isLiteral(?o) && LANG(?o) = "en"))
           } }""",
    )
    assert isinstance(result, QuerySolutions)
    assert list(result) == []


# The research's mark for each responsible organisation we attribute, as the most our grade may be:
# SRC on a go.jp page → OfficialSource; SRC on a third-party page, or SRC2 → SecondarySource;
# WK → WidelyKnown; GUESS or WK/GUESS → Inferred. Written from domain-facts.md §3–4, not from the data.
OFFICIAL, SECONDARY, KNOWN, GUESS = "OfficialSource", "SecondarySource", "WidelyKnown", "Inferred"
RESEARCH_MARKS: dict[tuple[str, str], str] = {
    ("measure/inbound-tourism-regional-resources", "jta"): KNOWN,
    ("measure/smart-agriculture-forestry-fisheries", "maff"): KNOWN,
    ("measure/traditional-crafts-local-industries", "meti"): OFFICIAL,
    ("measure/traditional-crafts-local-industries", "sme-agency"): KNOWN,
    **{("measure/cultural-tourism-facilities", o): KNOWN for o in ("bunka", "jta")},
    ("measure/regional-revitalisation-through-sport", "sports-agency"): KNOWN,
    **{("measure/watt-bit-collaboration", o): SECONDARY for o in ("mic", "meti")},
    **{("measure/large-scale-gx-dx-investment", o): SECONDARY for o in ("meti", "cas")},
    ("measure/headquarters-relocation", "cao"): SECONDARY,
    ("measure/sme-support-regional-finance", "fsa"): SECONDARY,
    **{
        ("measure/open-innovation-industry-academia-government", o): GUESS for o in ("mext", "meti")
    },
    **{("measure/new-export-support-10000-companies", o): KNOWN for o in ("meti", "sme-agency")},
    **{("programme/new-export-support", o): KNOWN for o in ("meti", "sme-agency")},
    **{("measure/reskilling-support", o): KNOWN for o in ("meti", "mhlw")},
    **{
        ("measure/digital-talent-development", o): KNOWN for o in ("digital-agency", "meti", "mext")
    },
    ("measure/regional-transport-redesign", "mlit"): OFFICIAL,
    ("measure/new-mobility-services", "mlit"): SECONDARY,
    ("measure/community-life-service-hubs", "cao"): SECONDARY,
    ("measure/robot-delivery", "meti"): SECONDARY,
    ("measure/infrastructure-ageing-wide-area", "mlit"): SECONDARY,
    ("measure/evacuation-living-environment", "cao"): SECONDARY,
    ("measure/regional-healthcare-online-medicine", "mhlw"): KNOWN,
    ("measure/regional-care-welfare-services", "mhlw"): KNOWN,
    ("measure/post-office-utilisation", "mic"): SECONDARY,
    # SRC, but the government page is generic: the third-party copy is what states it.
    **{("measure/japanese-ccrc", o): SECONDARY for o in ("cao", "cas")},
    **{
        ("measure/smart-cities", o): KNOWN for o in ("cao", "mic", "meti", "mlit", "digital-agency")
    },
    # SRC on a mirror of government material (wic-net.com).
    **{("measure/work-style-workplace-reform", o): SECONDARY for o in ("cas", "cao", "mhlw")},
    ("measure/awareness-reform-in-education", "mext"): GUESS,
    **{("measure/womens-entrepreneurship-support", o): GUESS for o in ("meti", "sme-agency")},
    **{
        (f"{kind}/regional-university-industry-grant{tail}", o): OFFICIAL
        for kind, tail in (("measure", "-promotion"), ("programme", ""))
        for o in ("cao", "mext")
    },
    **{("measure/university-dispersal-support", o): GUESS for o in ("cas", "cao", "mext")},
    ("measure/high-school-regional-study", "cao"): SECONDARY,  # SRC on the operator's own site
    ("measure/school-community-collaboration", "mext"): KNOWN,
    ("measure/hometown-resident-registration-creation", "mic"): SECONDARY,
    ("programme/hometown-resident-registration", "mic"): SECONDARY,
    # スモールコンセッション SRC, but 二地域居住 (the measure's aim) SRC2.
    ("measure/two-region-living", "mlit"): SECONDARY,
    ("measure/professional-talent-programme-rollout", "cao"): SECONDARY,
    ("programme/professional-talent", "cao"): SECONDARY,
    ("measure/relocation-support-programme-rollout", "cao"): OFFICIAL,
    ("programme/relocation-support", "cao"): OFFICIAL,
    **{
        (f"{kind}/accompanying-support-system", o): OFFICIAL
        for kind in ("measure", "programme")
        for o in ("cas", "cao")
    },
    ("measure/special-zones-relaunch", "cao"): KNOWN,
    **{("measure/wide-area-region-collaboration", o): SECONDARY for o in ("cas", "mic")},
    **{("programme/resas", o): SECONDARY for o in ("cas", "meti")},  # SRC, on a news site
    **{("programme/raida", o): GUESS for o in ("cas", "cao")},
}


def organisation_grades() -> dict[tuple[str, str], str]:
    result = run_query(
        store(),
        """PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
           PREFIX sousei: <https://w3id.org/sousei-kg/def#>
           SELECT ?s ?o ?confidence WHERE {
             ?a rdf:subject ?s ; rdf:predicate sousei:responsibleOrganization ; rdf:object ?o ;
                sousei:confidence ?confidence }""",
    )
    assert isinstance(result, QuerySolutions)
    return {
        (row["s"].value.removeprefix(ID), row["o"].value.removeprefix(ID + "org/")): row[
            "confidence"
        ].value.removeprefix(SOUSEI)
        for row in result
    }


def test_no_attribution_is_graded_above_its_research_mark() -> None:
    grades = organisation_grades()
    assert set(grades) == set(RESEARCH_MARKS), "an attribution without a research mark, or lost"
    upgraded = {
        k: (v, RESEARCH_MARKS[k]) for k, v in grades.items() if RANK[v] > RANK[RESEARCH_MARKS[k]]
    }
    assert upgraded == {}
