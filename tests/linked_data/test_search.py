"""``/search``: label search over ja and en labels, case-insensitive, HTML and JSON; user text is
bound as a literal, so SPARQL syntax in it matches nothing and breaks nothing."""

import dataclasses

import pytest
from fastapi.testclient import TestClient

from sousei_kg.config import Settings
from sousei_kg.dataset.knowledge_graph import open_knowledge_graph
from sousei_kg.linked_data.label_search import LIMIT, search

ID = "https://w3id.org/sousei-kg/id/"


def test_english_substring_ignores_case(client: TestClient) -> None:
    body = client.get("/search", params={"q": "RESKILL", "format": "json"}).json()
    iris = [hit["iri"] for hit in body["results"]]
    assert iris[0] == ID + "measure/reskilling-support"  # shortest matching label first
    assert ID + "output/h" in iris
    first = body["results"][0]
    assert first == {
        "iri": ID + "measure/reskilling-support",
        "url": "http://testserver/id/measure/reskilling-support",
        "labels": {"ja": "リスキリング支援", "en": "Reskilling support"},
        "types": ["https://w3id.org/sousei-kg/def#Measure"],
        # The summary states the Japanese name; the English one is our unofficial translation.
        "labelConfidence": {"en": "Inferred"},
    }
    assert body["query"] == "RESKILL"
    assert body["limit"] == LIMIT and body["truncated"] is False and body["count"] == len(iris)


def test_japanese_substring_and_negotiated_json(client: TestClient) -> None:
    response = client.get(
        "/search", params={"q": "経済産業"}, headers={"Accept": "application/json"}
    )
    assert response.headers["content-type"].startswith("application/json")
    assert ID + "org/meti" in [hit["iri"] for hit in response.json()["results"]]
    meti = next(h for h in response.json()["results"] if h["iri"] == ID + "org/meti")
    # Organisations are ours entirely: both names carry our confidence (issue 17).
    assert meti["labelConfidence"] == {"ja": "WidelyKnown", "en": "WidelyKnown"}


def test_search_page_shows_the_confidence_of_curated_labels(client: TestClient) -> None:
    page = client.get("/search", params={"q": "RESKILL", "lang": "en"}).text
    assert '<span class="confidence level-Inferred"' in page
    stated = client.get("/search", params={"q": "リスキリング支援", "lang": "ja"}).text
    item = stated[stated.index('<ol class="hits">') :]
    item = item[: item.index("</li>")]
    # The Japanese name is the summary's: no badge on it; the English one is ours.
    assert item.index("リスキリング支援") < item.index("level-Inferred")
    assert item.count('class="confidence') == 1


def test_html_results_link_to_local_pages(client: TestClient) -> None:
    page = client.get(
        "/search", params={"q": "強い経済", "lang": "en"}, headers={"Accept": "text/html"}
    )
    assert page.status_code == 200
    assert 'href="http://testserver/id/goal/1"' in page.text
    assert "Accept-Language" in page.headers["vary"]


def test_injection_attempt_is_just_text(client: TestClient) -> None:
    response = client.get("/search", params={"q": '"} UNION { ?s ?p ?o } #', "format": "json"})
    assert response.status_code == 200
    assert response.json()["results"] == []


def test_empty_query_gives_a_form_or_400(client: TestClient) -> None:
    form = client.get("/search", headers={"Accept": "text/html"})
    assert form.status_code == 200 and 'name="q"' in form.text
    empty = client.get("/search", params={"q": "  ", "format": "json"})
    assert empty.status_code == 400
    assert "q" in empty.json()["error"]


@pytest.mark.parametrize("indexed", [True, False])
def test_results_are_limited(indexed: bool) -> None:
    graph = open_knowledge_graph(Settings())
    if not indexed:
        graph = dataclasses.replace(graph, labels=None)
    result = search(graph, "の")  # in hundreds of Japanese labels
    assert len(result.hits) == LIMIT
    assert result.truncated
    with pytest.raises(ValueError, match="empty"):
        search(graph, " ")
