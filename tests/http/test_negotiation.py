"""Content negotiation (sousei_kg.http.negotiation): q-values, wildcards, aliases, format=, 406."""

import pytest

from sousei_kg.http.negotiation import NotAcceptableError, choose, prefers_html
from sousei_kg.sparql.formats import (
    CSV,
    DATASET_FORMATS,
    GRAPH_FORMATS,
    JSON_LD,
    JSON_RESULTS,
    N_QUADS,
    N_TRIPLES,
    RDF_XML,
    RESULT_FORMATS,
    TSV,
    TURTLE,
    XML_RESULTS,
    Format,
    by_key,
)

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize("accept", [None, "", "   ", "*/*", "application/*, text/*"])
def test_no_preference_gives_the_default(accept: str | None) -> None:
    assert choose(RESULT_FORMATS, accept) is JSON_RESULTS
    assert choose(GRAPH_FORMATS, accept) is TURTLE


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("application/sparql-results+xml", XML_RESULTS),
        ("application/sparql-results+json", JSON_RESULTS),
        ("text/csv", CSV),
        ("text/tab-separated-values", TSV),
        ("text/csv;q=0.5, text/tab-separated-values", TSV),
        ("text/csv, text/tab-separated-values;q=0.5", CSV),
        (
            "application/sparql-results+xml;q=0.9, application/sparql-results+json;q=0.1",
            XML_RESULTS,
        ),
        ("application/json", JSON_RESULTS),
        ("application/xml", XML_RESULTS),
        ("text/*", CSV),
        ("text/*;q=0.1, application/sparql-results+xml", XML_RESULTS),
    ],
)
def test_results_by_accept(accept: str, expected: Format) -> None:
    assert choose(RESULT_FORMATS, accept) is expected


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/turtle", TURTLE),
        ("application/x-turtle", TURTLE),
        ("application/n-triples", N_TRIPLES),
        ("text/plain", N_TRIPLES),
        ("application/rdf+xml", RDF_XML),
        ("application/ld+json", JSON_LD),
        ("application/json", JSON_LD),
        ("application/rdf+xml;q=0.5, application/ld+json;q=0.8", JSON_LD),
        # A wildcard picks the first offered format it covers.
        ("application/*", N_TRIPLES),
    ],
)
def test_graphs_by_accept(accept: str, expected: Format) -> None:
    assert choose(GRAPH_FORMATS, accept) is expected


@pytest.mark.parametrize(
    ("param", "expected"),
    [
        ("json", JSON_RESULTS),
        ("xml", XML_RESULTS),
        ("csv", CSV),
        ("TSV", TSV),
        ("application/sparql-results+xml", XML_RESULTS),
        (" text/csv ", CSV),
    ],
)
def test_format_parameter_overrides_accept(param: str, expected: Format) -> None:
    assert choose(RESULT_FORMATS, "application/sparql-results+json", param) is expected


def test_format_parameter_for_graphs_takes_keys_and_media_types() -> None:
    assert choose(GRAPH_FORMATS, None, "nt") is N_TRIPLES
    assert choose(GRAPH_FORMATS, None, "jsonld") is JSON_LD
    assert choose(GRAPH_FORMATS, None, "application/rdf+xml") is RDF_XML
    assert choose((*GRAPH_FORMATS, *DATASET_FORMATS), None, "nq") is N_QUADS


def test_unknown_format_parameter_is_406_listing_what_is_offered() -> None:
    with pytest.raises(NotAcceptableError) as caught:
        choose(RESULT_FORMATS, None, "ttl")
    message = str(caught.value)
    assert "'ttl'" in message
    for fmt in RESULT_FORMATS:
        assert fmt.media_type in message
        assert f"format={fmt.key}" in message
    assert caught.value.offered == RESULT_FORMATS


@pytest.mark.parametrize("accept", ["text/turtle", "image/png", "text/html", "text/csv;q=0"])
def test_nothing_acceptable_is_406(accept: str) -> None:
    with pytest.raises(NotAcceptableError) as caught:
        choose(RESULT_FORMATS, accept)
    assert caught.value.requested == accept


def test_malformed_accept_is_406_not_a_crash() -> None:
    with pytest.raises(NotAcceptableError):
        choose(RESULT_FORMATS, "garbage")


def test_zero_quality_excludes_a_format() -> None:
    assert choose(RESULT_FORMATS, "application/sparql-results+json;q=0, */*") is XML_RESULTS


def test_content_type_has_utf8_charset() -> None:
    assert TURTLE.content_type == "text/turtle; charset=utf-8"
    assert JSON_RESULTS.content_type == "application/sparql-results+json; charset=utf-8"


def test_by_key_finds_keys_and_extensions() -> None:
    assert by_key("ttl") is TURTLE
    assert by_key(".srj") is JSON_RESULTS
    assert by_key("nope") is None


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (BROWSER, True),
        ("text/html", True),
        ("text/turtle, text/html;q=0.5", False),
        ("*/*", False),
        (None, False),
        ("application/sparql-results+json", False),
    ],
)
def test_prefers_html(accept: str | None, expected: bool) -> None:
    assert prefers_html(accept) is expected
