"""Reading the label index (:mod:`sousei_kg.store.label_index` builds and updates it): the
candidates for a search text, as one short SQLite read per search, and the whole answer of
search-labels (each matching label with its resource's types) where the index holds all of it.

Kept apart from the building side so that the servers, which only read, do not load it, and so
that each module stays about one job: the layout and its upkeep there, the lookups here.
"""

import json
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from pyoxigraph import Literal, NamedNode, Store

from sousei_kg.store.label_index import (
    INDEX_FILE,
    IRI_KIND,
    SCHEMA,
    TOP,
    connect,
    fill_index,
    fold,
)

LOG = logging.getLogger("sousei_kg.store")
T = TypeVar("T")


@dataclass(frozen=True)
class Candidate:
    """One (resource, label) whose lower-cased label may contain the text.

    Attributes:
        subject: the resource's IRI.
        value: the label's text (``STR`` of it).
        language: its language tag, or ``""``.
        datatype: its datatype IRI; ``""`` when the label is an IRI, not a literal.
    """

    subject: str
    value: str
    language: str
    datatype: str

    def resource(self) -> NamedNode:
        """The resource as a term."""
        return NamedNode(self.subject)

    def label(self) -> NamedNode | Literal:
        """The label as the term the store holds."""
        if self.datatype == IRI_KIND:
            return NamedNode(self.value)
        if self.language:
            return Literal(self.value, language=self.language)
        return Literal(self.value, datatype=NamedNode(self.datatype))

    def matches(self, folded_text: str) -> bool:
        """Whether the label contains the (lower-cased) text: the check the candidates need."""
        return folded_text in fold(self.value)


