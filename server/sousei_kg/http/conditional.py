"""Conditional requests (RFC 9110 §13): ``ETag``/``Last-Modified`` validators keyed to the dataset
version, and 304 Not Modified when the client already holds the representation."""

import hashlib

from fastapi import Request
from fastapi.responses import Response

from sousei_kg.dataset.knowledge_graph import KnowledgeGraph


def etag_for(graph: KnowledgeGraph, *variant: str) -> str:
    """A strong ETag for a representation that depends on the dataset version and ``variant``
    (for example the path and the format), so each representation has its own tag."""
    digest = hashlib.sha256("\x1f".join((graph.version, *variant)).encode("utf-8")).hexdigest()
    return f'"{digest[:32]}"'


def validators(graph: KnowledgeGraph, etag: str) -> dict[str, str]:
    """The validator headers to send with a 200 (and a 304)."""
    return {"ETag": etag, "Last-Modified": graph.last_modified}


def not_modified(request: Request, graph: KnowledgeGraph, etag: str) -> Response | None:
    """Return a 304 response if the request's validators match, else ``None``.

    ``If-None-Match`` takes precedence over ``If-Modified-Since``, as RFC 9110 requires.
    """
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        if "*" in tags or etag in tags:
            return Response(status_code=304, headers=validators(graph, etag))
        return None
    if request.headers.get("if-modified-since") == graph.last_modified:
        return Response(status_code=304, headers=validators(graph, etag))
    return None
