"""``sousei-kg query``: run a named query or a query file, as the server would.

What it shares with the server: values bound as terms, never pasted into the text; named-query
parameters cast by the catalogue, IRIs given as short keys (``kpi=goal-2-kpi``) as the web pages
take them (a built store above the hints' size bound asked per key, as the server does:
:mod:`sousei_kg.linked_data.short_keys`); the time limit (30 s by default, in a killable
worker: :mod:`.query_running`); mistakes explained for people (:mod:`sousei_kg.sparql.explain`);
and hints for IRIs of ours the dataset does not hold, on standard error so that the answer on
standard output stays clean.
"""

import sys
from pathlib import Path
from typing import Any

import click
from pyoxigraph import (
    Literal,
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    parse,
    parse_query_results,
)

from sousei_kg.cli.group import UserError, resources_option, store_option
from sousei_kg.cli.query_running import QueryStoppedError, run_job
from sousei_kg.cli.store_source import opened_source
from sousei_kg.cli.table import compact, render_table
from sousei_kg.config import Settings
from sousei_kg.errors import QueryParameterError
from sousei_kg.execution.evaluate import term_to_spec
from sousei_kg.execution.jobs import QueryFailure, QueryJob, QueryOutcome
from sousei_kg.linked_data.query_hints import dataset_iris, hints_for
from sousei_kg.linked_data.short_keys import key_resolver, store_keys
from sousei_kg.named_queries.catalogue import Catalog, catalog_for
from sousei_kg.named_queries.parameters import ParameterError, expand_prefixed_name
from sousei_kg.sparql.explain import explain
from sousei_kg.sparql.query_iris import named_iris
from sousei_kg.sparql.query_protocol import has_dataset_clause
from sousei_kg.store.canonical import graph_counts
from sousei_kg.store.directory import read_manifest
from sousei_kg.store.readable import ReadableStore, Term

FORMATS = ("table", "csv", "tsv", "json", "ttl", "nt", "jsonld")
"""What ``--format`` takes: a table for people; the SPARQL results formats for rows (SELECT,
ASK); the RDF syntaxes for graphs (CONSTRUCT, DESCRIBE)."""
_ROWS = {"table": "json", "csv": "csv", "tsv": "tsv", "json": "json"}
_GRAPHS = {"table": "nt", "ttl": "ttl", "nt": "nt", "jsonld": "jsonld"}
DEFAULT_TIMEOUT: float = Settings.model_fields["query_timeout"].default
"""The server's default time limit (30 s)."""
UPDATES = (
    "`sousei-kg query` runs queries only; a server started with --write-token takes updates at "
    "/update"
)


