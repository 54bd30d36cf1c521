"""The serving event loop (sousei_kg.http.event_loop): a failing accept() is logged once per
interval and retried once per failure, every other exception goes to asyncio's default handler;
and live, a server out of file descriptors keeps its log small and serves again once
connections are released (issue 14: 150 MB of tracebacks in 60 s)."""

import asyncio
import errno
import logging
import os
import resource
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from conftest import start_server, stop_process
from sousei_kg.http.event_loop import (
    ACCEPT_RETRY_SECONDS,
    AcceptErrorHandler,
    ServingEventLoop,
    new_event_loop,
)
from sousei_kg.http.log_throttle import ThrottledLog


@pytest.fixture
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    event_loop = new_event_loop()
    yield event_loop
    event_loop.close()


def _accept_failure(code: int) -> dict[str, Any]:
    """The context asyncio's selector loop hands its exception handler when accept() fails."""
    return {
        "message": "socket.accept() out of system resource",
        "exception": OSError(code, os.strerror(code)),
        "socket": object(),
    }


def test_accept_errors_are_one_line_per_interval_and_others_go_to_the_default(
    loop: asyncio.AbstractEventLoop, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    handler = AcceptErrorHandler(ThrottledLog(logging.getLogger("uvicorn.error"), 10.0, loop))
    for code in [errno.EMFILE] * 500 + [errno.ENFILE, errno.ENOBUFS, errno.ENOMEM]:
        handler(loop, _accept_failure(code))
    accept_lines = [r for r in caplog.records if "accept() failed" in r.getMessage()]
    assert len(accept_lines) == 1 and accept_lines[0].levelno == logging.WARNING
    assert "EMFILE Too many open files" in accept_lines[0].getMessage()
    assert accept_lines[0].exc_info is None  # a line, not a traceback

    caplog.clear()  # anything else: asyncio's default handler, traceback and all
    other: list[dict[str, Any]] = [
        {"message": "Exception in callback f()", "exception": ValueError("boom")},
        {"message": "socket.accept() failed", "exception": OSError(errno.EBADF, "bad fd")},
        {"message": "Task exception was never retrieved", "exception": OSError(errno.EMFILE, "x")},
        {"message": "no exception at all"},
    ]
    for context in other:
        handler(loop, context)
    assert [r.getMessage().splitlines()[0] for r in caplog.records] == [c["message"] for c in other]
    assert all(r.name == "asyncio" and r.levelno == logging.ERROR for r in caplog.records)
    assert caplog.records[0].exc_info is not None


def test_new_event_loop_installs_the_handler(loop: asyncio.AbstractEventLoop) -> None:
    assert isinstance(loop, ServingEventLoop)
    assert isinstance(loop.get_exception_handler(), AcceptErrorHandler)


class _ExhaustedListener:
    """A listening socket whose every accept() fails with EMFILE, counting the attempts."""

    def __init__(self) -> None:
        self.attempts = 0

    def accept(self) -> tuple[socket.socket, Any]:
        self.attempts += 1
        raise OSError(errno.EMFILE, "Too many open files")

    def fileno(self) -> int:
        return 1_000_000  # never registered: removing its reader is a no-op

    @property
    def family(self) -> int:
        return socket.AF_INET


def _one_accept_turn(loop: asyncio.AbstractEventLoop) -> tuple[int, int, int]:
    """Run one turn of the loop's accept loop on an exhausted listener (backlog 512), then the
    loop for 1.2 s (asyncio retries after 1 s); return the accept() attempts, the reports to the
    exception handler and how often the retries watched the listener again."""
    reports: list[dict[str, Any]] = []
    loop.set_exception_handler(lambda _loop, context: reports.append(context))
    watched: list[int] = []
    loop._add_reader = lambda fd, *_args: watched.append(fd)  # type: ignore[attr-defined]
    listener = _ExhaustedListener()
    loop._accept_connection(lambda: None, listener, None, None, 512)  # type: ignore[attr-defined]
    loop.run_until_complete(asyncio.sleep(1.2))
    return listener.attempts, len(reports), len(watched)


def test_one_accept_failure_is_one_attempt_one_report_one_retry(
    loop: asyncio.AbstractEventLoop,
) -> None:
    """CPython 3.11 goes on calling accept() after the failure, up to the backlog, and schedules
    a retry for each: the control shows it; the serving loop stops at the first and watches the
    listener again once, after ACCEPT_RETRY_SECONDS (asyncio's own retry is dropped)."""
    plain = asyncio.SelectorEventLoop()
    try:
        assert _one_accept_turn(plain) == (512, 512, 512)  # the flood
    finally:
        plain.close()
    started = time.monotonic()
    assert _one_accept_turn(loop) == (1, 1, 1)
    assert ACCEPT_RETRY_SECONDS < 1 and time.monotonic() - started < 5


def test_a_retry_due_after_its_socket_closed_does_nothing(
    loop: asyncio.AbstractEventLoop,
) -> None:
    """At shutdown the listening socket closes while a retry is pending: asyncio's would log a
    traceback (ValueError: Invalid file descriptor: -1); the serving loop's does nothing."""
    closed = socket.socket()
    closed.close()
    reports: list[dict[str, Any]] = []
    loop.set_exception_handler(lambda _loop, context: reports.append(context))
    loop._retry_accepting(lambda: None, closed, (None, None, 512), {})  # type: ignore[attr-defined]
    assert reports == []


def _log_of(process_id: int) -> Path:
    """The file a server started by conftest.start_server writes its log to."""
    return Path(os.readlink(f"/proc/{process_id}/fd/2"))


def _connect_many(port: int, count: int) -> list[socket.socket]:
    held = []
    for _ in range(count):
        client = socket.create_connection(("127.0.0.1", port), timeout=5)
        held.append(client)
    return held


def _eventually(check: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return check()


@pytest.mark.live
def test_a_server_out_of_descriptors_logs_little_and_recovers() -> None:
    """Lower a running server's open-file limit to 16 over what it holds, open 300 connections
    (the cap is higher: only the limit stops them), hold them 3 s, release them: the log grows
    by less than 2 KB (no traceback, one accept line), and the server answers again within
    seconds. It runs with a long head deadline so the held connections stay held."""
    process, base = start_server({}, "--max-connections", "2000", "--header-timeout", "60")
    try:
        log = _log_of(process.pid)
        held_files = len(os.listdir(f"/proc/{process.pid}/fd"))
        limit = held_files + 16
        resource.prlimit(process.pid, resource.RLIMIT_NOFILE, (limit, limit))
        before = log.stat().st_size
        port = int(base.rstrip("/").rsplit(":", 1)[1])
        clients = _connect_many(port, 300)  # the listen queue (512) holds what is not accepted
        try:
            assert _eventually(lambda: "Too many open files" in log.read_text(), 10)
            time.sleep(3)
            open_files = len(os.listdir(f"/proc/{process.pid}/fd"))
            assert open_files <= limit
        finally:
            for client in clients:
                client.close()
        started = time.monotonic()
        answer = httpx.get(base + "health", timeout=15)
        recovered = time.monotonic() - started
    finally:
        stop_process(process)
    text = log.read_text()
    grown = log.stat().st_size - before
    assert answer.status_code == 200 and recovered < 10, recovered
    assert grown < 2048, text[-3000:]
    assert "Traceback" not in text and "Exception in callback" not in text, text[-3000:]
    assert text.count("accept() failed: EMFILE") == 1, text
