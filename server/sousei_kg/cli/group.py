"""The ``sousei-kg`` command: build, validate, query and export the knowledge graph.

Exit codes: 0 success; 1 the data does not conform to the shapes; 2 a user error (a missing
path, an unknown format, a syntax error in a data file or a query), reported in one line.
"""

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar, cast

import click
from pydantic import ValidationError
from pyoxigraph import Literal, NamedNode, Store

from sousei_kg import __version__
from sousei_kg.config import ENGINES
from sousei_kg.dataset.graph_naming import load_shipped, shipped_files
from sousei_kg.dataset.validation import ValidationOutcome, coverage_summary, validate_store
from sousei_kg.errors import QueryParameterError, QuerySyntaxError, SouseiError
from sousei_kg.named_queries.catalogue import ParameterError, catalog_for
from sousei_kg.publication.export import (
    EXPORT_FORMATS,
    RESULT_FORMATS,
    ExportFormat,
    ResultFormat,
    export_store,
    render_result,
)
from sousei_kg.store.directory import build_store, open_store
from sousei_kg.store.query import run_query
from sousei_kg.store.readable import Term

DEFAULT_STORE = Path("sousei-kg-store")
PROG = "sousei-kg"

F = TypeVar("F", bound=Callable[..., Any])


class UserError(click.ClickException):
    """A problem with the user's input; exits with code 2."""

    exit_code = 2


