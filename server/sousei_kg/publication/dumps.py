"""The dumps at ``/download/sousei-kg.{ttl,nt,nq,trig,jsonld}[.gz]``.

Each dump is written once per dataset version and kept in memory with its gzip twin: the whole
dataset is under a megabyte per format, so holding the bytes is cheaper than writing (and
compressing) them again on each request. N-Quads, TriG and JSON-LD keep every named graph; Turtle
and N-Triples cannot, so they hold the union graph (distinct triples) and open with a comment that
says so and points to the formats that keep the graphs.

Every dump must be the same bytes for the same dataset version (its strong ``ETag`` is derived from
the version alone), in every process. The CLI's JSON-LD export goes through rdflib, whose output
order changes with Python's hash seed, so the served JSON-LD is pyoxigraph's expanded JSON-LD
instead: deterministic, and written from exactly the quads of the N-Quads dump.
"""

import gzip
import hashlib
from dataclasses import dataclass

from pyoxigraph import RdfFormat, serialize

from sousei_kg.dataset.knowledge_graph import KnowledgeGraph
from sousei_kg.publication.controlled_terms import FileType, MediaType, Standard
from sousei_kg.publication.export import ExportFormat, export_store
from sousei_kg.publication.statistics import DATASET, statistics
from sousei_kg.store.canonical import all_quads

BASENAME = "sousei-kg"
GZIP_SUFFIX = ".gz"
GZIP_MEDIA_TYPE = "application/gzip"


@dataclass(frozen=True)
class DumpFormat:
    """One dump format.

    Attributes:
        key: the export format and file extension (``ttl``).
        media_type: its IANA media type.
        label: a human name (``Turtle``).
        standard: the specification it conforms to (``dcterms:conformsTo``).
        file_type: its type in the EU file-type table (``dcterms:format``).
        w3c_format: its ``http://www.w3.org/ns/formats/`` IRI (``void:feature``).
        union: whether it holds the union graph instead of the named graphs.
    """

    key: ExportFormat
    media_type: str
    label: str
    standard: Standard
    file_type: FileType
    w3c_format: str
    union: bool

    @property
    def filename(self) -> str:
        """The file name served (``sousei-kg.ttl``)."""
        return f"{BASENAME}.{self.key}"

    @property
    def registered_media_type(self) -> MediaType:
        """The media type in the IANA register (``dcat:mediaType``)."""
        return MediaType(self.media_type)


DUMP_FORMATS: tuple[DumpFormat, ...] = (
    DumpFormat(
        "nq",
        "application/n-quads",
        "N-Quads",
        Standard("https://www.w3.org/TR/n-quads/", "N-Quads"),
        FileType("RDF_N_QUADS"),
        "http://www.w3.org/ns/formats/N-Quads",
        union=False,
    ),
    DumpFormat(
        "trig",
        "application/trig",
        "TriG",
        Standard("https://www.w3.org/TR/trig/", "TriG"),
        FileType("RDF_TRIG"),
        "http://www.w3.org/ns/formats/TriG",
        union=False,
    ),
    DumpFormat(
        "jsonld",
        "application/ld+json",
        "JSON-LD",
        Standard("https://www.w3.org/TR/json-ld11/", "JSON-LD 1.1"),
        FileType("JSON_LD"),
        "http://www.w3.org/ns/formats/JSON-LD",
        union=False,
    ),
    DumpFormat(
        "ttl",
        "text/turtle",
        "Turtle",
        Standard("https://www.w3.org/TR/turtle/", "Turtle"),
        FileType("RDF_TURTLE"),
        "http://www.w3.org/ns/formats/Turtle",
        union=True,
    ),
    DumpFormat(
        "nt",
        "application/n-triples",
        "N-Triples",
        Standard("https://www.w3.org/TR/n-triples/", "N-Triples"),
        FileType("RDF_N_TRIPLES"),
        "http://www.w3.org/ns/formats/N-Triples",
        union=True,
    ),
)


