"""The HTTP edge: the uvicorn protocol and its event loop, connection caps and the open-file
budget, request limits, client identity, the rate limit, caches of answers, the lean path,
conditional requests, negotiation, dependencies, auth and the error map."""
