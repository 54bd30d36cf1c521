"""Real SPARQL engines for the remote-backend tests, started on 127.0.0.1 in temporary folders:
Oxigraph server (the ``oxigraph`` package from PyPI) and Virtuoso Open Source (Debian's
``virtuoso-opensource-7-bin``, installed by .ci/run). Each is started once per test session by the
fixtures in conftest.py and filled with ``sousei-kg load``.
"""

import contextlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from conftest import free_port, stop_process

ENGINE_START_TIMEOUT = 90.0
"""Seconds an engine may take to answer after start (Virtuoso creates its database first)."""


@dataclass(frozen=True)
class Engine:
    """A running engine: its name (``--engine``) and its endpoints."""

    name: str
    query: str
    graph_store: str
    user: str | None = None
    password: str | None = None


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
                "10",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_answering(process, base + "/query", log)
        yield Engine("oxigraph", base + "/query", base + "/store")
    finally:
        stop_process(process, timeout=20)


VIRTUOSO_INI = Path(__file__).resolve().parents[1] / "docs" / "virtuoso.ini.example"
"""The configuration docs/deployment.md gives, run here with a temporary folder and free ports."""


@contextlib.contextmanager
def virtuoso_server(folder: Path) -> Iterator[Engine]:
    """``virtuoso-t`` in the foreground with a database in ``folder``, bound to 127.0.0.1."""
    executable = shutil.which("virtuoso-t")
    if executable is None:
        raise RuntimeError(
            "virtuoso-t is missing: apt-get install virtuoso-opensource-7-bin (.ci/run does)"
        )
    sql_port, http_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    config = VIRTUOSO_INI.read_text(encoding="utf-8")
    for documented, here in (
        ("/srv/virtuoso", str(folder)),
        ("127.0.0.1:1111", f"127.0.0.1:{sql_port}"),
        ("127.0.0.1:8890", f"127.0.0.1:{http_port}"),
    ):
        config = config.replace(documented, here)
    ini.write_text(config, encoding="utf-8")
    log = folder / "virtuoso.out"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [executable, "-f", "-c", str(ini)], cwd=folder, stdout=out, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{http_port}"
    try:
        _wait_until_answering(process, base + "/sparql", log)
        # The authenticated endpoint (HTTP Digest, the dba account of a new database): the
        # anonymous /sparql-graph-crud stays read-only, as docs/deployment.md recommends.
        yield Engine(
            "virtuoso",
            base + "/sparql",
            base + "/sparql-graph-crud-auth",
            user="dba",
            password="dba",  # noqa: S106 (the default account of a throwaway database)
        )
    finally:
        stop_process(process, timeout=20)


def load_into(engine: Engine) -> str:
    """``sousei-kg load --to`` the engine; returns the command's last line (counts and hash)."""
    credentials = ("--user", engine.user, "--digest") if engine.user else ()
    done = subprocess.run(
        [sys.executable, "-m", "sousei_kg", "load", "--to", engine.graph_store, *credentials],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "SOUSEI_LOAD_PASSWORD": engine.password or ""},
    )
    if done.returncode != 0:
        raise RuntimeError(f"sousei-kg load failed ({done.returncode}): {done.stderr}")
    return done.stdout.strip().splitlines()[-1]
