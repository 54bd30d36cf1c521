"""What the server and the write process say to each other: plain, picklable values only.

The server sends a :class:`WriteOrder`; the write process answers :class:`Committing` when the
write reaches its commit point, then the :class:`~sousei_kg.writes.writer.Commit`, or a
:class:`Refusal` at any point before the commit point.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sousei_kg.writes.refusals import RefusalReason, WriteLimits
from sousei_kg.writes.writer import Commit

Operation = Literal["update", "put", "post", "delete"]
RefusalKind = (
    RefusalReason  # the Writer's reasons
    # what the write process finds before the Writer sees the write
    | Literal["syntax", "payload", "payload-media-type"]
    # what the server finds when the write process stops
    | Literal["crashed", "internal"]
)


@dataclass(frozen=True)
class WriteOrder:
    """One write, as the route understood it.

    Attributes:
        operation: ``update`` (SPARQL Update) or ``put``/``post``/``delete`` (Graph Store).
        target: the named graph a Graph Store request names; ``None`` for an update.
        text: the update's text (``update``), already checked by the SERVICE/LOAD guard, with
            the request's ``using-graph-uri`` values written in as ``USING`` clauses.
        payload: the graph a PUT or POST sends, as received.
        media_type: its media type (lowercase, no parameters).
        base_iri: what relative IRIs in the text or payload resolve against.
        token: the writer's token id (audit log).
        payload_sha256: SHA-256 of the request body as received (audit log).
        timeout: seconds the write may take before its commit point.
    """

    operation: Operation
    target: str | None
    base_iri: str
    token: str
    payload_sha256: str
    timeout: float
    text: str | None = None
    payload: bytes | None = None
    media_type: str | None = None


@dataclass(frozen=True)
class Committing:
    """The write reached its commit point: it will be in the store, even after a crash."""

    seq: int


@dataclass(frozen=True)
class Refusal:
    """The write was not applied; nothing changed.

    Attributes:
        kind: why (the HTTP layer maps it to a status).
        message: what to tell the client.
        report: for ``invalid-data``, the SHACL validation report as N-Triples.
    """

    kind: RefusalKind
    message: str
    report: bytes | None = None


@dataclass(frozen=True)
class ProcessSettings:
    """What the write process needs to start."""

    directory: Path
    resources: Path | None
    limits: WriteLimits
    isolate_network: bool
    memory_budget: int
    snapshot_grace_seconds: float


@dataclass(frozen=True)
class WriterReady:
    """The write process's first message: the store's state and how the process is confined."""

    current: Commit
    network_isolated: bool
    memory_limited: bool
