"""The allocator's arenas are capped in server processes (docs/performance.md, "Memory at 10 M"):
glibc gives each new thread an arena of its own, and each keeps its high-water mark. Counted in a
fresh interpreter with glibc's own report (``malloc_info``), with and without the cap."""

import subprocess
import sys
from pathlib import Path

SERVER = Path(__file__).resolve().parents[2] / "server"

COUNT_ARENAS = """
import ctypes, ctypes.util, os, sys, tempfile, threading
from sousei_kg.execution.heap import limit_malloc_arenas
if sys.argv[1] == "capped":
    assert limit_malloc_arenas(2)
libc = ctypes.CDLL(ctypes.util.find_library("c"))
start = threading.Barrier(8)
def work():
    start.wait()  # all eight alive at once, each allocating through malloc
    kept = [bytearray(300_000) for _ in range(4)]
    start.wait()
threads = [threading.Thread(target=work) for _ in range(8)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
with tempfile.TemporaryFile() as report:
    libc.fdopen.restype = ctypes.c_void_p
    stream = libc.fdopen(os.dup(report.fileno()), b"w")
    libc.malloc_info(0, ctypes.c_void_p(stream))
    libc.fclose(ctypes.c_void_p(stream))
    report.seek(0)
    print(report.read().decode().count("<heap nr="))
"""


def arenas(mode: str) -> int:
    done = subprocess.run(
        [sys.executable, "-c", COUNT_ARENAS, mode],
        env={"PYTHONPATH": str(SERVER), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return int(done.stdout.strip())


def test_threads_share_two_arenas_once_capped() -> None:
    assert arenas("free") > 2  # what glibc does by itself: an arena per new thread
    assert arenas("capped") <= 2
