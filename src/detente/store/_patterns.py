"""Checking a regular expression the way the store's SQL will run it (RE2)."""

from __future__ import annotations

import duckdb

__all__ = ["re2_error"]


def re2_error(pattern: str) -> str | None:
    """Return why DuckDB's regular expressions (RE2) refuse ``pattern``, or ``None``.

    Python's ``re`` accepts what RE2 does not (look-behind, back references), so a
    pattern is tried where it will run: in DuckDB, written in as a literal (binding a
    parameter would import pandas).
    """
    literal = "'" + pattern.replace("'", "''") + "'"
    try:
        with duckdb.connect() as con:
            con.execute(f"SELECT regexp_matches('', {literal}, 'i')").fetchall()
    except duckdb.Error as exc:
        return str(exc).strip().splitlines()[0].removeprefix("Invalid Input Error: ")
    return None
