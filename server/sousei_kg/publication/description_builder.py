"""A description under construction: its triples in a stable order, and every resource it links
to described once.

DCAT-AP's range shapes check the class of every object (a licence must be a
``dcterms:LicenseDocument``, a theme a ``skos:Concept``…), and a harvester validates the
catalogue alone, so an object typed nowhere in it is a violation. :meth:`Description.link` adds
the link *and* the linked resource's own description (its type, its label), once however often
it is linked: a resource cannot be linked without being typed.
"""

from collections.abc import Mapping
from typing import Protocol

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from sousei_kg.publication.statistics import term

Subject = NamedNode | BlankNode
Object = NamedNode | BlankNode | Literal


class Described(Protocol):
    """A resource a description links to and describes once (a standard, a concept, an agent)."""

    @property
    def node(self) -> NamedNode:
        """The resource's IRI."""
        ...

    def describe(self, out: "Description") -> None:
        """Add the resource's own statements (its type, its label) to ``out``."""
        ...


class Description:
    """Triples in the order they were added, each once, and the resources already described."""

    def __init__(self) -> None:
        self._triples: dict[Triple, None] = {}  # insertion-ordered set
        self._described: set[str] = set()

    def add(self, subject: Subject, predicate: str, obj: Object) -> None:
        """Add ``subject predicate obj``; ``predicate`` is a prefixed name (``dcat:keyword``)."""
        self._triples.setdefault(Triple(subject, term(predicate), obj), None)

    def add_triple(self, triple: Triple) -> None:
        """Add a triple whose predicate is already a term (one copied from another graph)."""
        self._triples.setdefault(triple, None)

    def texts(self, subject: Subject, predicate: str, values: Mapping[str, str]) -> None:
        """Add one language-tagged literal per ``{language: text}``."""
        for language, text in values.items():
            self.add(subject, predicate, Literal(text, language=language))

    def link(self, subject: Subject, predicate: str, target: Described) -> None:
        """Link ``subject`` to ``target`` and describe ``target`` (once)."""
        self.add(subject, predicate, target.node)
        self.describe(target)

    def describe(self, target: Described) -> None:
        """Add ``target``'s own description, unless it is already there."""
        if target.node.value not in self._described:
            self._described.add(target.node.value)
            target.describe(self)

    @property
    def triples(self) -> list[Triple]:
        """Every triple, grouped by subject (subjects in the order first seen, each subject's
        triples in the order added), so Turtle writes each subject once."""
        by_subject: dict[Subject, list[Triple]] = {}
        for triple in self._triples:
            by_subject.setdefault(triple.subject, []).append(triple)  # type: ignore[arg-type]
        return [triple for group in by_subject.values() for triple in group]
