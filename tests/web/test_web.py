"""The pages for people over HTTP (TestClient): landing page, logic model and its SVG, KPI
explorer, organisations, the editor at /sparql, language and escaping (issue 4).

What only a browser can show (scripts running, highlighting on click, downloads) is in
``test_browser.py``; here the server's answers are parsed and checked."""

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from fastapi.testclient import TestClient

from conftest import FILES, REPO, write_tree
from sousei_kg.app import create_app
from sousei_kg.config import Settings
from sousei_kg.web.diagram import build

SVG = "{http://www.w3.org/2000/svg}"
GOAL_2 = "https://w3id.org/sousei-kg/id/goal/2"
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def _json_ld(page: str) -> dict[str, object]:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert match is not None
    document: dict[str, object] = json.loads(match.group(1))
    return document


def _svg(text: str) -> ET.Element:
    return ET.fromstring(text.encode("utf-8"))  # noqa: S314 - our own server's output


def _nodes(svg: ET.Element, kind: str, extra: str = "") -> list[ET.Element]:
    return [
        a
        for a in svg.iter(SVG + "a")
        if set(a.get("class", "").split()) >= {"node", kind, *extra.split()}
    ]


def test_landing_page_counts_from_the_store_in_both_languages(client: TestClient) -> None:
    ja = client.get("/", headers=BROWSER)
    en = client.get("/?lang=en")
    assert ja.status_code == en.status_code == 200
    assert ja.headers["content-language"] == "ja" and en.headers["content-language"] == "en"
    assert "Accept-Language" in ja.headers["vary"]
    assert "豊かな生活環境" in ja.text and "Affluent living environment" in en.text
    assert "40 <small>/ 331</small>" in ja.text  # measures named versus declared
    for target in ("sparql", "dataset", "def", "queries", "logic-model", "kpis", "search"):
        assert f'href="http://testserver/{target}' in ja.text


def test_landing_page_describes_a_schema_org_dataset(client: TestClient) -> None:
    document = _json_ld(client.get("/").text)
    assert document["@type"] == "Dataset"
    assert document["license"] == "https://creativecommons.org/licenses/by/4.0/"
    downloads = document["distribution"]
    assert isinstance(downloads, list) and downloads
    assert all(d["contentUrl"].startswith("http://testserver/download/") for d in downloads)


def test_language_switch_keeps_page_and_parameters(client: TestClient) -> None:
    page = client.get("/kpis?kpi=goal-2-kpi&lang=ja").text
    assert 'href="/kpis?kpi=goal-2-kpi&amp;lang=en"' in page


def test_logic_model_svg_is_static_accessible_and_complete(client: TestClient) -> None:
    response = client.get("/logic-model.svg?lang=en")
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert "Accept-Language" in response.headers["vary"]
    svg = _svg(response.text)
    assert svg.find(SVG + "title") is not None and svg.find(SVG + "desc") is not None
    assert svg.find(f".//{SVG}script") is None
    assert [len(_nodes(svg, k)) for k in ("goal", "outcome", "output", "measure")] == [3, 5, 18, 40]
    assert all(a.get("href", "").startswith("http://testserver/id/") for a in _nodes(svg, "node"))
    assert all(a.find(SVG + "title") is not None for a in _nodes(svg, "node"))


def test_svg_highlights_the_measures_reaching_the_chosen_kpi(client: TestClient) -> None:
    svg = _svg(client.get("/logic-model.svg?kpi=goal-2-kpi").text)
    assert len(_nodes(svg, "measure", "hl")) == 12
    assert len(_nodes(svg, "measure", "dim")) == 28
    assert [a.get("data-iri") for a in _nodes(svg, "goal", "hl")] == [GOAL_2]
    unknown = _svg(client.get("/logic-model.svg?kpi=nope").text)
    assert not _nodes(unknown, "node", "hl") and not _nodes(unknown, "node", "dim")


