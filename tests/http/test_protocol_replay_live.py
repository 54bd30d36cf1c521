"""Cached answers written by the HTTP protocol (sousei_kg.http.protocol_replay) against the same
server with that replay off: one sequence of requests, sent byte for byte to both, must get the
same answers (status, headers as a multiset, body) apart from ``Date`` and the rate limit's
``Remaining`` and ``Reset``, which move with the clock. The sequence has hits, 304s, gzip, CORS,
bypasses, a write in between (a stale answer must never come back) and a client that runs out of
budget (its 429 at the same request either way). ``sousei_protocol_replays`` shows which server
wrote hits from the protocol, and that the bypasses never were."""

import json
import re
import socket
import subprocess
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import server_log, start_server, stop_process
from write_support import MEASURE, READ, UPDATE, WRITE, insert_measure, small_store

pytestmark = pytest.mark.live

BURST = 40
"""The SPARQL budget of one client; its address (all of these requests) gets four times that."""
VOLATILE = frozenset({b"date", b"ratelimit-remaining", b"ratelimit-reset"})
ENV = {
    "SOUSEI_WRITE_TOKENS": WRITE,
    "SOUSEI_READ_TOKENS": READ,
    "SOUSEI_QUERY_WORKERS": "1",
    "SOUSEI_RATE_LIMIT": "true",
    "SOUSEI_RATE_LIMIT_BURST": str(BURST),
    "SOUSEI_RATE_LIMIT_PER_SECOND": "0.01",
}
MEASURES = f"SELECT ?m WHERE {{ ?m a <{MEASURE}> }} ORDER BY ?m"
EVERYTHING = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"


@dataclass(frozen=True)
class Answer:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes

    def header(self, name: bytes) -> bytes | None:
        return next((v for n, v in self.headers if n == name), None)

    def comparable(
        self, moments: dict[bytes, bytes]
    ) -> tuple[int, Counter[tuple[bytes, bytes]], bytes]:
        """Status, headers and body; ``Last-Modified`` (a server's start or last write, which
        differ between two servers) as the order in which this server first sent its value."""
        kept: Counter[tuple[bytes, bytes]] = Counter()
        for name, value in self.headers:
            if name == b"last-modified":
                value = moments.setdefault(value, b"moment %d" % len(moments))
            if name not in VOLATILE:
                kept[name, value] += 1
        return self.status, kept, self.body


class Connection:
    """One kept-alive connection that sends raw requests and reads whole answers."""

    def __init__(self, base: str) -> None:
        host, port = urllib.parse.urlsplit(base).netloc.split(":")
        self.socket = socket.create_connection((host, int(port)), timeout=20)
        self.file = self.socket.makefile("rb")

    def send(self, raw: bytes, answers: int = 1) -> list[Answer]:
        self.socket.sendall(raw)
        return [self._read() for _ in range(answers)]

    def _read(self) -> Answer:
        status = int(self.file.readline().split(b" ")[1])
        headers = []
        while (line := self.file.readline()) not in (b"\r\n", b""):
            name, value = line.rstrip(b"\r\n").split(b":", 1)
            headers.append((name.lower(), value.strip()))
        fields = dict(headers)
        if b"content-length" in fields:
            body = self.file.read(int(fields[b"content-length"]))
        elif fields.get(b"transfer-encoding") == b"chunked":
            body = b""
            while size := int(self.file.readline().strip(), 16):
                body += self.file.read(size)
                self.file.readline()
            self.file.readline()
        else:
            body = b""
        return Answer(status, headers, body)

    def close(self) -> None:
        self.file.close()
        self.socket.close()


