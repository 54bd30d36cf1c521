"""Rows of terms written into an internal query's empty ``VALUES`` block: how a list of resources
a Python index found (:mod:`sousei_kg.store.label_index`) reaches the engine.

The internal query holds the block empty (``VALUES (?a ?b) {}``, valid SPARQL that matches
nothing, so the file can still be read and run as it is). Each row is written with ``str(term)``:
the N-Triples form pyoxigraph writes (IRIs were checked when the term was made, literals are
escaped), and ``None`` as ``UNDEF`` (no value); the same serialisation
:mod:`sousei_kg.remote.query_text` sends to a remote engine. No request text is pasted: a term is
a value the store already holds.
"""

from collections.abc import Iterable, Sequence

from pyoxigraph import Literal, NamedNode


class ValuesBlockError(ValueError):
    """The query has no empty ``VALUES`` block for these variables, or more than one (a bug in
    the internal query, never the client's doing)."""


def with_values_rows(
    query: str, variables: Sequence[str], rows: Iterable[Sequence[NamedNode | Literal | None]]
) -> str:
    """``query`` with its one ``VALUES (?v1 ?v2 …) {}`` block holding ``rows``.

    Raises:
        ValuesBlockError: if the block is missing or not unique, or a row has the wrong width.
    """
    head = "VALUES (" + " ".join("?" + name for name in variables) + ") {"
    empty = head + "}"
    if query.count(empty) != 1:
        raise ValuesBlockError(f"the query needs exactly one empty block {empty!r}")
    lines = []
    for row in rows:
        if len(row) != len(variables):
            raise ValuesBlockError(f"a row of {len(row)} terms for {len(variables)} variables")
        if not all(term is None or isinstance(term, NamedNode | Literal) for term in row):
            raise ValuesBlockError("only IRIs, literals and None (UNDEF) can be written as VALUES")
        lines.append("  (" + " ".join(_written(term) for term in row) + ")\n")
    return query.replace(empty, head + "\n" + "".join(lines) + "}", 1)


def _written(term: NamedNode | Literal | None) -> str:
    return "UNDEF" if term is None else str(term)
