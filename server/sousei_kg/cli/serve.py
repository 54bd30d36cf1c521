"""``sousei-kg serve``: the settings from flags and environment, then uvicorn."""

import os
import shutil
from pathlib import Path
from typing import Any

import click
from pydantic import ValidationError

from sousei_kg import __version__
from sousei_kg.cli.group import UserError, resources_option
from sousei_kg.cli.server_logging import server_log_config
from sousei_kg.cli.server_start import preflight, stopping_cleanly
from sousei_kg.config import ENGINES, Settings
from sousei_kg.http.open_files import connection_room, own_files, raise_open_file_limit

ACCEPT_BACKLOG = 512
"""The listen queue, and so the most connections asyncio accepts in one turn of the loop, before
any can be refused: part of the open-file budget (uvicorn's default is 2048)."""
GRACEFUL_SHUTDOWN_SECONDS = 5
"""On SIGTERM, answers in progress get this long to finish; then they are cancelled and the
process exits (uvicorn's default waits without end)."""


@click.command()
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
@click.option(
    "--contact-name",
    default=None,
    help="The catalogue's contact point (default: the sousei-kg project; docs/deployment.md).",
)
@click.option(
    "--contact-url",
    default=None,
    help="mailto: or https:// address of the contact point (default https://w3id.org/sousei-kg/).",
)
@click.option(
    "--planned-availability",
    type=click.Choice(["temporary", "experimental", "available", "stable"]),
    default=None,
    help="How long the downloads are planned to stay, as the catalogue says (default temporary).",
)
@click.option("--workers", type=int, default=None, help="Server processes (default 1).")
@click.option("--query-workers", type=int, default=None, help="Query processes per server.")
@click.option("--query-timeout", type=float, default=None, help="Query time limit, seconds (30).")
@click.option(
    "--query-queue-timeout",
    type=float,
    default=None,
    help="Seconds a query may wait for a worker (5); its time limit starts after.",
)
@click.option(
    "--max-waiting-queries", type=int, default=None, help="Queries a client may have waiting (2)."
)
@click.option(
    "--query-seconds-per-minute",
    type=float,
    default=None,
    help="Worker time an address may use per minute (60); 0: no budget.",
)
@click.option(
    "--query-memory-mib",
    type=int,
    default=None,
    help="Memory one query may use above its worker's own (512); 0: no limit.",
)
@click.option(
    "--result-max-bytes", type=int, default=None, help="Bytes per capped answer (16 MiB)."
)
@click.option("--write-timeout", type=float, default=None, help="Seconds a write may take (30).")
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
@click.option(
    "--header-timeout", type=float, default=None, help="Seconds to send a request head (5); 408."
)
@click.option(
    "--max-connections", type=int, default=None, help="Open connections per process (1024); 503."
)
@click.option(
    "--max-connections-per-address",
    type=int,
    default=None,
    help="Open connections per client address, IPv6 by /64, per process (32); 503.",
)
@click.option(
    "--write-token",
    multiple=True,
    help="A bearer token that may write (repeatable). Visible to other users in ps: prefer "
    "--write-token-file or SOUSEI_WRITE_TOKENS.",
)
@click.option("--read-token", multiple=True, help="A bearer token that may read /store.")
@click.option(
    "--write-token-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="A file of write tokens, one per line (never visible in ps).",
)
@click.option(
    "--read-token-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="A file of read tokens, one per line.",
)
@click.option(
    "--write-cors-origin",
    multiple=True,
    help="An origin whose scripts may call /update and /store cross-origin (none by default).",
)
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
    "--access-log/--no-access-log",
    default=None,
    help="One JSON line per request on standard error (default on; env SOUSEI_ACCESS_LOG).",
)
@click.option(
    "--dataset-version",
    default=None,
    help="The hash `sousei-kg load` printed: skips hashing a large remote dataset at start-up.",
)
@resources_option
def serve(
    store_dir: Path | None,
    resources: Path | None,
    trusted_proxy: tuple[str, ...],
    write_token: tuple[str, ...],
    read_token: tuple[str, ...],
    write_cors_origin: tuple[str, ...],
    extra_graph: tuple[str, ...],
    **options: Any,
) -> None:
    """Serve the SPARQL endpoint, linked-data pages and named queries.

    Every option also reads its SOUSEI_* environment variable (SOUSEI_QUERY_TIMEOUT, ...);
    options win. See docs/security.md for the limits and their defaults.
    """
    import tempfile

    import uvicorn  # imported here: the other commands do not need a web server

    overrides: dict[str, Any] = {k: v for k, v in options.items() if v is not None}
    if store_dir is not None:
        overrides["store"] = store_dir
    if resources is not None:
        overrides["resources"] = resources
    for name, values in (
        ("trusted_proxies", trusted_proxy),
        ("write_tokens", write_token),
        ("read_tokens", read_token),
        ("write_cors_origins", write_cors_origin),
        ("extra_graphs", extra_graph),
    ):
        if values:
            overrides[name] = list(values)
    try:
        settings = Settings(**overrides)
    except ValidationError as error:
        messages = (e["msg"].removeprefix("Value error, ") for e in error.errors())
        raise UserError("; ".join(messages)) from error
    settings = _fit_connections(settings, overrides)
    preflight(settings)  # what cannot work fails here, in one line, before the banner
    if write_token or read_token:
        click.echo(
            "sousei-kg: warning: tokens given on the command line are visible to other users of "
            "this machine (ps); use --write-token-file, --read-token-file or SOUSEI_WRITE_TOKENS",
            err=True,
        )
    # SIGTERM and Ctrl+C end the command normally, so the state folder is removed.
    with tempfile.TemporaryDirectory(prefix="sousei-kg-state-") as scratch, stopping_cleanly():
        # Server processes build their settings from the environment: hand the options over
        # there. Tokens go in a private file instead (its path in the environment): never in the
        # environment or argv of a process, query workers and the write process included.
        hand_over = {k: v for k, v in overrides.items() if not k.endswith(("_tokens", "_file"))}
        hand_over.update(_token_files(settings, Path(scratch)))
        for name in ("SOUSEI_WRITE_TOKENS", "SOUSEI_READ_TOKENS"):
            os.environ.pop(name, None)
        for name, value in hand_over.items():
            text = ",".join(value) if isinstance(value, list) else str(value)
            os.environ["SOUSEI_" + name.upper()] = text
        if settings.state_dir is None:
            # All processes of this server share the rate-limit budget through one file.
            os.environ["SOUSEI_STATE_DIR"] = scratch
        # Prometheus metrics in multiprocess mode: every server process writes its values into
        # one fresh folder (before any process imports prometheus_client), and /metrics reads
        # them all (sousei_kg.http.metrics).
        metrics_dir = Path(settings.state_dir or scratch) / "metrics"
        shutil.rmtree(metrics_dir, ignore_errors=True)
        metrics_dir.mkdir(parents=True)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
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
            # uvicorn binds itself, stalls every keep-alive answer ~40 ms on Nagle + delayed ACK),
            # the request head bounded as h11 bounds it and in time (--header-timeout), and the
            # connections capped (see sousei_kg.http.protocol).
            http="sousei_kg.http.protocol:BoundedHttpToolsProtocol",
            # No WebSocket routes: an upgrade request is served as plain HTTP (and a connection
            # never leaves the protocol that counts it).
            ws="none",
            # asyncio's selector loop, not "auto" (that picks uvloop whenever it is installed, and
            # the query pool is asyncio-only: docs/performance.md), retrying a failing accept()
            # once per failure and logging it once per 10 s (see sousei_kg.http.event_loop).
            loop="sousei_kg.http.event_loop:new_event_loop",
            backlog=ACCEPT_BACKLOG,
            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
            # Our own loggers to standard error: the access log (one JSON line per request, if
            # on) and warnings such as engine failures. uvicorn's access log stays off (ours has
            # the resolved client, the route and the bytes), and so does its `server` header:
            # the software and version running are nobody's business.
            log_config=server_log_config(),
            log_level="warning",
            access_log=False,
            server_header=False,
            # X-Forwarded-For is resolved once, by the app (create_app adds uvicorn's
            # ProxyHeadersMiddleware for the configured proxies only); uvicorn's default would
            # also trust 127.0.0.1 and let any local client pick its rate-limit identity.
            proxy_headers=False,
            # The bound on a request line plus headers (431 past it, before the app runs; the
            # name is uvicorn's, the protocol above applies it): leave room for the longest
            # target we accept, so that one gets a 414 that says why.
            h11_max_incomplete_event_size=settings.max_url_bytes + 16 * 1024,
        )


