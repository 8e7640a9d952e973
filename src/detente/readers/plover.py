"""POLECAT (as published, tab-separated) and PLOVER JSON records.

Both are coded in PLOVER, not CAMEO: their events keep ``ontology = 'plover'``
and an empty CAMEO code; the quad class comes from the PLOVER type.
"""

from __future__ import annotations

from typing import ClassVar

from detente.errors import InputFileError
from detente.readers._base import Reader
from detente.readers._source import SourceFile

__all__ = ["PloverJsonReader", "PolecatReader"]


class PolecatReader(Reader):
    """POLECAT event file as published (tab-separated with a header)."""

    name: ClassVar[str] = "polecat"
    dataset: ClassVar[str] = "polecat"
    summary: ClassVar[str] = "POLECAT event file: tab-separated with a header, PLOVER-coded"

    def sniff(self, src: SourceFile) -> float:
        """Return 0: not yet implemented."""
        return 0.0

    def select_sql(self, src: SourceFile, rejects: str) -> str:
        """Not yet implemented."""
        raise InputFileError(src.path, "POLECAT reader not implemented")


class PloverJsonReader(Reader):
    """PLOVER JSON records, one per line."""

    name: ClassVar[str] = "plover"
    dataset: ClassVar[str] = "plover"
    summary: ClassVar[str] = "PLOVER JSON records (one object per line)"

    def sniff(self, src: SourceFile) -> float:
        """Return 0: not yet implemented."""
        return 0.0

    def select_sql(self, src: SourceFile, rejects: str) -> str:
        """Not yet implemented."""
        raise InputFileError(src.path, "PLOVER reader not implemented")