@dataclass(frozen=True)
class DumpFile:
    """A file offered for download: a dump format, plain or gzip-compressed."""

    format: DumpFormat
    compressed: bool

    @property
    def filename(self) -> str:
        """The file name (``sousei-kg.nt.gz``)."""
        return self.format.filename + (GZIP_SUFFIX if self.compressed else "")

    @property
    def slug(self) -> str:
        """The distribution's slug (``nt-gz``), as in ``id/distribution/sousei-kg-nt-gz``."""
        return self.format.key + ("-gz" if self.compressed else "")

    @property
    def path(self) -> str:
        """The URL path below the public base (``download/sousei-kg.nt.gz``)."""
        return "download/" + self.filename

    @property
    def content_type(self) -> str:
        """The ``Content-Type`` this file is served with."""
        if self.compressed:
            return GZIP_MEDIA_TYPE
        return f"{self.format.media_type}; charset=utf-8"


DUMP_FILES: tuple[DumpFile, ...] = tuple(
    DumpFile(fmt, compressed) for fmt in DUMP_FORMATS for compressed in (False, True)
)


def dump_file(filename: str) -> DumpFile | None:
    """The dump file of this name, if offered."""
    for file in DUMP_FILES:
        if file.filename == filename:
            return file
    return None


@dataclass(frozen=True)
class DumpBytes:
    """A dump's serialization, plain and gzip-compressed."""

    plain: bytes
    gzipped: bytes


def dump_bytes(graph: KnowledgeGraph, fmt: DumpFormat) -> DumpBytes:
    """The dump of ``graph`` in ``fmt``, written once per dataset version."""
    return graph.derived(("dump", fmt.key), lambda: _write(graph, fmt))


def statement_count(graph: KnowledgeGraph, fmt: DumpFormat) -> int | None:
    """How many statements the dump holds: distinct union triples, or all quads; ``None`` when
    the union graph was not counted (a large dataset described by its light statistics)."""
    stats = statistics(graph)
    return stats.union_triple_count if fmt.union else stats.quad_count


def _write(graph: KnowledgeGraph, fmt: DumpFormat) -> DumpBytes:
    if fmt.key == "jsonld":
        body = serialize(all_quads(graph.store), format=RdfFormat.JSON_LD) or b""
    else:
        body = export_store(graph.store, fmt.key)
    if fmt.union:
        body = _union_header(graph, fmt) + body
    # mtime=0: the same data always gives the same bytes, as the ETag promises.
    return DumpBytes(body, gzip.compress(body, compresslevel=9, mtime=0))


def _union_header(graph: KnowledgeGraph, fmt: DumpFormat) -> bytes:
    """A comment (valid Turtle and N-Triples) saying what the file holds and what it lacks."""
    count = statistics(graph).union_triple_count
    counted = "" if count is None else f", {count} distinct triples"
    lines = (
        f"# {DATASET}",
        f"# dataset version {graph.version}",
        f"# {fmt.label}: the union graph of all named graphs{counted}.",
        "# The named graphs (ontology, shapes, source statements, curation, meta) are not kept;",
        f"# {BASENAME}.nq, {BASENAME}.trig and {BASENAME}.jsonld keep them.",
    )
    return ("\n".join(lines) + "\n\n").encode("utf-8")


def dump_sizes(graph: KnowledgeGraph) -> dict[str, int]:
    """Byte size of every downloadable file, by file name (``dcat:byteSize``)."""
    sizes: dict[str, int] = {}
    for file in DUMP_FILES:
        data = dump_bytes(graph, file.format)
        sizes[file.filename] = len(data.gzipped if file.compressed else data.plain)
    return sizes


def dump_sha256(graph: KnowledgeGraph) -> dict[str, str]:
    """The SHA-256 (hex) of every downloadable file, by file name (``spdx:checksum``), computed
    once per dataset version."""

    def compute() -> dict[str, str]:
        digests: dict[str, str] = {}
        for file in DUMP_FILES:
            data = dump_bytes(graph, file.format)
            digests[file.filename] = hashlib.sha256(
                data.gzipped if file.compressed else data.plain
            ).hexdigest()
        return digests

    return graph.derived("dump-sha256", compute)


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether ``Accept-Encoding`` admits gzip (``gzip``, ``x-gzip`` or ``*``, with q > 0).

    An explicit ``gzip;q=0`` refuses gzip even when ``*`` would admit it (RFC 9110 §12.5.3).
    """
    if not accept_encoding:
        return False
    weights: dict[str, float] = {}
    for part in accept_encoding.split(","):
        coding, *params = (piece.strip() for piece in part.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        weights[coding.lower()] = q
    for coding in ("gzip", "x-gzip"):
        if coding in weights:
            return weights[coding] > 0
    return weights.get("*", 0.0) > 0
