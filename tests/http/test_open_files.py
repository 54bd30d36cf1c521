"""The open-file budget (sousei_kg.http.open_files): the soft limit is raised to the hard one,
and the room for connections is what the limit leaves after the server's own files."""

import resource
import subprocess
import sys
from pathlib import Path

from sousei_kg.config import Settings
from sousei_kg.http.open_files import (
    BASE_FILES,
    FILES_PER_CONNECTION,
    FILES_PER_QUERY_WORKER,
    STORE_FILES_MARGIN,
    connection_room,
    own_files,
)

RAISE_AND_REPORT = (
    "import resource; from sousei_kg.http.open_files import raise_open_file_limit; "
    "print(raise_open_file_limit(), *resource.getrlimit(resource.RLIMIT_NOFILE))"
)


def _in_child_with_limits(soft: int, hard: int) -> list[int]:
    """Run raise_open_file_limit in a child process started with these limits (prlimit)."""
    result = subprocess.run(
        ["prlimit", f"--nofile={soft}:{hard}", sys.executable, "-c", RAISE_AND_REPORT],
        capture_output=True,
        check=True,
        text=True,
    )
    return [int(word) for word in result.stdout.split()]


def test_the_soft_limit_is_raised_to_the_hard_one() -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    ceiling = min(hard, 4096) if hard != resource.RLIM_INFINITY else 4096
    assert _in_child_with_limits(256, ceiling) == [ceiling, ceiling, ceiling]
    assert _in_child_with_limits(ceiling, ceiling) == [ceiling, ceiling, ceiling]


def test_the_servers_own_files_and_the_room_left(tmp_path: Path) -> None:
    assert own_files(Settings(query_workers=2), accept_backlog=512) == (
        BASE_FILES + 2 * FILES_PER_QUERY_WORKER + 512
    )
    store = tmp_path / "store"
    (store / "oxigraph").mkdir(parents=True)
    for n in range(30):
        (store / "oxigraph" / f"{n:06}.sst").write_bytes(b"")
    (store / "manifest.json").write_text("{}")
    with_store = Settings(store=store, query_workers=0)
    assert own_files(with_store, accept_backlog=0) == BASE_FILES + 31 + STORE_FILES_MARGIN
    settings = Settings(query_workers=2)
    own = own_files(settings, 512)
    assert connection_room(settings, 20_000, 512) == (20_000 - own) // FILES_PER_CONNECTION
    assert connection_room(settings, own - 10, 512) == 0
