"""What ingesting one file did (no reader or DuckDB needed to name it)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FileReport"]


@dataclass
class FileReport:
    """What happened to one file.

    ``read = stored + duplicates + quarantined``; ``conflicts`` counts the
    duplicates whose content differs from the version already stored (which stays).
    """

    path: str
    reader: str
    dataset: str
    sha256: str
    read: int
    stored: int
    duplicates: int
    conflicts: int
    quarantined: int
    places_unmapped: int = 0
    """Events stored with a place whose country has no CAMEO code (``place_country``
    left empty): Kosovo, Jersey, the oceans, names the crosswalk does not know."""
