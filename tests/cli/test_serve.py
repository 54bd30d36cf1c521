"""``sousei-kg serve``'s start and stop: the connection cap is fitted under the open-file limit
(a given one that does not fit stops the start; the default is lowered, with a notice), and
SIGTERM stops the server within seconds although a request is still running."""

import subprocess
import sys
import threading
import time

import httpx
import pytest
from click.testing import CliRunner

from conftest import start_server
from sousei_kg.cli import serve as serve_module
from sousei_kg.cli.group import UserError
from sousei_kg.cli.main import cli
from sousei_kg.config import Settings
from sousei_kg.http.open_files import connection_room

# A cartesian product with an aggregate: no row appears until it is done (minutes on this data).
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?n"


def test_the_default_cap_is_lowered_to_fit_a_small_limit(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(serve_module, "raise_open_file_limit", lambda: 1024)
    overrides: dict[str, object] = {}
    fitted = serve_module._fit_connections(Settings(), overrides)
    room = connection_room(Settings(), 1024, serve_module.ACCEPT_BACKLOG)
    assert 0 < room < Settings().max_connections
    assert fitted.max_connections == overrides["max_connections"] == room
    assert f"open-file limit of 1024 leaves room for {room} connections" in capsys.readouterr().err


def test_a_given_cap_that_does_not_fit_stops_the_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(serve_module, "raise_open_file_limit", lambda: 1024)
    with pytest.raises(UserError, match="--max-connections 1000 does not fit"):
        serve_module._fit_connections(Settings(max_connections=1000), {})


def test_a_cap_that_fits_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(serve_module, "raise_open_file_limit", lambda: 20_000)
    overrides: dict[str, object] = {}
    assert serve_module._fit_connections(Settings(max_connections=5000), overrides) == Settings(
        max_connections=5000
    )
    assert overrides == {}


def test_serve_under_a_small_hard_limit_refuses_a_cap_too_large() -> None:
    """The real command in a process whose hard limit is 1024: it cannot raise it, says so and
    exits 2 before binding anything."""

    result = subprocess.run(
        [
            "prlimit",
            "--nofile=1024:1024",
            sys.executable,
            "-m",
            "sousei_kg",
            "serve",
            "--port",
            "1",
            "--max-connections",
            "1000",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2, result.stderr
    assert "does not fit: the open-file limit of 1024 leaves room for" in result.stderr


@pytest.mark.live
def test_sigterm_stops_the_server_promptly_while_a_query_runs() -> None:
    """uvicorn's graceful shutdown waits for answers in progress, by default without end (here a
    query with a 30 s time limit); `serve` gives them a few seconds."""
    process, base = start_server({"SOUSEI_QUERY_TIMEOUT": "30"})
    outcome: dict[str, object] = {}

    def query() -> None:
        try:
            outcome["status"] = httpx.get(
                base + "sparql", params={"query": SLOW}, timeout=40
            ).status_code
        except httpx.HTTPError as error:
            outcome["error"] = error

    thread = threading.Thread(target=query)
    thread.start()
    try:
        time.sleep(1.0)  # the query is running
        started = time.monotonic()
        process.terminate()
        try:
            process.wait(timeout=serve_module.GRACEFUL_SHUTDOWN_SECONDS + 10)
            stopped = time.monotonic() - started
        except subprocess.TimeoutExpired:
            stopped = float("inf")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        thread.join(timeout=40)
    assert stopped < serve_module.GRACEFUL_SHUTDOWN_SECONDS + 5, stopped
    assert "status" not in outcome or outcome["status"] != 200


@pytest.mark.parametrize(
    "address", ["ftp://example.org/contact", "opendata@example.org", "https://", "mailto:x y@z"]
)
def test_a_contact_that_is_no_address_stops_the_start(address: str) -> None:
    """The catalogue's contact point is an IRI a harvester follows (issue 19): anything but a
    mailto: or http(s):// address is refused before the server starts."""
    result = CliRunner().invoke(cli, ["serve", "--contact-url", address])
    assert result.exit_code == 2, result.output
    assert "is not a mailto: or http(s):// address" in result.stderr


def test_the_default_contact_points_at_the_project() -> None:
    """Never at a government office: the default names the project and its own address."""
    settings = Settings()
    assert settings.contact_name == "The sousei-kg project"
    assert settings.contact_url == "https://w3id.org/sousei-kg/"
    assert settings.planned_availability == "temporary"
    assert (
        Settings(contact_url=" mailto:team@example.org ").contact_url == "mailto:team@example.org"
    )
