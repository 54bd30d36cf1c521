"""The file → graph rule of docs/model.md, and where the shipped folders are found."""

from pathlib import Path

import pytest

from sousei_kg.dataset.graph_naming import TURTLE, graph_for, shipped_files
from sousei_kg.dataset.resources import resource_dir
from sousei_kg.errors import InvalidFileNameError, ResourceNotFoundError
from sousei_kg.namespaces import GRAPH, ID, ONTOLOGY_GRAPH, SHAPES_GRAPH, VOCAB


def test_namespaces() -> None:
    assert VOCAB == "https://w3id.org/sousei-kg/def#"
    assert ID == "https://w3id.org/sousei-kg/id/"
    assert GRAPH == "https://w3id.org/sousei-kg/graph/"


@pytest.mark.parametrize(
    ("path", "graph"),
    [
        ("ontology/sousei.ttl", "ontology"),
        ("ontology/sousei-extra.ttl", "ontology"),
        ("shapes/measure.ttl", "shapes"),
        ("shapes/ontology-lint.ttl", "shapes"),
        ("data/strategy-2025.ttl", "strategy-2025"),
        ("data/curation.ttl", "curation"),
        ("data/curation--organisations.ttl", "curation"),
        ("data/curation--a--b.ttl", "curation"),
        ("data/meta.ttl", "meta"),
    ],
)
def test_graph_for(path: str, graph: str) -> None:
    assert graph_for(Path(path)) == GRAPH + graph


def test_graph_for_absolute_path() -> None:
    assert graph_for(Path("/somewhere/repo/data/meta--x.ttl")) == GRAPH + "meta"


def test_graph_for_explicit_kind_overrides_folder_name() -> None:
    assert graph_for(Path("elsewhere/meta.ttl"), "data") == GRAPH + "meta"
    assert graph_for(Path("elsewhere/x.ttl"), "shapes") == SHAPES_GRAPH
    assert graph_for(Path("elsewhere/x.ttl"), "ontology") == ONTOLOGY_GRAPH


@pytest.mark.parametrize(
    "path", ["queries/x.ttl", "x.ttl", "data/Strategy.ttl", "data/a_b.ttl", "data/--x.ttl"]
)
def test_graph_for_rejects(path: str) -> None:
    with pytest.raises(InvalidFileNameError):
        graph_for(Path(path))


def test_shipped_files_of_a_tree(resources: Path) -> None:
    files = shipped_files(resources)
    assert [(f.path.relative_to(resources).as_posix(), f.graph) for f in files] == [
        ("ontology/sousei.ttl", ONTOLOGY_GRAPH),
        ("shapes/measure.ttl", SHAPES_GRAPH),
        ("data/curation--organisations.ttl", GRAPH + "curation"),
        ("data/strategy-2025.ttl", GRAPH + "strategy-2025"),
    ]
    assert {f.format for f in files} == {TURTLE}


def test_shipped_files_missing_folder(tmp_path: Path) -> None:
    (tmp_path / "ontology").mkdir()
    with pytest.raises(ResourceNotFoundError, match="shapes/"):
        shipped_files(tmp_path)


def test_resource_dir_finds_the_repository_folders() -> None:
    for name in ("ontology", "shapes", "data", "queries"):
        folder = resource_dir(name)
        assert folder.is_dir()
        assert folder.name == name


def test_shipped_files_default_to_the_repository() -> None:
    files = shipped_files()
    kinds = {f.path.parent.name for f in files}
    assert kinds == {"ontology", "shapes", "data"}
    assert all(f.path.suffix == ".ttl" for f in files)
    assert [f.path for f in files if f.path.parent.name == "data"] == sorted(
        f.path for f in files if f.path.parent.name == "data"
    )


def test_resource_dir_unknown_name() -> None:
    with pytest.raises(ValueError, match="unknown resource folder"):
        resource_dir("docs")  # type: ignore[arg-type]
