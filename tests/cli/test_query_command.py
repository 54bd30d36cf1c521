"""``sousei-kg query`` for people (issue 16): a table that fits the terminal, the formats programs
read, an error for a format that cannot hold the answer, short keys as the web takes them,
``--list``, the server's time limit with a progress indicator, hints and explained mistakes."""

import csv
import io
import json
import os
import pty
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner, Result
from rich.cells import cell_len

from large_dataset_support import as_large
from sousei_kg.cli.main import cli
from sousei_kg.cli.table import compact, cut, render_table
from sousei_kg.linked_data import query_hints
from sousei_kg.sparql.internal_queries import internal_query, internal_query_names
from sousei_kg.store.query import run_query
from sousei_kg.store.readable import QueryResult, ReadableStore, Term

KPI2 = "https://w3id.org/sousei-kg/id/indicator/goal-2-kpi"
GOALS = """\
PREFIX sousei: <https://w3id.org/sousei-kg/def#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?goal ?label WHERE { ?goal a sousei:PolicyGoal ; skos:prefLabel ?label } ORDER BY ?goal ?label
"""
CONSTRUCT = """\
PREFIX sousei: <https://w3id.org/sousei-kg/def#>
CONSTRUCT { ?goal a sousei:PolicyGoal } WHERE { ?goal a sousei:PolicyGoal }
"""
# A cartesian product of the whole dataset with itself, three times: it never ends.
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }\n"


def run(*args: str | Path, columns: int = 100) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], env={"COLUMNS": str(columns)})


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("columns", [60, 80, 120])
def test_the_table_fits_the_terminal(columns: int) -> None:
    result = run("query", "list-measures-for-kpi", "kpi=goal-2-kpi", columns=columns)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(cell_len(line) for line in lines) <= columns
    assert "@ja" not in result.stdout and "https://w3id.org/sousei-kg/id/" not in result.stdout
    assert "id:measure/" in result.stdout  # compact names
    rows = run("query", "list-measures-for-kpi", "kpi=goal-2-kpi", "--format", "csv")
    assert lines[-1] == f"({len(rows.stdout.splitlines()) - 1} rows)"


def test_a_narrow_table_wraps_and_the_values_stay_whole(tmp_path: Path) -> None:
    result = run("query", write(tmp_path, "goals.rq", GOALS), columns=40)
    assert result.exit_code == 0, result.output
    assert max(cell_len(line) for line in result.stdout.splitlines()) <= 40
    joined = "".join(line.strip() for line in result.stdout.splitlines())
    assert "地方に住み続けたいと思う人の割合" not in joined  # (not a label of ours)
    assert "Affluentlivingenvironment" in joined.replace(" ", "")  # wrapped, not lost
    assert result.stdout.endswith("(6 rows)\n")


def test_render_table_cuts_only_very_long_cells() -> None:
    assert cut("short") == "short"
    long = "交" * 200
    assert cell_len(cut(long)) <= 160 and cut(long).endswith("…")
    assert compact("https://w3id.org/sousei-kg/def#Measure") == "sousei:Measure"
    assert compact("https://w3id.org/sousei-kg/graph/meta") == "graph:meta"
    assert compact("https://example.org/x") == "https://example.org/x"
    text = render_table(["a"], [], width=30)
    assert text.splitlines()[-1] == "(0 rows)"


@pytest.mark.parametrize(
    ("fmt", "check"),
    [
        ("csv", lambda text: next(csv.reader(io.StringIO(text))) == ["goal", "label"]),
        ("tsv", lambda text: text.splitlines()[0] == "?goal\t?label"),
        ("json", lambda text: json.loads(text)["head"]["vars"] == ["goal", "label"]),
    ],
)
def test_rows_in_the_formats_programs_read(tmp_path: Path, fmt: str, check: object) -> None:
    result = run("query", write(tmp_path, "goals.rq", GOALS), "--format", fmt)
    assert result.exit_code == 0, result.output
    assert callable(check) and check(result.stdout)


@pytest.mark.parametrize(
    ("fmt", "syntax"), [("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld")]
)
def test_a_graph_in_the_rdf_syntaxes(tmp_path: Path, fmt: str, syntax: str) -> None:
    result = run("query", write(tmp_path, "c.rq", CONSTRUCT), "--format", fmt)
    assert result.exit_code == 0, result.output
    assert len(rdflib.Graph().parse(data=result.stdout, format=syntax)) == 3


