"""What the remote engine's failures tell a client: that it failed, never where it lives or what
its own error text says (sousei_kg.remote.sparql_client)."""

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
