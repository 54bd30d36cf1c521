"""The SHACL validation report of the published dataset, as linked data.

Its IRI is ``https://w3id.org/sousei-kg/id/quality/validation-report``: ``/id/…`` answers 303 to
``/quality/validation-report``, which negotiates HTML, Turtle, JSON-LD, N-Triples and RDF/XML.
The VoID and DCAT descriptions link it (a ``dqv:QualityAnnotation`` of the dataset).

It is the report ``sousei-kg validate`` prints (the whole dataset against the shipped shapes,
:func:`sousei_kg.dataset.validation.validate_store`), with two changes that make it linked data:

- pySHACL writes the report and its results as blank nodes with random labels. Here the report
  has its IRI and each result ``…/validation-report#result-N``, numbered in a stable order
  (severity, focus node, path, message, value, shape), so a version's report is the same bytes on
  every replica and a result can be linked. Blank nodes inside a result (a property path) get
  labels from their result's number.
- ``sh:conforms`` is what SHACL says it is (§3.6.1): true only when there is no result at all.
  The project calls the data conforming when no result is a Violation (warnings report coverage
  gaps), so the report's description says how many results there are of each severity.

Validation reads the whole dataset and takes seconds, so it runs once per dataset version, the
first time the report is asked for, and the result is kept with the version
(``KnowledgeGraph.derived``). The write path never runs it.
"""

from dataclasses import dataclass

from pyoxigraph import BlankNode, Literal, NamedNode, Triple
from rdflib import BNode, Graph, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from sousei_kg.dataset.knowledge_graph import KnowledgeGraph
from sousei_kg.dataset.validation import Severity, ValidationOutcome, validate_store
from sousei_kg.namespaces import SHAPES_GRAPH
from sousei_kg.publication.description_builder import Description
from sousei_kg.publication.statistics import DATASET, VALIDATION_REPORT, term

SHACL = "https://www.w3.org/TR/shacl/"
SEVERITY_ORDER: tuple[Severity, ...] = ("Violation", "Warning", "Info")
_SEVERITIES: dict[Node, Severity] = {
    SH.Violation: "Violation",
    SH.Warning: "Warning",
    SH.Info: "Info",
}
TITLE = {"ja": "sousei-kg の SHACL 検証結果", "en": "SHACL validation report of sousei-kg"}


@dataclass(frozen=True)
class ReportRow:
    """One result as the page shows it (terms as text: IRIs bare, literals lexical)."""

    iri: str
    severity: Severity
    focus_node: str
    result_path: str
    value: str
    message: str
    source_shape: str


@dataclass(frozen=True)
class PublishedReport:
    """A dataset version's validation report, ready to serve.

    Attributes:
        version: the dataset version validated.
        counts: results per severity.
        rows: the results, in their published order.
        triples: the report as RDF.
    """

    version: str
    counts: dict[Severity, int]
    rows: tuple[ReportRow, ...]
    triples: tuple[Triple, ...]

    @property
    def violations(self) -> int:
        """Results of severity Violation (0: the data conforms, in the project's sense)."""
        return self.counts["Violation"]


def validation_report(graph: KnowledgeGraph) -> PublishedReport:
    """The report of ``graph``'s version, validated once per version."""
    return graph.derived(
        "validation-report",
        lambda: publish(validate_store(graph.store, root=graph.resources), graph.version),
    )


def publish(outcome: ValidationOutcome, version: str) -> PublishedReport:
    """Turn pySHACL's report into the published one (see the module docstring)."""
    report = outcome.report_graph
    nodes = sorted(report.subjects(RDF.type, SH.ValidationResult), key=lambda n: _key(report, n))
    names = {node: NamedNode(f"{VALIDATION_REPORT}#result-{i}") for i, node in enumerate(nodes, 1)}
    rows = tuple(_row(report, names[node].value, node) for node in nodes)
    counts: dict[Severity, int] = {s: sum(r.severity == s for r in rows) for s in SEVERITY_ORDER}
    out = Description()
    subject = NamedNode(VALIDATION_REPORT)
    out.add(subject, "rdf:type", term("sh:ValidationReport"))
    conforms = Literal("false" if nodes else "true", datatype=term("xsd:boolean"))
    out.add(subject, "sh:conforms", conforms)
    out.texts(subject, "dcterms:title", TITLE)
    out.texts(subject, "dcterms:description", _description(version, counts))
    out.add(subject, "owl:versionInfo", Literal(version))
    out.add(subject, "prov:wasDerivedFrom", NamedNode(DATASET))
    out.add(subject, "prov:wasDerivedFrom", NamedNode(SHAPES_GRAPH))
    out.add(subject, "dcterms:conformsTo", NamedNode(SHACL))
    for node in nodes:
        out.add(subject, "sh:result", names[node])
    for node in nodes:
        _Copier(report, names, prefix=names[node].value.rsplit("-", 1)[-1]).copy(node, out)
    return PublishedReport(version, counts, rows, tuple(out.triples))


