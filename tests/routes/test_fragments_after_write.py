"""A fragment read before a write is not served after it: the fragments' cache answers only for
the version it was read from (it had answered a pattern's old triples for the new version)."""

from pathlib import Path

from fastapi.testclient import TestClient

from sousei_kg.app import create_app
from sousei_kg.dataset.graph_naming import shipped_files
from sousei_kg.store.directory import build_store
from sousei_kg.writes.baseline_file import NO_VIOLATIONS, remember_baseline
from write_support import UPDATE, WRITER, write_settings

SUBJECT = "urn:test:fragment-subject"
INSERT = f'INSERT DATA {{ GRAPH <urn:test:fragments> {{ <{SUBJECT}> <urn:test:p> "new" }} }}'


def test_a_write_shows_in_the_fragment_of_its_pattern(tmp_path: Path) -> None:
    store = tmp_path / "store"
    manifest = build_store(store, shipped_files())
    remember_baseline(store, manifest.version_hash, None, NO_VIOLATIONS)
    with TestClient(create_app(write_settings(store, None))) as client:
        params = {"subject": SUBJECT}
        headers = {"Accept": "application/n-quads"}
        before = client.get("/fragments", params=params, headers=headers)
        assert before.status_code == 200 and '"new"' not in before.text
        written = client.post("/update", content=INSERT, headers={"Content-Type": UPDATE, **WRITER})
        assert written.status_code == 200, written.text
        after = client.get("/fragments", params=params, headers=headers)
        assert after.status_code == 200
        assert f'<{SUBJECT}> <urn:test:p> "new"' in after.text
        assert after.headers["etag"] != before.headers["etag"]
