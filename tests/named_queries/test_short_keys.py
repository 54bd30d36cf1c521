"""Short keys (issue 16): a named query's IRI parameter takes ``goal-2-kpi`` as the KPI explorer
does, or a prefixed name of a known prefix; a key naming no single resource is a 400 that says
which ones it could mean."""

from collections.abc import Iterable, Iterator

import pytest
from fastapi.testclient import TestClient

from large_dataset_support import as_large
from sousei_kg.app import create_app
from sousei_kg.config import Settings
from sousei_kg.dataset.knowledge_graph import open_knowledge_graph
from sousei_kg.linked_data import query_hints
from sousei_kg.linked_data.short_keys import ShortKeys, short_keys
from sousei_kg.named_queries.parameters import QueryParam, expand_prefixed_name
from sousei_kg.store.readable import ReadableStore

ID = "https://w3id.org/sousei-kg/id/"
KPI2 = ID + "indicator/goal-2-kpi"
KPI_QUERY = "/queries/list-measures-for-kpi"


@pytest.fixture(scope="module")
def keys() -> ShortKeys:
    return short_keys(open_knowledge_graph(Settings()))


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings(query_workers=0))) as test_client:
        yield test_client


@pytest.mark.parametrize(
    ("key", "iri"),
    [
        ("goal-2-kpi", KPI2),
        ("indicator/goal-2-kpi", KPI2),
        ("/indicator/goal-2-kpi/", KPI2),
        ("mlit", ID + "org/mlit"),
        ("reskilling-support", ID + "measure/reskilling-support"),
    ],
)
def test_a_key_names_the_one_resource_whose_path_ends_with_it(
    keys: ShortKeys, key: str, iri: str
) -> None:
    assert keys.resolve(key) == iri


def test_an_unknown_key_says_which_keys_are_close(keys: ShortKeys) -> None:
    with pytest.raises(LookupError) as caught:
        keys.resolve("goal-9-kpi")
    assert str(caught.value) == (
        "'goal-9-kpi' names no resource of the dataset; did you mean goal-3-kpi or goal-2-kpi "
        "or goal-1-kpi?"
    )


def test_an_ambiguous_key_lists_what_it_could_name() -> None:
    from sousei_kg.linked_data.query_hints import KnownIris

    keys = ShortKeys(KnownIris([ID + "goal/a", ID + "outcome/a", ID + "outcome/b"]))
    with pytest.raises(LookupError) as caught:
        keys.resolve("a")
    assert str(caught.value) == (
        "'a' names 2 resources (goal/a, outcome/a); give more of the path, such as goal/a, or "
        "the whole IRI"
    )
    assert keys.resolve("outcome/a") == ID + "outcome/a"


@pytest.mark.parametrize(
    ("value", "iri"),
    [
        ("sousei:Measure", "https://w3id.org/sousei-kg/def#Measure"),
        ("id:goal/2", ID + "goal/2"),
        ("skos:Concept", "http://www.w3.org/2004/02/skos/core#Concept"),
        ("https://example.org/x", "https://example.org/x"),
        ("urn:x:y", "urn:x:y"),
    ],
)
def test_known_prefixes_expand(value: str, iri: str) -> None:
    assert expand_prefixed_name(value) == iri
    assert QueryParam("x", "iri").cast(value).value == iri


def test_without_a_resolver_a_key_is_not_an_iri() -> None:
    from sousei_kg.named_queries.parameters import ParameterError

    with pytest.raises(ParameterError):
        QueryParam("kpi", "iri").cast("goal-2-kpi")


def test_the_http_parameter_takes_a_short_key(client: TestClient) -> None:
    full = client.get(KPI_QUERY, params={"kpi": KPI2, "format": "csv"})
    short = client.get(KPI_QUERY, params={"kpi": "goal-2-kpi", "format": "csv"})
    prefixed = client.get(KPI_QUERY, params={"kpi": "id:indicator/goal-2-kpi", "format": "csv"})
    assert full.status_code == short.status_code == prefixed.status_code == 200
    assert short.text == full.text == prefixed.text and len(full.text.splitlines()) > 5
    assert short.headers["etag"] == full.headers["etag"]  # the same request, once resolved


