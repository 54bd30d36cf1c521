"""The named-query catalogue described for machines: as RDF, as JSON and as OpenAPI parameters.

Vocabulary (RDF): each query is a ``sh:SPARQLSelectExecutable`` (SHACL Advanced Features), whose
``sh:select`` holds the SPARQL text and whose ``sh:parameter`` nodes (``sh:Parameter``) say name,
type (``sh:datatype`` or ``sh:nodeKind sh:IRI``), ``sh:optional`` and ``sh:defaultValue``: it is
the W3C vocabulary that already models "a SELECT with typed parameters", so a SHACL-aware tool can
read it. Each query is also a ``dcat:DataService`` (with ``dcat:endpointURL``, ``dcat:keyword``)
in a ``dcat:Catalog``, so the harvesters that read our DCAT description find the operations too.
Parameter nodes get IRIs (``…/queries/NAME#PARAM``): the project publishes no blank nodes.

The catalogue carries what DCAT-AP 3.0.1 requires of a catalogue (title, description, a
publisher typed ``foaf:Agent`` with its name) and types the standard each query conforms to
(``dcterms:Standard``), so it passes DCAT-AP's mandatory and range shapes as ``/dataset`` does
(``tests/named_queries/test_named_queries.py``). The full DCAT-AP description of the dataset,
with contact point and themes, is ``/dataset``.
"""

from typing import Any

from pyoxigraph import Literal, NamedNode, Triple

from sousei_kg.named_queries.catalogue import Catalog, NamedQuery
from sousei_kg.named_queries.parameters import XSD, QueryParam
from sousei_kg.namespaces import CANONICAL_BASE, ID

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SH = "http://www.w3.org/ns/shacl#"
DCAT = "http://www.w3.org/ns/dcat#"
DCTERMS = "http://purl.org/dc/terms/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
FOAF = "http://xmlns.com/foaf/0.1/"
CATALOG_IRI = CANONICAL_BASE + "queries"
PUBLISHER = ID + "agent/sousei-kg"
"""The project, publisher of the dataset and of ``/dataset`` (``publication.statistics``)."""
SPARQL_QUERY = "https://www.w3.org/TR/sparql11-query/"

_OPENAPI_SCHEMAS: dict[str, dict[str, str]] = {
    "iri": {"type": "string", "format": "uri"},
    "string": {"type": "string"},
    "langString": {"type": "string", "pattern": "^.*@[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$"},
    "integer": {"type": "integer"},
    "boolean": {"type": "boolean"},
    "xsd:integer": {"type": "integer"},
    "xsd:decimal": {"type": "number"},
    "xsd:double": {"type": "number"},
    "xsd:float": {"type": "number"},
    "xsd:date": {"type": "string", "format": "date"},
    "xsd:dateTime": {"type": "string", "format": "date-time"},
    "xsd:anyURI": {"type": "string", "format": "uri"},
}


def query_iri(query: NamedQuery) -> str:
    """The canonical IRI of a named query (its URL under the canonical base)."""
    return f"{CATALOG_IRI}/{query.name}"


def _n(iri: str) -> NamedNode:
    return NamedNode(iri)


def datatype_iri(param: QueryParam) -> str | None:
    """The XSD (or rdf:langString) datatype of a literal parameter; ``None`` for an IRI."""
    if param.type == "iri":
        return None
    if param.type == "langString":
        return RDF + "langString"
    return XSD + param.type.removeprefix("xsd:")


def catalog_triples(catalog: Catalog) -> list[Triple]:
    """Describe every query of the catalogue (see the module docstring for the vocabulary)."""
    cat, publisher, standard = _n(CATALOG_IRI), _n(PUBLISHER), _n(SPARQL_QUERY)
    titles = (
        Literal("sousei-kg named queries", language="en"),
        Literal("sousei-kg 名前付きクエリ", language="ja"),
    )
    descriptions = (
        Literal(
            "SPARQL SELECT queries over the sousei-kg dataset with typed parameters, each "
            "answered at its own URL.",
            language="en",
        ),
        Literal(
            "型付きの引数をとる sousei-kg の SPARQL SELECT クエリ。各々の URL で答える。",
            language="ja",
        ),
    )
    triples = [
        Triple(cat, _n(RDF + "type"), _n(DCAT + "Catalog")),
        *(Triple(cat, _n(RDFS + "label"), title) for title in titles),
        *(Triple(cat, _n(DCTERMS + "title"), title) for title in titles),
        *(Triple(cat, _n(DCTERMS + "description"), text) for text in descriptions),
        Triple(cat, _n(DCTERMS + "publisher"), publisher),
        Triple(publisher, _n(RDF + "type"), _n(FOAF + "Agent")),
        Triple(publisher, _n(FOAF + "name"), Literal("The sousei-kg project", language="en")),
        Triple(publisher, _n(FOAF + "name"), Literal("sousei-kg プロジェクト", language="ja")),
        Triple(standard, _n(RDF + "type"), _n(DCTERMS + "Standard")),
        Triple(
            standard, _n(DCTERMS + "title"), Literal("SPARQL 1.1 Query Language", language="en")
        ),
    ]
    for query in catalog:
        subject = _n(query_iri(query))
        triples.append(Triple(cat, _n(DCAT + "service"), subject))
        triples.extend(_query_triples(subject, query))
    return triples


