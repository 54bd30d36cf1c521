"""The writer's Violation baseline survives a restart only when it can be matched again."""

from pathlib import Path

from sousei_kg.dataset.validation import ValidationResult
from sousei_kg.dataset.violation_baseline import ViolationBaseline
from sousei_kg.writes.baseline_file import (
    BASELINE_FILE,
    NO_VIOLATIONS,
    recall_baseline,
    remember_baseline,
)

VIOLATION = ValidationResult(
    focus_node="https://w3id.org/sousei-kg/id/kpi/x",
    result_path="http://www.w3.org/2000/01/rdf-schema#label",
    value=None,
    message="Less than 1 values on <…>",
    severity="Violation",
    source_shape="https://w3id.org/sousei-kg/shapes#KpiShape",
)


def test_a_baseline_is_read_back_for_the_same_version_and_shapes(tmp_path: Path) -> None:
    baseline = ViolationBaseline(
        confined={"<https://w3id.org/sousei-kg/id/kpi/x>": frozenset({VIOLATION})},
        whole={"<https://w3id.org/sousei-kg/shapes#Whole>": frozenset({VIOLATION})},
    )
    remember_baseline(tmp_path, "v1", None, baseline)

    assert recall_baseline(tmp_path, "v1", None) == baseline


def test_another_version_or_other_shapes_find_nothing(tmp_path: Path) -> None:
    remember_baseline(tmp_path, "v1", None, NO_VIOLATIONS)
    assert recall_baseline(tmp_path, "v2", None) is None

    shapes = tmp_path / "resources" / "shapes"
    shapes.mkdir(parents=True)
    (shapes / "only.ttl").write_text("# no shapes\n", encoding="utf-8")
    assert recall_baseline(tmp_path, "v1", tmp_path / "resources") is None


def test_violations_of_a_blank_node_shape_are_not_remembered(tmp_path: Path) -> None:
    remember_baseline(tmp_path, "v1", None, NO_VIOLATIONS)
    unmatched = ViolationBaseline(confined={}, whole={"_:b0": frozenset({VIOLATION})})

    remember_baseline(tmp_path, "v2", None, unmatched)

    assert not (tmp_path / BASELINE_FILE).exists()
    assert recall_baseline(tmp_path, "v2", None) is None


def test_a_damaged_file_finds_nothing(tmp_path: Path) -> None:
    (tmp_path / BASELINE_FILE).write_text('{"key": ["v1"', encoding="utf-8")
    assert recall_baseline(tmp_path, "v1", None) is None
