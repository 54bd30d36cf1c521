"""Shared fixtures: a small resources tree, the app behind a TestClient, and real servers.

The shipped files change while the dataset is written, so tests that need specific content use
the small tree (``resources``), passed to the code as ``root`` (or ``--resources`` on the command
line).

``live`` marks a test that binds a port: it starts a real server, or a process or socket that
listens. ``pytest -m "not live"`` is the quick loop; CI runs everything. The marker is enforced:
a test without it that starts a server (:func:`start_server`, :func:`recording_listener`) or
listens on a socket in this process fails, saying to mark it.
"""

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from fastapi.testclient import TestClient

from sousei_kg.app import create_app
from sousei_kg.config import Settings

if TYPE_CHECKING:
    from remote_engines import Engine

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
"""The repository's top folder (README, data/, docs/)."""
FIXTURES = TESTS / "fixtures"
"""The small input files the cases need (``checks/``, ``invalid/``, ``w3c-protocol/``)."""

ONTOLOGY = """\
@prefix sousei: <https://w3id.org/sousei-kg/def#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

<https://w3id.org/sousei-kg/def> a owl:Ontology .
sousei:Measure a owl:Class ; rdfs:label "Measure"@en .
"""

# One Violation-level and one Warning-level constraint; blank nodes make the hash test meaningful.
SHAPES = """\
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix sousei: <https://w3id.org/sousei-kg/def#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

<https://w3id.org/sousei-kg/shapes#MeasureShape> a sh:NodeShape ;
    sh:targetClass sousei:Measure ;
    sh:property [ sh:path rdfs:label ; sh:minCount 1 ; sh:message "a measure needs a label" ] ;
    sh:property [
        sh:path sousei:responsibleOrganization ; sh:minCount 1 ; sh:severity sh:Warning ;
        sh:message "Coverage: measure has no responsible organisation"
    ] .
"""

STRATEGY = """\
@prefix sousei: <https://w3id.org/sousei-kg/def#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

<https://w3id.org/sousei-kg/id/measure/a> a sousei:Measure ; rdfs:label "施策A"@ja ;
    sousei:note [ rdfs:label "a blank node" ] .
<https://w3id.org/sousei-kg/id/measure/b> a sousei:Measure ; rdfs:label "施策B"@ja .
"""

# The measure/a triple repeats one from STRATEGY, in another graph: the union holds it once.
CURATION = """\
@prefix sousei: <https://w3id.org/sousei-kg/def#> .

<https://w3id.org/sousei-kg/id/measure/a> a sousei:Measure ;
    sousei:responsibleOrganization <https://w3id.org/sousei-kg/id/org/meti> .
"""

# Line 4 lacks the final dot.
BROKEN = """\
@prefix sousei: <https://w3id.org/sousei-kg/def#> .

<https://w3id.org/sousei-kg/id/measure/c> a sousei:Measure .
<https://w3id.org/sousei-kg/id/measure/c> a sousei:Measure sousei:Measure .
"""

# A measure without a label: a Violation of the shapes above.
UNLABELLED = """\
@prefix sousei: <https://w3id.org/sousei-kg/def#> .

<https://w3id.org/sousei-kg/id/measure/x> a sousei:Measure .
"""

FILES = {
    "ontology/sousei.ttl": ONTOLOGY,
    "shapes/measure.ttl": SHAPES,
    "data/strategy-2025.ttl": STRATEGY,
    "data/curation--organisations.ttl": CURATION,
    "data/README.md": "# data\n\nNot RDF: must not be loaded.\n",
}


_RUNNING: dict[str, pytest.Item | None] = {"item": None}


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Remember which test is being set up, for :func:`require_live`."""
    _RUNNING["item"] = item


def require_live(what: str) -> None:
    """Fail the running test if it binds a port without the ``live`` marker.

    Raises:
        pytest.fail: naming the test and what it started.
    """
    item = _RUNNING["item"]
    if item is not None and item.get_closest_marker("live") is None:
        pytest.fail(f"{item.nodeid} {what} but is not marked @pytest.mark.live", pytrace=False)


@pytest.fixture(autouse=True)
def _no_listening_outside_live_tests(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A test without ``live`` that listens on a socket in this process (an in-process server)
    fails instead of passing as a quick test."""
    if request.node.get_closest_marker("live") is not None:
        return
    listen = socket.socket.listen

    def refuse(sock: socket.socket, *args: int) -> None:
        require_live("listens on a socket")
        listen(sock, *args)

    monkeypatch.setattr(socket.socket, "listen", refuse)


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    """The app with default settings (the shipped data, in memory) behind a TestClient; one per
    test module. Not ``live``: nothing listens."""
    with TestClient(create_app(Settings())) as test_client:
        yield test_client


@pytest.fixture
def client_with() -> Iterator[Callable[..., TestClient]]:
    """A factory: ``client_with(result_cap=5)`` is the app with those settings behind a started
    TestClient (lifespan run); every client made is closed when the test ends."""
    with contextlib.ExitStack() as stack:

        def make(*, raise_server_exceptions: bool = True, **settings: Any) -> TestClient:
            app = create_app(Settings(**settings))
            test_client = TestClient(app, raise_server_exceptions=raise_server_exceptions)
            return stack.enter_context(test_client)

        yield make


