"""How the OpenAPI document (``/docs``) describes ``/sparql``.

The endpoint reads its parameters from the raw query string and body (the protocol needs what
FastAPI's parameter parsing hides), so they are declared here, by hand, as ``openapi_extra``.
"""

from typing import Any

from sousei_kg.sparql.formats import DATASET_FORMATS, GRAPH_FORMATS, RESULT_FORMATS
from sousei_kg.sparql.query_protocol import FORM, SPARQL_QUERY

EXAMPLE = (
    "PREFIX sousei: <https://w3id.org/sousei-kg/def#>\n"
    "SELECT ?goal WHERE { ?goal a sousei:PolicyGoal }"
)
GRAPH_PARAM = {
    "type": "array",
    "items": {"type": "string", "format": "iri"},
}
FORMAT_PARAM = {
    "in": "query",
    "name": "format",
    "required": False,
    "description": (
        "Overrides Accept: json, xml, csv, tsv (SELECT/ASK); ttl, nt, rdfxml, jsonld, nq, trig "
        "(CONSTRUCT/DESCRIBE); or a full media type. `output` is a synonym."
    ),
    "schema": {"type": "string"},
    "example": "json",
}
DATASET_PARAMS = [
    {
        "in": "query",
        "name": name,
        "required": False,
        "description": description,
        "schema": GRAPH_PARAM,
        "style": "form",
        "explode": True,
        "example": ["https://w3id.org/sousei-kg/graph/strategy-2025"],
    }
    for name, description in (
        ("default-graph-uri", "A graph of this store merged into the default graph (repeatable)."),
        ("named-graph-uri", "A graph of this store made available to GRAPH (repeatable)."),
    )
]
MEDIA = {
    fmt.media_type: {"schema": {"type": "string"}}
    for fmt in (*RESULT_FORMATS, *GRAPH_FORMATS, *DATASET_FORMATS)
}
RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "SELECT/ASK results (default JSON) or an RDF graph for CONSTRUCT/DESCRIBE "
        "(default Turtle); a bare GET returns the Service Description.",
        "content": MEDIA,
    },
    400: {"description": "Syntax error (with line and column), bad parameter, or an update."},
    406: {"description": "No offered format matches Accept or format=."},
    415: {"description": "POST body that is neither a form nor application/sparql-query."},
}
GET_DOC = {
    "parameters": [
        {
            "in": "query",
            "name": "query",
            "required": False,
            "description": "The SPARQL 1.1 query. Without it: the Service Description.",
            "schema": {"type": "string"},
            "example": EXAMPLE,
        },
        *DATASET_PARAMS,
        FORMAT_PARAM,
    ]
}
POST_DOC = {
    "parameters": [*DATASET_PARAMS, FORMAT_PARAM],
    "requestBody": {
        "required": True,
        "content": {
            FORM: {
                "schema": {
                    "type": "object",
                    "required": ["query"],
                    "properties": {
                        "query": {"type": "string"},
                        "default-graph-uri": GRAPH_PARAM,
                        "named-graph-uri": GRAPH_PARAM,
                        "format": {"type": "string"},
                    },
                },
                "example": {"query": EXAMPLE},
            },
            SPARQL_QUERY: {"schema": {"type": "string"}, "example": EXAMPLE},
        },
    },
}
