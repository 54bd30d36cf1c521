"""The Violations of the committed state, kept up to date by incremental validation.

The writer refuses a write whose post-state has a Violation that the committed state does not
have. With whole-graph validation the baseline was simply the last full set of Violations. With
incremental validation (:mod:`sousei_kg.dataset.incremental_validation`) only some results are
computed again, so the baseline keeps results apart by what may have changed them:

- results of confined shapes, by focus node: a validation of a change recomputes *all* of them at
  the affected focus nodes and none elsewhere (elsewhere nothing a confined shape reads changed);
- results of each whole-graph shape: recomputed whole when the shape runs, kept when it did not
  (the change touched no predicate it reads).

So after a write the baseline is exactly the Violations a full validation of the post-state would
find, and the post-state's Violations outside the baseline are exactly the re-validated ones
outside it (the kept ones are in it by construction).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sousei_kg.dataset.incremental_validation import FocusedResult, ScopedValidation
from sousei_kg.dataset.validation import ValidationResult

ViolationKey = tuple[str, str | None, str | None, str]
"""How the writer compares Violations: focus node, path, value and message. The source shape is
left out, as it always was (a blank-node shape's label changes with every parse of the files)."""


def violation_key(result: ValidationResult) -> ViolationKey:
    """The key of a result."""
    return (result.focus_node, result.result_path, result.value, result.message)


@dataclass(frozen=True)
class ViolationBaseline:
    """The Violations of a state, split as incremental validation recomputes them.

    Attributes:
        confined: Violations of confined shapes, by the N3 form of their focus node.
        whole: Violations of each whole-graph shape, by the N3 form of the shape.
    """

    confined: Mapping[str, frozenset[ValidationResult]]
    whole: Mapping[str, frozenset[ValidationResult]]

    @classmethod
    def of(cls, validation: ScopedValidation) -> "ViolationBaseline":
        """The baseline of a state validated whole.

        Raises:
            ValueError: if the validation covered only part of the state.
        """
        if validation.focus is not None:
            raise ValueError("a baseline starts from a validation of every focus node")
        return cls(_by_focus(validation.confined), _by_shape(validation.whole))

    def violations(self) -> frozenset[ValidationResult]:
        """Every Violation of the state."""
        found: set[ValidationResult] = set()
        for results in (*self.confined.values(), *self.whole.values()):
            found |= results
        return frozenset(found)

    def added_by(self, validation: ScopedValidation) -> set[ViolationKey]:
        """The Violations the validated post-state has and this state has not."""
        known = {violation_key(result) for result in self.violations()}
        found = {
            violation_key(result)
            for result in validation.outcome.results
            if result.severity == "Violation"
        }
        return found - known

    def after(self, validation: ScopedValidation) -> "ViolationBaseline":
        """The baseline of the post-state that ``validation`` checked."""
        if validation.focus is None:
            return ViolationBaseline.of(validation)
        confined = {
            focus: results
            for focus, results in self.confined.items()
            if focus not in validation.focus
        }
        confined.update(_by_focus(validation.confined))
        return ViolationBaseline(confined, {**self.whole, **_by_shape(validation.whole)})


def _by_focus(results: Iterable[FocusedResult]) -> dict[str, frozenset[ValidationResult]]:
    found: dict[str, set[ValidationResult]] = {}
    for focus, result in results:
        if result.severity == "Violation":
            found.setdefault(focus, set()).add(result)
    return {focus: frozenset(violations) for focus, violations in found.items()}


def _by_shape(
    whole: Mapping[str, tuple[ValidationResult, ...]],
) -> dict[str, frozenset[ValidationResult]]:
    return {
        shape: frozenset(result for result in results if result.severity == "Violation")
        for shape, results in whole.items()
    }
