"""The TREEcg LDES client (npm ``ldes-client``) replicates ``/ldes``, and while it follows the
feed it sees each acknowledged write as a new version of the resource it changed."""

import json
import queue
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from conftest import running_server
from js_clients import node, run_script, script_path
from write_support import UPDATE, WRITE, WRITER, small_store

pytestmark = pytest.mark.live

ID = "https://w3id.org/sousei-kg/id/"
STRATEGY = "https://w3id.org/sousei-kg/graph/strategy-2025"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
MEASURE = "https://w3id.org/sousei-kg/def#Measure"
WAIT_SECONDS = 60.0


def _relabel(resource: str, label: str) -> str:
    return (
        f"DELETE {{ GRAPH <{STRATEGY}> {{ <{resource}> <{LABEL}> ?l }} }} "
        f'INSERT {{ GRAPH <{STRATEGY}> {{ <{resource}> <{LABEL}> "{label}"@ja }} }} '
        f"WHERE {{ GRAPH <{STRATEGY}> {{ <{resource}> <{LABEL}> ?l }} }}"
    )


def _insert(resource: str, label: str) -> str:
    return (
        f"INSERT DATA {{ GRAPH <{STRATEGY}> {{ <{resource}> a <{MEASURE}> ; "
        f'<{LABEL}> "{label}"@ja }} }}'
    )


class Follower:
    """``ldes-replicate.mjs --follow`` in the background: the members it prints, as they come."""

    def __init__(self, url: str) -> None:
        self.process = subprocess.Popen(
            [node(), str(script_path("ldes-replicate.mjs")), url, "--follow"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=script_path("."),
        )
        self.members: queue.Queue[dict[str, Any]] = queue.Queue()
        self.seen: list[dict[str, Any]] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.members.put(json.loads(line))

    def until(self, wanted: Any, what: str) -> dict[str, Any]:
        """The first member (seen before, or arriving within the wait) that ``wanted`` accepts."""
        for member in self.seen:
            if wanted(member):
                return member
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            try:
                member = self.members.get(timeout=0.5)
            except queue.Empty:
                continue
            self.seen.append(member)
            if wanted(member):
                return member
        raise AssertionError(f"the client did not see {what} within {WAIT_SECONDS:g} s")

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()


def _labels(member: dict[str, Any]) -> set[str]:
    return {o for p, o in member["statements"] if p == LABEL}


def test_the_client_replicates_the_feed_and_sees_each_write(tmp_path: Path) -> None:
    store, resources = small_store(tmp_path)
    env = {"SOUSEI_WRITE_TOKENS": WRITE, "SOUSEI_QUERY_WORKERS": "1"}
    args = ("--store", str(store), "--resources", str(resources))
    with running_server(env, *args) as base:
        follower = Follower(base + "ldes")
        try:
            release = {
                follower.until(
                    lambda m, r=r: m["isVersionOf"] == ID + f"measure/{r}", f"measure/{r}"
                )["id"]
                for r in ("a", "b")
            }
            assert len(release) == 2
            with httpx.Client(base_url=base, headers=WRITER, timeout=30) as client:
                for update in (
                    _insert(ID + "measure/new", "新しい施策"),
                    _relabel(ID + "measure/b", "施策B（改）"),
                ):
                    answer = client.post(
                        "/update", content=update, headers={"content-type": UPDATE}
                    )
                    assert answer.status_code == 200, answer.text
            added = follower.until(lambda m: m["isVersionOf"] == ID + "measure/new", "the insert")
            assert _labels(added) == {"新しい施策"}
            changed = follower.until(
                lambda m: m["isVersionOf"] == ID + "measure/b" and m["id"] not in release,
                "the new version of measure/b",
            )
            assert _labels(changed) == {"施策B（改）"}
            first = next(
                m
                for m in follower.seen
                if m["id"] in release and m["isVersionOf"] == ID + "measure/b"
            )
            assert changed["timestamp"] > first["timestamp"]
        finally:
            follower.stop()
        # Replicated again from the start: every version, in the order they happened.
        replica = run_script("ldes-replicate.mjs", base + "ldes")["members"]
        versions = [m for m in replica if m["isVersionOf"] == ID + "measure/b"]
        assert [sorted(_labels(m)) for m in versions] == [["施策B"], ["施策B（改）"]]
        assert len(replica) == 4


def test_full_fragments_are_immutable_and_the_newest_is_not() -> None:
    with running_server() as base:
        stream = httpx.get(base + "ldes", timeout=10)
        assert stream.status_code == 200
        pages = 0
        url = base + "ldes/0"
        controls = []
        while url:
            answer = httpx.get(url, headers={"accept": "application/n-triples"}, timeout=10)
            assert answer.status_code == 200
            controls.append(answer.headers["cache-control"])
            pages += 1
            following = [
                line.split("> <")[-1].rstrip(" .>")
                for line in answer.text.splitlines()
                if "<https://w3id.org/tree#node>" in line
            ]
            url = following[0] if following else ""
        assert pages > 1
        assert all("immutable" in c for c in controls[:-1])
        assert "immutable" not in controls[-1]
