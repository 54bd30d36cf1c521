"""The LDES change feed (https://w3id.org/ldes/specification, with TREE): every version of every
resource, oldest first, for harvesters that follow changes instead of downloading everything.

- The ``ldes:EventStream`` :data:`STREAM` has ``ldes:versionOfPath dcterms:isVersionOf`` and
  ``ldes:timestampPath prov:generatedAtTime``; each member is a version object
  (``…/id/version/{seq}/{path}``) holding the resource's triples at that moment. A version with
  no triple but ``prov:invalidatedAtTime`` says the resource was deleted.
- Its source is the change log (:mod:`sousei_kg.writes.change_log`): the release (one member per
  resource), then one entry per acknowledged write. A server without a store (the shipped files
  in memory) or whose store no writer has opened has the release alone, computed from its data.
- Pagination by time: fragment *n* holds members ``n*100`` to ``n*100+99`` in log order, and links
  to fragment *n+1* with a ``tree:GreaterThanOrEqualToRelation`` on ``prov:generatedAtTime``
  (the first time there). Every fragment but the last is full and never changes again
  (``immutable``); the last one grows with each write.
- Retention: every member is kept, for as long as the store lives (no ``ldes:retentionPolicy``).

The feed of a server is the log up to the entry whose version is the version it serves, so an
entry saved just before its commit point is never shown early.
"""

import json
import threading
from dataclasses import dataclass
from hashlib import sha256
from itertools import islice
from pathlib import Path

from pyoxigraph import BlankNode, Literal, NamedNode, Store, Triple

from sousei_kg.dataset.knowledge_graph import KnowledgeGraph
from sousei_kg.errors import SouseiError
from sousei_kg.namespaces import ID
from sousei_kg.publication.statistics import LICENSE, NS
from sousei_kg.store.directory import CHANGES_DIR
from sousei_kg.writes.change_log import (
    Entry,
    entry_seqs,
    read_entry,
    release_entry,
)
from sousei_kg.writes.versions import Version

FEED_PATH = "ldes"
"""Where the feed is served under the public base URL: ``ldes`` (the stream), ``ldes/{n}``."""

PAGE_MEMBERS = 100
"""Members per fragment."""

STREAM = ID + "feed/changes"
"""The event stream's IRI."""

VERSION = ID + "version/"
"""Version objects' IRIs: ``…/id/version/{seq}/{path}`` (a resource outside ``id/`` gets the
start of its IRI's SHA-256 instead of its path)."""

LDES_SPECIFICATION = "https://w3id.org/ldes/specification"
TREE = "https://w3id.org/tree#"
LDES = "https://w3id.org/ldes#"
PREFIXES = {**NS, "tree": TREE, "ldes": LDES}


class FeedUnavailableError(SouseiError):
    """This server has no change feed (the remote backend), or no such fragment (404)."""


