"""Query evaluation that a time limit can really stop.

pyoxigraph cannot cancel a query, and an ``ORDER BY`` or aggregate produces nothing until it is
done, so queries run in worker processes that hold their own copy of the store and are killed
(SIGKILL) when the limit passes; the pool starts a replacement and keeps serving other clients.
"""
