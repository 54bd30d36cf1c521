"""The write process: parses, applies, validates and commits writes, where a crash or a missed
deadline costs nothing but the process.

A 50 KB JSON-LD body nested 5,000 levels deep segfaulted pyoxigraph and took the whole server
down; a 40 KB Turtle body kept pySHACL busy for minutes while holding the writer lock, and SIGTERM
could not stop the server. So every step of a write that reads the client's bytes runs here, in
one child process that owns the store (and its writer lock, journal and audit log):

* the server sends a :class:`~sousei_kg.writes.orders.WriteOrder` and waits for the answer within
  the write's time limit; a process that crashes, or misses the limit before its commit point,
  is killed and started again (which finishes an interrupted commit from the journal), and the
  client gets an answer that says why (:mod:`sousei_kg.writes.write_side`);
* the process confines itself first: no network (so ``LOAD`` or a remote ``@context`` could not
  fetch anything even if the guard missed it), a memory limit of its baseline plus a budget, and
  death with its parent (a write must not outlive a server that was killed, nor hold the lock);
* it runs its loop on the engine's large stack, like a query worker.

Only plain values cross the pipe (:mod:`sousei_kg.writes.orders`).
"""

import logging
import signal
import time
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING

from pyoxigraph import NamedNode, Store

from sousei_kg.confinement import die_with_parent, leave_network, limit_to_baseline_plus
from sousei_kg.errors import QuerySyntaxError, SouseiError
from sousei_kg.sparql.graph_payload import PayloadError, parse_payload
from sousei_kg.sparql.query_protocol import ProtocolError
from sousei_kg.sparql.update_protocol import with_union_dataset
from sousei_kg.sparql.update_targets import default_graph_writes
from sousei_kg.store.graph_edits import drop_graph, merge_graph, replace_graph
from sousei_kg.store.large_stack import run_on_large_stack
from sousei_kg.store.query import run_update
from sousei_kg.writes.orders import (
    Committing,
    ProcessSettings,
    Refusal,
    WriteOrder,
    WriterReady,
)
from sousei_kg.writes.refusals import WriteRefusedError, default_graph_refusal
from sousei_kg.writes.writer import Commit, Writer, WriteRequest

if TYPE_CHECKING:
    from collections.abc import Callable

LOG = logging.getLogger("sousei_kg.writes")


class MissingGraphError(SouseiError):
    """A Graph Store DELETE of a graph that does not exist (raised while staging)."""


def write_process_main(conn: Connection, settings: ProcessSettings) -> None:
    """Serve write orders from ``conn`` until it closes. First message: :class:`WriterReady`."""
    die_with_parent(signal.SIGKILL)
    # Before any thread starts: a namespace is per thread, and threads inherit their creator's.
    isolated = leave_network() if settings.isolate_network else False
    run_on_large_stack(lambda: _serve(conn, settings, isolated))


def _serve(conn: Connection, settings: ProcessSettings, isolated: bool) -> None:
    writer = Writer.open(settings.directory, settings.resources, settings.limits)
    limited = limit_to_baseline_plus(settings.memory_budget)
    try:
        conn.send(WriterReady(writer.current, isolated, limited))
        while True:
            order: WriteOrder = conn.recv()
            conn.send(handle(writer, order, conn.send))
            writer.collect_snapshots(settings.snapshot_grace_seconds)
    except (EOFError, OSError):
        return  # the server closed the pipe: it stopped, or replaced this process
    finally:
        writer.close()


def handle(writer: Writer, order: WriteOrder, send: "Callable[[object], None]") -> Commit | Refusal:
    """Apply one order; the answer to send back. ``send`` gets :class:`Committing` at the
    commit point."""
    deadline = time.monotonic() + order.timeout
    try:
        request = WriteRequest(
            order.operation,
            order.target if order.operation != "update" else None,
            order.token,
            order.payload_sha256,
            _staging_step(order),
        )
        return writer.write(request, deadline, lambda seq: send(Committing(seq)))
    except WriteRefusedError as error:
        report = None
        if error.outcome is not None:
            report = error.outcome.report_graph.serialize(format="nt").encode("utf-8")
        return Refusal(error.reason, error.message, report)
    except (QuerySyntaxError, ProtocolError) as error:
        return Refusal("syntax", str(error))
    except PayloadError as error:
        if error.rule == "media-type":
            return Refusal("payload-media-type", error.message)
        return Refusal("payload", error.message)
    except MissingGraphError as error:
        return Refusal("missing-graph", str(error))
    except MemoryError:
        return Refusal("too-large", "the write needed more memory than a write may use")


def _staging_step(order: WriteOrder) -> "Callable[[Store], bool]":
    """What the order does to the staging copy; returns whether it created the target graph."""
    if order.operation == "update":

        def update(copy: Store) -> bool:
            # Its WHERE reads what a query reads: the union of the named graphs.
            graphs = [g.value for g in copy.named_graphs() if isinstance(g, NamedNode)]
            text = order.text or ""
            run_update(copy, with_union_dataset(text, sorted(graphs)), order.base_iri)
            # Only once it parses (a syntax error is the better message): no default graph.
            if targets := default_graph_writes(text):
                raise default_graph_refusal(copy, targets)
            return False

        return update
    target = order.target
    if order.operation == "delete":

        def delete(copy: Store) -> bool:
            if not drop_graph(copy, target):
                raise MissingGraphError(f"there is no graph {target}")
            return False

        return delete
    change = replace_graph if order.operation == "put" else merge_graph

    def write_graph(copy: Store) -> bool:
        triples = parse_payload(order.payload or b"", order.media_type, order.base_iri)
        return change(copy, target, triples)

    return write_graph
