"""The label index: which resources have a label containing a text, without reading every label.
This module builds and updates it; :mod:`sousei_kg.store.label_lookup` reads it.

A persistent store keeps it in ``DIR/labels.sqlite3`` (SQLite, stdlib ``sqlite3``); the in-memory
store of the shipped files builds one in memory at start-up. It holds one row per distinct
(resource, label) of ``rdfs:label``, ``skos:prefLabel`` and ``skos:altLabel`` whose resource is an
IRI, with the label's text lower-cased by Python (``str.lower``, the full Unicode mapping, like
SPARQL's ``LCASE``) and its length in code points (``len``, SPARQL's ``STRLEN``: the web search
ranks by it; SQLite's ``length()`` stops at a NUL), and two ways in:

* ``labels_fts``: FTS5 with the ``trigram`` tokenizer (case-sensitive, on the lower-cased text),
  for texts of three characters or more; the text is quoted as one FTS5 string (``"`` doubled), so
  nothing in it is FTS5 syntax;
* ``grams``: the two-character pieces of each label that contain a non-ASCII character, and its
  last character followed by ``\\x00``, for one- and two-character texts in Japanese (trigrams
  cannot find them); a one-character text is a range of pieces that start with it. One- and
  two-character ASCII texts (``a``, ``of``) scan the label texts in SQLite instead: they match a
  large share of all labels anyway.

Beside the labels it keeps ``types``: the ``rdf:type`` IRIs of every labelled resource, so that
search-labels can be answered from the index alone (its rows are a resource, a label and the
resource's types: :meth:`~sousei_kg.store.label_lookup.LabelIndex.answer`). A type of a labelled
resource that is not an IRI (a literal or a blank node: legal, odd, and not writable into a
``VALUES`` block) sets ``meta.untyped``, and that dataset's answers are not taken from the index
(only its candidates are).

The index gives **candidates**, a superset of the labels that match: the caller checks each one
again (the SPARQL query that fetches the rows applies the same ``CONTAINS(LCASE(...))`` filter as
the query without the index), so the index decides what is read, never what is answered.

It records the dataset version it describes (``meta.version``); a reader that serves another
version gets ``None`` from :meth:`~sousei_kg.store.label_lookup.LabelIndex.candidates` and
answers without the index. The writer updates the rows of the resources a write changed in the
same transaction that records the new version, right after the commit point
(:mod:`sousei_kg.writes.writer`), and rebuilds the whole index when it opens a store whose index
is missing or describes another version.
"""

import contextlib
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, Store

INDEX_FILE = "labels.sqlite3"
"""The label index of a persistent store, beside ``oxigraph/``."""
SCHEMA = "2"
"""Bumped when the layout changes: an index of another schema is rebuilt (or not used)."""

LABEL_PREDICATES: tuple[NamedNode, ...] = (
    NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
    NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel"),
    NamedNode("http://www.w3.org/2004/02/skos/core#altLabel"),
)
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
IRI_KIND = ""
"""The ``datatype`` column of a label that is an IRI (``STR`` of it is what the search reads)."""
_END = "\x00"
TOP = "\U0010ffff"

_SCHEMA_SQL = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE labels(
    id INTEGER PRIMARY KEY,
    subject TEXT NOT NULL,
    value TEXT NOT NULL,
    language TEXT NOT NULL,
    datatype TEXT NOT NULL,
    folded TEXT NOT NULL,
    chars INTEGER NOT NULL,
    UNIQUE(subject, value, language, datatype)
);
CREATE VIRTUAL TABLE labels_fts USING fts5(
    folded, content='labels', content_rowid='id', tokenize='trigram case_sensitive 1'
);
CREATE TABLE grams(gram TEXT NOT NULL, id INTEGER NOT NULL, PRIMARY KEY(gram, id)) WITHOUT ROWID;
CREATE TABLE types(subject TEXT NOT NULL, type TEXT NOT NULL, PRIMARY KEY(subject, type))
    WITHOUT ROWID;