def _description(version: str, counts: dict[Severity, int]) -> dict[str, str]:
    v, w, i = (counts[s] for s in SEVERITY_ORDER)
    return {
        "en": f"The dataset (version {version}) validated against the shapes of {SHAPES_GRAPH}, "
        f"without inference: {v} violation(s), {w} warning(s), {i} info(s). The data conforms "
        "when there is no violation; warnings report gaps in coverage and curation (what the "
        "summary declares but the graph does not yet hold). sh:conforms is false whenever there "
        "is any result (SHACL §3.6.1).",
        "ja": f"データセット（版 {version}）を {SHAPES_GRAPH} のシェイプで推論なしに検証した結果："
        f"違反 {v} 件、警告 {w} 件、情報 {i} 件。違反がなければデータは適合する。"
        "警告は網羅と付与の欠け（要約が記載しているがグラフにまだない事柄）を示す。"
        "結果が一件でもあれば sh:conforms は false（SHACL §3.6.1）。",
    }


class _Copier:
    """Copies a result node and what hangs off it (paths, lists, a blank focus node) into a
    description, naming results by IRI and other blank nodes by the result's number and their
    order of visit."""

    def __init__(self, report: Graph, names: dict[Node, NamedNode], prefix: str) -> None:
        self._report, self._names, self._prefix = report, names, prefix
        self._blank: dict[Node, BlankNode] = {}
        self._copied: set[Node] = set()

    def copy(self, node: Node, out: Description) -> None:
        """Add ``node``'s statements, and those of the blank nodes it leads to, to ``out``."""
        self._copied.add(node)
        subject = self._node(node)
        statements = sorted(
            self._report.predicate_objects(node),
            key=lambda po: (str(po[0]), _text(self._report, po[1])),
        )
        for predicate, obj in statements:
            out.add_triple(Triple(subject, NamedNode(str(predicate)), self._term(obj)))
            # A nested result (sh:detail) is copied as a result of its own.
            if isinstance(obj, BNode) and obj not in self._names and obj not in self._copied:
                self.copy(obj, out)

    def _node(self, node: Node) -> NamedNode | BlankNode:
        if node in self._names:
            return self._names[node]
        if node not in self._blank:
            self._blank[node] = BlankNode(f"r{self._prefix}b{len(self._blank)}")
        return self._blank[node]

    def _term(self, node: Node) -> NamedNode | BlankNode | Literal:
        if isinstance(node, URIRef):
            return NamedNode(str(node))
        if isinstance(node, RdfLiteral):
            return _literal(node)
        return self._node(node)


def _literal(node: RdfLiteral) -> Literal:
    if node.language:
        return Literal(str(node), language=node.language)
    if node.datatype is not None:
        return Literal(str(node), datatype=NamedNode(str(node.datatype)))
    return Literal(str(node))


def _row(report: Graph, iri: str, node: Node) -> ReportRow:
    return ReportRow(
        iri=iri,
        severity=_severity(report, node),
        focus_node=_field(report, node, SH.focusNode),
        result_path=_field(report, node, SH.resultPath),
        value=_field(report, node, SH.value),
        message=_messages(report, node),
        source_shape=_field(report, node, SH.sourceShape),
    )


def _key(report: Graph, node: Node) -> tuple[int, str, str, str, str, str, str]:
    """The published order of results: severity, focus node, path, message, value, shape."""
    return (
        SEVERITY_ORDER.index(_severity(report, node)),
        _field(report, node, SH.focusNode),
        _field(report, node, SH.resultPath),
        _messages(report, node),
        _field(report, node, SH.value),
        _field(report, node, SH.sourceShape),
        _field(report, node, SH.sourceConstraintComponent),
    )


def _severity(report: Graph, node: Node) -> Severity:
    """A result's severity (SHACL's default is Violation)."""
    return _SEVERITIES.get(report.value(node, SH.resultSeverity) or SH.Violation, "Violation")


def _field(report: Graph, node: Node, predicate: URIRef) -> str:
    value = report.value(node, predicate)
    return "" if value is None else _text(report, value)


def _messages(report: Graph, node: Node) -> str:
    return "; ".join(sorted(str(m) for m in report.objects(node, SH.resultMessage)))


def _text(report: Graph, node: Node, depth: int = 0) -> str:
    """A stable text for a term: IRIs and literals as written, a blank node by its content."""
    if isinstance(node, URIRef | RdfLiteral):
        return str(node)
    if depth > 8:
        return "[…]"
    parts = sorted(f"{p} {_text(report, o, depth + 1)}" for p, o in report.predicate_objects(node))
    return "[" + "; ".join(parts) + "]"
