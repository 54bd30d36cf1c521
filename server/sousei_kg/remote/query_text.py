"""What the remote backend must know about a query's text before sending it, and the one thing it
adds to it: parameters, bound to terms serialised by pyoxigraph.

Nothing here pastes request text into a query: a parameter arrives as a pyoxigraph term, and
``str(term)`` is its N-Triples form (IRIs checked, literals escaped) written by the RDF library.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from pyoxigraph import BlankNode, NamedNode, Triple, Variable
from pyoxigraph import Literal as OxLiteral

from sousei_kg.sparql.lexer import LexerError, comment_end, decode_escapes, words

QueryForm = Literal["SELECT", "ASK", "CONSTRUCT", "DESCRIBE"]
_FORMS: frozenset[str] = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})

Bindable = NamedNode | BlankNode | OxLiteral | Triple


class RemoteQueryError(ValueError):
    """The query cannot be sent to the remote engine as it is; the message says why."""


@dataclass(frozen=True)
class DatasetClause:
    """The graphs a query's own ``FROM`` and ``FROM NAMED`` clauses name (absolute IRIs)."""

    default: tuple[str, ...]
    named: tuple[str, ...]


def query_form(query: str) -> QueryForm:
    """The query form: the first ``SELECT``/``ASK``/``CONSTRUCT``/``DESCRIBE`` at the top level.

    The form decides what the remote engine is asked for (SPARQL results or N-Triples), so it is
    read with the shared lexer rather than guessed by the client library.

    Raises:
        RemoteQueryError: if the text has no query form (an update, or not SPARQL).
    """
    try:
        found = words(query)
    except LexerError as error:
        raise RemoteQueryError(str(error)) from error
    for word in found:
        if word.braces == 0 and word.text in _FORMS and not word.inside_name:
            return word.text  # type: ignore[return-value]
    raise RemoteQueryError("the text is not a SPARQL query (no SELECT, ASK, CONSTRUCT, DESCRIBE)")


def with_bindings(query: str, bindings: Mapping[Variable, Bindable]) -> str:
    """The query with its parameters bound to terms: ``BIND(term AS ?name)`` opening each
    ``WHERE`` group.

    pyoxigraph's substitution binds the variable everywhere, subqueries included (the label search
    filters on ``?q`` inside a subquery that projects it), so the bindings open *every* ``WHERE``
    group: the query's and each subquery's. A ``BIND`` first in a group is joined with the rest
    of the pattern before anything is filtered, grouped or projected, like a one-row ``VALUES``
    block, which answers what the substitution answers for the parameters the server accepts
    (variables the query selects, checked beforehand by pyoxigraph); in a subquery that does not
    project the variable it changes nothing.

    ``BIND`` rather than ``VALUES``: Virtuoso 7 ignores a ``VALUES`` join on the subject of a
    property path (``VALUES ?start {<g>} ?start :p* ?goal`` answers every ``?start``), and refuses
    the standard trailing ``VALUES`` after ASK and CONSTRUCT. A query without any ``WHERE``
    keyword gets a trailing ``VALUES`` block (SPARQL 1.1 §18.2.4.3: joined before projection).

    The terms are written by pyoxigraph (``str(term)``: N-Triples syntax, IRIs checked, literals
    escaped), never taken from the request text.

    Raises:
        RemoteQueryError: if a term cannot be written this way (a blank node or a triple), or the
            text cannot be read with certainty.
    """
    if not bindings:
        return query
    pairs: list[tuple[str, str]] = []
    for variable, term in bindings.items():
        if not isinstance(term, NamedNode | OxLiteral):
            raise RemoteQueryError(
                f"parameter {variable.value}: only IRIs and literals can be sent"
            )
        pairs.append((str(variable), str(term)))
    binds = " ".join(f"BIND({term} AS {name})" for name, term in pairs)
    try:
        text = decode_escapes(query)  # what the lexer's offsets refer to; same query (§19.2)
        found = words(text)
    except LexerError as error:
        raise RemoteQueryError(str(error)) from error
    groups = [
        group
        for w in found
        if w.text == "WHERE" and not w.inside_name
        if (group := _group_start(text, w.start + len("WHERE"))) is not None
    ]
    if not groups:
        names = " ".join(name for name, _ in pairs)
        terms = " ".join(term for _, term in pairs)
        # The newline ends a comment the query may finish with.
        return f"{query}\nVALUES ({names}) {{ ({terms}) }}\n"
    pieces, previous = [], 0
    for group in groups:
        pieces.append(f"{text[previous : group + 1]} {binds} ")
        previous = group + 1
    return "".join(pieces) + text[previous:]


def _group_start(text: str, position: int) -> int | None:
    """The offset of the ``{`` that follows ``position`` past blanks and comments, if any."""
    i = position
    while i < len(text):
        if text[i].isspace():
            i += 1
        elif text[i] == "#":
            i = comment_end(text, i)
        else:
            return i if text[i] == "{" else None
    return None


def dataset_clause(query: str, base_iri: str | None) -> DatasetClause | None:
    """The graphs the query's ``FROM``/``FROM NAMED`` name, resolved, or ``None`` without any.

    The remote backend sends them as ``default-graph-uri``/``named-graph-uri`` (which override
    the query's own clauses, SPARQL 1.1 Protocol §2.1.4) after keeping only this dataset's
    graphs, so a query cannot read another graph the engine holds. rdflib's parser resolves
    prefixed names and relative IRIs; it runs only for the rare query that has ``FROM``.

    Raises:
        RemoteQueryError: if the dataset clause cannot be read with certainty.
    """
    try:
        found = words(query)
    except LexerError as error:
        raise RemoteQueryError(str(error)) from error
    if not any(w.text == "FROM" and not w.inside_name for w in found):
        return None
    from rdflib.plugins.sparql.algebra import translateQuery  # rare: import on demand
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        parsed = translateQuery(parseQuery(query), base=base_iri)
    except Exception as error:  # rdflib raises pyparsing and its own errors alike
        raise RemoteQueryError(
            "the query's FROM clause could not be read; name the graphs with default-graph-uri "
            "and named-graph-uri instead"
        ) from error
    default: list[str] = []
    named: list[str] = []
    for clause in parsed.algebra.get("datasetClause") or ():
        if "default" in clause:
            default.append(str(clause["default"]))
        elif "named" in clause:
            named.append(str(clause["named"]))
    return DatasetClause(tuple(default), tuple(named))
