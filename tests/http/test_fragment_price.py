"""A Triple Pattern Fragment takes a fifth of a page's token: a TPF client's burst of small
requests fits in the pages budget, every other request still takes a whole token."""

from sousei_kg.config import Settings
from sousei_kg.http.cost_classes import FRAGMENT_PRICE, class_of, cost_classes, price_of
from sousei_kg.http.rate_limit import Bucket, TokenBuckets


def test_fragments_are_cheap_pages() -> None:
    classes = cost_classes(Settings())
    assert class_of("GET", "/fragments", classes).name == "pages"
    assert price_of("GET", "/fragments") == FRAGMENT_PRICE < 1
    assert price_of("GET", "/doc/goal/1") == 1.0
    assert price_of("POST", "/fragments") == 1.0


def test_a_burst_of_fragments_fits_where_pages_would_be_refused() -> None:
    now = [1000.0]
    buckets = TokenBuckets(None, 120, 25.0, clock=lambda: now[0])
    fragment = Bucket(b"pages:client:a", 120, 25.0, FRAGMENT_PRICE)
    allowed = sum(buckets.take_all([fragment]).allowed for _ in range(700))
    assert allowed == round(120 / FRAGMENT_PRICE)  # 600 at once
    page = Bucket(b"pages:client:b", 120, 25.0)
    assert sum(buckets.take_all([page]).allowed for _ in range(700)) == 120
    refused = buckets.take_all([fragment])
    assert not refused.allowed and refused.retry_after == 1
