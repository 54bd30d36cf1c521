"""The commands that read the dataset: ``build``, ``validate``, ``query`` and ``export``."""

from pathlib import Path
from typing import cast

import click
from pyoxigraph import Literal, NamedNode, Store

from sousei_kg.cli.group import (
    DEFAULT_STORE,
    UserError,
    fail,
    resources_option,
    store_option,
)
from sousei_kg.cli.rendering import OUTPUT_FORMATS, OutputFormat, render_result
from sousei_kg.dataset.graph_naming import load_shipped, shipped_files
from sousei_kg.dataset.validation import ValidationOutcome, coverage_summary, validate_store
from sousei_kg.errors import QueryParameterError, QuerySyntaxError
from sousei_kg.named_queries.catalogue import catalog_for
from sousei_kg.named_queries.parameters import ParameterError
from sousei_kg.publication.export import EXPORT_FORMATS, ExportFormat, export_store
from sousei_kg.store.directory import build_store, open_store
from sousei_kg.store.query import run_query
from sousei_kg.store.readable import Term
from sousei_kg.writes.baseline_file import NO_VIOLATIONS, remember_baseline


def _source_store(store_dir: Path | None, resources: Path | None) -> Store:
    if store_dir is not None:
        return open_store(store_dir)
    store = open_store(None)
    load_shipped(store, resources)
    return store


@click.command()
@click.option(
    "--store",
    "store_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_STORE,
    show_default=True,
    help="Store directory; an existing store there is replaced.",
)
@resources_option
def build(store_dir: Path, resources: Path | None) -> None:
    """Load and validate the shipped files, then write a persistent store.

    Nothing is written if the data does not conform to the shapes (exit code 1).
    """
    check = open_store(None)
    load_shipped(check, resources)
    outcome = validate_store(check, root=resources)
    if not outcome.conforms:
        click.echo(_report_text(outcome), nl=False)
        raise click.exceptions.Exit(fail("the data does not conform; no store was written", 1))
    manifest = build_store(store_dir, shipped_files(resources))
    remember_baseline(store_dir, manifest.version_hash, resources, NO_VIOLATIONS)
    click.echo(f"store: {store_dir}")
    for graph, count in manifest.graphs.items():
        click.echo(f"  {count:>7}  {graph}")
    click.echo(f"quads: {manifest.quad_count}")
    click.echo(f"version hash: {manifest.version_hash}")
    warnings = len(coverage_summary(outcome))
    if warnings:
        click.echo(f"{warnings} warning(s); `sousei-kg validate` lists them")


@click.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "ttl", "jsonld"]),
    default="text",
    show_default=True,
    help="text: one block per result, then the coverage gaps; ttl/jsonld: the SHACL report.",
)
@store_option
@resources_option
def validate(fmt: str, store_dir: Path | None, resources: Path | None) -> None:
    """Validate the ontology and data against the shipped shapes (exit code 1 on a violation)."""
    outcome = validate_store(_source_store(store_dir, resources), root=resources)
    if fmt == "text":
        click.echo(_report_text(outcome), nl=False)
    else:
        rdflib_format = "turtle" if fmt == "ttl" else "json-ld"
        click.echo(outcome.report_graph.serialize(format=rdflib_format))
    if not outcome.conforms:
        raise click.exceptions.Exit(1)


@click.command()
@click.argument("target", metavar="NAME|FILE")
@click.option(
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="Bind ?NAME. For a named query VALUE is cast to the declared type; for a FILE, <iri> "
    "or http(s)://… is an IRI, anything else a string. Repeatable.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(OUTPUT_FORMATS),
    default="table",
    show_default=True,
    help="SELECT/ASK results; CONSTRUCT/DESCRIBE results are always Turtle.",
)
@store_option
@resources_option
def query(
    target: str,
    params: tuple[str, ...],
    fmt: str,
    store_dir: Path | None,
    resources: Path | None,
) -> None:
    """Run a named query of the catalogue (NAME, see queries/) or the SPARQL query in FILE,
    over all graphs."""
    file = Path(target)
    if file.is_file():
        text = file.read_text(encoding="utf-8")
        bindings = dict(parse_param(p) for p in params)
    else:
        text, bindings = _named_query(target, params, resources)
    store = _source_store(store_dir, resources)
    try:
        result = run_query(store, text, bindings)
    except QuerySyntaxError as error:
        raise UserError(f"{target}: {error}") from error
    click.echo(render_result(result, cast(OutputFormat, fmt)), nl=False)


