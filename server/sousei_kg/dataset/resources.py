"""Locate the shipped RDF and query folders, in an installed wheel or in a checkout."""

from pathlib import Path
from typing import Literal

from sousei_kg.errors import ResourceNotFoundError

ResourceName = Literal["ontology", "shapes", "data", "queries"]
RESOURCE_NAMES: tuple[ResourceName, ...] = ("ontology", "shapes", "data", "queries")


def resource_dir(name: ResourceName, root: Path | None = None) -> Path:
    """Return the folder holding one kind of shipped file.

    Args:
        name: which folder.
        root: a directory holding ``ontology/``, ``shapes/``, ``data/`` and ``queries/`` to use
            instead of the shipped ones (tests and checks of a working copy use this).

    Returns:
        ``sousei_kg/resources/<name>`` inside an installed wheel if present, else ``<name>`` at
        the top of the repository (editable install or checkout), or ``root / name``.

    Raises:
        ResourceNotFoundError: if the folder does not exist.
    """
    if name not in RESOURCE_NAMES:
        raise ValueError(f"unknown resource folder {name!r}; expected one of {RESOURCE_NAMES}")
    if root is not None:
        candidates = [root / name]
    else:
        here = Path(__file__).resolve()
        candidates = [here.parents[1] / "resources" / name, here.parents[3] / name]
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    tried = ", ".join(str(c) for c in candidates)
    raise ResourceNotFoundError(f"folder {name}/ not found (looked in {tried})")