def _query_triples(subject: NamedNode, query: NamedQuery) -> list[Triple]:
    triples = [
        Triple(subject, _n(RDF + "type"), _n(SH + "SPARQLSelectExecutable")),
        Triple(subject, _n(RDF + "type"), _n(DCAT + "DataService")),
        Triple(subject, _n(RDFS + "label"), Literal(query.summary, language="en")),
        Triple(subject, _n(DCTERMS + "title"), Literal(query.summary, language="en")),
        Triple(subject, _n(DCTERMS + "identifier"), Literal(query.name)),
        Triple(subject, _n(SH + "select"), Literal(query.text)),
        Triple(subject, _n(DCAT + "endpointURL"), subject),
        Triple(subject, _n(DCAT + "endpointDescription"), _n(CANONICAL_BASE + "openapi.json")),
        Triple(subject, _n(DCTERMS + "conformsTo"), _n(SPARQL_QUERY)),
        Triple(subject, _n(DCTERMS + "publisher"), _n(PUBLISHER)),
    ]
    if query.description:
        description = Literal(query.description, language="en")
        triples.append(Triple(subject, _n(DCTERMS + "description"), description))
    triples.extend(Triple(subject, _n(DCAT + "keyword"), Literal(tag)) for tag in query.tags)
    for param in query.params:
        node = _n(f"{query_iri(query)}#{param.name}")
        triples += [
            Triple(subject, _n(SH + "parameter"), node),
            Triple(node, _n(RDF + "type"), _n(SH + "Parameter")),
            Triple(node, _n(SH + "path"), node),
            Triple(node, _n(SH + "name"), Literal(param.name)),
            Triple(node, _n(SH + "optional"), Literal(not param.required)),
        ]
        datatype = datatype_iri(param)
        if datatype is None:
            triples.append(Triple(node, _n(SH + "nodeKind"), _n(SH + "IRI")))
        else:
            triples.append(Triple(node, _n(SH + "datatype"), _n(datatype)))
        if param.description:
            text = Literal(param.description, language="en")
            triples.append(Triple(node, _n(SH + "description"), text))
        if param.default is not None:
            triples.append(Triple(node, _n(SH + "defaultValue"), param.cast(param.default)))
        if param.example is not None:
            triples.append(Triple(node, _n(SKOS + "example"), param.cast(param.example)))
    return triples


def catalog_json(catalog: Catalog, public_base: str) -> dict[str, Any]:
    """The catalogue as plain JSON: what a script needs to call each query."""
    return {
        "queries": [
            {
                "name": q.name,
                "url": f"{public_base}queries/{q.name}",
                "summary": q.summary,
                "description": q.description,
                "tags": list(q.tags),
                "params": [
                    {
                        "name": p.name,
                        "type": p.type,
                        "required": p.required,
                        "default": p.default,
                        "example": p.example,
                        "description": p.description,
                        "enum": list(p.enum),
                    }
                    for p in q.params
                ],
                "returns": list(q.returns),
                "sparql": q.text,
            }
            for q in catalog
        ]
    }


def openapi_parameters(query: NamedQuery, format_keys: tuple[str, ...]) -> list[dict[str, Any]]:
    """OpenAPI 3 ``parameters`` of one query's operation: its typed parameters plus ``format``
    (unless ``format_keys`` is empty: a download's URL names the format)."""
    parameters: list[dict[str, Any]] = []
    for param in query.params:
        schema: dict[str, Any] = dict(_OPENAPI_SCHEMAS.get(param.type, {"type": "string"}))
        if param.enum:
            schema["enum"] = list(param.enum)
        if param.default is not None:
            schema["default"] = _json_value(param, param.default)
        entry: dict[str, Any] = {
            "name": param.name,
            "in": "query",
            "required": param.required,
            "description": f"{param.description} (type: {param.type})".strip(),
            "schema": schema,
        }
        if param.example is not None:
            entry["example"] = _json_value(param, param.example)
        parameters.append(entry)
    if format_keys:  # a download URL names its format itself (routes/query_downloads.py)
        parameters.append(
            {
                "name": "format",
                "in": "query",
                "required": False,
                "description": "Result format; overrides the Accept header.",
                "schema": {"type": "string", "enum": list(format_keys)},
            }
        )
    return parameters


def _json_value(param: QueryParam, value: str) -> Any:
    schema_type = _OPENAPI_SCHEMAS.get(param.type, {}).get("type")
    if schema_type == "integer":
        return int(value)
    if schema_type == "boolean":
        return value.lower() in ("true", "1")
    if schema_type == "number":
        return float(value)
    return value