def test_diagram_reach_agrees_with_the_named_query(client: TestClient) -> None:
    """The diagram's highlighting and the KPI explorer's CSV answer the same question."""
    kpi = "https://w3id.org/sousei-kg/id/indicator/goal-2-kpi"
    body = client.get("/queries/list-measures-for-kpi", params={"kpi": kpi, "format": "csv"}).text
    from_query = {row["measure"] for row in csv.DictReader(io.StringIO(body))}
    app_graph = client.app.state.knowledge_graph  # type: ignore[attr-defined]
    diagram = build(app_graph.store)
    assert {n.iri for n in diagram.reaching("goal-2-kpi")} == from_query
    assert len(from_query) == 12


def test_kpi_explorer_lists_paths_organisations_and_links_the_csv(client: TestClient) -> None:
    page = client.get("/kpis?kpi=goal-2-kpi").text
    assert "12 件の施策" in page and "国土交通省" in page
    csv_link = re.search(r'id="csv-download" href="([^"]+)"', page)
    assert csv_link is not None
    url = csv_link.group(1).replace("&amp;", "&").removeprefix("http://testserver")
    assert url.startswith("/queries/list-measures-for-kpi.csv?")
    rows = list(csv.DictReader(io.StringIO(client.get(url).content.decode("utf-8-sig"))))
    assert {r["goal"] for r in rows} == {GOAL_2}
    # Each organisation with its confidence badge, linked to its attribution (issue 17).
    assert re.search(
        r'<a class="confidence level-OfficialSource" href="http://testserver/id/attribution/'
        r'measure-regional-transport-redesign--responsible-organization--org-mlit"',
        page,
    )
    assert "level-Inferred" in page and "帰属なし" in page
    assert client.get("/kpis").status_code == 200  # nothing chosen yet: only the chooser


def test_logic_model_page_without_javascript_honours_kpi(client: TestClient) -> None:
    page = client.get("/logic-model?kpi=goal-2-kpi").text
    assert 'value="goal-2-kpi" checked' in page
    assert page.count('class="node measure hl"') == 12


def test_organisation_pages_and_chart(client: TestClient) -> None:
    overview = client.get("/organisations?lang=en").text
    assert 'href="http://testserver/organisations/mlit"' in overview
    chart = _svg(client.get("/organisations.svg").text)
    assert chart.find(SVG + "title") is not None
    bars = [a for a in chart.iter(SVG + "a")]
    assert len(bars) == 15
    # Each bar is split by our confidence in its attributions (issue 17), surest first.
    mlit = next(a for a in bars if a.get("href", "").endswith("/organisations/mlit"))
    segments = [r.get("class") for r in mlit.iter(SVG + "rect")]
    assert segments == ["level-OfficialSource", "level-SecondarySource", "level-WidelyKnown"]
    widths = [float(r.get("width", "0")) for r in mlit.iter(SVG + "rect")]
    assert abs(widths[1] - 3 * widths[0]) < 0.2  # 1 official, 3 secondary (of 5 measures)
    assert "二次情報源 3" in (mlit.findtext(SVG + "title") or "")
    assert "level-Inferred" in overview  # the table's columns by level
    page = client.get("/organisations/mlit").text
    assert "国土交通省" in page and "/queries/list-measures-by-organization.csv?" in page
    assert "http://testserver/id/measure/regional-transport-redesign" in page
    assert re.search(
        r'class="confidence level-OfficialSource" href="http://testserver/id/attribution/'
        r'measure-regional-transport-redesign--responsible-organization--org-mlit"',
        page,
    )
    assert client.get("/organisations/nope", headers=BROWSER).status_code == 404


