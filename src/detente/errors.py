"""Errors the library raises; the CLI turns each into one clean line."""

from __future__ import annotations

import os
from pathlib import Path


class DetenteError(Exception):
    """Base class of every error `detente` raises on purpose."""


class InputFileError(DetenteError):
    """A whole input file cannot be read; nothing of it was stored."""

    def __init__(self, path: str | Path, problem: str) -> None:
        # a name that is not UTF-8 shows its stray bytes as \xNN (it must print)
        self.path = os.fsencode(path).decode("utf-8", "backslashreplace")
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class UnknownFormatError(InputFileError):
    """No reader recognises the file's content."""


class StoreError(DetenteError):
    """The store cannot be opened or is not a detente store."""


class QueryError(DetenteError):
    """A filter or option given to a query is not valid."""


class RulesError(DetenteError):
    """An issue-area rules file is not valid."""


class StoreBusyError(StoreError):
    """Another process held the store for longer than this one would wait.

    The command line exits with status 75 (``EX_TEMPFAIL``: try again later).
    """

    def __init__(self, path: str | Path, waited: float) -> None:
        self.path = str(path)
        self.waited = waited
        super().__init__(
            f"{self.path}: the store is busy (another detente process is writing to it, or "
            f"reading it while this one would write); gave up after {waited:g} s "
            "(--wait sets how long to wait)")
