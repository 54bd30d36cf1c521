"""Read replicas (docs/deployment.md): N stateless servers, each on its own store built from the
same release, agree on everything a load balancer may send to any of them."""

import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack

import httpx
import pytest

from conftest import running_server

pytestmark = pytest.mark.live

PUBLIC_HOST = "sousei-kg.example.org"
QUERY = (
    "PREFIX sousei: <https://w3id.org/sousei-kg/def#> "
    "SELECT ?m ?goal WHERE { ?m a sousei:Measure ; sousei:contributesTo+ ?goal } ORDER BY ?m ?goal"
)


@pytest.fixture(scope="module")
def replicas(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    """Two replicas, each with its own store built by `sousei-kg build` from the same release."""
    bases = []
    with ExitStack() as stack:
        for name in ("a", "b"):
            store = tmp_path_factory.mktemp(f"replica-{name}") / "store"
            subprocess.run(
                [sys.executable, "-m", "sousei_kg", "build", "--store", str(store)],
                check=True,
                capture_output=True,
                timeout=300,
            )
            bases.append(stack.enter_context(running_server(None, "--store", str(store))))
        yield bases


def test_replicas_report_the_same_dataset_version(replicas: list[str]) -> None:
    healths = [httpx.get(base + "health", timeout=30) for base in replicas]
    versions = {h.json()["dataset_version"] for h in healths}
    assert len(versions) == 1
    assert {h.headers["X-Dataset-Version"] for h in healths} == versions


@pytest.mark.parametrize(
    ("path", "params", "accept"),
    [
        ("sparql", {"query": QUERY}, "application/sparql-results+json"),
        ("download/sousei-kg.nq.gz", {}, "*/*"),
        ("download/sousei-kg.ttl", {}, "*/*"),
        (".well-known/void", {}, "text/turtle"),
    ],
)
def test_any_replica_gives_the_same_bytes_and_validators(
    replicas: list[str], path: str, params: dict[str, str], accept: str
) -> None:
    """Byte-identical answers and ETags, so a cache or a client's If-None-Match works whichever
    replica the balancer picks (dumps are written in canonical order with canonical blank nodes).
    Requests carry the public host name, as they do through a balancer."""
    headers = {"Accept": accept, "Host": PUBLIC_HOST}
    answers = [
        httpx.get(base + path, params=params, headers=headers, timeout=60) for base in replicas
    ]
    assert [a.status_code for a in answers] == [200, 200], answers[0].text[:300]
    first, second = answers
    assert first.content == second.content
    assert first.headers.get("ETag") == second.headers.get("ETag")
    revalidated = httpx.get(
        replicas[1] + path,
        params=params,
        headers={**headers, "If-None-Match": first.headers["ETag"]},
        timeout=60,
    )
    assert revalidated.status_code == 304
