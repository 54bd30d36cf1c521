"""Talking to the remote engine's SPARQL query endpoint, with SPARQLWrapper.

One request per call (SPARQLWrapper is not shared between threads), sent as an URL-encoded POST
(no URL-length limit), content-negotiated only (``setOnlyConneg``: no ``format=`` guesses that
some engines answer with 406), with the dataset as ``default-graph-uri``/``named-graph-uri`` and
the server's time limit as the socket timeout and, where the engine has one, as its own per-query
limit. Errors become two exceptions the server maps to statuses: the engine refused the query
(its 4xx) or could not answer (unreachable, 5xx, past the time limit).
"""

import ast
import logging
import math
import urllib.error
from dataclasses import dataclass
from http.client import HTTPResponse

from SPARQLWrapper import POST, SELECT, URLENCODED, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from sousei_kg import __version__
from sousei_kg.config import Engine
from sousei_kg.errors import SouseiError

LOG = logging.getLogger("sousei_kg.remote")


RESULTS_JSON = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"


class RemoteUnavailableError(SouseiError):
    """The engine could not answer: unreachable, an error of its own, or past the time limit."""


class RemoteTimeoutError(RemoteUnavailableError):
    """The engine did not answer within the time limit, or says it cut the answer short."""


class RemoteRefusedError(SouseiError):
    """The engine refused the request (a 4xx); ``message`` is the start of its explanation."""

    def __init__(self, status: int, message: str) -> None:
        self.status = status
        self.message = message
        super().__init__(f"the SPARQL engine refused the query ({status}): {message}")


@dataclass(frozen=True)
class RemoteEndpoints:
    """Where the engine answers, and which engine it is (for its non-standard time limit).

    Attributes:
        query: the SPARQL 1.1 query endpoint.
        update: the update endpoint, if the engine has a separate one (not used for reads).
        graph_store: the Graph Store HTTP Protocol endpoint (``sousei-kg load``).
        engine: ``virtuoso`` and ``fuseki`` take a per-query ``timeout`` parameter
            (milliseconds and seconds); ``oxigraph`` has a server-wide ``--timeout-s``.
    """

    query: str
    update: str | None = None
    graph_store: str | None = None
    engine: Engine = "generic"


@dataclass
class RemoteAnswer:
    """An answer being received: read ``body`` as a stream, then ``close()``."""

    body: HTTPResponse

    def close(self) -> None:
        """Release the connection."""
        self.body.close()


def send_query(
    endpoints: RemoteEndpoints,
    query: str,
    *,
    accept: str,
    default_graphs: tuple[str, ...],
    named_graphs: tuple[str, ...],
    timeout: float,
) -> RemoteAnswer:
    """Send one query and return the answer's stream once the status line says it is a success.

    Raises:
        RemoteRefusedError: the engine answered 4xx.
        RemoteTimeoutError: no answer within ``timeout`` seconds, or the engine flags a partial
            answer (Virtuoso's "anytime" results: ``X-SQL-State: S1TAT``).
        RemoteUnavailableError: the engine cannot be reached or answered 5xx.
    """
    client = SPARQLWrapper(endpoints.query, agent=f"sousei-kg/{__version__}")
    client.setMethod(POST)
    client.setRequestMethod(URLENCODED)
    client.setOnlyConneg(True)
    client.setQuery(query)
    # SPARQLWrapper guesses query or update from the first such keyword it finds, comments
    # included ("# the counts add up" made it an update, sent as `update=`, which Oxigraph's query
    # endpoint refuses). This is a query; the form of its answer is chosen by Accept below.
    client.queryType = SELECT
    client.addCustomHttpHeader("Accept", accept)
    for iri in default_graphs:
        client.addDefaultGraph(iri)
    for iri in named_graphs:
        client.addNamedGraph(iri)
    client.setTimeout(max(1, math.ceil(timeout)))
    if endpoints.engine == "virtuoso":
        client.addParameter("timeout", str(max(1, int(timeout * 1000))))
    elif endpoints.engine == "fuseki":
        client.addParameter("timeout", f"{timeout:g}")
    try:
        response = client.query().response
    except SPARQLWrapperException as error:
        raise _refused_or_unavailable(_status_of(error), _body_of(error)) from error
    except urllib.error.HTTPError as error:
        raise _refused_or_unavailable(error.code, error.read()) from error
    except TimeoutError as error:
        raise RemoteTimeoutError(
            f"the SPARQL engine gave no answer within {timeout:g} s"
        ) from error
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            raise RemoteTimeoutError(
                f"the SPARQL engine gave no answer within {timeout:g} s"
            ) from error
        raise _unreachable(endpoints, error.reason) from error
    except OSError as error:
        raise _unreachable(endpoints, error) from error
    if response.headers.get("X-SQL-State", "").upper() == "S1TAT":
        response.close()
        raise RemoteTimeoutError(
            f"the SPARQL engine stopped the query at the time limit of {timeout:g} s"
        )
    return RemoteAnswer(response)


def _body_of(error: SPARQLWrapperException) -> bytes:
    """The engine's explanation, which SPARQLWrapper keeps only inside its message (``%r``)."""
    _, found, tail = str(error).partition("Response:\n")
    if not found:
        return b""
    try:
        body = ast.literal_eval(tail)
    except (ValueError, SyntaxError):
        return tail.encode("utf-8")
    return body if isinstance(body, bytes) else str(body).encode("utf-8")


def _status_of(error: SPARQLWrapperException) -> int:
    name = type(error).__name__
    return {
        "QueryBadFormed": 400,
        "Unauthorized": 401,
        "EndPointNotFound": 404,
        "URITooLong": 414,
        "EndPointInternalError": 500,
    }.get(name, 500)


def _refused_or_unavailable(status: int, body: object) -> SouseiError:
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body or "")
    first = " ".join(text.split())[:300] or "no explanation given"
    if 400 <= status < 500 and status not in (401, 403, 404, 408, 429):
        return RemoteRefusedError(status, first)
    # The engine's own failure text (Virtuoso's names SQL states and echoes the query) is for the
    # operator's log, not for the client.
    LOG.warning("the SPARQL engine answered %s: %s", status, first)
    return RemoteUnavailableError(f"the SPARQL engine failed (HTTP {status})")


def _unreachable(endpoints: RemoteEndpoints, reason: object) -> RemoteUnavailableError:
    """The client learns that the engine is down; the log, where it is (an internal address)."""
    LOG.warning("the SPARQL engine at %s cannot be reached: %s", endpoints.query, reason)
    return RemoteUnavailableError("the SPARQL engine cannot be reached")
