"""The dataset's namespaces and the prefixes written into Turtle and TriG.

Every minted IRI starts with :data:`CANONICAL_BASE` (a w3id.org permanent identifier): resources
under ``id/``, the vocabulary under ``def#``, named graphs under ``graph/``.
"""

CANONICAL_BASE = "https://w3id.org/sousei-kg/"
VOCAB = CANONICAL_BASE + "def#"
ID = CANONICAL_BASE + "id/"
GRAPH = CANONICAL_BASE + "graph/"

ONTOLOGY_GRAPH = GRAPH + "ontology"
SHAPES_GRAPH = GRAPH + "shapes"

PREFIXES: dict[str, str] = {
    "sousei": VOCAB,
    "graph": GRAPH,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "sh": "http://www.w3.org/ns/shacl#",
}
"""Prefixes used when writing Turtle or TriG. ``id:`` is left out on purpose: resource IRIs have
slashes (``id:measure/…``), which Turtle would have to escape (``id:measure\\/…``)."""

KNOWN_PREFIXES: dict[str, str] = {**PREFIXES, "id": ID}
"""The prefixes people write queries with: the query editor pre-fills and autocompletes them, and
an error for an undeclared prefix offers its ``PREFIX`` line from here (``id:`` too: fine in a
query, where only Turtle output has to avoid it)."""