class LabelIndex:
    """A reader of a label index: a file of a persistent store, or one built in memory.

    Safe to share between threads (one connection, used under a lock: each lookup is short). A
    file that was replaced (a writer that rebuilt it) is opened again when the version asked for is
    not the one the open file holds.
    """

    def __init__(self, connection: sqlite3.Connection, path: Path | None = None) -> None:
        self._connection = connection
        self._lock = threading.Lock()
        self._path = path
        self._inode = _inode(path)

    @classmethod
    def in_memory(cls, store: Store, version: str) -> "LabelIndex":
        """Index ``store`` in memory (the shipped files: a few hundred labels, milliseconds)."""
        connection = connect(":memory:")
        fill_index(connection, store, version)
        return cls(connection)

    @classmethod
    def open_file(cls, directory: Path) -> "LabelIndex | None":
        """Open ``DIR/labels.sqlite3`` read-only; ``None`` if there is none (a store built before
        the index existed: searched without it until a writer or ``sousei-kg build`` makes one)."""
        path = directory / INDEX_FILE
        if not path.is_file():
            return None
        try:
            return cls(_read_only(path), path)
        except sqlite3.Error as error:
            LOG.warning("label index %s not used: %s", path, error)
            return None

    def _reopen_if_replaced(self) -> bool:
        """Open the file again if another file now has its name; whether it did."""
        if self._path is None or (inode := _inode(self._path)) in (None, self._inode):
            return False
        self._connection.close()
        self._connection, self._inode = _read_only(self._path), inode
        return True

    def version(self) -> str | None:
        """The version the index describes (``None``: unusable)."""
        with self._lock:
            return self._meta().get("version")

    def _meta(self) -> dict[str, str]:
        try:
            meta = dict(self._connection.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.Error:
            return {}
        return meta if meta.get("schema") == SCHEMA else {}

    def candidates(self, text: str, version: str) -> list[Candidate] | None:
        """The (resource, label) pairs whose label contains ``text`` ignoring case, sorted by
        resource IRI (code-point order), then label; ``None`` when the index cannot answer for
        ``version`` (it describes another version, or the dataset has a label it cannot index).

        Callers may still check each (:meth:`Candidate.matches`, or the query's own filter): the
        index decides what is read, the check what is answered.
        """
        folded = fold(text)

        def read(_meta: dict[str, str]) -> list[Candidate]:
            return [Candidate(*row) for row in self._connection.execute(*_matching(folded))]

        return self._read(version, read)

    def answer(
        self, text: str, version: str, keep: Callable[[Candidate], bool], row_cap: int
    ) -> list["AnswerRow"] | None:
        """The rows of search-labels for ``text`` read from the index alone: each label that
        contains ``text`` ignoring case and that ``keep`` accepts (the query's language filter),
        once per type of its resource (once with no type if it has none), sorted by resource
        IRI. ``None`` when the index cannot answer for ``version``: another version, a label it
        cannot index, or a type that is not an IRI.

        With a ``row_cap``, the labels of the resources that come first and give at least
        ``row_cap + 1`` rows are enough (every label gives at least one row and the answer is
        sorted by resource first; the one row past the cap tells the caller it was cut). Only
        those labels' types are read.
        """
        folded = fold(text)

        def read(meta: dict[str, str]) -> list[AnswerRow] | None:
            if meta.get("untyped") != "0":
                return None
            cursor = self._connection.execute(*_matching(folded))
            labels = first_labels((Candidate(*row) for row in cursor), keep, row_cap)
            types = self._types(sorted({label.subject for label in labels}))
            return [
                AnswerRow(label, kind)
                for label in labels
                for kind in types.get(label.subject, [None])
            ]

        return self._read(version, read)

    def ranked(self, text: str, version: str, resources: int) -> list[Candidate] | None:
        """The labels containing ``text`` (ignoring case) of the ``resources`` resources that rank
        first by their shortest such label, then by IRI (how the web search ranks its hits:
        ``label-search.rq``), in that order; ``None`` when the index cannot answer for
        ``version``. The ranking is done in SQLite, so only those labels reach Python (at 10 M
        triples a two-character text has ~57,000 candidates)."""
        folded = fold(text)

        def read(_meta: dict[str, str]) -> list[Candidate]:
            sql, parameters = _matching(folded, _RANKED)
            first = [s for (s,) in self._connection.execute(sql, (*parameters, resources))]
            rows = self._connection.execute(_LABELS_OF, (json.dumps(first), folded))
            order = {subject: place for place, subject in enumerate(first)}
            labels = [Candidate(*row) for row in rows]
            return sorted(labels, key=lambda c: (order[c.subject], c.value, c.language, c.datatype))

        return self._read(version, read)

    def _read(self, version: str, read: Callable[[dict[str, str]], T | None]) -> T | None:
        """What ``read`` finds, in one transaction with the version it belongs to, under the lock;
        the file opened again once if it was replaced; ``None`` (logged) if the index cannot
        answer: another version, a label it cannot index, or SQLite failing."""
        with self._lock:
            try:
                found = self._read_once(version, read)
                if found is None and self._reopen_if_replaced():
                    found = self._read_once(version, read)
            except (sqlite3.Error, UnicodeError) as error:
                LOG.warning("label index not used: %s", error)
                return None
        return found

    def _read_once(self, version: str, read: Callable[[dict[str, str]], T | None]) -> T | None:
        self._connection.execute("BEGIN")
        try:
            meta = self._meta()
            if meta.get("version") != version or meta.get("unindexable") != "0":
                return None
            return read(meta)
        finally:
            self._connection.execute("COMMIT")

    def _types(self, subjects: Sequence[str]) -> dict[str, list[str | None]]:
        """The type IRIs of ``subjects``, in one statement (the list travels as one JSON
        parameter: SQLite bounds a statement's parameters)."""
        types: dict[str, list[str | None]] = {}
        for subject, kind in self._connection.execute(_TYPES_OF, (json.dumps(subjects),)):
            types.setdefault(subject, []).append(kind)
        return types

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._connection.close()


@dataclass(frozen=True)
class AnswerRow:
    """One row of search-labels as the index holds it: a matching label and one type of its
    resource (``None``: the resource has no type)."""

    label: Candidate
    type: str | None

    def type_term(self) -> NamedNode | None:
        """The type as a term (the index holds type IRIs only)."""
        return None if self.type is None else NamedNode(self.type)


_TYPES_OF = "SELECT subject, type FROM types WHERE subject IN (SELECT value FROM json_each(?))"


def first_labels(
    labels: Iterator[Candidate], keep: Callable[[Candidate], bool], row_cap: int
) -> list[Candidate]:
    """The labels ``keep`` accepts, in order (sorted by resource); with a ``row_cap``, stopped
    after the one past the cap once the resource changes: every label gives at least one row of
    search-labels, so these give the first ``row_cap + 1`` rows (see :meth:`LabelIndex.answer`)."""
    kept: list[Candidate] = []
    for label in labels:
        if row_cap and len(kept) > row_cap and label.subject != kept[-1].subject:
            break
        if keep(label):
            kept.append(label)
    return kept


def _read_only(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(
        f"file:{path}?mode=ro", uri=True, timeout=30, check_same_thread=False
    )
    connection.isolation_level = None
    return connection


def _inode(path: Path | None) -> int | None:
    if path is None:
        return None
    try:
        return path.stat().st_ino
    except OSError:
        return None


_MATCHING = (
    "SELECT subject, value, language, datatype FROM labels NOT INDEXED "
    "WHERE {ids}instr(folded, ?) > 0 ORDER BY subject, value, language, datatype"
)
_RANKED = (
    "SELECT subject FROM labels NOT INDEXED WHERE {ids}instr(folded, ?) > 0 "
    "GROUP BY subject ORDER BY min(chars), subject LIMIT ?"
)
_LABELS_OF = (
    "SELECT subject, value, language, datatype FROM labels "
    "WHERE subject IN (SELECT value FROM json_each(?)) AND instr(folded, ?) > 0"
)
_IDS = {
    "trigram": "id IN (SELECT rowid FROM labels_fts WHERE labels_fts MATCH ?) AND ",
    "bigram": "id IN (SELECT id FROM grams WHERE gram = ?) AND ",
    "unigram": "id IN (SELECT id FROM grams WHERE gram >= ? AND gram <= ?) AND ",
}


def _matching(folded: str, template: str = _MATCHING) -> tuple[str, tuple[str, ...]]:
    """The SQL (and its parameters) that reads the labels containing a lower-cased text, sorted by
    resource (``template``: :data:`_MATCHING` or :data:`_RANKED`). The candidates come from
    ``labels_fts`` (three characters or more), the ``grams`` table (one or two characters with a
    non-ASCII one) or a scan (one or two ASCII characters, or none); each is checked in SQLite
    (``instr`` on the lower-cased text is the ``CONTAINS(LCASE(…))`` of the query), so only
    matching labels reach Python.

    ``NOT INDEXED``: left to itself, SQLite read a scan in the order of the ``UNIQUE`` index to
    save the sort, a random read per label (3.3 s for a two-letter text at 10 M triples, 0.3 s
    reading the table in its own order and sorting the matches); row ids are still looked up."""
    if len(folded) >= 3:
        return template.format(ids=_IDS["trigram"]), (fts5_phrase(folded), folded)
    if folded.isascii():
        return template.format(ids=""), (folded,)
    if len(folded) == 2:
        return template.format(ids=_IDS["bigram"]), (folded, folded)
    return template.format(ids=_IDS["unigram"]), (folded, folded + TOP, folded)


def fts5_phrase(folded: str) -> str:
    """``folded`` as one FTS5 string: in double quotes, each ``"`` doubled, so no character of it
    is FTS5 query syntax (``AND``, ``*``, ``:``, ``^``, parentheses…)."""
    return '"' + folded.replace('"', '""') + '"'