def test_sparql_gives_browsers_the_local_editor(client: TestClient) -> None:
    response = client.get("/sparql", headers={**BROWSER, "Accept-Language": "en"})
    assert response.headers["content-type"].startswith("text/html")
    assert "Accept-Language" in response.headers["vary"]
    page = response.text
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page)
    assert sources and all(s.startswith("http://testserver/") for s in sources)
    match = re.search(r'<script type="application/json" id="editor-config">(.*?)</script>', page)
    assert match is not None
    config = json.loads(match.group(1))
    assert config["endpoint"] == "http://testserver/sparql"
    assert config["prefixesUrl"].startswith("http://testserver/")
    assert {t["name"] for t in config["tabs"]} >= {"list-measures-for-kpi"}
    assert client.get("/sparql").headers["content-type"].startswith("text/turtle")
    assert client.get(config["prefixesUrl"]).json()["sousei"].endswith("def#")


def test_vendored_editor_ships_its_licence(client: TestClient) -> None:
    assert "MIT" in client.get("/static/vendor/yasgui/LICENSE.txt").text
    assert client.get("/static/vendor/yasgui/yasgui.min.js").status_code == 200


def test_pages_answer_304_to_their_validator(client: TestClient) -> None:
    first = client.get("/?lang=en")
    again = client.get("/?lang=en", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert client.get("/?lang=ja").headers["etag"] != first.headers["etag"]


EVIL = """\
@prefix sousei: <https://w3id.org/sousei-kg/def#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix org: <http://www.w3.org/ns/org#> .
<https://w3id.org/sousei-kg/id/goal/9> a sousei:PolicyGoal ; skos:notation "9" ;
    skos:prefLabel "</script><script>alert(1)</script>"@ja , "<b>goal</b>"@en ;
    sousei:hasKPI <https://w3id.org/sousei-kg/id/indicator/goal-9-kpi> .
<https://w3id.org/sousei-kg/id/indicator/goal-9-kpi> a sousei:Indicator ;
    skos:prefLabel "<img src=x onerror=alert(2)>"@ja .
<https://w3id.org/sousei-kg/id/measure/evil> a sousei:Measure ;
    skos:prefLabel "<svg onload=alert(3)>"@ja ;
    sousei:contributesTo <https://w3id.org/sousei-kg/id/goal/9> ;
    sousei:responsibleOrganization <https://w3id.org/sousei-kg/id/org/evil> .
<https://w3id.org/sousei-kg/id/org/evil> a org:Organization ; skos:prefLabel "<i>org</i>"@ja .
"""


def test_data_values_are_escaped_on_every_page(tmp_path: Path) -> None:
    queries = {f"queries/{p.name}": p.read_text("utf-8") for p in (REPO / "queries").glob("*.rq")}
    root = write_tree(tmp_path / "evil", {**FILES, **queries, "data/strategy-2025--evil.ttl": EVIL})
    with TestClient(create_app(Settings(resources=root))) as client:
        pages = [
            client.get(url).text
            for url in (
                "/",
                "/logic-model?kpi=goal-9-kpi",
                "/logic-model.svg?kpi=goal-9-kpi",
                "/kpis?kpi=goal-9-kpi",
                "/organisations",
                "/organisations.svg",
                "/organisations/evil",
            )
        ]
    for page in pages:
        for raw in ("<script>alert", "<img src=x", "<svg onload", "<i>org", "<b>goal"):
            assert raw not in page
    assert "&lt;svg onload=alert(3)&gt;" in pages[3]
    _svg(pages[2])  # still well-formed XML


def test_organisation_resource_page_links_its_measures(client: TestClient) -> None:
    page = client.get("/doc/org/mlit", headers=BROWSER).text
    assert 'href="http://testserver/organisations/mlit"' in page


def test_kpi_explorer_takes_the_key_or_the_iri() -> None:
    """``/kpis?kpi=`` accepts the short key of the pages and the full IRI the named queries take."""
    with TestClient(create_app(Settings())) as client:
        by_key = client.get("/kpis", params={"kpi": "goal-2-kpi"})
        by_iri = client.get(
            "/kpis", params={"kpi": "https://w3id.org/sousei-kg/id/indicator/goal-2-kpi"}
        )
    assert "「交通空白」" in by_key.text
    assert "「交通空白」" in by_iri.text
