"""The Python API: each analysis command of the CLI as a function, for notebooks and scripts.

Open a store, hand it to each function, close it when the task is done:

    import detente

    with detente.open_store() as st:
        yearly = detente.indicators(st, dyad="USA-RUS", period="year")
        report = detente.playbook_check(st, as_of="2021-12-31")

Each function takes its command's options as keyword arguments of the same name, the long
option name with dashes as underscores (``--min-sources`` is ``min_sources``, ``--as-of``
is ``as_of``), and takes the values the command accepts: dates as ``"2014"``,
``"2014-03"``, ``"2014-03-01"`` or a ``datetime.date``; a dyad as ``"USA-RUS"`` or
``("USA", "RUS")``; a repeatable option (``--dataset``, ``--issue`` of ``events``) as one
value or a list. Where Python does not allow the name (``--from``, ``--as``) the keyword
differs; every such case, and every option left out because the API does its job another
way (``--store``: the ``store`` argument; ``-o FILE``: the returned value), is listed in
:data:`CLI_NAMES` and :data:`NOT_OFFERED` below, which a test checks against the CLI.

Tables come back as pandas DataFrames (``output="arrow"``: a pyarrow Table); analyses as
the library's result objects; ``output="json"`` (for the brief also ``"html"`` and
``"markdown"``) gives the text the command prints. Every error raised on purpose is a
:class:`~detente.errors.DetenteError`; an argument that is not valid raises its subclass
:class:`~detente.errors.QueryError` saying which and why.

Heavy modules (DuckDB, pyarrow, pandas, statsmodels) load inside the functions, so
``import detente`` stays fast.

The library underneath is reachable too: :mod:`detente.series` (the indicator
series: ``IndicatorSpec``, ``compute_indicators``), :mod:`detente.analysis`,
:mod:`detente.policy`, :mod:`detente.report`, :mod:`detente.query` (the query layer).
"""

from __future__ import annotations

from detente._api.analyses import forecast, reciprocity, trends
from detente._api.brief import brief
from detente._api.policy import assess, playbook_check
from detente._api.runs import ForecastRun, ReciprocityRun
from detente._api.store import open_store
from detente._api.tables import events, indicators

__all__ = [
    "CLI_NAMES",
    "COMMANDS",
    "DEFAULTS",
    "NOT_OFFERED",
    "ForecastRun",
    "ReciprocityRun",
    "assess",
    "brief",
    "events",
    "forecast",
    "indicators",
    "open_store",
    "playbook_check",
    "reciprocity",
    "trends",
]

# -- how the keyword arguments relate to the command line ---------------------------------

COMMANDS: dict[str, tuple[str, ...]] = {
    "events": ("events",),
    "indicators": ("indicators",),
    "trends": ("trends",),
    "reciprocity": ("reciprocity",),
    "forecast": ("forecast",),
    "playbook_check": ("playbook", "check"),
    "assess": ("assess",),
    "brief": ("brief",),
}
"""The command each function stands for (a sub-command as its path)."""

CLI_NAMES: dict[str, dict[str, str]] = {
    "events": {"--from": "source", "--to": "target", "--as": "output"},
    "indicators": {"--from": "source", "--to": "target", "--as": "output"},
    "trends": {"--as": "output"},
    "reciprocity": {"--as": "output"},
    "forecast": {"--as": "output"},
    "playbook_check": {"FILE": "playbook", "--as": "output"},
    "assess": {"PROPOSAL": "proposal", "--as": "output"},
    "brief": {"--as": "output"},
}
"""Per function, the command-line options (and positional arguments, in capitals) whose
keyword is not the long option name with dashes as underscores. ``--from`` and ``--as`` are
Python keywords; ``--to`` follows ``--from``."""

NOT_OFFERED: dict[str, dict[str, str]] = {
    "*": {
        "--store": "the first argument is the store: a `Store` from `open_store(path)`",
        "--wait": "`open_store(path, wait=seconds)`",
    },
    "events": {
        "--output": "the table is returned; write it with `DataFrame.to_csv`, `to_parquet`, ...",
    },
    "indicators": {
        "--output": "the table is returned; write it with `DataFrame.to_csv`, `to_parquet`, ...",
        "--show-sql": "prints instead of running; `detente.series.indicators_sql(store, spec, "
                      "dialect=\"bigquery\")` returns that SQL",
        "--dialect": "goes with --show-sql: `indicators_sql(store, spec, dialect=...)`",
        "--against": "goes with --show-sql (GDELT's BigQuery table: the command line only)",
        "--version": "goes with --against gdelt (the command line only)",
        "--spark-master": "an active Spark session is used as it is: start yours on your master, "
                          "then `backend=\"spark\"`",
    },
    "brief": {
        "--format": "deprecated on the command line (the same as --as): `output=`",
        "--output": "the brief is returned (`output=\"html\"`, `\"markdown\"` or `\"json\"`: "
                    "its text); write it where you like",
    },
}
"""Per function (``"*"``: every command that has it), the options the API leaves out on
purpose, with what to use instead."""

DEFAULTS: dict[str, dict[str, str]] = {
    "*": {"output": "`None`: the Python result (a DataFrame, a result object or a model) "
                    "instead of the terminal's table or the brief's HTML"},
    "events": {"limit": "`None`: every selected event (the terminal shows 100 at a time)"},
}
"""Per function (``"*"``: all), the keywords whose default differs from the option's."""
