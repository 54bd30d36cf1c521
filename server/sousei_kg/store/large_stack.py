"""Run engine calls on a thread with a large stack.

pyoxigraph 0.5.13 parses and evaluates recursively, and a flat chain (``!!!…true``, ``1+1+…``,
``{} UNION {} …``, ``FILTER(1) FILTER(1) …``) builds a tree as deep as the chain is long: about
12,000 links, well within the request size limits, overflow the default 8 MiB stack and kill the
process (a query worker, or the server itself for an update). Bracket nesting is capped by the
lexer (``sparql.lexer.MAX_NESTING``); flat chains are what this stack is for.

A call made on such a thread already (a query worker runs its whole loop on one) runs in place:
starting a thread with a 512 MiB stack for each query cost ~0.2 ms, a quarter of a cheap query's
time in the worker.
"""

import threading
from collections.abc import Callable
from typing import TypeVar

ENGINE_STACK_BYTES = 512 * 1024 * 1024
"""512 MiB is address space, not memory (only the pages a call touches are used); it holds the
deepest tree a request within the size limits builds, with room to spare."""
_STACK_SIZE_LOCK = threading.Lock()  # threading.stack_size is process-wide
_LARGE_STACK = threading.local()

T = TypeVar("T")


def run_on_large_stack(function: Callable[[], T]) -> T:
    """Call ``function`` on a thread with a stack of :data:`ENGINE_STACK_BYTES` and return its
    result; an exception it raises is raised here, as if it had run in the caller's thread.
    On a thread started here already, ``function`` is simply called."""
    if getattr(_LARGE_STACK, "active", False):
        return function()
    answer: list[T] = []
    failure: list[BaseException] = []

    def run() -> None:
        _LARGE_STACK.active = True
        try:
            answer.append(function())
        except BaseException as error:
            failure.append(error)

    with _STACK_SIZE_LOCK:
        previous = threading.stack_size(ENGINE_STACK_BYTES)
        try:
            thread = threading.Thread(target=run, name="sousei-kg-engine")
            thread.start()
            started = True
        except RuntimeError:  # no room for such a thread: run with the current stack
            started = False
        finally:
            threading.stack_size(previous)
    if not started:
        return function()
    thread.join()
    if failure:
        raise failure[0]
    return answer[0]
