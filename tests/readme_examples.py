"""The README's example queries, read as tests/cli/test_readme.py reads them (a query block and
the answer table after it), for the tests that run them through other clients."""

import re

from conftest import REPO

EXAMPLE = re.compile(r"```sparql\n(?P<query>.*?)```\n\n(?P<table>(?:\|[^\n]*\|\n)+)", re.DOTALL)


def readme_queries() -> list[tuple[str, int]]:
    """Each example query with the number of rows its table shows."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    found = [
        (match.group("query"), len(match.group("table").strip().splitlines()) - 2)
        for match in EXAMPLE.finditer(text)
    ]
    assert len(found) == 3, "the README should show three example queries with answer tables"
    return found