@dataclass(frozen=True)
class FeedIndex:
    """Where each entry's members start in the feed.

    Attributes:
        entries: (seq, time, members) of every entry served, in order.
        release: the release entry when it was computed from the data (no log on disk).
    """

    entries: tuple[tuple[int, str, int], ...]
    release: Entry | None = None

    @property
    def total(self) -> int:
        """Members in the feed."""
        return sum(count for _seq, _time, count in self.entries)

    @property
    def pages(self) -> int:
        """Fragments (at least one)."""
        return max(1, -(-self.total // PAGE_MEMBERS))


_HEADERS: dict[tuple[str, int, int], tuple[str, str, int]] = {}
_ENTRIES: dict[tuple[str, int, int], Entry] = {}
_LOCK = threading.Lock()
MAX_CACHED_ENTRIES = 64
MAX_CACHED_HEADERS = 65_536
"""Entry headers remembered at most (~200 bytes each: ~13 MB): one per write ever made, so a
long-lived store would otherwise grow the map without bound. Past it the oldest are read again
from their files when asked for."""


def _key(directory: Path, seq: int) -> tuple[str, int, int]:
    path = directory / CHANGES_DIR / f"{seq:012d}.json"
    return (str(path), seq, path.stat().st_mtime_ns)


def _header(directory: Path, seq: int) -> tuple[str, str, int]:
    """(version, time, members) of one entry, read once per file."""
    key = _key(directory, seq)
    with _LOCK:
        found = _HEADERS.get(key)
    if found is None:
        document = json.loads(Path(key[0]).read_bytes())
        found = (str(document["version"]), str(document["time"]), len(document["versions"]))
        with _LOCK:
            if len(_HEADERS) >= MAX_CACHED_HEADERS:
                _HEADERS.pop(next(iter(_HEADERS)))
            _HEADERS[key] = found
    return found


def _entry(directory: Path, seq: int) -> Entry:
    key = _key(directory, seq)
    with _LOCK:
        found = _ENTRIES.get(key)
    if found is None:
        found = read_entry(directory, seq)
        with _LOCK:
            if len(_ENTRIES) >= MAX_CACHED_ENTRIES:
                _ENTRIES.pop(next(iter(_ENTRIES)))
            _ENTRIES[key] = found
    return found


def feed_index(graph: KnowledgeGraph, directory: Path | None, remote: bool) -> FeedIndex:
    """The feed this server serves, for the version of ``graph``.

    Raises:
        FeedUnavailableError: on the remote backend, or when the log on disk does not reach the
            version served (a store restored from an older backup: the feed starts again once a
            writer opens it).
    """
    if remote or not isinstance(graph.store, Store):
        raise FeedUnavailableError(
            "the change feed is served by the embedded store only (it is written by the write "
            "path); on the remote backend, follow releases with /health's dataset_version and "
            "the dumps"
        )
    return graph.derived(("change-feed", str(directory)), lambda: _index(graph, directory))


def _index(graph: KnowledgeGraph, directory: Path | None) -> FeedIndex:
    seqs = entry_seqs(directory) if directory is not None else []
    if not seqs or directory is None:
        assert isinstance(graph.store, Store)  # noqa: S101 (checked by feed_index)
        release = release_entry(graph.store, graph.version)
        return FeedIndex(((release.seq, release.time, len(release.versions)),), release)
    headers = {seq: _header(directory, seq) for seq in seqs}
    last = next(
        (i for i in reversed(range(len(seqs))) if headers[seqs[i]][0] == graph.version), None
    )
    if last is None:
        raise FeedUnavailableError(
            "the change log does not reach the version this server serves (a store restored "
            "from a backup?); it starts again when a writer opens the store"
        )
    return FeedIndex(tuple((seq, headers[seq][1], headers[seq][2]) for seq in seqs[: last + 1]))


def version_iri(seq: int, resource: str) -> str:
    """The IRI of one version of ``resource``."""
    if resource.startswith(ID):
        return f"{VERSION}{seq}/{resource[len(ID) :]}"
    return f"{VERSION}{seq}/-/{sha256(resource.encode('utf-8')).hexdigest()[:16]}"


def _name(prefixed: str) -> NamedNode:
    prefix, _, local = prefixed.partition(":")
    return NamedNode(PREFIXES[prefix] + local)


def _time(text: str) -> Literal:
    return Literal(text, datatype=_name("xsd:dateTime"))


def stream_triples(base: str) -> list[Triple]:
    """The event stream and its one view (the root a client starts from)."""
    stream, view = NamedNode(STREAM), NamedNode(base + FEED_PATH + "/0")
    return [
        Triple(stream, _name("rdf:type"), _name("ldes:EventStream")),
        Triple(stream, _name("ldes:versionOfPath"), _name("dcterms:isVersionOf")),
        Triple(stream, _name("ldes:timestampPath"), _name("prov:generatedAtTime")),
        Triple(stream, _name("tree:view"), view),
        Triple(stream, _name("dcterms:title"), Literal("sousei-kg changes", language="en")),
        Triple(stream, _name("dcterms:license"), NamedNode(LICENSE)),
        Triple(view, _name("rdf:type"), _name("tree:Node")),
    ]


def _member(seq: int, time: str, version: Version, index: int) -> list[Triple]:
    member = NamedNode(version_iri(seq, version.resource))
    out = [
        Triple(NamedNode(STREAM), _name("tree:member"), member),
        Triple(member, _name("dcterms:isVersionOf"), NamedNode(version.resource)),
        Triple(member, _name("prov:generatedAtTime"), _time(time)),
    ]
    if version.deleted:
        out.append(Triple(member, _name("prov:invalidatedAtTime"), _time(time)))
    own = NamedNode(version.resource)

    def renamed(term: NamedNode | BlankNode | Literal | Triple) -> NamedNode | BlankNode | Literal:
        if term == own:
            return member
        if isinstance(term, BlankNode):
            return BlankNode(f"v{seq}m{index}{term.value}")
        assert not isinstance(term, Triple)  # noqa: S101 (no triple terms in the data)
        return term

    for triple in version.triples:
        subject = renamed(triple.subject)
        assert not isinstance(subject, Literal)  # noqa: S101 (a subject is never a literal)
        out.append(Triple(subject, triple.predicate, renamed(triple.object)))
    return out


def page_triples(index: FeedIndex, directory: Path | None, base: str, page: int) -> list[Triple]:
    """Fragment ``page`` of the feed.

    Raises:
        FeedUnavailableError: past the last fragment.
    """
    if not 0 <= page < index.pages:
        raise FeedUnavailableError(
            f"the feed has fragments 0 to {index.pages - 1}; there is no fragment {page}"
        )
    first, stop = page * PAGE_MEMBERS, (page + 1) * PAGE_MEMBERS
    node = NamedNode(f"{base}{FEED_PATH}/{page}")
    out = [
        Triple(NamedNode(STREAM), _name("rdf:type"), _name("ldes:EventStream")),
        Triple(node, _name("rdf:type"), _name("tree:Node")),
    ]
    position = 0
    for seq, time, count in index.entries:
        if position + count <= first:
            position += count
            continue
        if position >= stop:
            out.extend(_relation(node, base, page + 1, time))
            break
        entry = index.release if index.release is not None else _entry(_dir(directory), seq)
        # Only this page's members of the entry (the release holds one per resource).
        start = max(0, first - position)
        for offset, version in enumerate(islice(entry.versions, start, stop - position), start):
            out.extend(_member(seq, time, version, position + offset))
        position += count
        if position > stop:
            out.extend(_relation(node, base, page + 1, time))
            break
    return out


def _dir(directory: Path | None) -> Path:
    assert directory is not None  # noqa: S101 (entries come from a log on disk)
    return directory


def _relation(node: NamedNode, base: str, target: int, time: str) -> list[Triple]:
    """The link to the next fragment: every member there is at least as recent as ``time``."""
    relation = BlankNode(f"next{target}")
    return [
        Triple(node, _name("tree:relation"), relation),
        Triple(relation, _name("rdf:type"), _name("tree:GreaterThanOrEqualToRelation")),
        Triple(relation, _name("tree:path"), _name("prov:generatedAtTime")),
        Triple(relation, _name("tree:value"), _time(time)),
        Triple(relation, _name("tree:node"), NamedNode(f"{base}{FEED_PATH}/{target}")),
    ]
