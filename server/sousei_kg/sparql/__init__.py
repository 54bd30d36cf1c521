"""SPARQL text and the SPARQL 1.1 Protocol, without HTTP: the lexer, the SERVICE/LOAD guard,
query and update requests, graph payloads, formats and serialisation."""