def _named_query(
    name: str, params: tuple[str, ...], resources: Path | None
) -> tuple[str, dict[str, Term]]:
    """The text of a catalogue query and its parameters cast as the server casts them.

    Raises:
        UserError: if ``name`` is neither a file nor a catalogue name, or a parameter is
            undeclared, missing or ill-typed.
    """
    root = resources if resources is not None and (resources / "queries").is_dir() else None
    catalog = catalog_for(root)
    named = catalog.get(name)
    if named is None:
        known = ", ".join(catalog.names)
        raise UserError(f"{name}: file does not exist and is not a named query; named: {known}")
    values: dict[str, list[str]] = {}
    for param in params:
        key, sep, value = param.partition("=")
        key = key.strip().lstrip("?$")
        if not sep or not key:
            raise UserError(f"parameter {param!r} is not NAME=VALUE")
        values.setdefault(key, []).append(value)
    try:
        return named.text, named.bind(values)
    except ParameterError as error:
        raise UserError(str(error)) from error


@click.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(EXPORT_FORMATS),
    required=True,
    help="ttl/nt: the union graph; nq/trig/jsonld: with the named graphs.",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    help="File to write; standard output by default.",
)
@store_option
@resources_option
def export(fmt: str, output: Path | None, store_dir: Path | None, resources: Path | None) -> None:
    """Write the whole graph in one RDF format."""
    data = export_store(_source_store(store_dir, resources), cast(ExportFormat, fmt))
    if output is None:
        click.echo(data, nl=False)  # bytes go to the binary stream, unchanged
        return
    try:
        output.write_bytes(data)
    except OSError as error:
        raise UserError(f"cannot write {output}: {error.strerror}") from error


def parse_param(text: str) -> tuple[str, Term]:
    """Turn ``name=value`` into a variable name and an RDF term.

    ``<…>`` or a value starting with ``http://`` or ``https://`` becomes an IRI, anything else a
    plain string literal. A leading ``?`` or ``$`` on the name is dropped.

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
    if iri is None:
        return name, Literal(value)
    try:
        return name, NamedNode(iri)
    except ValueError as error:
        raise QueryParameterError(f"parameter {name}: {iri!r} is not a valid IRI") from error


def _report_text(outcome: ValidationOutcome) -> str:
    lines: list[str] = []
    for result in outcome.results:
        lines.append(result.severity)
        lines.append(f"  focus:   {result.focus_node}")
        if result.result_path is not None:
            lines.append(f"  path:    {result.result_path}")
        if result.value is not None:
            lines.append(f"  value:   {result.value}")
        lines.append(f"  message: {result.message}")
        lines.append(f"  shape:   {result.source_shape}")
        lines.append("")
    coverage = coverage_summary(outcome)
    lines.append("Coverage")
    lines.extend(f"  - {message}" for message in coverage)
    if not coverage:
        lines.append("  (no gaps reported)")
    lines.append("")
    counts = {s: sum(r.severity == s for r in outcome.results) for s in ("Violation", "Warning")}
    verdict = "conforms" if outcome.conforms else "does NOT conform"
    lines.append(
        f"{verdict}: {counts['Violation']} violation(s), {counts['Warning']} warning(s), "
        f"{len(outcome.results) - sum(counts.values())} info(s)"
    )
    return "\n".join(lines) + "\n"


COMMANDS = (build, validate, query, export)
