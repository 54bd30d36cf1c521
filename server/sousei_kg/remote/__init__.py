"""The remote backend: the same server reading from a SPARQL 1.1 engine the publisher operates
(Oxigraph server, Virtuoso, Fuseki…) through the standard protocols, and ``sousei-kg load``
pushing the validated graphs into it (docs/deployment.md)."""
