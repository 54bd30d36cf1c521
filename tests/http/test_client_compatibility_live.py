"""What standard SPARQL clients make of our errors and hints, over real HTTP (issue 16).

SPARQLWrapper puts the body of a 400 into its exception: it must be our explanation, as text
(SPARQLWrapper names SPARQL result formats in ``Accept``, so it gets no JSON problem document).
The extra ``head.hints`` member of a JSON answer must not disturb SPARQLWrapper, rdflib's
SPARQLStore or Comunica (``@comunica/query-sparql``, installed by ``.ci/run`` under
``tests/js``; missing is a failure, as Chromium is for the browser tests).
"""

import json
import os
import subprocess
from pathlib import Path

import pytest
import rdflib
import rdflib.query
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from conftest import TESTS

pytestmark = pytest.mark.live

COMUNICA = TESTS / "js" / "node_modules" / ".bin" / "comunica-sparql"
DEF = "https://w3id.org/sousei-kg/def#"
# Rows come back (three goals) and the query also names a mistyped IRI (http for https).
GOALS_WITH_A_HINT = (
    f"PREFIX sousei: <{DEF}>\n"
    "SELECT ?g ?k WHERE { ?g a sousei:PolicyGoal "
    "OPTIONAL { ?g <http://w3id.org/sousei-kg/def#hasKPI> ?k } }"
)
HINT = f"<http://w3id.org/sousei-kg/def#hasKPI> is not in the dataset (did you mean <{DEF}hasKPI>?)"


@pytest.mark.parametrize("fmt", [JSON, XML])
def test_sparqlwrapper_shows_the_explanation_of_a_syntax_error(live_server: str, fmt: str) -> None:
    wrapper = SPARQLWrapper(live_server + "sparql")
    wrapper.setQuery("SELECT * WHERE { ?s sousei:hasKPI ?o }")
    wrapper.setReturnFormat(fmt)
    with pytest.raises(QueryBadFormed) as caught:
        wrapper.query()
    shown = str(caught.value)
    assert (
        "400 Bad Request: SPARQL syntax error at line 1, column 21: the prefix sousei: is not "
        "declared; add this line before the query: PREFIX sousei: "
        "<https://w3id.org/sousei-kg/def#>"
    ) in shown
    assert '"type"' not in shown  # text, not a JSON problem document


def test_sparqlwrapper_reads_an_answer_with_hints(live_server: str) -> None:
    wrapper = SPARQLWrapper(live_server + "sparql")
    wrapper.setQuery(GOALS_WITH_A_HINT)
    wrapper.setReturnFormat(JSON)
    response = wrapper.query()
    assert response.info()["x-query-hint"] == HINT
    document = response.convert()
    assert isinstance(document, dict)
    assert len(document["results"]["bindings"]) == 3
    assert document["head"]["hints"][0]["message"] == HINT


def test_rdflib_reads_an_answer_with_hints(live_server: str) -> None:
    store = SPARQLStore(live_server + "sparql", returnFormat="json")
    rows = [row for row in rdflib.Graph(store=store).query(GOALS_WITH_A_HINT)]
    assert all(isinstance(row, rdflib.query.ResultRow) for row in rows)
    assert {str(row[0]) for row in rows if isinstance(row, rdflib.query.ResultRow)} == {
        f"https://w3id.org/sousei-kg/id/goal/{n}" for n in (1, 2, 3)
    }


def test_comunica_reads_an_answer_with_hints(live_server: str, tmp_path: Path) -> None:
    if not COMUNICA.exists():
        pytest.fail(f"{COMUNICA} is missing: run `npm ci` in tests/js (.ci/run does this)")
    query = tmp_path / "query.rq"
    query.write_text(GOALS_WITH_A_HINT, encoding="utf-8")
    done = subprocess.run(
        [
            str(COMUNICA),
            f"sparql@{live_server}sparql",
            "--file",
            str(query),
            "--outputType",
            "application/sparql-results+json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NODE_NO_WARNINGS": "1"},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    bindings = json.loads(done.stdout)["results"]["bindings"]
    assert {b["g"]["value"] for b in bindings} == {
        f"https://w3id.org/sousei-kg/id/goal/{n}" for n in (1, 2, 3)
    }