class _Cli(click.Group):
    """Reports every user error as one line on stderr (no usage dump, no traceback)."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except SouseiError as error:
            code = _fail(str(error), 2)
        except click.ClickException as error:
            code = _fail(error.format_message(), error.exit_code)
        except click.Abort:
            code = _fail("aborted", 1)
        code = code if isinstance(code, int) else 0
        if standalone_mode:
            sys.exit(code)
        return code


def _fail(message: str, code: int) -> int:
    click.echo(f"{PROG}: error: {message}", err=True)
    return code


def _resources_option(function: F) -> F:
    """Hidden ``--resources DIR``: read ontology/, shapes/ and data/ from DIR (tests, checks)."""
    return click.option(
        "--resources",
        type=click.Path(exists=True, file_okay=False, path_type=Path),
        default=None,
        hidden=True,
        help="Directory holding ontology/, shapes/ and data/ to use instead of the shipped files.",
    )(function)


def _store_option(function: F) -> F:
    return click.option(
        "--store",
        "store_dir",
        type=click.Path(exists=True, file_okay=False, path_type=Path),
        default=None,
        help="Read a store made by `sousei-kg build` instead of loading the shipped files.",
    )(function)


def _source_store(store_dir: Path | None, resources: Path | None) -> Store:
    if store_dir is not None:
        return open_store(store_dir)
    store = open_store(None)
    load_shipped(store, resources)
    return store


@click.group(cls=_Cli, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name=PROG)
def cli() -> None:
    """Build, validate, query and export the sousei-kg knowledge graph."""


@cli.command()
@click.option(
    "--store",
    "store_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_STORE,
    show_default=True,
    help="Store directory; an existing store there is replaced.",
)
@_resources_option
def build(store_dir: Path, resources: Path | None) -> None:
    """Load and validate the shipped files, then write a persistent store.

    Nothing is written if the data does not conform to the shapes (exit code 1).
    """
    check = open_store(None)
    load_shipped(check, resources)
    outcome = validate_store(check, root=resources)
    if not outcome.conforms:
        click.echo(_report_text(outcome), nl=False)
        raise click.exceptions.Exit(_fail("the data does not conform; no store was written", 1))
    manifest = build_store(store_dir, shipped_files(resources))
    click.echo(f"store: {store_dir}")
    for graph, count in manifest.graphs.items():
        click.echo(f"  {count:>7}  {graph}")
    click.echo(f"quads: {manifest.quad_count}")
    click.echo(f"version hash: {manifest.version_hash}")
    warnings = len(coverage_summary(outcome))
    if warnings:
        click.echo(f"{warnings} warning(s); `sousei-kg validate` lists them")


@cli.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "ttl", "jsonld"]),
    default="text",
    show_default=True,
    help="text: one block per result, then the coverage gaps; ttl/jsonld: the SHACL report.",
)
@_store_option
@_resources_option
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


@cli.command()
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
    type=click.Choice(RESULT_FORMATS),
    default="table",
    show_default=True,
    help="SELECT/ASK results; CONSTRUCT/DESCRIBE results are always Turtle.",
)
@_store_option
@_resources_option
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
    click.echo(render_result(result, cast(ResultFormat, fmt)), nl=False)


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


@cli.command()
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
@_store_option
@_resources_option
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


@cli.command()
@click.option("--host", default=None, help="Address to bind (default 127.0.0.1; env SOUSEI_HOST).")
@click.option("--port", type=int, default=None, help="Port (default 8000; env SOUSEI_PORT).")
@click.option(
    "--store",
    "store_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Serve a store made by `sousei-kg build` (default: the shipped files, in memory).",
)
@click.option(
    "--public-base-url",
    default=None,
    help="Base URL users reach the server at; HTML links to w3id.org IRIs point there.",
)
@click.option("--workers", type=int, default=None, help="Server processes (default 1).")
@click.option("--query-workers", type=int, default=None, help="Query processes per server.")
@click.option("--query-timeout", type=float, default=None, help="Query time limit, seconds (30).")
@click.option(
    "--result-cap",
    type=int,
    default=None,
    help="Rows or triples per answer (10000); 0: no cap, answers streamed.",
)
@click.option(
    "--rate-limit/--no-rate-limit", default=None, help="Per-client rate limiting (default on)."
)
@click.option("--trusted-proxy", multiple=True, help="A proxy whose X-Forwarded-For is trusted.")
@click.option("--write-token", multiple=True, help="A bearer token that may write (repeatable).")
@click.option("--read-token", multiple=True, help="A bearer token that may read /store.")
@click.option(
    "--state-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for state the server processes share (rate-limit budget).",
)
@click.option(
    "--backend",
    type=click.Choice(["embedded", "remote"]),
    default=None,
    help="Read the embedded store (default) or a remote SPARQL engine (docs/deployment.md).",
)
@click.option("--query-endpoint", default=None, help="The remote engine's SPARQL query URL.")
@click.option("--update-endpoint", default=None, help="The remote engine's update URL (unused).")
@click.option("--gsp-endpoint", default=None, help="The remote engine's Graph Store URL.")
@click.option(
    "--engine",
    type=click.Choice(ENGINES),
    default=None,
    help="The remote engine, for its own per-query time limit (virtuoso, fuseki).",
)
@click.option(
    "--extra-graph",
    multiple=True,
    help="A named graph of the remote engine to serve besides the shipped ones (repeatable).",
)
@click.option(
    "--dataset-version",
    default=None,
    help="The hash `sousei-kg load` printed: skips hashing a large remote dataset at start-up.",
)
@_resources_option
def serve(
    store_dir: Path | None,
    resources: Path | None,
    trusted_proxy: tuple[str, ...],
    write_token: tuple[str, ...],
    read_token: tuple[str, ...],
    extra_graph: tuple[str, ...],
    **options: Any,
) -> None:
    """Serve the SPARQL endpoint, linked-data pages and named queries.

    Every option also reads its ``SOUSEI_*`` environment variable (``SOUSEI_QUERY_TIMEOUT``…);
    options win. See docs/security.md for the limits and their defaults.
    """
    import tempfile

    import uvicorn  # imported here: the other commands do not need a web server

    from sousei_kg.config import Settings

    overrides: dict[str, Any] = {k: v for k, v in options.items() if v is not None}
    if store_dir is not None:
        overrides["store"] = store_dir
    if resources is not None:
        overrides["resources"] = resources
    for name, values in (
        ("trusted_proxies", trusted_proxy),
        ("write_tokens", write_token),
        ("read_tokens", read_token),
        ("extra_graphs", extra_graph),
    ):
        if values:
            overrides[name] = list(values)
    try:
        settings = Settings(**overrides)
    except ValidationError as error:
        messages = (e["msg"].removeprefix("Value error, ") for e in error.errors())
        raise UserError("; ".join(messages)) from error
    # Worker processes build their settings from the environment: hand the options over there.
    for name, value in overrides.items():
        text = ",".join(value) if isinstance(value, list) else str(value)
        os.environ["SOUSEI_" + name.upper()] = text
    with tempfile.TemporaryDirectory(prefix="sousei-kg-state-") as scratch:
        if settings.state_dir is None:
            # All processes of this server share the rate-limit budget through one file.
            os.environ["SOUSEI_STATE_DIR"] = scratch
        source = f"the store in {settings.store}" if settings.store else "the shipped data"
        if settings.backend == "remote":
            source = f"the SPARQL engine at {settings.query_endpoint}"
        click.echo(
            f"sousei-kg {__version__}: serving {source} at "
            f"http://{settings.host}:{settings.port}/ ({settings.workers} process(es); "
            "Ctrl+C stops)",
            err=True,
        )
        uvicorn.run(
            "sousei_kg.app:create_app",
            factory=True,
            host=settings.host,
            port=settings.port,
            workers=settings.workers,
            # httptools with TCP_NODELAY on each connection (without it `--workers N`, a socket
            # uvicorn binds itself, stalls every keep-alive answer ~40 ms on Nagle + delayed ACK)
            # and the request head bounded as h11 bounds it (see sousei_kg.http.protocol).
            http="sousei_kg.http.protocol:BoundedHttpToolsProtocol",
            # Not "auto": that picks uvloop whenever it is installed, and the query pool is
            # asyncio-only (docs/performance.md).
            loop="asyncio",
            log_level="warning",
            # X-Forwarded-For/-Proto count only from the configured proxies (uvicorn's default
            # trusts 127.0.0.1, which would let any local client pick its rate-limit identity).
            proxy_headers=bool(settings.trusted_proxies),
            forwarded_allow_ips=settings.trusted_proxies or None,
            # The bound on a request line plus headers (431 past it, before the app runs; the
            # name is uvicorn's, the protocol above applies it): leave room for the longest
            # target we accept, so that one gets a 414 that says why.
            h11_max_incomplete_event_size=settings.max_url_bytes + 16 * 1024,
        )


@cli.command()
@click.option("--to", "gsp_url", required=True, help="The remote store's Graph Store HTTP URL.")
@click.option("--timeout", type=float, default=120.0, show_default=True, help="Seconds/request.")
@click.option(
    "--user", default=None, help="User for the store; the password is SOUSEI_LOAD_PASSWORD."
)
@click.option(
    "--digest/--basic",
    default=False,
    help="HTTP authentication scheme with --user (Virtuoso's -auth endpoint: --digest).",
)
@_resources_option
def load(
    gsp_url: str, timeout: float, user: str | None, digest: bool, resources: Path | None
) -> None:
    """Validate the shipped graphs, then replace each one in a remote store (Graph Store
    Protocol) and check its statement count. Prints the dataset's version hash."""
    import httpx

    from sousei_kg.remote.loader import ValidationFailedError, load_to

    auth: httpx.Auth | None = None
    if user is not None:
        password = os.environ.get("SOUSEI_LOAD_PASSWORD")
        if password is None:
            raise UserError("--user needs the password in SOUSEI_LOAD_PASSWORD")
        auth = httpx.DigestAuth(user, password) if digest else httpx.BasicAuth(user, password)
    try:
        report = load_to(
            gsp_url,
            resources,
            timeout=timeout,
            auth=auth,
            progress=lambda line: click.echo(line, err=True),
        )
    except ValidationFailedError as error:
        click.echo(f"error: {error}", err=True)
        raise click.exceptions.Exit(1) from error
    total = sum(g.stored for g in report.graphs)
    click.echo(
        f"loaded {len(report.graphs)} graphs, {total} triples; version {report.version_hash}"
    )


@cli.command()
@click.argument("target", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--store",
    "store_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=DEFAULT_STORE,
    show_default=True,
    help="The store to back up (a running server's newest snapshot if one writes it).",
)
def backup(target: Path, store_dir: Path) -> None:
    """Copy a store, its manifest and its audit log into the new folder TARGET."""
    from sousei_kg.store.backups import backup as backup_store

    manifest = backup_store(store_dir, target)
    click.echo(f"backup: {target}")
    click.echo(f"quads: {manifest.quad_count}")
    click.echo(f"version hash: {manifest.version_hash}")


@cli.command()
@click.argument("source", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--store",
    "store_dir",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="The store to replace (no server may be writing it).",
)
def restore(source: Path, store_dir: Path) -> None:
    """Replace a store with the backup in SOURCE, after checking its version hash."""
    from sousei_kg.store.backups import restore as restore_store

    manifest = restore_store(source, store_dir)
    click.echo(f"store: {store_dir}")
    click.echo(f"version hash: {manifest.version_hash} (verified)")


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


def main() -> None:
    """Entry point of the ``sousei-kg`` console script."""
    cli(prog_name=PROG)
