"""The bounded memos (sousei_kg.sparql.memo) and the per-request decisions they remember: the
SERVICE/LOAD guard, the FROM check and content negotiation. Bounded in entries and in bytes, and a
remembered refusal is still a refusal, with the same message."""

import sys
from collections.abc import Iterator
from typing import Any

import pytest

from sousei_kg.http import negotiation, query_pipeline
from sousei_kg.http.negotiation import NotAcceptableError, choose, choose_format
from sousei_kg.sparql import guard, query_protocol
from sousei_kg.sparql.formats import GRAPH_FORMATS, JSON_RESULTS, RESULT_FORMATS, TURTLE
from sousei_kg.sparql.guard import ForbiddenQueryError
from sousei_kg.sparql.memo import ENTRY_OVERHEAD_BYTES, BoundedMemo, bounded_memo, held_bytes
from sousei_kg.sparql.query_protocol import ProtocolRequest

MEMOS: list[BoundedMemo[..., Any]] = [
    guard.refusal,
    query_protocol.lexed_dataset_clause,
    query_pipeline._checked_endpoint,
    negotiation._choose,
    negotiation._choose_format,
    negotiation.prefers_html,
    query_pipeline._negotiated,
]


@pytest.fixture(autouse=True)
def _fresh_memos() -> Iterator[None]:
    for memo in MEMOS:
        memo.cache_clear()
    yield
    for memo in MEMOS:
        memo.cache_clear()


def counting(max_entries: int, max_bytes: int) -> tuple[BoundedMemo[[str], str], list[str]]:
    calls: list[str] = []

    @bounded_memo(max_entries, max_bytes)
    def upper(text: str) -> str:
        calls.append(text)
        return text.upper()

    return upper, calls


def test_a_result_is_computed_once_per_input() -> None:
    upper, calls = counting(8, 1 << 20)
    assert [upper("a"), upper("b"), upper("a")] == ["A", "B", "A"]
    assert calls == ["a", "b"]
    info = upper.cache_info()
    assert (info.entries, info.hits, info.misses) == (2, 1, 2)


def test_entries_are_bounded_and_the_least_recently_used_leave_first() -> None:
    upper, calls = counting(3, 1 << 20)
    for text in ("a", "b", "c"):
        upper(text)
    upper("a")  # now the most recently used
    upper("d")  # evicts b
    assert upper.cache_info().entries == 3
    calls.clear()
    upper("a")
    upper("c")
    upper("d")
    assert calls == []
    upper("b")
    assert calls == ["b"]


def test_bytes_are_bounded() -> None:
    text_size = 10_000
    upper, _ = counting(1_000, 100_000)
    for n in range(100):  # 100 distinct texts (and their results) of ~10 KB: ~2 MB if all kept
        upper(f"{n:05d}" + "x" * text_size)
        assert upper.cache_info().bytes <= 100_000
    info = upper.cache_info()
    one = ENTRY_OVERHEAD_BYTES + held_bytes(("0" * (text_size + 5),)) + held_bytes("X" * 10_005)
    assert info.entries == 100_000 // one
    assert info.bytes == info.entries * one


def test_an_entry_over_a_quarter_of_the_bytes_is_not_held() -> None:
    upper, calls = counting(1_000, 100_000)
    upper("small")
    huge = "y" * 30_000  # ~60 KB with its result: over 25,000 bytes
    assert upper(huge) == huge.upper()
    assert upper(huge) == huge.upper()
    assert calls == ["small", huge, huge]
    assert upper.cache_info().entries == 1  # and the small one was not flushed


def test_held_bytes_counts_texts_in_memory() -> None:
    assert held_bytes(None) == 0
    assert held_bytes(TURTLE) == 0  # shared constants are not copies per entry
    assert held_bytes("交通") == sys.getsizeof("交通")
    assert held_bytes(("a", None)) == sys.getsizeof(("a", None)) + sys.getsizeof("a")


# --- the guard -----------------------------------------------------------------------------------

SERVICE = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"


def test_a_remembered_refusal_is_still_a_refusal_with_the_same_message() -> None:
    with pytest.raises(ForbiddenQueryError) as first:
        guard.check(SERVICE)
    with pytest.raises(ForbiddenQueryError) as second:
        guard.check(SERVICE)
    assert str(first.value) == str(second.value)
    assert str(first.value).startswith("SERVICE is not allowed")
    assert first.value is not second.value  # a fresh exception, nothing of the first kept
    info = guard.refusal.cache_info()
    assert (info.entries, info.hits) == (1, 1)


