"""The baseline keeps the results a scoped validation did not recompute and replaces the others."""

import pytest
from rdflib import Graph
from rdflib.namespace import RDF, SH

from sousei_kg.dataset.incremental_validation import ScopedValidation, merge_reports
from sousei_kg.dataset.validation import ValidationOutcome, ValidationResult
from sousei_kg.dataset.violation_baseline import ViolationBaseline, violation_key


def violation(focus: str, message: str = "broken", shape: str = "S") -> ValidationResult:
    return ValidationResult(focus, None, None, message, "Violation", shape)


def warning(focus: str) -> ValidationResult:
    return ValidationResult(focus, None, None, "thin", "Warning", "W")


def scoped(
    focus: frozenset[str] | None,
    confined: list[tuple[str, ValidationResult]],
    whole: dict[str, tuple[ValidationResult, ...]],
) -> ScopedValidation:
    results = [r for _f, r in confined] + [r for rs in whole.values() for r in rs]
    return ScopedValidation(
        focus=focus,
        confined=tuple(confined),
        whole=whole,
        outcome=ValidationOutcome(
            not any(r.severity == "Violation" for r in results), results, merge_reports([])
        ),
        everything=None if focus is not None else "start",
    )


A, B = "<http://example.org/a>", "<http://example.org/b>"


def start() -> ViolationBaseline:
    return ViolationBaseline.of(
        scoped(
            None,
            [(A, violation("a")), (A, warning("a")), (B, violation("b"))],
            {"<W>": (violation("s", "scan"),), "<V>": ()},
        )
    )


def test_a_baseline_keeps_violations_only() -> None:
    assert start().violations() == {violation("a"), violation("b"), violation("s", "scan")}


def test_a_baseline_starts_from_a_validation_of_everything() -> None:
    with pytest.raises(ValueError, match="every focus node"):
        ViolationBaseline.of(scoped(frozenset({A}), [], {}))


def test_after_replaces_the_revalidated_focus_nodes_and_shapes_only() -> None:
    # a is fixed, b is untouched, the scan shape ran again and found something else.
    after = start().after(scoped(frozenset({A}), [], {"<W>": (violation("s", "other"),)}))
    assert after.violations() == {violation("b"), violation("s", "other")}


def test_added_by_is_what_the_revalidated_part_has_beyond_the_baseline() -> None:
    baseline = start()
    again = scoped(frozenset({A}), [(A, violation("a"))], {})
    assert baseline.added_by(again) == set()
    worse = scoped(frozenset({A}), [(A, violation("a", "new"))], {})
    assert baseline.added_by(worse) == {violation_key(violation("a", "new"))}
    # A Violation that moves to another shape with the same focus, path, value and message is
    # not new (the writer never compared shapes).
    moved = scoped(frozenset({A}), [(A, violation("a", shape="T"))], {})
    assert baseline.added_by(moved) == set()


def test_a_fixed_violation_that_comes_back_is_new_again() -> None:
    fixed = start().after(scoped(frozenset({B}), [], {}))
    back = scoped(frozenset({B}), [(B, violation("b"))], {})
    assert fixed.added_by(back) == {violation_key(violation("b"))}


def test_merged_reports_hold_every_result_under_one_report() -> None:
    one = Graph().parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        [] a sh:ValidationReport ; sh:conforms false ; sh:result [ a sh:ValidationResult ;
            sh:focusNode <http://example.org/a> ; sh:resultSeverity sh:Violation ;
            sh:resultMessage "broken" ; sh:sourceShape <http://example.org/S> ] .
        """,
        format="turtle",
    )
    two = Graph().parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        [] a sh:ValidationReport ; sh:conforms true .
        """,
        format="turtle",
    )
    merged = merge_reports([one, two])
    reports = list(merged.subjects(RDF.type, SH.ValidationReport))
    assert len(reports) == 1
    assert len(list(merged.objects(reports[0], SH.result))) == 1
    assert not merged.value(reports[0], SH.conforms).toPython()  # type: ignore[union-attr]
