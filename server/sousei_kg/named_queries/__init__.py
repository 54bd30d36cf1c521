"""Named queries: ``queries/*.rq`` with typed parameters, their catalogue and its RDF."""
