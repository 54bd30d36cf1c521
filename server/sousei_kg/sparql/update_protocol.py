"""The SPARQL 1.1 Protocol, update side: what a request to ``/update`` asks for.

Pure functions, like :mod:`sousei_kg.sparql.query_protocol` (whose request helpers they share),
so each rule of https://www.w3.org/TR/sparql11-protocol/#update-operation is testable without HTTP.

``using-graph-uri`` / ``using-named-graph-uri`` are, by the protocol's definition, ``USING`` /
``USING NAMED`` clauses given out of band, and pyoxigraph's update API takes no dataset. So they
are added to the update text as those clauses, before the ``WHERE`` of each ``DELETE``/``INSERT``
operation. This is the one place the server adds SPARQL text: the places come from a lexer (never
inside strings, IRIs, comments or nested groups) and each IRI is checked and written by pyoxigraph
(``NamedNode``), so a parameter can only ever be one IRI.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass

from pyoxigraph import NamedNode

# The shared protocol helpers and lexer pieces: one reading of requests and SPARQL text.
from sousei_kg.sparql.lexer import LexerError, words
from sousei_kg.sparql.query_protocol import FORM, SPARQL_UPDATE, ProtocolError
from sousei_kg.sparql.query_protocol import _iris as iris
from sousei_kg.sparql.query_protocol import _media_type as media_type
from sousei_kg.sparql.query_protocol import _pairs as pairs
from sousei_kg.sparql.query_protocol import _utf8 as utf8

_ESCAPE = re.compile(r"\\[uU]")


@dataclass(frozen=True)
class UpdateRequest:
    """A parsed update request.

    Attributes:
        update: the SPARQL Update text, as sent.
        using_graphs: ``using-graph-uri`` values (absolute IRIs).
        using_named_graphs: ``using-named-graph-uri`` values (absolute IRIs).
    """

    update: str
    using_graphs: tuple[str, ...] = ()
    using_named_graphs: tuple[str, ...] = ()


def parse_update_request(
    method: str, content_type: str | None, query_string: bytes, body: bytes
) -> UpdateRequest:
    """Parse a request to the update endpoint.

    Raises:
        ProtocolError: 405 for anything but POST; 415 for a body that is neither a form nor
            ``application/sparql-update``; 400 for a missing, repeated or non-UTF-8 update, or a
            malformed graph IRI.
    """
    if method.upper() != "POST":
        raise ProtocolError(
            f"method {method.upper()} is not allowed; updates use POST", rule="method"
        )
    params = pairs(query_string, "the URL query string")
    media, charset = media_type(content_type)
    if media not in (FORM, SPARQL_UPDATE):
        got = f"Content-Type {media!r}" if media else "no Content-Type"
        raise ProtocolError(
            f"an update needs Content-Type {FORM} or {SPARQL_UPDATE}; got {got}", rule="media-type"
        )
    if charset is not None and charset.lower().replace("-", "") != "utf8":
        raise ProtocolError(f"the request body must be UTF-8; charset={charset} is not")
    if media == FORM:
        for name, values in pairs(body, "the form body").items():
            params.setdefault(name, []).extend(values)
    else:
        if "update" in params:
            raise ProtocolError(
                "the update is the request body; do not also send update= in the URL"
            )
        params["update"] = [utf8(body, "the request body")]
    if "query" in params:
        raise ProtocolError("queries go to /sparql; this endpoint takes updates only")
    updates = params.get("update", [])
    if len(updates) != 1:
        raise ProtocolError(f"{len(updates)} update parameters; send exactly one update")
    if not updates[0].strip():
        raise ProtocolError("the update is empty")
    return UpdateRequest(
        update=updates[0],
        using_graphs=iris(params, "using-graph-uri"),
        using_named_graphs=iris(params, "using-named-graph-uri"),
    )


def _top_level_words(text: str) -> list[tuple[str, int, bool]]:
    """Words outside any ``{…}``: (upper-cased word, offset, whether a ``{`` or ``}`` came
    between it and the previous such word), from the shared lexer
    (:func:`sousei_kg.sparql.lexer.words`).

    Raises:
        LexerError: if the text cannot be lexed with certainty.
    """
    found: list[tuple[str, int, bool]] = []
    seen = 0
    for word in words(text):
        if word.braces == 0 and not word.inside_name:
            found.append((word.text, word.start, word.braces_before != seen))
            seen = word.braces_before
    return found


def with_using(request: UpdateRequest) -> str:
    """The update text with the request's ``using-*`` graphs as ``USING`` clauses.

    Raises:
        ProtocolError: 400 if the update already has ``USING`` or ``WITH`` (the protocol forbids
            both at once), uses ``DELETE WHERE`` (which takes no ``USING``), or has ``\\u``
            escapes (which would make the places uncertain).
    """
    if not (request.using_graphs or request.using_named_graphs):
        return request.update
    text = request.update
    if _ESCAPE.search(text):
        raise ProtocolError(
            "using-graph-uri/using-named-graph-uri cannot be combined with \\u escapes"
        )
    try:
        top_words = _top_level_words(text)
    except LexerError as error:
        raise ProtocolError(f"the update could not be read: {error}") from None
    conflict = next((w for w, _, _ in top_words if w in ("USING", "WITH")), None)
    if conflict is not None:
        raise ProtocolError(
            f"the update has {conflict} and the request has using-graph-uri/"
            "using-named-graph-uri; the protocol allows only one of them",
        )
    clauses = [f"USING {NamedNode(iri)}" for iri in request.using_graphs]
    clauses += [f"USING NAMED {NamedNode(iri)}" for iri in request.using_named_graphs]
    return _before_each_where(text, top_words, " ".join(clauses) + " ", skip_delete_where=False)


def with_union_dataset(text: str, graphs: Sequence[str]) -> str:
    """``text`` with ``USING`` and ``USING NAMED`` for each of ``graphs`` before the ``WHERE`` of
    each operation (``DELETE WHERE`` takes none: its pattern is its template), so that a
    ``WHERE`` reads the union of the graphs as its default graph and sees every graph in
    ``GRAPH`` patterns, as a query does. An update with ``USING`` or ``WITH`` of its own names
    its dataset and is left as it is, as is one without ``WHERE``.

    Raises:
        ProtocolError: 400 if the update has ``\\u`` escapes and a ``WHERE`` (the places would
            be uncertain): such an update must name its graphs with ``USING``.
    """
    try:
        top_words = _top_level_words(text)
    except LexerError as error:
        raise ProtocolError(f"the update could not be read: {error}") from None
    names = {word for word, _, _ in top_words}
    if "USING" in names or "WITH" in names or "WHERE" not in names or not graphs:
        return text
    if _ESCAPE.search(text):
        raise ProtocolError(
            "an update with \\u escapes must name the graphs its WHERE reads (USING <g> …): "
            "the server cannot add them for it"
        )
    clauses = [f"USING {NamedNode(iri)}" for iri in graphs]
    clauses += [f"USING NAMED {NamedNode(iri)}" for iri in graphs]
    return _before_each_where(text, top_words, " ".join(clauses) + " ", skip_delete_where=True)


def _before_each_where(
    text: str, top_words: list[tuple[str, int, bool]], insertion: str, *, skip_delete_where: bool
) -> str:
    """``insertion`` written before every top-level ``WHERE`` of ``text``.

    Raises:
        ProtocolError: at a ``DELETE WHERE`` (which takes no ``USING``), unless skipped.
    """
    pieces, last = [], 0
    for index, (word, offset, braced) in enumerate(top_words):
        if word != "WHERE":
            continue
        if index > 0 and top_words[index - 1][0] == "DELETE" and not braced:
            if skip_delete_where:
                continue
            raise ProtocolError(
                "using-graph-uri/using-named-graph-uri cannot apply to DELETE WHERE; write "
                "DELETE { … } WHERE { … }",
            )
        pieces += [text[last:offset], insertion]
        last = offset
    pieces.append(text[last:])
    return "".join(pieces)
