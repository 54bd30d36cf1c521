"""The SPARQL lexer's rules, each checked against the grammar (SPARQL 1.1 §19) and pyoxigraph.

tests/sparql/test_guard_against_engine.py checks the whole lexer against the engine; these are the
rules one by one, so a failure names the rule that broke.
"""

import pyoxigraph
import pytest

from sousei_kg.sparql.lexer import Word, comment_end, words


def texts(found: tuple[Word, ...]) -> list[str]:
    return [word.text for word in found]


@pytest.mark.parametrize("line_end", ["\r", "\n", "\r\n", "\n\r"])
def test_a_comment_ends_at_either_line_end(line_end: str) -> None:
    """§19.6: a comment runs to 0x0D or 0x0A; pyoxigraph ends it at either too."""
    text = f"SELECT * WHERE {{ #x{line_end}BIND(1 AS ?a) }}"
    assert texts(words(text)) == ["SELECT", "WHERE", "BIND", "AS"]
    answer = pyoxigraph.Store().query(text)
    assert isinstance(answer, pyoxigraph.QuerySolutions)
    assert list(answer)  # the engine reads the BIND: it is not a comment


def test_a_comment_without_a_line_end_runs_to_the_end() -> None:
    assert texts(words("ASK {} # SERVICE\tLOAD")) == ["ASK"]
    assert comment_end("# x", 0) == 3
    assert comment_end("# x\ry\nz", 0) == 3