class _QueryCommand(click.Command):
    """``query --help`` ends with the named queries of the catalogue."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_epilog(ctx, formatter)
        with formatter.section("Named queries (sousei-kg query --list shows their parameters)"):
            formatter.write_dl([(q.name, q.summary) for q in catalog_for(None)])


@click.command(cls=_QueryCommand)
@click.argument("target", metavar="NAME|FILE", required=False)
@click.argument("assignments", nargs=-1, metavar="[NAME=VALUE]...")
@click.option(
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="Bind ?NAME, as NAME=VALUE after the query does. For a named query VALUE is cast to "
    "the declared type, and an IRI may be a short key (kpi=goal-2-kpi) or a prefixed name "
    "(id:indicator/goal-2-kpi); for a FILE, <iri>, http(s)://... or a prefixed name is an IRI, "
    "anything else a string. Repeatable.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="table: for reading (fits the terminal); csv, tsv, json: SELECT and ASK answers; ttl, "
    "nt, jsonld: CONSTRUCT and DESCRIBE answers.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0),
    default=DEFAULT_TIMEOUT,
    show_default=True,
    help="Stop the query after this many seconds, as the server does; 0: no limit.",
)
@click.option(
    "--list", "list_only", is_flag=True, help="List the named queries and their parameters."
)
@store_option
@resources_option
def query(
    target: str | None,
    assignments: tuple[str, ...],
    params: tuple[str, ...],
    fmt: str,
    timeout: float,
    list_only: bool,
    store_dir: Path | None,
    resources: Path | None,
) -> None:
    r"""Run a named query (NAME) or the SPARQL query in FILE over all graphs.

    Rows are printed as a table that fits the terminal; hints about IRIs the dataset does not
    hold go to standard error. For example:

    
      sousei-kg query list-measures-for-kpi kpi=goal-2-kpi
      sousei-kg query my-query.rq --format csv > answer.csv
    """
    catalog = catalog_for(_queries_root(resources))
    if list_only:
        click.echo(list_text(catalog), nl=False)
        return
    if target is None:
        raise UserError("name a query or a .rq file; `sousei-kg query --list` lists the named ones")
    values = [*params, *assignments]
    with opened_source(store_dir, resources) as (store, source):
        text, bindings = _text_and_bindings(target, values, catalog, store, store_dir)
        job = QueryJob(
            query=text,
            solutions_format=_ROWS.get(fmt),
            graph_format=_GRAPHS.get(fmt),
            row_cap=0,
            union_default_graph=not has_dataset_clause(text),
            substitutions=tuple((name, term_to_spec(term)) for name, term in bindings.items()),
        )
        _print_hints(store, store_dir, text, bindings)
        try:
            result = run_job(job, source, store, timeout)
        except QueryStoppedError as error:
            raise UserError(f"{target}: {error}") from error
    if isinstance(result, QueryFailure):
        raise UserError(f"{target}: {_failure_message(result, text, fmt)}")
    _print_result(result, fmt)


def _queries_root(resources: Path | None) -> Path | None:
    return resources if resources is not None and (resources / "queries").is_dir() else None


def _text_and_bindings(
    target: str, values: list[str], catalog: Catalog, store: ReadableStore, store_dir: Path | None
) -> tuple[str, dict[str, Term]]:
    file = Path(target)
    if file.is_file():
        return file.read_text(encoding="utf-8"), dict(parse_param(v) for v in values)
    named = catalog.get(target)
    if named is None:
        if target.endswith(".rq"):
            raise UserError(f"{target}: file does not exist")
        known = ", ".join(catalog.names)
        raise UserError(f"{target}: file does not exist and is not a named query; named: {known}")
    given: dict[str, list[str]] = {}
    for value in values:
        key, sep, text = value.partition("=")
        key = key.strip().lstrip("?$")
        if not sep or not key:
            raise UserError(f"parameter {value!r} is not NAME=VALUE")
        given.setdefault(key, []).append(text)
    # The dataset is read (or, above the hints' size bound, asked) only when a short key is given.
    resolve = key_resolver(lambda: store_keys(store, _graph_counts(store, store_dir)))
    try:
        return named.text, named.bind(given, resolve)
    except ParameterError as error:
        raise UserError(str(error)) from error


def _graph_counts(store: ReadableStore, store_dir: Path | None) -> dict[str, int]:
    """Quads per graph: a built store's manifest has them (no reading), else they are counted."""
    return dict(read_manifest(store_dir).graphs) if store_dir else graph_counts(store)


def _print_hints(
    store: ReadableStore, store_dir: Path | None, text: str, bindings: dict[str, Term]
) -> None:
    """Hints for IRIs of ours that the query names and the dataset lacks, on standard error. A
    built store above the hints' size bound is asked per IRI (its manifest has the counts), as
    the server does, rather than read whole."""
    bound = [term.value for term in bindings.values() if isinstance(term, NamedNode)]
    iris = [*named_iris(text), *bound]
    if not any("w3id.org/sousei-kg" in iri.lower() for iri in iris):
        return  # nothing of ours named: no need to read the dataset's IRIs
    for hint in hints_for(dataset_iris(store, _graph_counts(store, store_dir)), iris):
        click.echo(f"hint: {hint.message}", err=True)


