"""Where ``sousei-kg serve`` writes its logs: a ``logging.config`` dictionary for uvicorn.

uvicorn applies it in every server process it starts (``--workers N`` too), so each process writes
to the same standard error:

* ``sousei_kg.access``: the access log, one JSON line per request, exactly as the middleware
  wrote it (sousei_kg.http.access_log);
* ``sousei_kg`` (everything else of ours): warnings and errors with time, level and logger, e.g.
  an engine failure on a query (sousei_kg.http.query_answers);
* uvicorn's own loggers as uvicorn configures them.
"""

import copy
from typing import Any


def server_log_config() -> dict[str, Any]:
    """uvicorn's logging configuration plus our two loggers, both on standard error."""
    from uvicorn.config import LOGGING_CONFIG  # imported here, as serve imports uvicorn

    config: dict[str, Any] = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"].update(
        {
            "sousei_kg": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
            "sousei_kg.access": {"format": "%(message)s"},
        }
    )
    for name in ("sousei_kg", "sousei_kg.access"):
        config["handlers"][name] = {
            "class": "logging.StreamHandler",
            "formatter": name,
            "stream": "ext://sys.stderr",
        }
    config["loggers"].update(
        {
            "sousei_kg": {"handlers": ["sousei_kg"], "level": "WARNING", "propagate": False},
            # Its own handler, and not passed on to the one above: a line is written once, bare.
            "sousei_kg.access": {
                "handlers": ["sousei_kg.access"],
                "level": "INFO",
                "propagate": False,
            },
        }
    )
    return config
