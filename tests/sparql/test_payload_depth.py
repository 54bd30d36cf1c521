"""Nesting of a graph sent to /store, found before any parser reads it (issue 14)."""

import time

import pytest

from sousei_kg.sparql.graph_payload import PayloadError, check_payload
from sousei_kg.sparql.payload_depth import nesting_depth


@pytest.mark.parametrize(
    ("family", "body", "depth"),
    [
        ("json", b'{"@id": "urn:a", "urn:b": [{"@value": "[{not a level}]"}]}', 3),
        ("json", b'{"a": "\\"{{{{"}', 1),
        ("turtle", b'<urn:a> <urn:b> ( ( ( "(" ) ) ) .', 3),
        ("turtle", b"<urn:a> <urn:b> [ <urn:c> [ <urn:d> '''[[[''' ] ] .", 2),
        ("turtle", b"# ( ( ( comment\n<urn:a> <urn:b> <urn:c> .", 0),
        ("turtle", b"<urn:a> <urn:b> <urn:c(> .", 0),
        ("turtle", b"<< <urn:a> <urn:b> << <urn:c> <urn:d> <urn:e> >> >> <urn:f> <urn:g> .", 2),
        ("xml", b"<rdf:RDF><rdf:Description a='>'><p><q/></p></rdf:Description></rdf:RDF>", 3),
        ("xml", b"<r><!-- <a><b><c> --><![CDATA[<x><y>]]></r>", 1),
    ],
)
def test_depths(family: str, body: bytes, depth: int) -> None:
    assert nesting_depth(body, family) == depth


def test_the_probes_are_refused_before_parsing() -> None:
    """The 50 KB JSON-LD nested 5,000 deep that killed the server, and nested Turtle collections."""
    jsonld = b'{"urn:p": ' * 5000 + b'"x"' + b"}" * 5000
    turtle = b"<urn:a> <urn:b> " + b"( " * 20_000 + b")" * 20_000 + b" ."
    for body, media in ((jsonld, "application/ld+json"), (turtle, "text/turtle")):
        with pytest.raises(PayloadError, match="nests"):
            check_payload(body, media, 64)


def test_data_within_the_limit_passes() -> None:
    check_payload(b'<urn:a> <urn:b> ( "a" "b" ) .', "text/turtle", 64)
    with pytest.raises(PayloadError) as refused:
        check_payload(b"x", "application/x-unknown", 64)
    assert refused.value.rule == "media-type"


def test_the_scan_stays_linear_on_adversarial_bodies() -> None:
    """Unterminated strings and runs of quotes must not make the scan quadratic (a liveness bound,
    far above what it takes)."""
    bodies = [
        b'"""' + b'"' * 2_000_000,
        b"'" + b"\\'" * 1_000_000,
        b"<" * 2_000_000,
        b'{"' + b"\\\\" * 1_000_000,
        b"<a " + b"'" * 1_000_000,
    ]
    started = time.monotonic()
    for body in bodies:
        for family in ("turtle", "json", "xml"):
            nesting_depth(body, family)
    assert time.monotonic() - started < 20
