"""Writers for SPARQL SELECT results held as a list (the first ``row_cap`` rows of a capped answer).

pyoxigraph's own writers consume the whole result iterator, so they cannot stop at a cap; these
follow the W3C formats (SPARQL 1.1 Query Results JSON, XML, CSV and TSV) for the rows we keep.
"""

import json
from collections.abc import Callable, Sequence
from xml.sax.saxutils import escape, quoteattr

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

Term = NamedNode | BlankNode | Literal | Triple
Row = Sequence[Term | None]

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def _json_term(term: Term) -> dict[str, object]:
    if isinstance(term, NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, Literal):
        binding: dict[str, object] = {"type": "literal", "value": term.value}
        if term.language:
            binding["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            binding["datatype"] = term.datatype.value
        return binding
    return {
        "type": "triple",
        "value": {
            "subject": _json_term(term.subject),
            "predicate": _json_term(term.predicate),
            "object": _json_term(term.object),
        },
    }


def write_json(
    variables: Sequence[str],
    rows: Sequence[Row],
    link: str | None = None,
    hints: Sequence[tuple[str, str, str]] = (),
) -> bytes:
    """SPARQL 1.1 Query Results JSON. ``link`` (a URL) goes into ``head.link``, the format's place
    for metadata about the results: the server uses it to mark a capped answer. ``hints``
    (message, IRI, nearest IRI or "") go into ``head.hints``, a member of our own that clients
    ignore (SPARQLWrapper, rdflib, Comunica and pyoxigraph read ``vars`` and ``link`` only)."""
    bindings = [
        {name: _json_term(t) for name, t in zip(variables, row, strict=True) if t is not None}
        for row in rows
    ]
    head: dict[str, object] = {"vars": list(variables)}
    if link is not None:
        head["link"] = [link]
    if hints:
        head["hints"] = [
            {"message": message, "iri": iri, "nearest": nearest or None}
            for message, iri, nearest in hints
        ]
    document = {"head": head, "results": {"bindings": bindings}}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _xml_term(term: Term) -> str:
    if isinstance(term, NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            datatype = quoteattr(term.datatype.value)
            return f"<literal datatype={datatype}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    return (
        "<triple>"
        f"<subject>{_xml_term(term.subject)}</subject>"
        f"<predicate>{_xml_term(term.predicate)}</predicate>"
        f"<object>{_xml_term(term.object)}</object>"
        "</triple>"
    )


def write_xml(variables: Sequence[str], rows: Sequence[Row], link: str | None = None) -> bytes:
    """SPARQL Query Results XML Format; ``link`` becomes a ``<link href>`` in the head."""
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        '<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>',
        *(f"<variable name={quoteattr(name)}/>" for name in variables),
    ]
    if link is not None:
        parts.append(f"<link href={quoteattr(link)}/>")
    parts.append("</head><results>")
    for row in rows:
        parts.append("<result>")
        for name, term in zip(variables, row, strict=True):
            if term is not None:
                parts.append(f"<binding name={quoteattr(name)}>{_xml_term(term)}</binding>")
        parts.append("</result>")
    parts.append("</results></sparql>\n")
    return "".join(parts).encode("utf-8")


def _csv_field(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, BlankNode):
        text = "_:" + term.value
    elif isinstance(term, NamedNode | Literal):
        text = term.value
    else:
        text = str(term)
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def write_csv(variables: Sequence[str], rows: Sequence[Row], link: str | None = None) -> bytes:
    """SPARQL 1.1 Query Results CSV (lexical values only; CRLF line ends). ``link`` is not
    written: CSV has no room for metadata, so a capped answer is marked in HTTP headers only."""
    del link
    lines = [",".join(variables)]
    lines.extend(",".join(_csv_field(term) for term in row) for row in rows)
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def _tsv_field(term: Term | None) -> str:
    # str() of a pyoxigraph term is its N-Triples/Turtle form, which is what TSV requires.
    return "" if term is None else str(term)


def write_tsv(variables: Sequence[str], rows: Sequence[Row], link: str | None = None) -> bytes:
    """SPARQL 1.1 Query Results TSV (terms in N-Triples syntax); like CSV, no room for ``link``."""
    del link
    lines = ["\t".join("?" + name for name in variables)]
    lines.extend("\t".join(_tsv_field(term) for term in row) for row in rows)
    return ("\n".join(lines) + "\n").encode("utf-8")


SOLUTION_WRITERS: dict[str, Callable[[Sequence[str], Sequence[Row], str | None], bytes]] = {
    "json": write_json,
    "xml": write_xml,
    "csv": write_csv,
    "tsv": write_tsv,
}
