"""The statistics of one dataset version as a record, and as the file a store keeps of them.

Counting a large dataset takes minutes (full scans for distinct terms, class and property
partitions, entities, the union graph's distinct triples), so a request must never start it there
(:mod:`sousei_kg.publication.statistics`). A persistent store therefore keeps the counts made
offline, when it is built (``sousei-kg build``, ``bench/ourstore.py``) or on demand
(``sousei-kg statistics --store DIR``), in ``DIR/statistics.json`` beside its manifest. The file
names the dataset version it describes, and a server uses it only for that version: after a write
it is stale, and a large dataset is described by its light statistics (counts per graph only)
until the file is made again.

A field that was not counted is ``None`` (the light statistics of a large dataset): the
descriptions leave out what is absent instead of stating a zero.
"""

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pyoxigraph import Literal, NamedNode

from sousei_kg import __version__
from sousei_kg.store.directory import STATISTICS_FILE
from sousei_kg.store.durable import atomic_write_bytes

LOG = logging.getLogger(__name__)

SCHEMA = 1
"""Bumped when the file's layout changes: a file of another schema is not used."""


@dataclass(frozen=True)
class Period:
    """The temporal coverage, as the data states it (``dcat:startDate``/``dcat:endDate``)."""

    iri: str
    start: Literal
    end: Literal


@dataclass(frozen=True)
class DatasetStatistics:
    """Everything the descriptions count, for one dataset version.

    The counts that need a scan of the whole dataset are ``None`` when they were not counted (a
    large dataset without stored statistics for its version; see :attr:`counted`).

    Attributes:
        version: the dataset version hash.
        quad_count: statements over all named graphs (the N-Quads dump's line count).
        union_triple_count: distinct triples of the union graph (the Turtle/N-Triples dumps).
        graphs: quads per named-graph IRI.
        graph_labels: ``{graph IRI: {language: label}}`` from the meta graph.
        distinct_subjects: distinct subjects of the union graph.
        distinct_objects: distinct objects of the union graph.
        entities: distinct subjects under ``id/`` (VoID's entities: IRIs in the URI space).
        class_partitions: ``(class IRI, distinct instances)``, sorted by IRI.
        property_partitions: ``(property IRI, statements over all graphs)``, sorted by IRI.
        examples: one IRI each of a goal, a measure and an organisation, when present.
        vocabularies: vocabulary IRIs whose terms the data uses.
        period: the temporal coverage, if the data states one.
        modified: the latest ``prov:generatedAtTime`` of a graph, or of a write, if any.
    """

    version: str
    quad_count: int
    union_triple_count: int | None
    graphs: dict[str, int]
    graph_labels: dict[str, dict[str, str]]
    distinct_subjects: int | None
    distinct_objects: int | None
    entities: int | None
    class_partitions: tuple[tuple[str, int], ...] | None
    property_partitions: tuple[tuple[str, int], ...] | None
    examples: tuple[str, ...]
    vocabularies: tuple[str, ...]
    period: Period | None
    modified: Literal | None

    @property
    def counted(self) -> bool:
        """Whether the whole dataset was counted (else only what is known without reading it:
        the version, the quads per graph and when it changed)."""
        return self.union_triple_count is not None


