"""The named-query catalogue (issue 3): every shipped query has a valid header, binds only projected
variables and runs; parameters are cast to their declared type or refused with the parameter named."""

import re
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad, QuerySolutions, Store, Variable

from sousei_kg.dataset.resources import resource_dir
from sousei_kg.named_queries.catalogue import CatalogError, load_catalog, load_query, parse_header
from sousei_kg.named_queries.parameters import XSD, ParameterError, QueryParam

QUERIES = sorted(resource_dir("queries").glob("*.rq"))
KPI = "https://w3id.org/sousei-kg/id/indicator/goal-2-kpi"

VALID = """\
#+ summary: Measures with a label
#+ params:
#+   label: {type: string, required: true, example: "施策A"}
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?measure ?label WHERE { ?measure rdfs:label ?label }
"""

# ?label is used in the body but not selected: pyoxigraph cannot substitute it.
UNPROJECTED = """\
#+ summary: Measures with a label
#+ params:
#+   label: {type: string, required: true, example: "施策A"}
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?measure WHERE { ?measure rdfs:label ?label }
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.rq"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_queries_exist() -> None:
    """A loop over files must not pass vacuously (style.md A2)."""
    assert len(QUERIES) >= 6, QUERIES


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_shipped_query_header_and_projection(path: Path) -> None:
    query = load_query(path)  # parses on an empty Store(), checks the params are projected
    assert query.summary and query.description, path
    assert all(p.name in query.variables for p in query.params), query.variables
    assert all(p.example is not None for p in query.params)
    assert query.name.split("-")[0] in {"list", "describe", "compare", "search"}, query.name


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_shipped_query_runs_unchanged_without_bindings(path: Path) -> None:
    """The file is plain SPARQL: it runs in any tool, every parameter free."""
    result = Store().query(path.read_text(encoding="utf-8"))
    assert isinstance(result, QuerySolutions)
    assert list(result) == []


def test_load_catalog_is_sorted(tmp_path: Path) -> None:
    write(tmp_path, "list-b", VALID)
    write(tmp_path, "list-a", VALID)
    assert load_catalog(tmp_path).names == ("list-a", "list-b")


def test_unprojected_parameter_is_rejected_at_load(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match=r"label.*projected"):
        load_query(write(tmp_path, "list-measures", UNPROJECTED))


def test_engine_refuses_unprojected_substitution() -> None:
    """The pyoxigraph 0.5.13 rule the header grammar is designed around."""
    store = Store()
    with pytest.raises(RuntimeError, match="SELECT projection"):
        store.query("SELECT ?s WHERE { ?s ?p ?o }", substitutions={Variable("o"): Literal("x")})


def test_engine_bound_does_not_see_substitutions() -> None:
    """Why the queries use COALESCE, never BOUND(), on a parameter (queries/README.md)."""
    store = Store()
    store.add(
        Quad(NamedNode("http://example.org/a"), NamedNode("http://example.org/p"), Literal("x"))
    )
    query = "SELECT ?o ?t WHERE { ?s ?p ?o FILTER(!BOUND(?t) || ?o = ?t) }"
    result = store.query(query, substitutions={Variable("t"): Literal("y")})
    assert isinstance(result, QuerySolutions) and len(list(result)) == 1
    query = "SELECT ?o ?t WHERE { ?s ?p ?o FILTER(COALESCE(?o = ?t, true)) }"
    result = store.query(query, substitutions={Variable("t"): Literal("y")})
    assert isinstance(result, QuerySolutions) and list(result) == []


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "no '#+' header"),
        ("#+ params: {}\nSELECT * WHERE { ?s ?p ?o }", "summary is required"),
        ("#+ summary: x\nSELECT * WHERE { ?s ?p ?o }", "params is required"),
        ("#+ summary: x\n#+ params: {}\n#+ colour: red\nSELECT * WHERE { ?s ?p ?o }", "colour"),
        (
            "#+ summary: x\n#+ params:\n#+   o: {type: float, example: 1}\nSELECT * WHERE { ?s ?p ?o }",
            "type 'float'",
        ),
        (
            "#+ summary: x\n#+ params:\n#+   o: {type: string}\nSELECT * WHERE { ?s ?p ?o }",
            "example is required",
        ),
        (
            "#+ summary: x\n#+ params:\n#+   o: {type: integer, example: ten}\nSELECT * WHERE { ?s ?p ?o }",
            "not a valid integer",
        ),
        (
            "#+ summary: x\n#+ params:\n#+   format: {type: string, example: a}\nSELECT * WHERE { ?s ?p ?format }",
            "reserved",
        ),
        ("#+ summary: x\n#+ params: {}\nSELECT * WHERE { ?s ?p ?o ", "syntax error"),
        ("#+ summary: x\n#+ params: {}\nASK { ?s ?p ?o }", "only SELECT"),
        ("#+ summary: x\n#+ params: {}\n#+ returns: [nope]\nSELECT * WHERE { ?s ?p ?o }", "nope"),
    ],
)
def test_bad_headers_are_rejected(tmp_path: Path, text: str, fragment: str) -> None:
    with pytest.raises(CatalogError, match=re.escape(fragment)) as caught:
        load_query(write(tmp_path, "list-things", text))
    assert "list-things.rq" in str(caught.value)


def test_query_name_must_be_kebab_case(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="kebab-case"):
        load_query(write(tmp_path, "ListThings", VALID))


def test_parse_header_reads_only_leading_lines() -> None:
    header = parse_header("#+ summary: a\n#+ tags: [x]\n# other\n#+ summary: b\nSELECT")
    assert header == {"summary": "a", "tags": ["x"]}


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("iri", KPI, NamedNode(KPI)),
        ("iri", f"<{KPI}>", NamedNode(KPI)),
        ("string", "交通", Literal("交通")),
        ("langString", "交通@ja", Literal("交通", language="ja")),
        ("langString", "a@b@EN", Literal("a@b", language="en")),
        ("integer", "42", Literal(42)),
        ("integer", "-7", Literal(-7)),
        ("boolean", "true", Literal(True)),
        ("boolean", "FALSE", Literal(False)),
        ("boolean", "1", Literal(True)),
        ("xsd:date", "2025-04-01", Literal("2025-04-01", datatype=NamedNode(XSD + "date"))),
        ("xsd:decimal", "0.5", Literal("0.5", datatype=NamedNode(XSD + "decimal"))),
        ("xsd:gYear", "2025", Literal("2025", datatype=NamedNode(XSD + "gYear"))),
    ],
)
def test_cast(kind: str, value: str, expected: NamedNode | Literal) -> None:
    assert QueryParam("p", kind, example=value).cast(value) == expected


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("iri", "not an iri"),
        ("iri", "goal-2-kpi"),
        ("langString", "no tag"),
        ("integer", "4.2"),
        ("integer", "ten"),
        ("boolean", "maybe"),
        ("xsd:date", "2025-13-01"),
        ("xsd:decimal", "1e3"),
    ],
)
def test_ill_typed_value_names_parameter_and_type(kind: str, value: str) -> None:
    with pytest.raises(ParameterError, match=r"parameter p: .* is not a valid") as caught:
        QueryParam("p", kind).cast(value)
    assert caught.value.param == "p"
    assert isinstance(caught.value, ValueError)


def test_enum_is_enforced() -> None:
    param = QueryParam("language", "string", enum=("ja", "en"))
    assert param.cast("en") == Literal("en")
    with pytest.raises(ParameterError, match="not one of ja, en"):
        param.cast("fr")


def test_bind_defaults_missing_undeclared_repeated(tmp_path: Path) -> None:
    query = load_query(write(tmp_path, "list-things", VALID))
    assert query.bind({"label": ["x"]}) == {"label": Literal("x")}
    with pytest.raises(ParameterError, match="missing required parameter label"):
        query.bind({})
    with pytest.raises(ParameterError, match=r"undeclared parameter.*nope.*declared: label"):
        query.bind({"label": ["x"], "nope": ["y"]})
    with pytest.raises(ParameterError, match="more than once"):
        query.bind({"label": ["x", "y"]})


def test_kpi_query_default_and_optional() -> None:
    query = load_catalog(resource_dir("queries")).get("list-measures-for-kpi")
    assert query is not None
    # kpi is optional and not substituted; sourceStatedOnly defaults to false.
    assert query.bind({}) == {"sourceStatedOnly": Literal(False)}
    assert query.path_columns == ("measure", "output", "outcome", "goal", "kpi")