def test_a_remembered_unsure_text_is_still_refused() -> None:
    # (it names LOAD, so the guard lexes it: a text naming neither keyword is let through unlexed)
    unsure = "SELECT * WHERE { ?s ?p 'unterminated LOAD }"
    messages = []
    for _ in range(2):
        with pytest.raises(ForbiddenQueryError) as refused:
            guard.check(unsure)
        messages.append(str(refused.value))
    assert messages[0] == messages[1]
    assert messages[0].startswith("the query could not be checked")
    assert guard.refusal.cache_info().hits == 1


def test_a_text_too_large_to_remember_is_checked_every_time() -> None:
    large = "SELECT * WHERE { ?s ?p ?o } #" + "x" * guard.REMEMBERED_BYTES
    for _ in range(2):
        guard.check(large)
        with pytest.raises(ForbiddenQueryError, match="LOAD is not allowed"):
            guard.check("LOAD <http://127.0.0.1:9/> #" + "x" * guard.REMEMBERED_BYTES)
    assert guard.refusal.cache_info().entries == 0


def test_the_guard_memo_is_bounded_in_entries() -> None:
    for n in range(guard.REMEMBERED_TEXTS + 50):
        # (the comment's "load" makes the guard lex the text and remember its verdict)
        guard.check(f"SELECT * WHERE {{ ?s ?p ?o }} LIMIT {n} # load")
    assert guard.refusal.cache_info().entries == guard.REMEMBERED_TEXTS


def test_the_guard_memo_is_bounded_in_bytes() -> None:
    # Texts of 300,000 characters (the largest query accepted by default is 100 KiB): 20 of them
    # are ~6 MB, more than the memo may hold.
    padding = "# load" + "x" * 300_000 + "\n"
    for n in range(20):
        guard.check(f"SELECT * WHERE {{ ?s ?p ?o }} {padding} LIMIT {n}")
        assert guard.refusal.cache_info().bytes <= guard.REMEMBERED_BYTES
    assert 0 < guard.refusal.cache_info().entries < 20


def test_the_from_check_is_remembered_within_the_same_bounds() -> None:
    assert query_protocol.has_dataset_clause("SELECT * FROM <http://example.org/g> { ?s ?p ?o }")
    assert query_protocol.has_dataset_clause("SELECT * FROM <http://example.org/g> { ?s ?p ?o }")
    assert not query_protocol.has_dataset_clause("SELECT * { ?s <http://x/FROM> ?o }")
    info = query_protocol.lexed_dataset_clause.cache_info()
    assert (info.entries, info.hits, info.max_entries) == (2, 1, guard.REMEMBERED_TEXTS)


# --- negotiation ---------------------------------------------------------------------------------


def test_a_remembered_not_acceptable_is_still_refused_with_the_same_message() -> None:
    messages = []
    for _ in range(2):
        with pytest.raises(NotAcceptableError) as refused:
            choose(RESULT_FORMATS, "image/png")
        messages.append(str(refused.value))
        with pytest.raises(NotAcceptableError, match="'png'"):
            choose_format(RESULT_FORMATS, None, ("png",))
    assert messages[0] == messages[1]
    assert negotiation._choose.cache_info().hits >= 1


def test_the_pipeline_negotiates_once_per_accept_and_refuses_again() -> None:
    request = ProtocolRequest(query="ASK {}")
    assert query_pipeline.negotiate(request, "application/sparql-results+json") == (
        JSON_RESULTS,
        None,
    )
    assert query_pipeline.negotiate(request, "application/sparql-results+json")[0] is JSON_RESULTS
    assert query_pipeline._negotiated.cache_info().hits == 1
    for _ in range(2):
        with pytest.raises(NotAcceptableError):
            query_pipeline.negotiate(request, "image/png")


def test_negotiation_memos_are_bounded_in_bytes() -> None:
    # A client sending a different ~15 KiB Accept header with each request.
    request = ProtocolRequest(query="CONSTRUCT WHERE { ?s ?p ?o }")
    for n in range(100):
        accept = ", ".join(f"a/b{n}-{i}" for i in range(1_400)) + ", text/turtle"
        assert 14_000 < len(accept) < 16_384
        assert choose(GRAPH_FORMATS, accept) is TURTLE
        assert query_pipeline.negotiate(request, accept) == (None, TURTLE)
        for memo in (negotiation._choose, negotiation._choose_format, query_pipeline._negotiated):
            assert memo.cache_info().bytes <= negotiation.REMEMBERED_BYTES
    assert negotiation._choose.cache_info().entries < 100


def test_negotiation_memos_are_bounded_in_entries() -> None:
    for n in range(negotiation.REMEMBERED_HEADERS + 20):
        assert not negotiation.prefers_html(f"application/json;q=0.{n % 9 + 1}, x/y{n}")
    assert negotiation.prefers_html.cache_info().entries == negotiation.REMEMBERED_HEADERS