def _failure_message(failure: QueryFailure, text: str, fmt: str) -> str:
    if failure.kind == "syntax":
        problem = explain(
            text, failure.line, failure.column, failure.message, where_updates_go=UPDATES
        )
        return problem.text()
    if failure.kind == "not-acceptable":
        if failure.form == "graph":
            return (
                f"a CONSTRUCT or DESCRIBE answer is a graph, which {fmt} cannot hold; use "
                "--format table, ttl, nt or jsonld"
            )
        return (
            f"a SELECT or ASK answer is rows, which {fmt} cannot hold; use --format table, csv, "
            "tsv or json"
        )
    if failure.kind == "parameter":
        return f"bad parameter: {failure.message}"
    return failure.message


def _print_result(outcome: QueryOutcome, fmt: str) -> None:
    """The answer on standard output: a table, or the engine's bytes as they are."""
    if fmt != "table":
        body = outcome.body if outcome.body.endswith(b"\n") else outcome.body + b"\n"
        sys.stdout.buffer.write(body)
        sys.stdout.flush()
        return
    if outcome.form == "graph":
        triples = list(parse(outcome.body, format=RdfFormat.N_TRIPLES))
        rows: list[list[Any]] = [[t.subject, t.predicate, t.object] for t in triples]
        click.echo(render_table(["subject", "predicate", "object"], rows, noun="triple"), nl=False)
        return
    result = parse_query_results(outcome.body, format=QueryResultsFormat.JSON)
    if isinstance(result, QueryBoolean):
        click.echo("true" if bool(result) else "false")
        return
    assert isinstance(result, QuerySolutions)  # noqa: S101 (a JSON results body)
    header = [v.value for v in result.variables]
    table_rows = [[solution[name] for name in header] for solution in result]
    click.echo(render_table(header, table_rows), nl=False)


def list_text(catalog: Catalog) -> str:
    """The named queries, each with its summary and parameters (type, whether required, an
    example as a short key where one fits)."""
    lines: list[str] = []
    for named in catalog:
        lines.append(f"{named.name}")
        lines.append(f"    {named.summary}")
        for param in named.params:
            need = "required" if param.required else "optional"
            example = compact(param.example) if param.example else ""
            if param.type == "iri" and example.startswith("id:"):
                example = example.rsplit("/", 1)[-1]  # the short key, as the pages take it
            shown = f"  e.g. {param.name}={example}" if example else ""
            lines.append(f"    {param.name} ({param.type}, {need}){shown}")
        lines.append("")
    lines.append(
        f"{len(catalog.names)} named queries; run one with: sousei-kg query NAME NAME=VALUE"
    )
    return "\n".join(lines) + "\n"


def parse_param(text: str) -> tuple[str, Term]:
    """Turn ``name=value`` into a variable name and an RDF term.

    ``<…>``, a value starting with ``http://`` or ``https://``, or a prefixed name of a known
    prefix (``sousei:Measure``) becomes an IRI, anything else a plain string literal. A leading
    ``?`` or ``$`` on the name is dropped.

    Raises:
        QueryParameterError: if there is no ``=``, the name is empty or the IRI is invalid.
    """
    name, sep, value = text.partition("=")
    name = name.strip().lstrip("?$")
    if not sep or not name:
        raise QueryParameterError(f"parameter {text!r} is not NAME=VALUE")
    iri = value[1:-1] if value.startswith("<") and value.endswith(">") else None
    if iri is None and value.startswith(("http://", "https://")):
        iri = value
    if iri is None and expand_prefixed_name(value) != value:
        iri = expand_prefixed_name(value)
    if iri is None:
        return name, Literal(value)
    try:
        return name, NamedNode(iri)
    except ValueError as error:
        raise QueryParameterError(f"parameter {name}: {iri!r} is not a valid IRI") from error
