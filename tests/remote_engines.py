"""Real SPARQL engines for the remote-backend tests, started on 127.0.0.1 in temporary folders:
Oxigraph server (the ``oxigraph`` package from PyPI) and Virtuoso Open Source (Debian's
``virtuoso-opensource-7-bin``, installed by .ci/run). Each is started once per test session by the
fixtures in conftest.py and filled with ``sousei-kg load``.
"""

import contextlib
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

ENGINE_START_TIMEOUT = 90.0
"""Seconds an engine may take to answer after start (Virtuoso creates its database first)."""


@dataclass(frozen=True)
class Engine:
    """A running engine: its name (``--engine``) and its endpoints."""

    name: str
    query: str
    graph_store: str


def free_port() -> int:
    """A port nobody listens on now (the engine binds it right after)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_until_answering(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + ENGINE_START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the engine exited with {process.returncode}: {log.read_text()}")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(url, params={"query": "ASK WHERE {}"}, timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"the engine did not answer {url} within {ENGINE_START_TIMEOUT:g} s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextlib.contextmanager
def oxigraph_server(folder: Path) -> Iterator[Engine]:
    """``oxigraph serve`` with a store in ``folder``; its own time limit stops runaway queries."""
    executable = Path(sys.executable).with_name("oxigraph")
    if not executable.exists():
        raise RuntimeError(f"{executable} is missing: pip install -e '.[test]' installs oxigraph")
    port = free_port()
    log = folder / "oxigraph.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                str(executable),
                "serve",
                "--location",
                str(folder / "store"),
                "--bind",
                f"127.0.0.1:{port}",
                "--timeout-s",
                "20",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_answering(process, base + "/query", log)
        yield Engine("oxigraph", base + "/query", base + "/store")
    finally:
        _stop(process)


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DirsAllowed = ., {folder}
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
CheckpointInterval = 60
ThreadsPerQuery = 2

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {folder}
MaxClientConnections = 8
ServerThreads = 8
EnabledDavVSP = 0

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 60
MaxQueryCostEstimationTime = 0
"""

# The SPARQL endpoint's anonymous user may write through /sparql-graph-crud (what `sousei-kg
# load` uses); on a real deployment that endpoint sits behind authentication (docs/deployment.md).
VIRTUOSO_GRANTS = (
    "GRANT SPARQL_UPDATE TO \"SPARQL\"; DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 7);"
)


@contextlib.contextmanager
def virtuoso_server(folder: Path) -> Iterator[Engine]:
    """``virtuoso-t`` in the foreground with a database in ``folder``, bound to 127.0.0.1."""
    executable = shutil.which("virtuoso-t")
    isql = shutil.which("isql-vt")
    if executable is None or isql is None:
        raise RuntimeError(
            "virtuoso-t is missing: apt-get install virtuoso-opensource-7-bin (.ci/run does)"
        )
    sql_port, http_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(folder=folder, sql_port=sql_port, http_port=http_port))
    log = folder / "virtuoso.out"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [executable, "-f", "-c", str(ini)], cwd=folder, stdout=out, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{http_port}"
    try:
        _wait_until_answering(process, base + "/sparql", log)
        subprocess.run(
            [isql, str(sql_port), "dba", "dba", f"exec={VIRTUOSO_GRANTS}"],
            check=True,
            capture_output=True,
            timeout=60,
        )
        yield Engine("virtuoso", base + "/sparql", base + "/sparql-graph-crud")
    finally:
        _stop(process)


def load_into(engine: Engine) -> str:
    """``sousei-kg load --to`` the engine; returns the command's last line (counts and hash)."""
    done = subprocess.run(
        [sys.executable, "-m", "sousei_kg", "load", "--to", engine.graph_store],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"sousei-kg load failed ({done.returncode}): {done.stderr}")
    return done.stdout.strip().splitlines()[-1]