def test_a_graph_as_a_table(tmp_path: Path) -> None:
    result = run("query", write(tmp_path, "c.rq", CONSTRUCT))
    assert result.exit_code == 0, result.output
    # What every triple shares is said once; the rest is the table.
    assert result.stdout.splitlines()[:3] == [
        "on every row:",
        "predicate  rdf:type",
        "object     sousei:PolicyGoal",
    ]
    assert result.stdout.splitlines()[3].strip() == "subject"
    assert "id:goal/1" in result.stdout and result.stdout.endswith("(3 triples)\n")


@pytest.mark.parametrize(
    ("text", "fmt", "message"),
    [
        (CONSTRUCT, "csv", "a CONSTRUCT or DESCRIBE answer is a graph, which csv cannot hold; "
         "use --format table, ttl, nt or jsonld"),
        (CONSTRUCT, "json", "which json cannot hold"),
        (GOALS, "ttl", "a SELECT or ASK answer is rows, which ttl cannot hold; use --format "
         "table, csv, tsv or json"),
    ],
)  # fmt: skip
def test_a_format_that_cannot_hold_the_answer_is_an_error(
    tmp_path: Path, text: str, fmt: str, message: str
) -> None:
    result = run("query", write(tmp_path, "q.rq", text), "--format", fmt)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and message in result.stderr


def test_short_keys_as_the_web_takes_them() -> None:
    short = run("query", "list-measures-for-kpi", "kpi=goal-2-kpi", "--format", "csv")
    prefixed = run("query", "list-measures-for-kpi", "--param", "kpi=id:indicator/goal-2-kpi",
                   "--format", "csv")  # fmt: skip
    full = run("query", "list-measures-for-kpi", f"kpi={KPI2}", "--format", "csv")
    assert short.exit_code == prefixed.exit_code == full.exit_code == 0, short.output
    assert short.stdout == prefixed.stdout == full.stdout
    assert len({row["measure"] for row in csv.DictReader(io.StringIO(short.stdout))}) == 12


def test_a_key_naming_nothing_is_one_line_naming_the_close_ones() -> None:
    result = run("query", "list-measures-for-kpi", "kpi=goal-9-kpi")
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert "parameter kpi: 'goal-9-kpi' names no resource of the dataset; did you mean" in (
        result.stderr
    )


def test_list_shows_every_named_query_with_its_parameters() -> None:
    result = run("query", "--list")
    assert result.exit_code == 0, result.output
    assert "list-measures-for-kpi\n    Which measures affect a KPI" in result.stdout
    assert "    kpi (iri, optional)  e.g. kpi=goal-2-kpi" in result.stdout
    assert "search-labels" in result.stdout
    assert result.stdout.endswith("run one with: sousei-kg query NAME NAME=VALUE\n")


def test_help_lists_the_named_queries() -> None:
    result = run("query", "--help")
    assert "Named queries (sousei-kg query --list shows their parameters):" in result.stdout
    assert "list-measures-for-kpi" in result.stdout


@pytest.mark.parametrize(
    "command",
    [
        "",
        "serve",
        "query",
        "validate",
        "build",
        "export",
        "statistics",
        "load",
        "backup",
        "restore",
    ],
)
def test_help_texts_have_no_markup(command: str) -> None:
    result = run(*([command] if command else []), "--help")
    assert result.exit_code == 0, result.output
    for markup in ("``", ":func:", ":class:", ":mod:", ":data:", "**"):
        assert markup not in result.stdout, (command, markup)