def _token_files(settings: Settings, folder: Path) -> dict[str, Path]:
    """Write the server's tokens into files only its user can read, for its processes to read
    (``write_token_file``, ``read_token_file`` settings)."""
    files: dict[str, Path] = {}
    for kind, tokens in (("write", settings.write_tokens), ("read", settings.read_tokens)):
        if not tokens:
            continue
        path = folder / f"{kind}-tokens"
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write("\n".join(tokens) + "\n")
        files[f"{kind}_token_file"] = path
    return files


def _fit_connections(settings: Settings, overrides: dict[str, Any]) -> Settings:
    """Raise the soft open-file limit to the hard one, and check that ``max_connections`` fits
    under it next to the server's own files (sousei_kg.http.open_files): a number given that
    does not fit stops the start; the default is lowered to fit, with a notice."""
    limit = raise_open_file_limit()
    room = connection_room(settings, limit, ACCEPT_BACKLOG)
    if settings.max_connections <= room:
        return settings
    needs = own_files(settings, ACCEPT_BACKLOG)
    problem = (
        f"the open-file limit of {limit} leaves room for {room} connections next to the "
        f"server's own {needs} files"
    )
    if room < 1 or "max_connections" in settings.model_fields_set:
        raise UserError(
            f"--max-connections {settings.max_connections} does not fit: {problem}; raise the "
            "limit (ulimit -n, LimitNOFILE=) or lower --max-connections"
        )
    click.echo(f"{problem}: serving at most {room} connections per process", err=True)
    overrides["max_connections"] = room
    return settings.model_copy(update={"max_connections": room})
