"""``sousei-kg validate`` for people (issue 16): each finding once, and the coverage gaps with the
share of what the summary declares that the graph holds, as a percentage."""

import re

import pytest
from click.testing import CliRunner

from sousei_kg.cli.main import cli
from sousei_kg.cli.validation_report import with_share

COUNTS = re.compile(r"declares (\d+) .*?; (\d+) (?:is|are) in the graph")


@pytest.mark.parametrize(
    ("message", "shown"),
    [
        (
            "Policy goal 1: Strong economy declares 132 measures; 13 are in the graph",
            "Policy goal 1: Strong economy declares 132 measures; 13 are in the graph (9.8%)",
        ),
        (
            "Outcome B declares 1 indicators; 0 are in the graph",
            "Outcome B declares 1 indicators; 0 are in the graph (0.0%)",
        ),
        ("Measure X has no responsible organisation in the graph", None),
        ("Level declares 0 indicators; 0 are in the graph", None),
    ],
)
def test_a_coverage_message_gets_its_share(message: str, shown: str | None) -> None:
    assert with_share(message) == (shown or message)


def test_the_shipped_report_says_each_finding_once_with_percentages() -> None:
    result = CliRunner().invoke(cli, ["validate"])
    assert result.exit_code in (0, 1), result.output
    text = result.stdout
    coverage = text[text.index("Coverage (") :].splitlines()[1:]
    gaps = [line for line in coverage if line.startswith("  - ")]
    assert gaps, "the shipped data has coverage gaps"
    for gap in gaps:
        assert text.count(gap.removeprefix("  - ").split(" (")[0]) == 1, gap  # printed once
        counts = COUNTS.search(gap)
        if counts and int(counts.group(1)):
            share = 100 * int(counts.group(2)) / int(counts.group(1))
            assert gap.endswith(f"({share:.1f}%)"), gap
    assert "0.0984848" not in text and "Warning\n" not in text
