"""The real JavaScript clients the harvest tests drive: Comunica over Triple Pattern Fragments
and the TREEcg LDES client. They are npm packages pinned in ``tests/js/package-lock.json`` and
installed by ``npm ci`` in ``tests/js`` (``.ci/run`` does it); nothing is fetched at run time."""

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from conftest import TESTS

JS = TESTS / "js"


def node() -> str:
    """The ``node`` executable; a clear failure when the clients are not installed."""
    executable = shutil.which("node")
    if executable is None or not (JS / "node_modules").is_dir():
        raise RuntimeError("the JavaScript clients are not installed: run `npm ci` in tests/js")
    return executable


def run_script(script: str, *args: str, stdin: str = "", timeout: float = 180) -> dict[str, Any]:
    """Run ``tests/js/<script>`` with node and return the JSON object it prints last."""
    done = subprocess.run(
        [node(), str(JS / script), *args],
        input=stdin.encode("utf-8"),
        capture_output=True,
        cwd=JS,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise AssertionError(f"{script} failed ({done.returncode}): {done.stderr.decode()[-3000:]}")
    lines = done.stdout.decode("utf-8").strip().splitlines()
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def script_path(script: str) -> Path:
    """The path of one of the scripts."""
    return JS / script
