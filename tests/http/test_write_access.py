"""The write path's doors (issue 15): closed to scripts of other origins unless configured,
tokens long enough to resist guessing and never in argv or a worker's environment, and guessing
logged and slowed down per address."""

import logging
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from conftest import running_server
from sousei_kg.app import create_app
from sousei_kg.config import Settings
from write_support import READ, UPDATE, WRITE, WRITER, insert_measure, small_store, write_settings

EVIL = "https://evil.example"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return small_store(tmp_path_factory.mktemp("write-access"))


@pytest.fixture(scope="module")
def client(store: tuple[Path, Path]) -> Iterator[TestClient]:
    with TestClient(create_app(write_settings(*store))) as client:
        yield client


def preflight(client: TestClient, path: str, origin: str) -> httpx.Response:
    response: httpx.Response = client.options(
        path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    return response


def test_other_origins_cannot_script_the_write_path(client: TestClient) -> None:
    for path in ("/update", "/store"):
        refused = preflight(client, path, EVIL)
        assert refused.status_code == 400
        assert "access-control-allow-origin" not in refused.headers
    posted = client.post(
        "/update",
        content=insert_measure("cors"),
        headers={"Content-Type": UPDATE, "Origin": EVIL, **WRITER},
    )
    assert "access-control-allow-origin" not in posted.headers  # the answer is unreadable
    # Reads stay open to every origin.
    read = preflight(client, "/sparql", EVIL)
    assert read.status_code == 200 and read.headers["access-control-allow-origin"] == "*"


def test_an_allow_listed_origin_may_write(tmp_path: Path) -> None:
    editor = "https://editor.example"
    settings = write_settings(*small_store(tmp_path), write_cors_origins=[editor])
    with TestClient(create_app(settings)) as client:
        allowed = preflight(client, "/update", editor)
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == editor
        assert "authorization" in allowed.headers["access-control-allow-headers"].lower()
        assert preflight(client, "/update", EVIL).status_code == 400


@pytest.mark.parametrize("field", ["write_tokens", "read_tokens"])
def test_short_tokens_are_refused(field: str) -> None:
    with pytest.raises(ValidationError, match="at least 22 characters") as refused:
        Settings(**{field: ["x" * 21]})  # type: ignore[arg-type]
    assert "x" * 21 not in str(refused.value)  # the message never repeats the token


def test_tokens_are_read_from_files(tmp_path: Path) -> None:
    path = tmp_path / "tokens"
    path.write_text(f"# the editors\n{WRITE}\n\n{'y' * 30}\n", encoding="utf-8")
    settings = Settings(write_token_file=path)
    assert settings.write_tokens == [WRITE, "y" * 30]
    with pytest.raises(ValidationError, match="cannot read the token file"):
        Settings(read_token_file=tmp_path / "missing")


def test_guessing_is_logged_and_slowed_down(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="sousei_kg.auth"):
        statuses = [
            client.post(
                "/update",
                content="CLEAR ALL",
                headers={"Content-Type": UPDATE, "Authorization": f"Bearer guess-{n:020d}"},
            ).status_code
            for n in range(15)
        ]
        assert statuses == [401] * 10 + [429] * 5
        # Even the right token waits now: the token is not looked at while the address backs off.
        late = client.post(
            "/update", content=insert_measure("late"), headers={"Content-Type": UPDATE, **WRITER}
        )
    assert late.status_code == 429 and int(late.headers["Retry-After"]) > 0
    assert "failed authentications" in late.text
    lines = [r.getMessage() for r in caplog.records if r.name == "sousei_kg.auth"]
    assert lines and "authentication failed from" in lines[0]
    assert len(lines) <= 3  # one line at once, the rest counted (not one line per guess)
    assert client.app.state.auth_failures.total == 10  # type: ignore[attr-defined]


@pytest.mark.live
def test_tokens_never_reach_argv_or_a_workers_environment(tmp_path: Path) -> None:
    store, resources = small_store(tmp_path)
    token_file = tmp_path / "tokens"
    token_file.write_text(WRITE + "\n", encoding="utf-8")
    env = {"SOUSEI_READ_TOKENS": READ, "SOUSEI_QUERY_WORKERS": "2"}
    args = ("--store", str(store), "--resources", str(resources), "--write-token-file")
    with running_server(env, *args, str(token_file)) as base:
        answer = httpx.post(
            base + "update",
            content=insert_measure("file"),
            headers={"Content-Type": UPDATE, **WRITER},
            timeout=60,
        )
        assert answer.status_code == 200, answer.text
        port = base.rstrip("/").rsplit(":", 1)[1]
        server = next(
            int(proc.name)
            for proc in Path("/proc").iterdir()
            if proc.name.isdigit() and f"{port}".encode() in _read(proc / "cmdline")
        )
        children = _descendants(server)
        assert len(children) >= 3  # two query workers and the write process
        for pid in children:
            seen = _read(Path(f"/proc/{pid}/environ")) + _read(Path(f"/proc/{pid}/cmdline"))
            assert WRITE.encode() not in seen and READ.encode() not in seen, pid


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


def _descendants(pid: int) -> list[int]:
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        children = _read(Path(f"/proc/{current}/task/{current}/children")).split()
        found += [int(child) for child in children]
        pending += [int(child) for child in children]
    return found
