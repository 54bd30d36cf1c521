"""The HTTP edge: the uvicorn protocol, request limits, client identity, the rate limit, caches of
answers, the lean path, conditional requests, negotiation, dependencies, auth and the error map."""
