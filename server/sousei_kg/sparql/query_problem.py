"""What a SPARQL mistake is, told to a person: its kind, one sentence, its place, the offending
line with a caret, and the engine's own message (found by :mod:`sousei_kg.sparql.explain`)."""

import unicodedata
from dataclasses import dataclass
from typing import Literal

ProblemKind = Literal[
    "missing-prefix",
    "misspelt-keyword",
    "update-as-query",
    "ungrouped-variable",
    "rebound-variable",
    "unclosed-group",
    "syntax",
]
"""What kind of mistake a problem is (the problem-details ``type`` names it)."""

TITLES: dict[ProblemKind, str] = {
    "missing-prefix": "A prefix is not declared",
    "misspelt-keyword": "A keyword is misspelt",
    "update-as-query": "An update was sent as a query",
    "ungrouped-variable": "A selected variable is not grouped",
    "rebound-variable": "A variable is bound twice",
    "unclosed-group": "A group is not closed",
    "syntax": "SPARQL syntax error",
}
"""One line per kind, for people reading a list of them."""

MAX_EXCERPT_CHARS = 160
"""The longest stretch of the offending line shown; a longer line is cut around the caret."""


@dataclass(frozen=True)
class QueryProblem:
    """Why a SPARQL text was refused, for a person.

    Attributes:
        kind: which mistake it is.
        summary: one sentence: what is wrong and what to do.
        line: the 1-based line of the mistake, when known.
        column: its 1-based column (in characters), when known.
        source_line: the text of that line.
        engine_message: what the engine said, as it said it (the detail for a syntax error).
        suggestion: a text to use instead, when there is one (a ``PREFIX`` line, a keyword).
    """

    kind: ProblemKind
    summary: str
    line: int | None
    column: int | None
    source_line: str | None
    engine_message: str
    suggestion: str | None = None

    @property
    def headline(self) -> str:
        """``SPARQL syntax error at line L, column C: <summary>``: one line that says it all."""
        where = f" at line {self.line}, column {self.column}" if self.line is not None else ""
        return f"SPARQL syntax error{where}: {self.summary}"

    def excerpt(self) -> str:
        """The offending line with its number, and a caret under the column (wide East Asian
        characters count two, as a terminal draws them); empty when the place is unknown."""
        if self.line is None or self.source_line is None:
            return ""
        line = self.source_line.replace("\t", " ")
        column = max(1, min(self.column or 1, len(line) + 1))
        start = 0
        if len(line) > MAX_EXCERPT_CHARS:  # cut a long line around the caret
            start = max(0, column - 1 - MAX_EXCERPT_CHARS // 2)
            line = line[start : start + MAX_EXCERPT_CHARS]
        gutter = f"{self.line:>4} | "
        caret = " " * display_width(line[: column - 1 - start]) + "^"
        return f"{gutter}{line.rstrip()}\n{' ' * (len(gutter) - 2)}| {caret}"

    def text(self) -> str:
        """The headline, the excerpt and the engine's message, as plain text lines."""
        parts = [self.headline]
        if excerpt := self.excerpt():
            parts += ["", excerpt]
        if self.engine_message:
            parts += ["", "The parser said: " + self.engine_message]
        return "\n".join(parts)


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal (East Asian wide and fullwidth characters: two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
