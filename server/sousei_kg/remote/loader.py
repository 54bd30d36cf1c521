"""``sousei-kg load --to GSP_URL``: validate the shipped graphs here, then put each into its named
graph of a remote store through the SPARQL 1.1 Graph Store HTTP Protocol, and check the counts.

Validation runs before anything is sent, so an engine never holds data the shapes reject. Each
graph is sent with ``PUT`` (replace), so loading twice leaves the same store. The body is
N-Triples sent as ``text/turtle`` (N-Triples is Turtle), which every engine accepts, Virtuoso's
``/sparql-graph-crud`` included. Afterwards each graph is read back (``GET``) and its statements
counted: a store that silently dropped or merged statements is reported.
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
from pyoxigraph import RdfFormat, Store, parse, serialize

from sousei_kg.dataset.graph_naming import dataset_graphs, load_shipped
from sousei_kg.dataset.validation import validate_store
from sousei_kg.errors import SouseiError
from sousei_kg.store.canonical import version_hash
from sousei_kg.store.graph_edits import graph_triples

TURTLE = "text/turtle"


class LoadError(SouseiError):
    """The remote store could not be reached, refused a graph, or holds other counts after."""


class ValidationFailedError(SouseiError):
    """The shipped graphs violate the shapes; nothing was sent."""


@dataclass(frozen=True)
class LoadedGraph:
    """One graph put into the remote store: its IRI, the triples sent and the triples read back."""

    iri: str
    sent: int
    stored: int


@dataclass(frozen=True)
class LoadReport:
    """What ``load`` did: every graph, and the version hash of what was sent."""

    graphs: tuple[LoadedGraph, ...]
    version_hash: str


def load_to(
    gsp_url: str,
    resources: Path | None = None,
    *,
    timeout: float = 120.0,
    auth: httpx.Auth | None = None,
    progress: Callable[[str], None] = lambda _line: None,
) -> LoadReport:
    """Validate the shipped graphs, then replace each graph of the store at ``gsp_url``.

    Args:
        gsp_url: the Graph Store Protocol endpoint (Oxigraph: ``…/store``; Virtuoso:
            ``…/sparql-graph-crud``; Fuseki: ``…/DATASET/data``).
        resources: a folder with ``ontology/``, ``shapes/`` and ``data/`` instead of the shipped.
        timeout: seconds each request may take.
        auth: credentials for the endpoint (Virtuoso's ``/sparql-graph-crud-auth`` takes HTTP
            Digest; Fuseki and GraphDB Basic).
        progress: called with one line per step.

    Raises:
        ValidationFailedError: a shape is violated (nothing is sent).
        LoadError: the store cannot be reached, refuses a graph, or the counts differ after.
    """
    store = Store()
    load_shipped(store, resources)
    outcome = validate_store(store, root=resources)
    if not outcome.conforms:
        violations = sum(1 for r in outcome.results if r.severity == "Violation")
        raise ValidationFailedError(
            f"the data violates the shapes ({violations} violation(s)); run `sousei-kg validate` "
            "for the report. Nothing was sent."
        )
    progress(f"validated: {len(store)} quads conform to the shapes")
    loaded = []
    with httpx.Client(
        timeout=timeout, auth=auth, headers={"User-Agent": "sousei-kg load"}
    ) as client:
        for iri in dataset_graphs(resources):
            triples = graph_triples(store, iri)
            body = serialize(triples, format=RdfFormat.N_TRIPLES) or b""
            _put(client, gsp_url, iri, body)
            stored = _count(client, gsp_url, iri)
            loaded.append(LoadedGraph(iri, len(triples), stored))
            progress(f"{iri}: sent {len(triples)} triples, the store holds {stored}")
    wrong = [g for g in loaded if g.stored != g.sent]
    if wrong:
        listed = "; ".join(f"{g.iri}: sent {g.sent}, holds {g.stored}" for g in wrong)
        raise LoadError(f"the store holds other statement counts than were sent: {listed}")
    return LoadReport(tuple(loaded), version_hash(store))


def _put(client: httpx.Client, gsp_url: str, iri: str, body: bytes) -> None:
    try:
        response = client.put(
            gsp_url, params={"graph": iri}, content=body, headers={"Content-Type": TURTLE}
        )
    except httpx.HTTPError as error:
        raise LoadError(f"cannot reach the graph store at {gsp_url}: {error}") from error
    if response.status_code in (401, 403):
        raise LoadError(
            f"the graph store refused to write {iri} ({response.status_code}): give credentials "
            "with --user and SOUSEI_LOAD_PASSWORD, or use an endpoint that accepts writes"
        )
    if response.status_code not in (200, 201, 204):
        raise LoadError(
            f"the graph store refused {iri} ({response.status_code}): {_first(response.text)}"
        )


def _count(client: httpx.Client, gsp_url: str, iri: str) -> int:
    try:
        response = client.get(gsp_url, params={"graph": iri}, headers={"Accept": TURTLE})
    except httpx.HTTPError as error:
        raise LoadError(f"cannot read {iri} back from {gsp_url}: {error}") from error
    if response.status_code != 200:
        raise LoadError(f"cannot read {iri} back ({response.status_code}): {_first(response.text)}")
    try:
        return sum(1 for _ in parse(response.content, format=RdfFormat.TURTLE, base_iri=iri))
    except SyntaxError as error:
        raise LoadError(f"the graph store sent {iri} back as invalid Turtle: {error}") from error


def _first(text: str) -> str:
    return " ".join(text.split())[:300] or "no explanation given"


__all__ = ["LoadError", "LoadReport", "LoadedGraph", "ValidationFailedError", "load_to"]
