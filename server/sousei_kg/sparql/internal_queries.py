"""The server's own SPARQL queries, read by name from the ``.rq`` files of ``sparql/internal/``.

Kept apart from the Python so that each one can be read whole, pasted into the query editor
(YASGUI) or any SPARQL client and run as it is, and parsed and run by one test
(``tests/sparql/test_internal_queries.py``). The files ship inside the package, like the templates.

The text of a file is used as it is: a value (a resource, a search text, a graph) only ever enters
as a bound term, through pyoxigraph's ``substitutions`` on the embedded store (see
:func:`sousei_kg.store.query.run_query`) and :func:`sousei_kg.remote.query_text.with_bindings` on
the remote backend, never by building query text in Python. Each file opens with comment lines
saying what it answers and which variables the caller binds (``# Bound by the caller: ?r …``).
"""

from functools import cache
from pathlib import Path

INTERNAL = Path(__file__).parent / "internal"
"""The folder of the internal queries, one ``{name}.rq`` file each."""

SUFFIX = ".rq"


class UnknownInternalQueryError(LookupError):
    """No internal query has this name (a bug in the caller, never the client's doing)."""


@cache
def internal_query_names() -> tuple[str, ...]:
    """The names of every internal query (the files' names without ``.rq``), sorted."""
    return tuple(sorted(path.stem for path in INTERNAL.glob("*" + SUFFIX)))


@cache
def internal_query(name: str) -> str:
    """The text of the internal query ``name`` (``sparql/internal/{name}.rq``), read once.

    Raises:
        UnknownInternalQueryError: if there is no such file.
    """
    if name not in internal_query_names():
        raise UnknownInternalQueryError(
            f"no internal SPARQL query {name!r}: sparql/internal/ has "
            + ", ".join(internal_query_names())
        )
    return (INTERNAL / (name + SUFFIX)).read_text(encoding="utf-8")
