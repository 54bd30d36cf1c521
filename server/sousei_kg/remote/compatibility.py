"""Named queries an engine is known to answer wrongly, and the refusal that keeps the server from
passing its wrong answers on (docs/deployment.md, "What differs between engines").

Found by tests/remote/test_backends.py, which runs every named query on every backend and compares
the rows with pyoxigraph's. Only a query whose rows are *wrong* is listed (not one whose answer
merely differs where SPARQL leaves the choice to the engine, such as GROUP_CONCAT's order).
"""

from sousei_kg.config import Settings
from sousei_kg.errors import SouseiError

WRONG_ANSWERS: dict[str, dict[str, str]] = {
    "virtuoso": {
        "list-measures-for-kpi": (
            "Virtuoso 7.2.5 evaluates this query's UNION of paths with its EXISTS-bound flags "
            "wrongly: labels are joined to other measures' rows"
        ),
    },
}


class UnsupportedOnEngineError(SouseiError):
    """The named query is known to give wrong answers on the configured engine (answered 501)."""


def refuse_if_wrong_on_engine(settings: Settings, query_name: str) -> None:
    """Raise if the remote engine is known to answer ``query_name`` wrongly.

    Raises:
        UnsupportedOnEngineError: naming the engine, the reason and where it is documented.
    """
    if settings.backend != "remote":
        return
    reason = WRONG_ANSWERS.get(settings.engine, {}).get(query_name)
    if reason is not None:
        raise UnsupportedOnEngineError(
            f"the named query {query_name} is not served from this server's SPARQL engine "
            f"({settings.engine}): {reason}; see docs/deployment.md"
        )