def test_hints_go_to_standard_error_and_the_answer_stays_clean(tmp_path: Path) -> None:
    query = write(
        tmp_path,
        "h.rq",
        GOALS.replace("https://w3id.org/sousei-kg/def#", "http://w3id.org/sousei-kg/def#"),
    )
    result = run("query", query, "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["goal,label"]
    assert result.stderr == (
        "hint: <http://w3id.org/sousei-kg/def#PolicyGoal> is not in the dataset (did you mean "
        "<https://w3id.org/sousei-kg/def#PolicyGoal>?)\n"
    )


def test_above_the_size_bound_hints_ask_the_store_instead_of_reading_every_iri(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = {internal_query(name): name for name in internal_query_names()}
    run_queries: list[str] = []

    def spying(
        store: ReadableStore, text: str, params: Mapping[str, Term] | None = None
    ) -> QueryResult:
        run_queries.append(names.get(text, "?"))
        return run_query(store, text, params)

    monkeypatch.setattr(query_hints, "HINTS_MAX_QUADS", 100)
    monkeypatch.setattr(query_hints, "run_query", spying)
    query = write(tmp_path, "h.rq", GOALS.replace("sousei:PolicyGoal ", "sousei:PolicyGoals "))
    result = run("query", query, "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "hint: <https://w3id.org/sousei-kg/def#PolicyGoals> is not in the dataset (did you mean "
        "<https://w3id.org/sousei-kg/def#PolicyGoal>?)\n"
    )
    assert "known-iris" not in run_queries and "iri-present" in run_queries


def test_above_the_size_bound_short_keys_ask_the_store_instead_of_reading_every_iri(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As the server does: a whole path is looked up, a key under no folder the vocabulary knows
    is refused in one line saying to give the whole path."""
    run_queries = as_large(monkeypatch)
    org = "https://w3id.org/sousei-kg/id/org/mlit"
    whole = run("query", "list-measures-by-organization", "organization=org/mlit", "--format",
                "csv")  # fmt: skip
    full = run("query", "list-measures-by-organization", f"organization={org}", "--format", "csv")
    assert whole.exit_code == full.exit_code == 0, whole.output
    assert whole.stdout == full.stdout and len(whole.stdout.splitlines()) > 1
    short = run("query", "list-measures-by-organization", "organization=mlit")
    assert short.exit_code == 2 and short.stderr.count("\n") == 1
    assert (
        "parameter organization: 'mlit' names no resource of the dataset; on a dataset this large "
        "a short key is looked for only under the folders of its vocabulary ("
    ) in short.stderr
    assert "known-iris" not in run_queries and "iri-present" in run_queries


def test_an_update_is_told_where_updates_go(tmp_path: Path) -> None:
    update = write(
        tmp_path, "u.rq", "INSERT DATA { <http://example.org/a> <http://example.org/b> 1 }"
    )
    result = run("query", update)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0].endswith(
        "this is a SPARQL Update (INSERT), not a query; `sousei-kg query` runs queries only; a "
        "server started with --write-token takes updates at /update"
    )


def test_ask_and_no_time_limit(tmp_path: Path) -> None:
    ask = write(tmp_path, "a.rq", "ASK { ?s ?p ?o }")
    assert run("query", ask, "--timeout", "0").stdout == "true\n"
    assert run("query", ask).stdout == "true\n"


def test_a_runaway_query_stops_at_the_time_limit_with_progress(tmp_path: Path) -> None:
    started = time.monotonic()
    result = run("query", write(tmp_path, "slow.rq", RUNAWAY), "--timeout", "3")
    assert time.monotonic() - started < 60
    assert result.exit_code == 2 and result.stdout == ""
    first, last = result.stderr.splitlines()
    assert first == "running the query… (time limit 3 s)"  # once: standard error is no terminal
    assert last.endswith(
        "slow.rq: the query exceeded the time limit of 3 s and was stopped; make it more selective "
        "(LIMIT, a narrower pattern) or give it longer with --timeout"
    )


def test_a_quick_query_shows_no_progress(tmp_path: Path) -> None:
    result = run("query", write(tmp_path, "goals.rq", GOALS), "--format", "csv")
    assert result.stderr == ""


def test_on_a_terminal_the_progress_counts_the_seconds(tmp_path: Path) -> None:
    """Standard error on a terminal: a spinner with the elapsed seconds, cleared at the end."""
    query = write(tmp_path, "slow.rq", RUNAWAY)
    primary, secondary = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "sousei_kg", "query", str(query), "--timeout", "4"],
        stdout=subprocess.DEVNULL,
        stderr=secondary,
        env={**os.environ, "COLUMNS": "100", "TERM": "xterm"},
    )
    os.close(secondary)
    seen = b""
    while True:
        try:
            chunk = os.read(primary, 4096)
        except OSError:  # the process ended and closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    process.wait(timeout=60)
    os.close(primary)
    text = seen.decode("utf-8", "replace")
    assert process.returncode == 2
    assert "running the query… 1 s (time limit 4 s)" in text
    assert "running the query… 3 s (time limit 4 s)" in text
    assert "exceeded the time limit of 4 s" in text
