"""``sousei-kg serve`` that cannot start says why in one line, before any banner, with exit code 2
(issue 16); and a server stopped by SIGTERM or Ctrl+C leaves nothing in the temporary folder."""

import errno
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from conftest import free_port, start_server
from sousei_kg.cli.main import cli

TOKEN = "a-write-token-long-enough-for-the-check"  # noqa: S105 (a test value)


def serve(*args: str) -> Result:
    return CliRunner().invoke(cli, ["serve", *args])


def assert_refused(result: Result, *fragments: str) -> None:
    """Exit code 2, one line on standard error, and no "serving at" banner."""
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("sousei-kg: error: ")
    assert "serving" not in result.output and "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in result.stderr


def test_write_tokens_without_a_store() -> None:
    assert_refused(
        serve("--write-token", TOKEN, "--port", str(free_port())),
        "writes need a persistent store",
    )


def test_write_tokens_with_several_processes(tmp_path: Path) -> None:
    result = serve("--write-token", TOKEN, "--workers", "2", "--store", str(tmp_path))
    assert_refused(result, "writes need exactly one server process")


def test_an_empty_store_folder(tmp_path: Path) -> None:
    assert_refused(
        serve("--store", str(tmp_path), "--port", str(free_port())),
        f"{tmp_path} is not a sousei-kg store (no manifest.json); run `sousei-kg build`",
    )


def test_a_foreign_store_folder(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a store", encoding="utf-8")
    (tmp_path / "manifest.json").write_text('{"something": "else"}', encoding="utf-8")
    assert_refused(serve("--store", str(tmp_path)), "unreadable manifest")


def test_an_address_this_machine_does_not_have() -> None:
    # 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never an address of this machine.
    assert_refused(
        serve("--host", "192.0.2.1", "--port", str(free_port())),
        "cannot listen on 192.0.2.1: this machine has no such address",
    )


def test_a_port_it_may_not_listen_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """As a user without privileges, binding a port below 1024 fails with EACCES (the tests run
    as root, so the refusal is made here as the kernel would make it)."""

    def refuse(_sock: socket.socket, _address: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(socket.socket, "bind", refuse)
    assert_refused(
        serve("--port", "80"),
        "not permitted to listen on port 80 (ports below 1024 need privileges)",
    )


@pytest.mark.live
def test_a_port_in_use() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "sousei_kg", "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 2
    assert result.stderr == (
        f"sousei-kg: error: port {port} on 127.0.0.1 is in use (another server?); stop it, or "
        "choose another port with --port\n"
    )


@pytest.mark.live
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["sigterm", "ctrl-c"])
def test_nothing_is_left_in_the_temporary_folder(tmp_path: Path, stop: signal.Signals) -> None:
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    process, _base = start_server({"TMPDIR": str(temporary)})
    try:
        assert [p.name[:16] for p in temporary.iterdir()] == ["sousei-kg-state-"]
        process.send_signal(stop)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0
    deadline = time.monotonic() + 5  # the query workers' own files, if any, go with them
    while list(temporary.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert list(temporary.iterdir()) == []
