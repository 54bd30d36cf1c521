"""SHACL validation of the ontology and data against the shipped shapes (pySHACL).

The shapes graph is always built from the shipped ``shapes/*.ttl`` (or files a caller names),
never from shapes found in a store or in user data. SHACL-SPARQL is enabled (``advanced=True``),
no inference is run, and Warning/Info results do not break conformance.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Literal, cast

from pyshacl import validate as shacl_validate
from rdflib import BNode, Graph, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.term import Node

from sousei_kg.dataset import prepared_queries
from sousei_kg.dataset.data_graph import store_data_graph
from sousei_kg.dataset.resources import resource_dir
from sousei_kg.errors import DataFileError
from sousei_kg.store.readable import ReadableStore

Severity = Literal["Violation", "Warning", "Info"]
_SEVERITIES: dict[URIRef, Severity] = {
    SH.Violation: "Violation",
    SH.Warning: "Warning",
    SH.Info: "Info",
}
_SEVERITY_RANK: dict[str, int] = {"Violation": 0, "Warning": 1, "Info": 2}


@dataclass(frozen=True)
class ValidationResult:
    """One ``sh:ValidationResult``, with terms rendered as text (IRIs bare, literals lexical)."""

    focus_node: str
    result_path: str | None
    value: str | None
    message: str
    severity: Severity
    source_shape: str


@dataclass(frozen=True)
class ValidationOutcome:
    """The result of a validation run.

    Attributes:
        conforms: true when there is no result of severity Violation.
        results: every result, Violations first.
        report_graph: the full SHACL validation report.
    """

    conforms: bool
    results: list[ValidationResult]
    report_graph: Graph


def shipped_shapes_files(root: Path | None = None) -> list[Path]:
    """Return the shipped ``shapes/*.ttl`` files, sorted."""
    return sorted(resource_dir("shapes", root).glob("*.ttl"))


def parse_files(files: list[Path]) -> Graph:
    """Parse Turtle files into one rdflib graph.

    Raises:
        DataFileError: if a file does not parse.
    """
    graph = Graph()
    for path in files:
        try:
            graph.parse(path, format="turtle")
        except BadSyntax as error:
            # BadSyntax(uri, lines, argstr, i, why): `lines` counts from 0.
            raise DataFileError(path, error.lines + 1, str(error.args[-1])) from error
        except (SyntaxError, ValueError) as error:
            raise DataFileError(path, None, " ".join(str(error).split())) from error
    return graph


def shacl_report(data: Graph, shapes: Graph, *, inplace: bool = False) -> Graph:
    """One pySHACL run as every validation of the project makes it (no inference, SHACL-AF on,
    Warnings and Infos reported), each SPARQL text of the shapes parsed once
    (:mod:`sousei_kg.dataset.prepared_queries`); returns the report graph."""
    prepared_queries.install()
    _conforms, report, _text = shacl_validate(
        data,
        shacl_graph=shapes,
        inference="none",
        advanced=True,
        allow_warnings=True,
        allow_infos=True,
        inplace=inplace,
    )
    return cast(Graph, report)


def validate_graph(data: Graph, shapes_files: list[Path] | None = None) -> ValidationOutcome:
    """Validate a data graph against shapes files (the shipped shapes by default)."""
    shapes = parse_files(shapes_files if shapes_files is not None else shipped_shapes_files())
    report_graph = shacl_report(data, shapes)
    results = _results(report_graph)
    return ValidationOutcome(
        conforms=not any(r.severity == "Violation" for r in results),
        results=results,
        report_graph=report_graph,
    )


def validate_files(
    data_files: list[Path], shapes_files: list[Path] | None = None
) -> ValidationOutcome:
    """Validate the union of some Turtle files (ontology and data) against shapes files.

    Args:
        data_files: the data graph, as Turtle files.
        shapes_files: the shapes; the shipped ``shapes/*.ttl`` by default.
    """
    return validate_graph(parse_files(data_files), shapes_files)


def validate_store(
    store: ReadableStore, shapes_files: list[Path] | None = None, root: Path | None = None
) -> ValidationOutcome:
    """Validate a store's union graph, without its ``graph:shapes``, against the shipped shapes.

    Args:
        store: the store.
        shapes_files: the shapes; the ``shapes/*.ttl`` of ``root`` (or the shipped ones) by default.
        root: a directory holding ``shapes/`` instead of the shipped one.
    """
    return validate_graph(
        store_data_graph(store),
        shapes_files if shapes_files is not None else shipped_shapes_files(root),
    )


def coverage_summary(outcome: ValidationOutcome) -> list[str]:
    """Return the messages of all Warning results, sorted: the coverage gaps of the dataset."""
    return sorted(r.message for r in outcome.results if r.severity == "Warning")


def _results(report: Graph) -> list[ValidationResult]:
    return [result for _focus, result in rooted_results(report)]


def rooted_results(report: Graph) -> list[tuple[Node, ValidationResult]]:
    """Every result of a report with the focus node, as a term, of the validation that produced
    it, Violations first.

    That is the result's own focus node, except for a detail: pySHACL adds the results of the
    shape a ``sh:node`` value fails as ``sh:detail`` of the ``sh:node`` result, with the value as
    their focus node, and they are results of the report too. A term, not text, because the
    rendered text of an IRI and of a literal can be equal.
    """
    results = []
    for node in report.subjects(RDF.type, SH.ValidationResult):
        root, seen = node, {node}
        while (parent := report.value(None, SH.detail, root)) is not None and parent not in seen:
            root = parent
            seen.add(parent)
        severity = _SEVERITIES.get(cast(URIRef, report.value(node, SH.resultSeverity)), "Violation")
        messages = sorted(str(m) for m in report.objects(node, SH.resultMessage))
        path = report.value(node, SH.resultPath)
        value = report.value(node, SH.value)
        focus = report.value(node, SH.focusNode)
        root_focus = report.value(root, SH.focusNode)
        result = ValidationResult(
            focus_node=_render(report, focus),
            result_path=None if path is None else _render(report, path),
            value=None if value is None else _render(report, value),
            message="; ".join(messages),
            severity=severity,
            source_shape=_render(report, report.value(node, SH.sourceShape)),
        )
        results.append((cast(Node, root_focus), result))
    return sorted(
        results,
        key=lambda pair: (
            _SEVERITY_RANK[pair[1].severity],
            pair[1].focus_node,
            pair[1].result_path or "",
            pair[1].message,
        ),
    )


def _render(graph: Graph, term: Node | None) -> str:
    """Render a term: IRIs bare, literals by their lexical form, property paths in SPARQL syntax."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return str(term)
    if isinstance(term, RdfLiteral):
        return str(term)
    if isinstance(term, BNode):
        if (graph.value(term, RDF.first)) is not None:
            return "/".join(_render(graph, item) for item in Collection(graph, term))
        for predicate, template in (
            (SH.inversePath, "^{}"),
            (SH.zeroOrMorePath, "{}*"),
            (SH.oneOrMorePath, "{}+"),
            (SH.zeroOrOnePath, "{}?"),
        ):
            inner = graph.value(term, predicate)
            if inner is not None:
                return template.format(_render(graph, inner))
        alternatives = graph.value(term, SH.alternativePath)
        if alternatives is not None:
            return "(" + "|".join(_render(graph, i) for i in Collection(graph, alternatives)) + ")"
        return f"_:{term}"
    return str(term)