"""


def fold(text: str) -> str:
    """The form both labels and search texts are compared in (SPARQL ``LCASE``)."""
    return text.lower()


def _grams(folded: str) -> set[str]:
    """The pieces of a lower-cased label the ``grams`` table holds (see the module docstring)."""
    if not folded:
        return set()
    pieces = {folded[i : i + 2] for i in range(len(folded) - 1)}
    pieces.add(folded[-1] + _END)
    return {piece for piece in pieces if not piece.isascii()}


@dataclass(frozen=True)
class _Row:
    subject: str
    value: str
    language: str
    datatype: str


def _row_of(quad: Quad) -> _Row | None:
    """The index row of one label statement; ``None`` for a subject that is not an IRI (the search
    skips them). A label that is a blank node or a triple cannot be indexed: see
    :class:`UnindexableLabelError`."""
    subject, label = quad.subject, quad.object
    if not isinstance(subject, NamedNode):
        return None
    if isinstance(label, Literal):
        return _Row(subject.value, label.value, label.language or "", label.datatype.value)
    if isinstance(label, NamedNode):
        return _Row(subject.value, label.value, "", IRI_KIND)
    raise UnindexableLabelError(subject.value)


class UnindexableLabelError(ValueError):
    """A label that is a blank node or a triple: ``STR`` of it is an error, which the named query's
    ``COALESCE`` turns into a match for *every* text. The index cannot list such a label as a
    candidate, so a dataset that has one is searched without the index."""


class _Rows:
    """The index rows of some label statements, in order, noting whether a label could not be
    indexed (:class:`UnindexableLabelError`) once they have been read."""

    def __init__(self, quads: Iterable[Quad]) -> None:
        self.quads = quads
        self.unindexable = False

    def __iter__(self) -> Iterator[_Row]:
        for quad in self.quads:
            try:
                row = _row_of(quad)
            except UnindexableLabelError:
                self.unindexable = True
                continue
            if row is not None:
                yield row


def _type_rows(quads: Iterable[Quad]) -> Iterator[tuple[str, str, int]]:
    """``(subject, type, odd)`` of some ``rdf:type`` statements about IRIs: ``odd`` is 1 for a type
    that is not an IRI (its ``type`` is then empty; see the module docstring). Statements about a
    blank node are skipped (the search skips such resources)."""
    for quad in quads:
        if not isinstance(quad.subject, NamedNode):
            continue
        if isinstance(quad.object, NamedNode):
            yield quad.subject.value, quad.object.value, 0
        else:
            yield quad.subject.value, "", 1


_NEW_TYPES = "CREATE TEMP TABLE new_types(subject TEXT NOT NULL, type TEXT NOT NULL, odd INTEGER)"
_KEEP_TYPES = (
    "INSERT OR IGNORE INTO types(subject, type) SELECT subject, type FROM new_types "
    "WHERE odd = 0 AND subject IN (SELECT subject FROM labels)"
)
_ODD_TYPES = (
    "SELECT EXISTS(SELECT 1 FROM new_types "
    "WHERE odd = 1 AND subject IN (SELECT subject FROM labels))"
)


def _insert_types(connection: sqlite3.Connection, quads: Iterable[Quad]) -> bool:
    """Insert the types of the labelled subjects among ``quads`` (the others are never asked
    for: at 10 M triples two thirds of all typed subjects had no label); whether one of those
    types is not an IRI."""
    connection.execute(_NEW_TYPES)
    try:
        connection.executemany("INSERT INTO new_types VALUES (?, ?, ?)", _type_rows(quads))
        connection.execute(_KEEP_TYPES)
        (odd,) = connection.execute(_ODD_TYPES).fetchone()
    finally:
        connection.execute("DROP TABLE new_types")
    return bool(odd)


def _label_quads(store: Store, subject: NamedNode | None = None) -> Iterator[Quad]:
    for predicate in LABEL_PREDICATES:
        yield from store.quads_for_pattern(subject, predicate, None, None)


def connect(path: str) -> sqlite3.Connection:
    """A connection for building or updating an index (or reading one in memory)."""
    connection = sqlite3.connect(path, timeout=30, check_same_thread=False, isolation_level=None)
    return connection


def _insert(connection: sqlite3.Connection, rows: Iterable[_Row]) -> int:
    """Insert rows (duplicates ignored) with their FTS and gram entries; returns how many."""
    count = 0
    for row in rows:
        folded = fold(row.value)
        cursor = connection.execute(
            "INSERT OR IGNORE INTO labels(subject, value, language, datatype, folded, chars) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (row.subject, row.value, row.language, row.datatype, folded, len(row.value)),
        )
        if cursor.rowcount != 1:
            continue
        rowid = cursor.lastrowid
        connection.execute("INSERT INTO labels_fts(rowid, folded) VALUES (?, ?)", (rowid, folded))
        connection.executemany(
            "INSERT INTO grams(gram, id) VALUES (?, ?)", ((g, rowid) for g in _grams(folded))
        )
        count += 1
    return count


def _delete_subjects(connection: sqlite3.Connection, subjects: Iterable[str]) -> None:
    for subject in subjects:
        found = connection.execute(
            "SELECT id, folded FROM labels WHERE subject = ?", (subject,)
        ).fetchall()
        for rowid, folded in found:
            connection.execute(
                "INSERT INTO labels_fts(labels_fts, rowid, folded) VALUES ('delete', ?, ?)",
                (rowid, folded),
            )
            connection.executemany(
                "DELETE FROM grams WHERE gram = ? AND id = ?",
                ((g, rowid) for g in _grams(folded)),
            )
        connection.execute("DELETE FROM labels WHERE subject = ?", (subject,))


def _set_meta(
    connection: sqlite3.Connection, version: str, unindexable: bool, untyped: bool
) -> None:
    connection.executemany(
        "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)",
        [
            ("schema", SCHEMA),
            ("version", version),
            ("unindexable", "1" if unindexable else "0"),
            ("untyped", "1" if untyped else "0"),
        ],
    )


def fill_index(connection: sqlite3.Connection, store: Store, version: str) -> int:
    """Create the tables and index every label of ``store`` in one transaction."""
    connection.executescript(_SCHEMA_SQL)
    connection.execute("BEGIN")
    found = _Rows(_label_quads(store))
    rows = (
        (r.subject, r.value, r.language, r.datatype, fold(r.value), len(r.value)) for r in found
    )
    connection.executemany(
        "INSERT OR IGNORE INTO labels(subject, value, language, datatype, folded, chars) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        rows,
    )
    connection.execute("INSERT INTO labels_fts(labels_fts) VALUES ('rebuild')")
    connection.execute("CREATE TEMP TABLE new_grams(gram TEXT NOT NULL, id INTEGER NOT NULL)")
    connection.executemany(
        "INSERT INTO new_grams(gram, id) VALUES (?, ?)",
        (
            (gram, rowid)
            for rowid, folded in connection.cursor().execute("SELECT id, folded FROM labels")
            for gram in _grams(folded)
        ),
    )
    connection.execute("INSERT INTO grams SELECT gram, id FROM new_grams ORDER BY gram, id")
    connection.execute("DROP TABLE new_grams")
    untyped = _insert_types(connection, store.quads_for_pattern(None, RDF_TYPE, None, None))
    (count,) = connection.execute("SELECT count(*) FROM labels").fetchone()
    _set_meta(connection, version, found.unindexable, untyped)
    connection.execute("COMMIT")
    return int(count)


def build_index_file(directory: Path, store: Store, version: str) -> int:
    """Build ``DIR/labels.sqlite3`` from ``store`` (which holds ``version``), replacing any index
    there: written beside it and renamed into place, so a reader sees the old index or the new
    one. Returns the number of labels indexed."""
    target = directory / INDEX_FILE
    building = directory / (INDEX_FILE + ".building")
    with contextlib.suppress(FileNotFoundError):
        building.unlink()
    connection = connect(str(building))
    try:
        connection.execute("PRAGMA journal_mode=OFF")
        connection.execute("PRAGMA synchronous=OFF")
        count = fill_index(connection, store, version)
        connection.execute("PRAGMA journal_mode=DELETE")
    finally:
        connection.close()
    with open(building, "rb") as handle:
        os.fsync(handle.fileno())
    building.replace(target)
    return count


def index_version(directory: Path) -> str | None:
    """The version the index of ``DIR`` describes; ``None`` if it is missing, unreadable or of
    another schema."""
    path = directory / INDEX_FILE
    if not path.is_file():
        return None
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            meta = dict(connection.execute("SELECT key, value FROM meta").fetchall())
        finally:
            connection.close()
    except sqlite3.Error:
        return None
    return meta.get("version") if meta.get("schema") == SCHEMA else None


def update_index_file(
    directory: Path, store: Store, subjects: Iterable[NamedNode | BlankNode], version: str
) -> None:
    """Bring the rows of ``subjects`` in line with ``store`` (the state after a write, ``version``)
    and record the version, in one transaction: a reader sees the index before the write or after
    it, never between.

    Raises:
        sqlite3.Error: if the index cannot be written (it then still names the old version, so
            readers do not use it until it is rebuilt).
    """
    named = sorted({s.value for s in subjects if isinstance(s, NamedNode)})
    connection = connect(str(directory / INDEX_FILE))
    try:
        connection.execute("BEGIN IMMEDIATE")
        try:
            unindexable, untyped = _update(connection, store, named)
            _set_meta(connection, version, unindexable, untyped)
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
    finally:
        connection.close()


def _update(
    connection: sqlite3.Connection, store: Store, subjects: Sequence[str]
) -> tuple[bool, bool]:
    """Replace the rows and types of ``subjects``; whether the dataset now has a label the index
    cannot hold, and a type that is not an IRI (both stay set until the next rebuild: the index
    does not know whether the odd statement was the only one)."""
    meta = dict(connection.execute("SELECT key, value FROM meta").fetchall())
    _delete_subjects(connection, subjects)
    found = _Rows(quad for subject in subjects for quad in _label_quads(store, NamedNode(subject)))
    _insert(connection, found)
    connection.executemany("DELETE FROM types WHERE subject = ?", ((s,) for s in subjects))
    untyped = _insert_types(
        connection,
        (
            quad
            for subject in subjects
            for quad in store.quads_for_pattern(NamedNode(subject), RDF_TYPE, None, None)
        ),
    )
    return (
        meta.get("unindexable") == "1" or found.unindexable,
        meta.get("untyped") == "1" or untyped,
    )


INDEXED_PREDICATES = frozenset((*LABEL_PREDICATES, RDF_TYPE))
"""The statements the index holds something of: labels, and the types of labelled resources."""


def indexed_subjects(quads: Iterable[Quad]) -> set[NamedNode | BlankNode]:
    """The subjects of the label and type statements among ``quads`` (what a write changed of
    what the index holds)."""
    return {
        q.subject
        for q in quads
        if q.predicate in INDEXED_PREDICATES and isinstance(q.subject, NamedNode | BlankNode)
    }
