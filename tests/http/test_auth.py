"""Who may write: bearer tokens only in the header, compared in constant time (issue 5)."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from sousei_kg.app import create_app
from sousei_kg.config import Settings
from sousei_kg.errors import StoreNotFoundError
from sousei_kg.http.auth import AuthError, authenticate, token_id
from sousei_kg.store.directory import AUDIT_FILE
from sousei_kg.writes.writer import Writer
from sousei_kg.writes.writer_setup import WriterSetupError
from write_support import (
    READ,
    READER,
    UPDATE,
    WRITE,
    WRITER,
    insert_measure,
    small_store,
    write_settings,
)

TURTLE = {"Content-Type": "text/turtle"}
TRIPLE = b"<urn:a> <urn:b> <urn:c> ."


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return small_store(tmp_path_factory.mktemp("auth"))


@pytest.fixture(scope="module")
def client(store: tuple[Path, Path]) -> Iterator[TestClient]:
    # Many failures on purpose: no back-off here (tests/http/test_write_access.py tests it).
    settings = write_settings(*store, auth_failure_limit=10_000)
    with TestClient(create_app(settings)) as client:
        yield client


REQUESTS = [
    ("POST", "/update", {"Content-Type": UPDATE}, insert_measure("x").encode()),
    ("PUT", "/store?graph=urn:g", TURTLE, TRIPLE),
    ("POST", "/store?default", TURTLE, TRIPLE),
    ("DELETE", "/store?graph=urn:g", {}, b""),
    ("GET", "/store?default", {}, b""),
]


@pytest.mark.parametrize(("method", "path", "headers", "body"), REQUESTS)
@pytest.mark.parametrize("token", [None, "wrong", "Basic dXNlcjpwYXNz"])
def test_no_or_wrong_token_is_401(
    client: TestClient,
    method: str,
    path: str,
    headers: dict[str, str],
    body: bytes,
    token: str | None,
) -> None:
    if token is not None:
        value = token if token.startswith("Basic") else f"Bearer {token}"
        headers = {**headers, "Authorization": value}
    response = client.request(method, path, headers=headers, content=body)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    if token == "wrong":  # noqa: S105 (a test value)
        assert 'error="invalid_token"' in response.headers["www-authenticate"]


@pytest.mark.parametrize(("method", "path", "headers", "body"), REQUESTS[:4])
def test_read_token_writing_is_403(
    client: TestClient, method: str, path: str, headers: dict[str, str], body: bytes
) -> None:
    response = client.request(method, path, headers={**headers, **READER}, content=body)
    assert response.status_code == 403
    assert "may read but not write" in response.text


def test_read_token_reads_the_store(client: TestClient) -> None:
    assert client.get("/store?default", headers=READER).status_code == 200


@pytest.mark.parametrize("name", ["access_token", "token"])
def test_token_in_url_is_refused_and_never_used(
    client: TestClient, store: tuple[Path, Path], name: str
) -> None:
    audit = (store[0] / AUDIT_FILE).read_text()
    response = client.post(
        f"/update?{name}={WRITE}", content=insert_measure("url"), headers={"Content-Type": UPDATE}
    )
    assert response.status_code == 400 and "never accepted in the URL" in response.text
    # Even alongside a valid header: a token in a URL is a leak, never silently accepted.
    response = client.put(
        f"/store?graph=urn:g&{name}=x", content=TRIPLE, headers={**TURTLE, **WRITER}
    )
    assert response.status_code == 400
    assert (store[0] / AUDIT_FILE).read_text() == audit


def test_the_audit_log_never_holds_a_token(client: TestClient, store: tuple[Path, Path]) -> None:
    response = client.put("/store?graph=urn:audited", content=TRIPLE, headers={**TURTLE, **WRITER})
    assert response.status_code == 201
    audit = (store[0] / AUDIT_FILE).read_text()
    assert WRITE not in audit and READ not in audit
    assert f'"token":"{token_id(WRITE)}"' in audit


def test_writes_are_off_without_tokens(tmp_path: Path) -> None:
    store, resources = small_store(tmp_path)
    settings = Settings(store=store, resources=resources, query_workers=1, rate_limit=False)
    with TestClient(create_app(settings)) as client:
        response = client.post("/update", content="CLEAR ALL", headers={"Content-Type": UPDATE})
        assert response.status_code == 404 and "writes are off" in response.text
        response = client.put("/store?default", content=TRIPLE, headers={**TURTLE, **WRITER})
        assert response.status_code == 404
        assert client.get("/store?default", headers=WRITER).status_code == 404


def test_write_tokens_need_a_store() -> None:
    settings = Settings(write_tokens=[WRITE], query_workers=1, rate_limit=False)
    with (
        pytest.raises(WriterSetupError, match="writes need a persistent store"),
        TestClient(create_app(settings)),
    ):
        pass


def test_write_tokens_need_one_server_process(store: tuple[Path, Path]) -> None:
    with (
        pytest.raises(WriterSetupError, match="exactly one server process"),
        TestClient(create_app(write_settings(*store, workers=2))),
    ):
        pass


@pytest.mark.usefixtures("client")
def test_only_one_process_holds_the_write_lock(store: tuple[Path, Path]) -> None:
    """The module's server holds the lock: a second writer on the same store is refused."""
    with pytest.raises(WriterSetupError, match="another process writes"):
        Writer.open(store[0], store[1])


def test_tokens_are_matched_exactly() -> None:
    write, read = "abc" * 8, "r" * 24
    settings = Settings(write_tokens=[write], read_tokens=[read])
    assert authenticate(f"Bearer {write}", b"", settings).role == "write"
    assert authenticate(f"bearer   {read}", b"", settings).role == "read"
    for header in (
        f"Bearer {write[:-1]}",
        f"Bearer {write}d",
        f"Bearer {write.upper()}",
        write,
        "",
    ):
        with pytest.raises(AuthError) as raised:
            authenticate(header, b"", settings)
        assert raised.value.failure == "unauthenticated"


@pytest.mark.usefixtures("client")
def test_a_store_being_written_is_not_opened_read_only_beside_it(store: tuple[Path, Path]) -> None:
    """pyoxigraph: a read-only open while another instance writes is undefined behaviour."""
    settings = Settings(store=store[0], resources=store[1], query_workers=1, rate_limit=False)
    with (
        pytest.raises(StoreNotFoundError, match="open for writing by a running server"),
        TestClient(create_app(settings)),
    ):
        pass
