"""``sousei-kg validate`` as text: each finding once, the coverage gaps with percentages.

Violations and infos are printed one block each (focus, path, value, message, shape); warnings
are the coverage gaps of the dataset (what the summary declares and the graph does not hold yet),
listed once under "Coverage", each with the share of what is declared that the graph holds, when
its message says both numbers ("declares 132 measures; 13 are in the graph" → 9.8%).
"""

import re

from sousei_kg.dataset.validation import ValidationOutcome, ValidationResult, coverage_summary

_COUNTS = re.compile(r"declares (\d+) .*?; (\d+) (?:is|are) in the graph")


def with_share(message: str) -> str:
    """A coverage message with the share it describes, as a percentage."""
    match = _COUNTS.search(message)
    if match is None or int(match.group(1)) == 0:
        return message
    declared, held = int(match.group(1)), int(match.group(2))
    return f"{message} ({100 * held / declared:.1f}%)"


def _block(result: ValidationResult) -> list[str]:
    lines = [result.severity, f"  focus:   {result.focus_node}"]
    if result.result_path is not None:
        lines.append(f"  path:    {result.result_path}")
    if result.value is not None:
        lines.append(f"  value:   {result.value}")
    lines += [f"  message: {result.message}", f"  shape:   {result.source_shape}", ""]
    return lines


def report_text(outcome: ValidationOutcome) -> str:
    """The report for people: violations and infos, the coverage gaps, the verdict."""
    lines: list[str] = []
    for result in outcome.results:
        if result.severity != "Warning":
            lines += _block(result)
    coverage = coverage_summary(outcome)
    lines.append("Coverage (warnings: declared in the summary, not yet in the graph)")
    lines.extend(f"  - {with_share(message)}" for message in coverage)
    if not coverage:
        lines.append("  (no gaps reported)")
    lines.append("")
    counts = {s: sum(r.severity == s for r in outcome.results) for s in ("Violation", "Warning")}
    verdict = "conforms" if outcome.conforms else "does NOT conform"
    lines.append(
        f"{verdict}: {counts['Violation']} violation(s), {counts['Warning']} warning(s), "
        f"{len(outcome.results) - sum(counts.values())} info(s)"
    )
    return "\n".join(lines) + "\n"
