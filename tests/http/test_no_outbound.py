"""No outbound traffic from the endpoint: SERVICE is refused with 400 whatever the spelling, and
remote FROM / default-graph-uri / named-graph-uri are graph *names*, never fetched. A local listener
must receive zero connections (issue 5, "No outbound traffic, ever")."""

import pytest
from fastapi.testclient import TestClient

SPELLINGS = [
    "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "select * where {{ service silent <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ VALUES ?e {{ <{url}> }} SERVICE ?e {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}",
    "ASK {{ FILTER EXISTS {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
    "SELECT * WHERE {{ \\u0053ERVICE <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ ?s ?p ?o.SERVICE <{url}> {{ ?s ?p ?o }} }}",
]


@pytest.mark.live
@pytest.mark.parametrize("template", SPELLINGS)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_service_is_refused(
    client: TestClient, listener: tuple[str, list[bytes]], template: str, method: str
) -> None:
    url, received = listener
    query = template.format(url=url + "sparql")
    if method == "GET":
        response = client.get("/sparql", params={"query": query})
    else:
        response = client.post(
            "/sparql", content=query, headers={"Content-Type": "application/sparql-query"}
        )
    assert response.status_code == 400
    assert "SERVICE is not allowed on this endpoint" in response.text
    assert received == []


@pytest.mark.live
def test_remote_graph_names_are_not_fetched(
    client: TestClient, listener: tuple[str, list[bytes]]
) -> None:
    url, received = listener
    # The test plays the client: the query text is what a user would send, not server code.
    from_query = client.get(
        "/sparql",
        params={"query": f"SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}"},  # noqa: S608
    )
    by_protocol = client.get(
        "/sparql",
        params={
            "query": "SELECT * WHERE { ?s ?p ?o }",
            "default-graph-uri": url,
            "named-graph-uri": url,
        },
    )
    for response in (from_query, by_protocol):
        assert response.status_code == 200
        assert response.json()["results"]["bindings"] == []  # an unknown graph is empty
    assert received == []
