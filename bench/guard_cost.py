"""What the per-request decisions about a query text and its Accept cost, cold and remembered.

    PYTHONPATH=server python bench/guard_cost.py [--number 20000]

Issue 20: the SERVICE/LOAD guard (:func:`sousei_kg.sparql.guard.check`), the FROM check
(:func:`sousei_kg.sparql.query_protocol.has_dataset_clause`) and the negotiation of both answer
forms (:func:`sousei_kg.http.query_pipeline.negotiate`) run on every query request, on the event
loop; each is now remembered per distinct text or ``Accept`` in a bounded memo
(:mod:`sousei_kg.sparql.memo`). On the benchmark's raw shapes (bench/run.py's ``RAW``), per
request, in microseconds (best of 5 repeats of ``--number`` calls):

- *new text*: a text the server has not seen (what every request of bench/run.py's uncached runs
  is: each appends a different ``LIMIT``): the lexer runs, the verdicts are stored;
- *lexer's LRU*: the same text again with the memos cleared, i.e. what the guard and the FROM check
  cost before the memos on a repeated text (the lexer's own 8-entry cache of word tuples hit);
- *remembered*: the same text again, answered by the memos (both: a new ``str`` per call, decoded
  from the same bytes, as a request's text is);
- negotiation: two ``choose_format`` calls (before: one per answer form) against the one memo
  look-up of ``negotiate`` now; and mimeparse's cost on a miss.

No assertions: this prints figures (docs/performance.md quotes them).
"""

import argparse
import itertools
import sys
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import JSON, RAW  # bench/run.py's shapes, the same texts

from sousei_kg.http import negotiation, query_pipeline
from sousei_kg.sparql import guard, query_protocol
from sousei_kg.sparql.formats import RESULT_FORMATS
from sousei_kg.sparql.lexer import _remembered_words
from sousei_kg.sparql.query_protocol import ProtocolRequest


def per_call_us(statement: object, number: int) -> float:
    """Microseconds per call of ``statement`` (a callable), the best of 5 repeats."""
    return min(timeit.repeat(statement, number=number, repeat=5)) / number * 1e6  # type: ignore[arg-type]


def text_decisions(text: str) -> None:
    """What the pipeline asks of a query text per request: the guard, then the FROM check."""
    guard.check(text)
    query_protocol.has_dataset_clause(text)


def clear_memos() -> None:
    guard.refusal.cache_clear()
    query_protocol.has_dataset_clause.cache_clear()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--number", type=int, default=20_000, help="calls per repeat")
    args = parser.parse_args()
    number = args.number
    print(f"per request, µs (best of 5 × {number:,} calls); Python {sys.version.split()[0]}")
    print()
    print("| shape | chars | new text | lexer's LRU (before) | remembered (now) | saved |")
    print("|---|---|---|---|---|---|")
    for shape, (query, _accept) in RAW.items():
        counter = itertools.count(100_000)

        def new_text(query: str = query, counter: itertools.count = counter) -> None:
            text_decisions(f"{query} LIMIT {next(counter)}")

        cold = per_call_us(new_text, number)
        # Before the memos: the lexer's LRU held the text's words, each question walked them.
        clear_memos()

        # Each request's text is a new str (decoded from the request): its hash is computed anew,
        # as in the server, in both measurements.
        raw = query.encode()

        def lexer_lru(raw: bytes = raw) -> None:
            text = raw.decode()
            guard.refusal.__wrapped__(text)  # type: ignore[attr-defined]
            query_protocol.has_dataset_clause.__wrapped__(text)  # type: ignore[attr-defined]

        before = per_call_us(lexer_lru, number)
        text_decisions(query)
        now = per_call_us(lambda raw=raw: text_decisions(raw.decode()), number)
        print(
            f"| {shape} | {len(query)} | {cold:.2f} | {before:.2f} | {now:.2f} | "
            f"{before - now:.2f} |"
        )
    clear_memos()
    _remembered_words.cache_clear()

    print()
    request = ProtocolRequest(query="ASK {}")
    browserish = "application/sparql-results+json, application/json;q=0.9, */*;q=0.1"
    print("| Accept | mimeparse, per form (miss) | two choose_format (before) | negotiate (now) |")
    print("|---|---|---|---|")
    for accept in (JSON, browserish):
        miss = per_call_us(
            lambda accept=accept: negotiation._choose.__wrapped__(RESULT_FORMATS, accept, None),  # type: ignore[attr-defined]
            number,
        )

        def before(accept: str = accept) -> None:
            query_pipeline._acceptable(RESULT_FORMATS, accept, ())
            query_pipeline._acceptable(query_pipeline.RDF_OFFER, accept, ())

        two = per_call_us(before, number)
        now = per_call_us(lambda accept=accept: query_pipeline.negotiate(request, accept), number)
        print(f"| `{accept}` | {miss:.2f} | {two:.2f} | {now:.2f} |")


if __name__ == "__main__":
    main()
