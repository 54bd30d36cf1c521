"""rdflib's SPARQL processor with the translation of each query text kept: parsed once, not once
per focus node.

pySHACL runs the SPARQL of a constraint or a target as a text (``graph.query(text,
initBindings=...)``) once per focus node, and rdflib parses and translates the text every time.
Profiling a validation of the shipped data (cProfile) put 4.0 of its 9.6 s in ``parseQuery``:
173 parses of a few dozen distinct texts. A translated query (``rdflib.plugins.sparql.sparql.
Query``) is what ``prepareQuery`` gives and is meant to be evaluated many times with different
bindings, so keeping it changes no answer.

:func:`install` registers :class:`PreparingProcessor` as rdflib's ``sparql`` query processor (the
plugin name ``Graph.query`` uses by default), through rdflib's own plugin registry. The cache is
bounded (:data:`MAX_QUERIES` texts); the texts are the shapes' (ours), not a client's.
"""

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from rdflib import plugin
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.evaluate import evalQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.processor import SPARQLProcessor
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Processor
from rdflib.term import Identifier

MAX_QUERIES = 512
"""Distinct (text, base, namespaces) translations kept; the shipped shapes have a few dozen."""


@lru_cache(maxsize=MAX_QUERIES)
def _translated(text: str, base: str | None, namespaces: tuple[tuple[str, str], ...]) -> Query:
    return translateQuery(parseQuery(text), base, dict(namespaces))


class PreparingProcessor(SPARQLProcessor):
    """rdflib's SPARQL processor, translating each distinct query text once."""

    def query(  # type: ignore[override]
        self,
        strOrQuery: str | Query,  # noqa: N803 (rdflib's parameter names)
        initBindings: Mapping[str, Identifier] | None = None,  # noqa: N803
        initNs: Mapping[str, Any] | None = None,  # noqa: N803
        base: str | None = None,
        DEBUG: bool = False,  # noqa: N803, ARG002 (rdflib's signature; unused there too)
    ) -> Mapping[str, Any]:
        query = strOrQuery
        if isinstance(query, str):
            namespaces = tuple(sorted((k, str(v)) for k, v in (initNs or {}).items()))
            query = _translated(query, base, namespaces)
        return evalQuery(self.graph, query, initBindings, base)


def install() -> None:
    """Make :class:`PreparingProcessor` rdflib's default SPARQL query processor (idempotent)."""
    plugin.register("sparql", Processor, __name__, PreparingProcessor.__name__)
