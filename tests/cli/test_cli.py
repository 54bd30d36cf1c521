"""The ``sousei-kg`` command: exit codes, messages and outputs."""

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import SH

from sousei_kg.cli.main import cli
from sousei_kg.cli.query_command import parse_param
from sousei_kg.dataset.graph_naming import load_shipped
from sousei_kg.errors import QueryParameterError
from sousei_kg.store.canonical import quad_count, version_hash
from sousei_kg.store.directory import open_store, read_manifest

MEASURE_A = "https://w3id.org/sousei-kg/id/measure/a"
LABELS = """\
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?measure ?label WHERE { ?measure rdfs:label ?label FILTER(lang(?label) = "ja") }
ORDER BY ?measure
"""


def run(*args: str | Path, columns: int = 200) -> Result:
    """The command, drawing tables ``columns`` wide (wide enough not to wrap these answers)."""
    return CliRunner().invoke(cli, [str(a) for a in args], env={"COLUMNS": str(columns)})


def assert_user_error(result: Result, *fragments: str) -> None:
    """Exit code 2, one line on stderr naming the problem, nothing else."""
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("sousei-kg: error: ")
    for fragment in fragments:
        assert fragment in result.stderr
    assert "Traceback" not in result.output
    assert result.stdout == ""


@pytest.fixture
def query_file(tmp_path: Path) -> Path:
    path = tmp_path / "labels.rq"
    path.write_text(LABELS, encoding="utf-8")
    return path


@pytest.fixture
def built(resources: Path, tmp_path: Path) -> Path:
    directory = tmp_path / "store"
    result = run("build", "--store", directory, "--resources", resources)
    assert result.exit_code == 0, result.output
    return directory


# build


def test_build_prints_counts_and_writes_manifest(built: Path, resources: Path) -> None:
    result = run("build", "--store", built, "--resources", resources)
    assert result.exit_code == 0, result.output
    manifest = read_manifest(built)
    assert f"version hash: {manifest.version_hash}" in result.stdout
    assert f"quads: {manifest.quad_count}" in result.stdout
    assert "https://w3id.org/sousei-kg/graph/strategy-2025" in result.stdout
    assert manifest.version_hash == version_hash(open_store(built))


def test_build_twice_gives_the_same_hash(resources: Path, tmp_path: Path) -> None:
    hashes = []
    for name in ("one", "two"):
        assert run("build", "--store", tmp_path / name, "--resources", resources).exit_code == 0
        hashes.append(read_manifest(tmp_path / name).version_hash)
    assert hashes[0] == hashes[1]


def test_build_with_violation_exits_1_and_writes_nothing(
    violating_resources: Path, tmp_path: Path
) -> None:
    result = run("build", "--store", tmp_path / "store", "--resources", violating_resources)
    assert result.exit_code == 1
    assert "a measure needs a label" in result.stdout
    assert "https://w3id.org/sousei-kg/id/measure/x" in result.stdout
    assert "no store was written" in result.stderr
    assert not (tmp_path / "store").exists()


def test_build_syntax_error(broken_resources: Path, tmp_path: Path) -> None:
    result = run("build", "--store", tmp_path / "store", "--resources", broken_resources)
    assert_user_error(result, "meta.ttl", "line 4")


