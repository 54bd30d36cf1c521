"""``X-Dataset-Version`` on every answer (in ``http/`` so that the protocol's replay of cached
answers, :mod:`sousei_kg.http.protocol_replay`, can recognise this layer and add what it adds)."""

from starlette.types import Scope

from sousei_kg.http.header_layer import HeaderLayer, Headers

VERSION_HEADER = b"x-dataset-version"


class DatasetVersionMiddleware(HeaderLayer):
    """Adds ``X-Dataset-Version`` to every HTTP answer."""

    def headers_for(self, scope: Scope, headers: Headers) -> Headers:
        # Read the graph when the answer starts, not when the request came in: a write swaps it,
        # and the write's own answer must name the new version.
        graph = getattr(scope["app"].state, "knowledge_graph", None)
        if graph is not None:
            headers.append((VERSION_HEADER, graph.version.encode("ascii")))
        return headers
