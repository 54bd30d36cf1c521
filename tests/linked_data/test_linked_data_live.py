"""Dereferencing over real HTTP (uvicorn): follow the 303 like any client, parse each document with
rdflib by its Content-Type, and crawl the HTML to check that links stay on the server and work."""

import re
from collections import deque
from urllib.parse import urldefrag, urljoin, urlsplit

import httpx
import pytest
import rdflib

pytestmark = pytest.mark.live

ID = "https://w3id.org/sousei-kg/id/"
RDF_PARSERS = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
}
# The routes of this feature; other pages (SPARQL, named queries, dataset) have their own tests.
CRAWLED = ("/id/", "/doc/", "/def", "/shapes", "/search")


@pytest.mark.parametrize(
    "path",
    ["goal/1", "outcome/B", "output/h", "measure/reskilling-support", "org/meti"],
)
@pytest.mark.parametrize("media_type", sorted(RDF_PARSERS))
def test_dereference_and_parse(live_server: str, path: str, media_type: str) -> None:
    with httpx.Client(follow_redirects=True, timeout=10) as client:
        response = client.get(live_server + "id/" + path, headers={"Accept": media_type})
    assert response.status_code == 200
    assert [r.status_code for r in response.history] == [303]
    content_type = response.headers["content-type"].split(";")[0]
    assert content_type == media_type
    graph = rdflib.Graph().parse(data=response.content, format=RDF_PARSERS[content_type])
    subject = rdflib.URIRef(ID + path)
    assert (subject, None, None) in graph
    assert any(o.language == "ja" for o in graph.objects(subject, rdflib.SKOS.prefLabel))  # type: ignore[attr-defined]


def test_crawl_from_a_measure_finds_no_broken_links(live_server: str) -> None:
    start = live_server + "id/measure/reskilling-support"
    host = urlsplit(live_server).netloc
    queue, seen, checked = deque([start]), {start}, 0
    with httpx.Client(follow_redirects=True, timeout=10, headers={"Accept": "text/html"}) as client:
        while queue and checked < 100:
            url = queue.popleft()
            response = client.get(url)
            checked += 1
            assert response.status_code == 200, url
            if not response.headers["content-type"].startswith("text/html"):
                continue
            for href in re.findall(r'href="([^"]+)"', response.text):
                target = urldefrag(urljoin(str(response.url), href.replace("&amp;", "&")))[0]
                parts = urlsplit(target)
                if parts.netloc != host:
                    # Only canonical IRIs the server does not answer for may point elsewhere.
                    assert not href.startswith(live_server)
                    continue
                if parts.path.startswith(CRAWLED) and target not in seen:
                    seen.add(target)
                    queue.append(target)
    assert checked == 100