def test_build_refuses_foreign_directory(resources: Path, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    assert_user_error(run("build", "--store", tmp_path, "--resources", resources), "refusing")


# validate


def test_validate_text_lists_each_warning_once_under_coverage(resources: Path) -> None:
    result = run("validate", "--resources", resources)
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.count("measure has no responsible organisation") == 1
    assert "Warning\n" not in text
    coverage = text[text.index("Coverage (") :]
    assert "  - Coverage: measure has no responsible organisation" in coverage
    assert "conforms: 0 violation(s), 1 warning(s)" in text


def test_validate_violation_exits_1(violating_resources: Path) -> None:
    result = run("validate", "--resources", violating_resources)
    assert result.exit_code == 1
    assert "Violation\n  focus:   https://w3id.org/sousei-kg/id/measure/x" in result.stdout
    assert "message: a measure needs a label" in result.stdout
    assert "does NOT conform: 1 violation(s)" in result.stdout


@pytest.mark.parametrize(("fmt", "rdflib_format"), [("ttl", "turtle"), ("jsonld", "json-ld")])
def test_validate_report_graph(violating_resources: Path, fmt: str, rdflib_format: str) -> None:
    result = run("validate", "--format", fmt, "--resources", violating_resources)
    assert result.exit_code == 1
    report = Graph().parse(data=result.stdout, format=rdflib_format)
    severities = sorted(str(s) for s in report.objects(None, SH.resultSeverity))
    assert severities == [str(SH.Violation), str(SH.Warning), str(SH.Warning)]
    assert URIRef("https://w3id.org/sousei-kg/id/measure/x") in set(
        report.objects(None, SH.focusNode)
    )


def test_validate_reads_a_store(built: Path, resources: Path) -> None:
    result = run("validate", "--store", built, "--resources", resources)
    assert result.exit_code == 0, result.output
    assert "Coverage: measure has no responsible organisation" in result.stdout


def test_validate_store_uses_shipped_shapes_not_the_stores(built: Path, tmp_path: Path) -> None:
    """The store holds the tree's shapes in graph:shapes; only the shapes files count."""
    lax = tmp_path / "lax"
    (lax / "shapes").mkdir(parents=True)
    (lax / "shapes" / "none.ttl").write_text("", encoding="utf-8")
    result = run("validate", "--store", built, "--resources", lax)
    assert result.exit_code == 0, result.output
    assert "conforms: 0 violation(s), 0 warning(s)" in result.stdout


def test_validate_syntax_error(broken_resources: Path) -> None:
    assert_user_error(run("validate", "--resources", broken_resources), "meta.ttl, line 4")


def test_validate_unknown_format(resources: Path) -> None:
    assert_user_error(run("validate", "--format", "xml", "--resources", resources), "'xml'")


def test_validate_shipped_files_runs() -> None:
    result = run("validate")
    assert result.exit_code in (0, 1), result.output
    assert "Coverage (" in result.stdout


# query


def test_query_table(query_file: Path, resources: Path) -> None:
    result = run("query", query_file, "--resources", resources)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["measure", "label"]
    assert lines[2].split() == ["id:measure/a", "施策A"]  # a compact name, no language tag
    assert lines[-1] == "(2 rows)"
    # columns line up: the second column starts at the same place on every row
    assert lines[2].index("施策A") == lines[0].index("label")


def test_query_csv_and_json(query_file: Path, resources: Path) -> None:
    csv = run("query", query_file, "--format", "csv", "--resources", resources)
    assert csv.stdout.splitlines() == [
        "measure,label",
        f"{MEASURE_A},施策A",
        "https://w3id.org/sousei-kg/id/measure/b,施策B",
    ]
    data = json.loads(run("query", query_file, "--format", "json", "--resources", resources).stdout)
    assert [b["label"]["value"] for b in data["results"]["bindings"]] == ["施策A", "施策B"]


@pytest.mark.parametrize("value", [MEASURE_A, f"<{MEASURE_A}>"])
def test_query_iri_parameter(query_file: Path, resources: Path, value: str) -> None:
    result = run(
        "query", query_file, "--param", f"measure={value}", "--format", "csv",
        "--resources", resources,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1:] == [f"{MEASURE_A},施策A"]


def test_query_literal_parameter_is_not_spliced(tmp_path: Path, resources: Path) -> None:
    query = tmp_path / "ask.rq"
    query.write_text("ASK { ?s ?p ?text }", encoding="utf-8")
    # A value that would change the query if it were pasted into the text.
    result = run("query", query, "--param", 'text=x" } UNION { ?s ?p ?o', "--resources", resources)
    assert result.exit_code == 0, result.output
    assert result.stdout == "false\n"


def test_query_reads_a_store(query_file: Path, built: Path) -> None:
    result = run("query", query_file, "--store", built, "--format", "csv")
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 3


def test_query_syntax_error_is_explained_with_its_line(tmp_path: Path, resources: Path) -> None:
    query = tmp_path / "bad.rq"
    query.write_text("SELECT ?s WHERE { ?s ?p ?o }\nLIMT 3\n", encoding="utf-8")
    result = run("query", query, "--resources", resources)
    assert result.exit_code == 2 and result.stdout == ""
    first, blank, line, caret, blank2, parser = result.stderr.splitlines()
    assert first == (
        f"sousei-kg: error: {query}: SPARQL syntax error at line 2, column 1: LIMT is not a "
        "SPARQL keyword; did you mean LIMIT?"
    )
    assert (blank, line, caret, blank2) == ("", "   2 | LIMT 3", "     | ^", "")
    # pyoxigraph's own words follow, for the record: it stopped just past "LIMT 3".
    assert parser.startswith("The parser said: expected")


def test_query_missing_file(tmp_path: Path) -> None:
    assert_user_error(run("query", tmp_path / "nope.rq"), "nope.rq", "does not exist")


def test_query_unknown_format(query_file: Path) -> None:
    assert_user_error(run("query", query_file, "--format", "xml"), "'xml'")


@pytest.mark.parametrize(
    ("param", "fragment"),
    [("measure", "NAME=VALUE"), ("nothere=1", "parameter nothere"), ("measure=<a b>", "IRI")],
)
def test_query_bad_parameter(query_file: Path, resources: Path, param: str, fragment: str) -> None:
    result = run("query", query_file, "--param", param, "--resources", resources)
    assert_user_error(result, fragment)


# query NAME (issue 3: the named-query catalogue from the shell)

KPI2 = "https://w3id.org/sousei-kg/id/indicator/goal-2-kpi"


def test_query_named_kpi_csv() -> None:
    result = run("query", "list-measures-for-kpi", "--param", f"kpi={KPI2}", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len({r["measure"] for r in rows}) == 12
    assert all(r["kpi"] == KPI2 for r in rows)


def test_query_named_casts_like_the_server() -> None:
    result = run(
        "query",
        "list-measures-for-kpi",
        "--param",
        f"kpi={KPI2}",
        "--param",
        "sourceStatedOnly=true",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    bindings = json.loads(result.stdout)["results"]["bindings"]
    assert len({b["measure"]["value"] for b in bindings}) == 5  # issue 17: one link is ours
    assert {b["sourceStatedOnly"]["datatype"] for b in bindings} == {
        "http://www.w3.org/2001/XMLSchema#boolean"
    }


def test_query_named_table() -> None:
    result = run("query", "search-labels", "--param", "text=交通", "--param", "language=ja")
    assert result.exit_code == 0, result.output
    assert "regional-transport-redesign" in result.stdout and "(4 rows)" in result.stdout


def test_query_unknown_name_lists_the_catalogue() -> None:
    assert_user_error(run("query", "no-such-query"), "no-such-query", "list-measures-for-kpi")


@pytest.mark.parametrize(
    ("param", "fragment"),
    [
        ("kpi=not-an-iri", "parameter kpi"),
        ("sourceStatedOnly=perhaps", "parameter sourceStatedOnly"),
        ("colour=red", "undeclared parameter(s) colour"),
    ],
)
def test_query_named_bad_parameter(param: str, fragment: str) -> None:
    assert_user_error(run("query", "list-measures-for-kpi", "--param", param), fragment)


def test_parse_param() -> None:
    assert parse_param("?x=plain") == ("x", parse_param("x=plain")[1])
    name, term = parse_param("x=https://example.org/a")
    assert (name, term.value) == ("x", "https://example.org/a")
    assert type(parse_param("x=ftp://example.org/a")[1]).__name__ == "Literal"
    with pytest.raises(QueryParameterError):
        parse_param("=1")


# export


def test_export_nq_keeps_every_quad(built: Path) -> None:
    result = run("export", "--format", "nq", "--store", built)
    assert result.exit_code == 0, result.output
    dataset = Dataset()
    dataset.parse(data=result.stdout_bytes, format="nquads")
    named = [g for g in dataset.graphs() if str(g.identifier).startswith("https://w3id.org/")]
    assert sum(len(g) for g in named) == quad_count(open_store(built))
    assert len(named) == 4


@pytest.mark.parametrize(("fmt", "rdflib_format"), [("ttl", "turtle"), ("nt", "nt")])
def test_export_union_graph(resources: Path, fmt: str, rdflib_format: str) -> None:
    result = run("export", "--format", fmt, "--resources", resources)
    assert result.exit_code == 0, result.output
    graph = Graph().parse(data=result.stdout_bytes, format=rdflib_format)
    store = open_store(None)
    load_shipped(store, resources)
    assert len(graph) == quad_count(store) - 1  # one triple is stated in two graphs


@pytest.mark.parametrize(("fmt", "rdflib_format"), [("trig", "trig"), ("jsonld", "json-ld")])
def test_export_with_graphs(resources: Path, fmt: str, rdflib_format: str) -> None:
    result = run("export", "--format", fmt, "--resources", resources)
    assert result.exit_code == 0, result.output
    dataset = Dataset()
    dataset.parse(data=result.stdout_bytes, format=rdflib_format)
    graphs = {str(g.identifier): len(g) for g in dataset.graphs() if len(g)}
    assert graphs["https://w3id.org/sousei-kg/graph/curation"] == 2
    assert graphs["https://w3id.org/sousei-kg/graph/shapes"] == 11


def test_export_to_file(resources: Path, tmp_path: Path) -> None:
    output = tmp_path / "out.nt"
    result = run("export", "--format", "nt", "--output", output, "--resources", resources)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert len(Graph().parse(output, format="nt")) > 0


def test_export_unknown_format(resources: Path) -> None:
    assert_user_error(run("export", "--format", "xml", "--resources", resources), "'xml'")


def test_export_missing_store(tmp_path: Path) -> None:
    result = run("export", "--format", "nq", "--store", tmp_path / "nope")
    assert_user_error(result, "nope", "does not exist")


def test_export_directory_that_is_not_a_store(tmp_path: Path) -> None:
    result = run("export", "--format", "nq", "--store", tmp_path)
    assert_user_error(result, "not a sousei-kg store")


def test_export_unwritable_output(resources: Path, tmp_path: Path) -> None:
    output = tmp_path / "missing-dir" / "out.nt"
    result = run("export", "--format", "nt", "--output", output, "--resources", resources)
    assert_user_error(result, "cannot write")


# the installed console script


def test_console_script(resources: Path, tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "sousei-kg"
    assert script.exists(), "install the package (pip install -e .) to get the console script"
    ok = subprocess.run(
        [script, "export", "--format", "nq", "--resources", resources],
        capture_output=True,
        check=False,
        cwd=tmp_path,
    )
    assert ok.returncode == 0, ok.stderr
    assert len(Dataset().parse(data=ok.stdout, format="nquads")) > 0
    bad = tmp_path / "bad.rq"
    bad.write_text("SELECT nonsense", encoding="utf-8")
    failed = subprocess.run(
        [script, "query", bad, "--resources", resources],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert failed.returncode == 2
    assert failed.stderr.startswith("sousei-kg: error: ")
    assert "bad.rq: SPARQL syntax error at line 1" in failed.stderr
    assert "Traceback" not in failed.stderr
