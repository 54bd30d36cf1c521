"""``/health``: liveness plus the software and dataset versions, so a deployment can check that
every replica serves the same release."""

from typing import Any

from fastapi import APIRouter

from sousei_kg import __version__
from sousei_kg.deps import GraphDep

router = APIRouter(tags=["service"])


@router.get("/health", summary="Service health and versions")
def health(graph: GraphDep) -> dict[str, Any]:
    """Report that the service answers, with the software version and the dataset version hash."""
    return {
        "status": "ok",
        "software_version": __version__,
        "dataset_version": graph.version,
        "quads": graph.quad_count,
        "loaded_at": graph.loaded_at.isoformat(timespec="seconds"),
    }
