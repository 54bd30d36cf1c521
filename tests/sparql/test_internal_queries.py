"""The server's own SPARQL (``sparql/internal/*.rq``): each file says what it answers and what the
caller binds, parses and runs as the embedded store and the remote backend send it, and is read
by name somewhere in the package; every name the package reads has its file."""

import re
from collections import defaultdict
from pathlib import Path

import pytest
from pyoxigraph import (
    Literal,
    NamedNode,
    QueryBoolean,
    QuerySolutions,
    QueryTriples,
    Store,
    Variable,
)

import sousei_kg
from sousei_kg.remote.query_text import Bindable, query_form, with_bindings
from sousei_kg.sparql.internal_queries import (
    INTERNAL,
    UnknownInternalQueryError,
    internal_query,
    internal_query_names,
)

PACKAGE = Path(sousei_kg.__file__).parent
FILES = sorted(INTERNAL.glob("*.rq"))
FILES_BY_NAME = {path.stem: path for path in FILES}
CREATED = 29
"""The queries moved out of the Python into ``.rq`` files; the folder holds at least these."""

USE = re.compile(r'internal_query\("([a-z0-9-]+)"\)')
CALL = re.compile(r"\binternal_query\(")
BOUND = re.compile(r"^# Bound by the caller: (.+)$", re.MULTILINE)
EXAMPLES: dict[str, Bindable] = {"q": Literal("地方")}
"""An example term per bindable variable; any other is bound to :data:`EXAMPLE_IRI`."""
EXAMPLE_IRI = NamedNode("https://w3id.org/sousei-kg/id/goal/1")
RESULT_TYPE = {"SELECT": QuerySolutions, "ASK": QueryBoolean, "CONSTRUCT": QueryTriples}


def _bound(text: str) -> dict[Variable, Bindable]:
    """The variables the header says the caller binds, each bound to an example term."""
    header = BOUND.search(text)
    assert header is not None, "the header lacks '# Bound by the caller: ?x (…)' or '…: nothing.'"
    names = re.findall(r"\?(\w+)", header.group(1))
    assert names or header.group(1).startswith("nothing"), header.group(0)
    return {Variable(name): EXAMPLES.get(name, EXAMPLE_IRI) for name in names}


def _run(
    text: str, bindings: dict[Variable, Bindable]
) -> QuerySolutions | QueryBoolean | QueryTriples:
    result = Store().query(text, use_default_graph_as_union=True, substitutions=bindings or None)
    if not isinstance(result, QueryBoolean):
        list(result)  # evaluated to the end: some errors only show while rows are read
    return result


def _uses() -> dict[str, set[str]]:
    """Every name passed to ``internal_query("…")`` in the package, with the modules passing it."""
    uses: dict[str, set[str]] = defaultdict(set)
    for module in PACKAGE.rglob("*.py"):
        for name in USE.findall(module.read_text(encoding="utf-8")):
            uses[name].add(module.relative_to(PACKAGE).as_posix())
    return dict(uses)


def test_the_folder_holds_every_internal_query() -> None:
    assert len(FILES) >= CREATED
    assert internal_query_names() == tuple(path.stem for path in FILES)


@pytest.mark.parametrize("path", FILES, ids=[path.stem for path in FILES])
def test_each_query_parses_and_runs_on_both_backends(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", path.stem), "names are kebab-case"
    assert text.startswith("# "), "the first line says what the query answers"
    assert internal_query(path.stem) == text
    bindings = _bound(text)
    # Embedded: the text as it is, values as substitutions (which must be projected variables).
    result = _run(text, bindings)
    # The remote backend reads the form from the text to choose what to ask the engine for.
    assert isinstance(result, RESULT_TYPE[query_form(text)])
    # Remote: the values written into the text by with_bindings; the same form must parse and run.
    assert isinstance(_run(with_bindings(text, bindings), {}), RESULT_TYPE[query_form(text)])


def test_every_name_the_package_reads_has_its_file() -> None:
    uses = _uses()
    assert uses, "the package reads its queries with internal_query(…)"
    missing = {name: sorted(modules) for name, modules in uses.items() if name not in FILES_BY_NAME}
    assert missing == {}


def test_every_call_names_its_query_literally() -> None:
    """A computed name would escape the two checks around this one."""
    calls = uses = 0
    for module in PACKAGE.rglob("*.py"):
        if module.name == "internal_queries.py":
            continue
        text = module.read_text(encoding="utf-8")
        calls += len(CALL.findall(text))
        uses += len(USE.findall(text))
    assert calls == uses


def test_no_file_is_unused() -> None:
    assert sorted(set(FILES_BY_NAME) - set(_uses())) == []


def test_an_unknown_name_is_refused_with_the_names_there_are() -> None:
    with pytest.raises(
        UnknownInternalQueryError, match=r"no internal SPARQL query 'nope'.*graph-triples"
    ):
        internal_query("nope")
    with pytest.raises(UnknownInternalQueryError):
        internal_query("../internal_queries")  # a path never reads another file
