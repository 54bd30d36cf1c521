"""``sousei-kg backup`` / ``restore`` and the N-Quads dump: copies that hash the same (issue 5)."""

from pathlib import Path

from click.testing import CliRunner
from pyoxigraph import RdfFormat

from sousei_kg.cli.main import cli
from sousei_kg.publication.export import export_store
from sousei_kg.store.canonical import version_hash
from sousei_kg.store.directory import AUDIT_FILE, open_store, read_manifest
from sousei_kg.store.query import run_update
from sousei_kg.writes.writer import Writer, WriteRequest
from write_support import insert_measure, small_store


def _write(store: Path, resources: Path) -> str:
    def apply(copy: object) -> bool:
        run_update(copy, insert_measure("backed-up"))  # type: ignore[arg-type]
        return False

    writer = Writer.open(store, resources)
    try:
        return writer.write(WriteRequest("update", None, "t", "0" * 64, apply)).version
    finally:
        writer.close()


def test_backup_and_restore_round_trip(tmp_path: Path) -> None:
    store, resources = small_store(tmp_path)
    version = _write(store, resources)
    runner = CliRunner()
    result = runner.invoke(cli, ["backup", str(tmp_path / "backup"), "--store", str(store)])
    assert result.exit_code == 0, result.output
    assert f"version hash: {version}" in result.output
    assert (tmp_path / "backup" / AUDIT_FILE).read_text() == (store / AUDIT_FILE).read_text()
    restored = tmp_path / "restored"
    result = runner.invoke(cli, ["restore", str(tmp_path / "backup"), "--store", str(restored)])
    assert result.exit_code == 0, result.output
    assert read_manifest(restored).version_hash == version
    assert version_hash(open_store(restored)) == version
    assert (restored / AUDIT_FILE).is_file()


def test_a_damaged_backup_is_not_restored(tmp_path: Path) -> None:
    store, _resources = small_store(tmp_path)
    runner = CliRunner()
    runner.invoke(cli, ["backup", str(tmp_path / "backup"), "--store", str(store)])
    manifest = tmp_path / "backup" / "manifest.json"
    manifest.write_text(manifest.read_text().replace('"version_hash": "', '"version_hash": "0'))
    result = runner.invoke(cli, ["restore", str(tmp_path / "backup"), "--store", str(store)])
    assert result.exit_code == 2
    assert "damaged" in result.output


def test_backup_refuses_a_folder_in_use(tmp_path: Path) -> None:
    store, _resources = small_store(tmp_path)
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "file").write_text("x")
    result = CliRunner().invoke(cli, ["backup", str(tmp_path / "taken"), "--store", str(store)])
    assert result.exit_code == 2


def test_an_nquads_dump_round_trips_to_the_same_version_hash(tmp_path: Path) -> None:
    store, resources = small_store(tmp_path)
    version = _write(store, resources)
    dump = export_store(open_store(store), "nq")
    fresh = open_store(None)
    fresh.load(dump, format=RdfFormat.N_QUADS)
    assert version_hash(fresh) == version == read_manifest(store).version_hash


def test_backup_of_a_store_being_written_uses_its_newest_snapshot(tmp_path: Path) -> None:
    store, resources = small_store(tmp_path)
    writer = Writer.open(store, resources)
    try:
        result = CliRunner().invoke(cli, ["backup", str(tmp_path / "hot"), "--store", str(store)])
        assert result.exit_code == 0, result.output
        assert read_manifest(tmp_path / "hot").version_hash == writer.version
        result = CliRunner().invoke(cli, ["restore", str(tmp_path / "hot"), "--store", str(store)])
        assert result.exit_code == 2 and "running server writes" in result.output
    finally:
        writer.close()
