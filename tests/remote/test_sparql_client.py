"""What the remote engine's failures tell a client: that it failed, never where it lives or what
its own error text says (sousei_kg.remote.sparql_client)."""

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import ClassVar
from urllib.parse import parse_qs

import pytest

from conftest import free_port
from sousei_kg.remote.sparql_client import (
    RemoteEndpoints,
    RemoteUnavailableError,
    _refused_or_unavailable,
    send_query,
)


def test_an_unreachable_engine_is_named_in_the_log_not_in_the_answer(
    caplog: pytest.LogCaptureFixture,
) -> None:
    endpoint = f"http://127.0.0.1:{free_port()}/sparql"
    with pytest.raises(RemoteUnavailableError) as raised:
        send_query(
            RemoteEndpoints(query=endpoint),
            "ASK WHERE {}",
            accept="application/sparql-results+json",
            default_graphs=(),
            named_graphs=(),
            timeout=5,
        )
    assert str(raised.value) == "the SPARQL engine cannot be reached"
    assert endpoint in caplog.text


def test_an_engine_failure_keeps_its_text_out_of_the_answer(
    caplog: pytest.LogCaptureFixture,
) -> None:
    error = _refused_or_unavailable(500, b"Virtuoso 42000 Error SR186: SECURITY: secret detail")
    assert isinstance(error, RemoteUnavailableError)
    assert "secret detail" not in str(error)
    assert "secret detail" in caplog.text


class _Recorder(BaseHTTPRequestHandler):
    """An engine that answers every POST with an empty ASK result and keeps the form it got."""

    forms: ClassVar[list[dict[str, list[str]]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.forms.append(parse_qs(body.decode("ascii")))
        answer = b'{"head": {}, "boolean": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def recording_engine() -> Iterator[tuple[str, list[dict[str, list[str]]]]]:
    server = HTTPServer(("127.0.0.1", 0), _Recorder)
    forms = _Recorder.forms
    forms.clear()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/query", forms
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.live
def test_a_query_is_sent_as_a_query_whatever_its_comments_say(
    recording_engine: tuple[str, list[dict[str, list[str]]]],
) -> None:
    """SPARQLWrapper guesses query or update from the first keyword it finds, comments included:
    these comments made it send the text as ``update=``, which a query endpoint refuses."""
    endpoint, forms = recording_engine
    text = "# The numbers\n# add up, once loaded.\nASK WHERE { ?s ?p ?o }"
    send_query(
        RemoteEndpoints(query=endpoint),
        text,
        accept="application/sparql-results+json",
        default_graphs=(),
        named_graphs=(),
        timeout=5,
    ).close()
    assert forms == [{"query": [text]}]
