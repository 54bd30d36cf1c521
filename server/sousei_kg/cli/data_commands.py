"""The commands that read the dataset: ``build``, ``validate``, ``query``, ``export`` and
``statistics``."""

import time
from pathlib import Path
from typing import cast

import click

from sousei_kg.cli.group import (
    DEFAULT_STORE,
    UserError,
    fail,
    resources_option,
    store_option,
)
from sousei_kg.cli.query_command import query
from sousei_kg.cli.store_source import source_store
from sousei_kg.cli.validation_report import report_text
from sousei_kg.dataset.graph_naming import load_shipped, shipped_files
from sousei_kg.dataset.validation import coverage_summary, validate_store
from sousei_kg.publication.export import EXPORT_FORMATS, ExportFormat, export_store
from sousei_kg.publication.statistics import describe_built, refresh_statistics
from sousei_kg.store.directory import build_store, open_store
from sousei_kg.writes.baseline_file import NO_VIOLATIONS, remember_baseline


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
        click.echo(report_text(outcome), nl=False)
        raise click.exceptions.Exit(fail("the data does not conform; no store was written", 1))
    manifest = build_store(store_dir, shipped_files(resources), statistics=describe_built)
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
    outcome = validate_store(source_store(store_dir, resources), root=resources)
    if fmt == "text":
        click.echo(report_text(outcome), nl=False)
    else:
        rdflib_format = "turtle" if fmt == "ttl" else "json-ld"
        click.echo(outcome.report_graph.serialize(format=rdflib_format))
    if not outcome.conforms:
        raise click.exceptions.Exit(1)


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
    data = export_store(source_store(store_dir, resources), cast(ExportFormat, fmt))
    if output is None:
        click.echo(data, nl=False)  # bytes go to the binary stream, unchanged
        return
    try:
        output.write_bytes(data)
    except OSError as error:
        raise UserError(f"cannot write {output}: {error.strerror}") from error


@click.command()
@click.option(
    "--store",
    "store_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=DEFAULT_STORE,
    show_default=True,
    help="The store to count (no server may be writing it).",
)
def statistics(store_dir: Path) -> None:
    """Count a store's statistics (VoID, DCAT) and write DIR/statistics.json.

    `sousei-kg build` writes them; after writes they describe an older version, and a server
    serving a dataset above 100,000 quads then leaves the counts out of its descriptions (it
    never counts on a request). Counting reads the whole store (6 s at 1 M quads). A running
    server reads the file when it starts, or when it serves a new version.
    """
    started = time.monotonic()
    stats = refresh_statistics(store_dir)
    click.echo(f"store: {store_dir}")
    click.echo(f"version hash: {stats.version}")
    click.echo(f"quads: {stats.quad_count}")
    click.echo(f"union graph: {stats.union_triple_count} distinct triples")
    click.echo(f"counted in {time.monotonic() - started:.1f} s")


COMMANDS = (build, validate, query, export, statistics)