def test_a_key_naming_nothing_is_a_400_naming_the_close_ones(client: TestClient) -> None:
    response = client.get(KPI_QUERY, params={"kpi": "goal-9-kpi"})
    assert response.status_code == 400
    assert response.text.startswith(
        "400 Bad Request: parameter kpi: 'goal-9-kpi' names no resource of the dataset; "
        "did you mean goal-3-kpi"
    )


def test_a_full_iri_of_ours_that_is_missing_gets_a_hint(client: TestClient) -> None:
    response = client.get(
        KPI_QUERY, params={"kpi": "http://w3id.org/sousei-kg/id/indicator/goal-2-kpi"}
    )
    assert response.status_code == 200
    assert response.headers["x-query-hint"] == (
        "<http://w3id.org/sousei-kg/id/indicator/goal-2-kpi> is not in the dataset "
        f"(did you mean <{KPI2}>?)"
    )
    assert response.json()["head"]["hints"][0]["nearest"] == KPI2
    again = client.get(
        KPI_QUERY,
        params={"kpi": "http://w3id.org/sousei-kg/id/indicator/goal-2-kpi"},
        headers={"If-None-Match": response.headers["etag"]},
    )
    assert again.status_code == 304
    assert again.headers["x-query-hint"] == response.headers["x-query-hint"]


ORG_QUERY = "/queries/list-measures-by-organization"


def test_above_the_size_bound_a_request_resolves_a_key_without_reading_every_iri(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A large dataset (HINTS_MAX_QUADS set low, the organisations' graph out of the vocabulary):
    a whole path is looked up, a key of the vocabulary resolves as before, and a last segment
    under no known folder is refused saying to give the whole path."""
    run = as_large(monkeypatch)
    with TestClient(create_app(Settings(query_workers=0))) as fresh:
        full = fresh.get(ORG_QUERY, params={"organization": ID + "org/mlit", "format": "csv"})
        whole = fresh.get(ORG_QUERY, params={"organization": "org/mlit", "format": "csv"})
        assert full.status_code == whole.status_code == 200, whole.text
        assert whole.text == full.text and len(full.text.splitlines()) > 1
        kpi = fresh.get(KPI_QUERY, params={"kpi": "goal-2-kpi", "format": "csv"})
        assert kpi.status_code == 200 and len(kpi.text.splitlines()) > 5
        short = fresh.get(ORG_QUERY, params={"organization": "mlit"})
    assert short.status_code == 400
    assert short.text.startswith(
        "400 Bad Request: parameter organization: 'mlit' names no resource of the dataset; on a "
        "dataset this large a short key is looked for only under the folders of its vocabulary ("
    )
    assert "give the whole path under id/ (" in short.text
    assert "known-iris" not in run and "iri-present" in run


def test_above_the_size_bound_a_failing_lookup_is_a_503_that_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    as_large(monkeypatch)

    def broken(_store: ReadableStore, _iri: str) -> bool:
        raise OSError("the engine is down")

    monkeypatch.setattr(query_hints, "iri_present", broken)
    with TestClient(create_app(Settings(query_workers=0))) as fresh:
        response = fresh.get(ORG_QUERY, params={"organization": "org/mlit"})
        assert response.status_code == 503
        assert response.headers["retry-after"] == "5"
        assert response.text == (
            "503 Service Unavailable: the short key 'org/mlit' could not be looked up in the "
            "dataset (the engine failed); give the whole IRI, or try again later\n"
        )
        # The whole IRI needs no lookup to be bound (its hints are off: advice only).
        full = fresh.get(ORG_QUERY, params={"organization": ID + "org/mlit", "format": "csv"})
        assert full.status_code == 200 and len(full.text.splitlines()) > 1


def test_when_the_iris_cannot_be_read_a_key_is_a_503_and_the_whole_iri_works(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On a small dataset too: the engine failing is said, not a 500."""

    def broken(_store: ReadableStore, _names: Iterable[str] = ()) -> query_hints.KnownIris:
        raise OSError("the engine is down")

    monkeypatch.setattr(query_hints, "read_known_iris", broken)
    with TestClient(create_app(Settings(query_workers=0))) as fresh:
        response = fresh.get(KPI_QUERY, params={"kpi": "goal-2-kpi"})
        assert response.status_code == 503
        assert response.text.startswith(
            "503 Service Unavailable: the short key 'goal-2-kpi' could not be looked up"
        )
        assert fresh.get(KPI_QUERY, params={"kpi": KPI2}).status_code == 200
