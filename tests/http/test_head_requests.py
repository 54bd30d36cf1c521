"""HEAD is answered wherever GET is (RFC 9110), with GET's status and headers and no body; the
OpenAPI document gains no ``head`` operations; unknown paths and methods stay 404 and 405."""

import pytest
from fastapi.testclient import TestClient

# Pages whose routes are registered for GET only.
GET_ONLY = ["/", "/limits", "/health", "/kpis", "/queries", "/organisations", "/search?q=RESAS"]


@pytest.mark.parametrize("path", GET_ONLY)
def test_head_has_the_status_and_headers_of_get_and_no_body(client: TestClient, path: str) -> None:
    get = client.get(path, headers={"Accept": "text/html"}, follow_redirects=False)
    head = client.head(path, headers={"Accept": "text/html"}, follow_redirects=False)
    assert head.status_code == get.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    if "content-length" in get.headers:
        assert head.headers["content-length"] == get.headers["content-length"]


def test_a_redirect_is_a_redirect_for_head_too(client: TestClient) -> None:
    head = client.head("/", headers={"Accept": "text/turtle"}, follow_redirects=False)
    assert head.status_code == 303
    assert head.headers["location"].endswith("/dataset")


def test_unknown_paths_keep_their_404(client: TestClient) -> None:
    assert client.head("/no-such-page").status_code == 404
    assert client.head("/doc/goal/no-such-goal").status_code == 404


def test_the_openapi_document_gains_no_head_operations(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "head" not in paths["/limits"]
    assert "get" in paths["/limits"]