def statistics_json(stats: DatasetStatistics) -> bytes:
    """The statistics as the JSON of ``statistics.json``."""
    document = {
        "schema": SCHEMA,
        "version": stats.version,
        "counted_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "software_version": __version__,
        "quad_count": stats.quad_count,
        "union_triple_count": stats.union_triple_count,
        "graphs": stats.graphs,
        "graph_labels": stats.graph_labels,
        "distinct_subjects": stats.distinct_subjects,
        "distinct_objects": stats.distinct_objects,
        "entities": stats.entities,
        "class_partitions": _pairs_json(stats.class_partitions),
        "property_partitions": _pairs_json(stats.property_partitions),
        "examples": list(stats.examples),
        "vocabularies": list(stats.vocabularies),
        "period": None
        if stats.period is None
        else {
            "iri": stats.period.iri,
            "start": _literal_json(stats.period.start),
            "end": _literal_json(stats.period.end),
        },
        "modified": None if stats.modified is None else _literal_json(stats.modified),
    }
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def statistics_from_json(data: bytes) -> DatasetStatistics:
    """Read statistics written by :func:`statistics_json`.

    Raises:
        ValueError: if the bytes are not such a document (another schema, a wrong type).
    """
    try:
        document = json.loads(data)
        if not isinstance(document, dict) or document.get("schema") != SCHEMA:
            raise ValueError(f"not a statistics document of schema {SCHEMA}")
        period = document["period"]
        modified = document["modified"]
        return DatasetStatistics(
            version=_text(document["version"]),
            quad_count=_number(document["quad_count"]),
            union_triple_count=_optional_number(document["union_triple_count"]),
            graphs={_text(k): _number(v) for k, v in _mapping(document["graphs"]).items()},
            graph_labels={
                _text(graph): {_text(lang): _text(text) for lang, text in _mapping(labels).items()}
                for graph, labels in _mapping(document["graph_labels"]).items()
            },
            distinct_subjects=_optional_number(document["distinct_subjects"]),
            distinct_objects=_optional_number(document["distinct_objects"]),
            entities=_optional_number(document["entities"]),
            class_partitions=_pairs(document["class_partitions"]),
            property_partitions=_pairs(document["property_partitions"]),
            examples=tuple(_text(iri) for iri in _list(document["examples"])),
            vocabularies=tuple(_text(iri) for iri in _list(document["vocabularies"])),
            period=None
            if period is None
            else Period(
                _text(_mapping(period)["iri"]),
                _literal(period["start"]),
                _literal(period["end"]),
            ),
            modified=None if modified is None else _literal(modified),
        )
    except (KeyError, TypeError, json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"not a statistics document: {error!r}") from error


def write_statistics_file(directory: Path, stats: DatasetStatistics) -> None:
    """Replace ``DIR/statistics.json`` atomically (like the manifest), flushed to disk."""
    atomic_write_bytes(directory / STATISTICS_FILE, statistics_json(stats))


def read_statistics_file(directory: Path) -> DatasetStatistics | None:
    """The statistics ``DIR/statistics.json`` holds, whatever version they name; ``None`` if
    there is no such file or it cannot be read (logged: a file that is there should be usable)."""
    path = directory / STATISTICS_FILE
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        LOG.warning("%s not used: %s", path, error)
        return None
    try:
        return statistics_from_json(data)
    except ValueError as error:
        LOG.warning("%s not used: %s", path, error)
        return None


def _literal_json(literal: Literal) -> dict[str, str]:
    if literal.language:
        return {"value": literal.value, "language": literal.language}
    return {"value": literal.value, "datatype": literal.datatype.value}


def _literal(value: object) -> Literal:
    fields = _mapping(value)
    if "language" in fields:
        return Literal(_text(fields["value"]), language=_text(fields["language"]))
    return Literal(_text(fields["value"]), datatype=NamedNode(_text(fields["datatype"])))


def _pairs_json(pairs: tuple[tuple[str, int], ...] | None) -> list[list[Any]] | None:
    return None if pairs is None else [[iri, n] for iri, n in pairs]


def _pairs(value: object) -> tuple[tuple[str, int], ...] | None:
    if value is None:
        return None
    found = []
    for pair in _list(value):
        iri, n = _list(pair)
        found.append((_text(iri), _number(n)))
    return tuple(found)


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, found {value!r}")
    return value


def _number(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise TypeError(f"expected a count, found {value!r}")
    return value


def _optional_number(value: object) -> int | None:
    return None if value is None else _number(value)


def _mapping(value: object) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError(f"expected an object, found {value!r}")
    return value


def _list(value: object) -> list[Any]:
    if not isinstance(value, list):
        raise TypeError(f"expected a list, found {value!r}")
    return value
