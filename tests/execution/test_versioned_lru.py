"""A versioned LRU never answers with a value of another dataset version, even for a key that
does not name the version (the fragments' cache keys are patterns only)."""

from sousei_kg.execution.versioned_lru import VersionedLRU


def test_a_value_of_an_older_version_is_not_returned() -> None:
    cache: VersionedLRU[str, str] = VersionedLRU(1024, lambda _k, v: len(v))
    cache.put("v1", "pattern", "old")
    assert cache.get("v1", "pattern") == "old"
    assert cache.get("v2", "pattern") is None  # a write published v2: the old fragment is stale
    cache.put("v2", "pattern", "new")
    assert cache.get("v2", "pattern") == "new"
    assert cache.get("v1", "pattern") is None