def pytest_configure(config: pytest.Config) -> None:
    """Tests of other features must not be throttled by the per-client rate limit (it is on by
    default); tests/http/test_protection.py and tests/http/test_rate_limit_live.py turn it on themselves.
    Servers started by these tests inherit the setting through the environment."""
    del config
    os.environ.setdefault("SOUSEI_RATE_LIMIT", "false")


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """Write ``files`` (relative path → text) under ``root`` and return ``root``."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def resources(tmp_path: Path) -> Path:
    """A conforming resources tree with one coverage Warning (measure/b has no organisation)."""
    return write_tree(tmp_path / "resources", FILES)


@pytest.fixture
def broken_resources(resources: Path) -> Path:
    """The tree plus ``data/meta.ttl`` with a Turtle syntax error on line 4."""
    return write_tree(resources, {"data/meta.ttl": BROKEN})


@pytest.fixture
def violating_resources(resources: Path) -> Path:
    """The tree plus ``data/meta.ttl`` holding a measure without a label (a Violation)."""
    return write_tree(resources, {"data/meta.ttl": UNLABELLED})


_SERVER_LOGS: list[Path] = []
"""Log files of the servers this session started: read when one fails to start, removed at the
end of the session (nothing is left in the temp folder)."""
_LOG_OF: dict[str, Path] = {}
"""Each started server's base URL → the file its standard error goes to."""


def server_log(base: str) -> Path:
    """The file a server started by :func:`start_server` writes its standard error to (its
    access log and warnings), read while it runs."""
    return _LOG_OF[base]


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Remove the servers' log files."""
    del session
    for path in _SERVER_LOGS:
        path.unlink(missing_ok=True)


def tree_rss_mib(pid: int) -> float:
    """Resident memory of a process and its descendants (a server and its workers), from /proc;
    a process that is exiting counts as nothing."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        pending.extend(int(child) for child in children)
        total += next(
            (int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")),
            0,
        )
    return total / 1024


def free_port() -> int:
    """A port of 127.0.0.1 nobody listens on now (a server binds it right after)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def stop_process(process: subprocess.Popen[bytes], timeout: float = 10) -> None:
    """Terminate a process this suite started; kill it if it has not ended within ``timeout``."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def start_server(
    env: dict[str, str] | None = None, *args: str
) -> tuple[subprocess.Popen[bytes], str]:
    """Start ``sousei-kg serve`` on 127.0.0.1 and a free port with extra environment variables
    (``SOUSEI_*`` settings) and arguments; return the process and its base URL once ``/health``
    answers. The caller stops the process (terminate, or SIGKILL in the crash tests); its log
    file is removed when the test session ends."""
    require_live("starts a server")
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "sousei_kg",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    # stderr goes to a file, not a pipe: nobody reads a pipe while the server runs, and a full one
    # would block the server (and its query workers, which share it) on their next message.
    log = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed below; the server writes to it)
        prefix=f"sousei-kg-serve-{port}-", suffix=".log", delete=False
    )
    _SERVER_LOGS.append(Path(log.name))
    process = subprocess.Popen(
        [*command, *args],
        stdout=subprocess.DEVNULL,
        stderr=log,
        env={**os.environ, **(env or {})},
    )
    log.close()
    base = f"http://127.0.0.1:{port}/"
    _LOG_OF[base] = Path(log.name)
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            stderr = Path(log.name).read_text(errors="replace")
            raise RuntimeError(f"the server exited with {process.returncode}: {stderr}")
        try:
            if httpx.get(base + "health", timeout=2).status_code == 200:
                return process, base
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            process.kill()
            process.wait()
            raise RuntimeError("the server did not answer /health within 60 s")
        time.sleep(0.05)


@contextlib.contextmanager
def running_server(env: dict[str, str] | None = None, *args: str) -> Iterator[str]:
    """:func:`start_server` as a context manager that stops the server (terminate, then kill)."""
    process, base = start_server(env, *args)
    try:
        yield base
    finally:
        stop_process(process)


@pytest.fixture(scope="session")
def live_server() -> Iterator[str]:
    """A real ``sousei-kg serve`` (uvicorn) on 127.0.0.1 and a free port, serving the shipped files.

    Yields the base URL (``http://127.0.0.1:PORT/``) once ``/health`` answers.
    """
    with running_server() as base:
        yield base


@contextlib.contextmanager
def recording_listener() -> Iterator[tuple[str, list[bytes]]]:
    """A local TCP listener that records the first bytes of every connection it receives; yields
    its base URL (``http://127.0.0.1:PORT/``) and that list. Tests of "no outbound traffic" assert
    the list stays empty."""
    require_live("starts a listener")
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.1)
    received: list[bytes] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            connection.settimeout(1)
            try:
                received.append(connection.recv(4096) or b"(connected)")
            except OSError:
                received.append(b"(connected)")
            connection.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}/", received
    finally:
        stop.set()
        thread.join()
        server.close()


@pytest.fixture
def listener() -> Iterator[tuple[str, list[bytes]]]:
    """:func:`recording_listener` as a fixture."""
    with recording_listener() as recorded:
        yield recorded


@pytest.fixture(scope="session")
def oxigraph_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator["Engine"]:
    """Oxigraph server holding the shipped graphs, put there by ``sousei-kg load``."""
    from remote_engines import load_into, oxigraph_server

    with oxigraph_server(tmp_path_factory.mktemp("oxigraph")) as engine:
        load_into(engine)
        yield engine


@pytest.fixture(scope="session")
def virtuoso_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator["Engine"]:
    """Virtuoso Open Source holding the shipped graphs, put there by ``sousei-kg load``."""
    from remote_engines import load_into, virtuoso_server

    with virtuoso_server(tmp_path_factory.mktemp("virtuoso")) as engine:
        load_into(engine)
        yield engine


def remote_backend_args(engine: "Engine") -> tuple[str, ...]:
    """``sousei-kg serve`` arguments that read from ``engine``."""
    return ("--backend", "remote", "--query-endpoint", engine.query, "--engine", engine.name)
