"""``sousei-kg validate`` warns honestly about what our curation rests on (issue 17): the measures
whose only organisations are our inference, by name; curated statements without the source or
rationale their confidence level needs; and a source document without a date."""

import shutil
from pathlib import Path

from click.testing import CliRunner, Result

from conftest import REPO
from sousei_kg.cli.main import cli

INFERRED_ONLY = [
    "教育現場の意識改革の推進",
    "産学官連携によるオープンイノベーションの推進",
    "大学等の地方分散支援",
    "女性の起業支援",
]


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def coverage(result: Result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout[result.stdout.index("Coverage (") :]


def shipped_copy(tmp_path: Path) -> Path:
    root = tmp_path / "resources"
    for folder in ("ontology", "shapes", "data", "queries"):
        shutil.copytree(REPO / folder, root / folder)
    return root


def test_validate_warns_about_inference_only_missing_evidence_and_undated_sources(
    tmp_path: Path,
) -> None:
    """One run on a copy of the shipped files, two statements broken (the shipped data itself
    has neither warning: tests/dataset/test_shapes.py)."""
    root = shipped_copy(tmp_path)
    curation = root / "data" / "curation--attributions.ttl"
    text = curation.read_text(encoding="utf-8")
    # The summary's date gone (its attribution made into something else), and an OfficialSource's
    # page gone.
    dated = '    dcterms:date "2025-12-23"^^xsd:date ;\n'
    assert text.count(dated) == 1
    text = text.replace(dated, "")
    qualified = "document-strategy-summary-2025--date--date> a sousei:Attribution ;"
    assert qualified in text
    text = text.replace(qualified, "document-strategy-summary-2025--date--date> a sousei:Draft ;")
    official = "    dcterms:source <https://www.mlit.go.jp/hakusyo/mlit/r06/hakusho/r07/html/n2163000.html> ;\n"
    assert official in text
    text = text.replace(official, '    skos:editorialNote "no page"@en ;\n', 1)
    curation.write_text(text, encoding="utf-8")
    report = coverage(run("validate", "--resources", root))
    for label in INFERRED_ONLY:
        assert f"Measure {label}: every responsible organisation is our inference" in report
    assert report.count("every responsible organisation is our inference") == len(INFERRED_ONLY)
    assert "Policy goal 1: Strong economy declares 132 measures; the summary names 12 of them" in (
        report
    )
    assert (
        "Source document https://w3id.org/sousei-kg/id/document/strategy-summary-2025 has no date"
        in report
    )
    transport = (
        "https://w3id.org/sousei-kg/id/attribution/"
        "measure-regional-transport-redesign--responsible-organization--org-mlit"
    )
    assert f"Curated statement {transport} is OfficialSource but cites no source" in report
    assert f"Curated statement {transport} is OfficialSource but cites no government" in report