def request(path: str, query: str | None = None, *extra: str, agent: str = "differ/1.0") -> bytes:
    target = path + ("?" + urllib.parse.urlencode({"query": query}) if query else "")
    lines = [f"GET {target} HTTP/1.1", "Host: 127.0.0.1", f"User-Agent: {agent}", *extra]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def write(update: str) -> bytes:
    body = update.encode()
    head = (
        "POST /update HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: writer/1.0\r\n"
        f"Authorization: Bearer {WRITE}\r\nContent-Type: {UPDATE}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


JSON = "Accept: application/sparql-results+json"
TURTLE = "Accept: text/turtle"


def conversation(base: str, via: tuple[str, ...]) -> tuple[list[Answer], int]:
    """The sequence, on two connections (one for the limited client), each request with the
    headers ``via`` (a proxy's); the answers and the number of the limited client's request that
    got the first 429."""

    def get(path: str, query: str | None = None, *extra: str, agent: str = "differ/1.0") -> bytes:
        return request(path, query, *via, *extra, agent=agent)

    answers: list[Answer] = []
    talk = Connection(base)
    try:
        first = talk.send(get("/sparql", MEASURES, JSON))[0]
        etag = (first.header(b"etag") or b"").decode()
        answers.append(first)
        requests = [
            get("/sparql", MEASURES, JSON),  # a hit
            get("/sparql", MEASURES, JSON, f"If-None-Match: {etag}"),  # 304
            get("/sparql", MEASURES, JSON, 'If-None-Match: "other"'),  # 200
            get("/sparql", EVERYTHING, TURTLE, "Accept-Encoding: gzip"),
            get("/sparql", EVERYTHING, TURTLE, "Accept-Encoding: gzip"),  # gzip, replayed
            get("/sparql", MEASURES, JSON, "Origin: https://a.example"),
            get("/sparql", MEASURES, JSON, "Origin: https://a.example"),  # CORS, replayed
            get("/sparql", MEASURES, JSON, "Accept-Language: ja"),
            get("/fragments", None, "Accept: application/n-triples"),
            get("/fragments", None, "Accept: application/n-triples"),  # priced at 0.2
            get("/sparql", MEASURES, JSON, f"Authorization: Bearer {READ}"),  # bypasses
            get("/sparql", MEASURES, JSON, "Cookie: session=1"),
            get("/sparql", MEASURES, JSON, "Range: bytes=0-9"),
            get("/sparql", MEASURES, JSON, "Content-Length: 0"),  # a body (empty)
        ]
        for raw in requests:
            answers.extend(talk.send(raw))
        # Pipelined: three requests in one write, answered in order.
        answers.extend(talk.send(b"".join([get("/sparql", MEASURES, JSON)] * 3), answers=3))
        answers.extend(talk.send(write(insert_measure("replayed"))))
        for _ in range(2):  # the new version: a new answer, then its replay
            answers.extend(talk.send(get("/sparql", MEASURES, JSON)))
        answers.extend(talk.send(get("/sparql", MEASURES, JSON, f"If-None-Match: {etag}")))
    finally:
        talk.close()
    limited = Connection(base)
    refused_at = -1
    try:
        for number in range(1, BURST + 3):
            answer = limited.send(get("/sparql", MEASURES, JSON, agent="limited/1.0"))[0]
            answers.append(answer)
            if answer.status == 429 and refused_at < 0:
                refused_at = number
    finally:
        limited.close()
    return answers, refused_at


def access_lines(base: str, count: int) -> list[dict[str, object]]:
    """The server's access-log lines but the start's ``/health`` polls (waiting up to 5 s for
    ``count`` of them: a line is written after its answer), without the time and duration, which
    differ between two servers."""
    deadline = time.monotonic() + 5
    while True:
        text = server_log(base).read_text(errors="replace")
        lines = [json.loads(line) for line in text.splitlines() if line.startswith('{"time"')]
        lines = [line for line in lines if line["path"] != "/health"]  # polled at the start
        if len(lines) >= count or time.monotonic() > deadline:
            return [{k: v for k, v in line.items() if k not in ("time", "ms")} for line in lines]
        time.sleep(0.05)


def replays(base: str) -> float:
    """The server's ``sousei_protocol_replays`` (readable from loopback without a token)."""
    talk = Connection(base)
    try:
        (answer,) = talk.send(request("/metrics", None))
    finally:
        talk.close()
    found = re.search(rb"^sousei_protocol_replays_total (\S+)$", answer.body, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


@pytest.fixture
def store(tmp_path: Path) -> tuple[Path, Path]:
    return small_store(tmp_path)


PROXIED = (
    "X-Forwarded-For: 198.51.100.7, 203.0.113.9",
    "X-Forwarded-Proto: https",
    "X-Forwarded-Host: kg.example",
)
"""What a trusted proxy (127.0.0.1 in the proxied run) adds: the client is 203.0.113.9."""


@pytest.fixture(params=["direct", "proxied"])
def proxy(request: pytest.FixtureRequest) -> tuple[str, ...]:
    """The headers of every request: none, or a trusted proxy's."""
    return PROXIED if request.param == "proxied" else ()


@pytest.fixture
def servers(
    store: tuple[Path, Path], tmp_path: Path, proxy: tuple[str, ...]
) -> Iterator[tuple[str, str]]:
    """Two servers on copies of one store: the protocol's replay on, and off (both trusting
    127.0.0.1 as a proxy in the proxied run)."""
    started: list[subprocess.Popen[bytes]] = []
    bases = []
    try:
        for replay in ("true", "false"):
            copy = tmp_path / f"store-{replay}"
            subprocess.run(["cp", "-a", str(store[0]), str(copy)], check=True)
            args = ("--store", str(copy), "--resources", str(store[1]))
            env = {**ENV, "SOUSEI_PROTOCOL_REPLAY": replay}
            if proxy:
                env["SOUSEI_TRUSTED_PROXIES"] = "127.0.0.1"
            process, base = start_server(env, *args)
            started.append(process)
            bases.append(base)
        yield bases[0], bases[1]
    finally:
        for process in started:
            stop_process(process)


def test_the_same_answers_with_and_without_the_protocol_replay(
    servers: tuple[str, str], proxy: tuple[str, ...]
) -> None:
    on, off = servers
    with_replay, refused_with = conversation(on, proxy)
    without, refused_without = conversation(off, proxy)

    assert len(with_replay) == len(without)
    mine_moments: dict[bytes, bytes] = {}
    their_moments: dict[bytes, bytes] = {}
    for number, (mine, theirs) in enumerate(zip(with_replay, without, strict=True)):
        expected = theirs.comparable(their_moments)
        assert mine.comparable(mine_moments) == expected, f"answer {number} differs"
    # The sequence covers what it says it covers.
    statuses = [answer.status for answer in with_replay]
    assert 304 in statuses
    assert any(a.header(b"content-encoding") == b"gzip" for a in with_replay)
    assert any(a.header(b"access-control-allow-origin") for a in with_replay)
    # After the write: the new measure is in the answers, and the old ETag matches nothing.
    after_write = with_replay[20:23]
    assert all(b"replayed" in a.body for a in after_write[:2]), after_write
    assert after_write[2].status == 200
    assert with_replay[1].header(b"x-dataset-version") != after_write[1].header(
        b"x-dataset-version"
    )
    # The access log has the same lines (the client resolved through the proxy included).
    logged = access_lines(off, len(without))
    assert access_lines(on, len(logged)) == logged
    assert len(logged) >= len(without)
    if proxy:
        assert {line["client"] for line in logged if line["path"] == "/sparql"} == {"203.0.113.9"}
    # The limited client: refused at the same request either way, with the same headers.
    assert refused_with == refused_without == BURST + 1
    # Hits were written by the protocol on one server only.
    assert replays(on) >= 10
    assert replays(off) == 0


@pytest.mark.parametrize("proxy", [()])
def test_bypasses_go_through_the_application(servers: tuple[str, str]) -> None:
    """Authorization, Cookie, Range and a body: answered by the app, never by the replay, even
    with the same answer cached."""
    on, _off = servers
    talk = Connection(on)
    try:
        talk.send(request("/sparql", MEASURES, JSON))
        talk.send(request("/sparql", MEASURES, JSON))
        before = replays(on)
        assert before >= 1  # the plain repeat was replayed
        for extra in (
            f"Authorization: Bearer {READ}",
            "Cookie: session=1",
            "Range: bytes=0-9",
            "Content-Length: 0",
            "Transfer-Encoding: chunked",
        ):
            raw = request("/sparql", MEASURES, JSON, extra)
            if extra.startswith("Transfer"):
                raw += b"0\r\n\r\n"
            (answer,) = talk.send(raw)
            assert answer.status == 200, extra
        assert replays(on) == before
    finally:
        talk.close()
