"""GDELT GKG 2.1 themes for fetched events (``detente fetch gdelt --gkg``).

For each 15 minutes GDELT 2.0 publishes, beside the event export, the Global
Knowledge Graph of the articles it read (``YYYYMMDDHHMMSS.gkg.csv.zip``): 27
tab-separated columns, among them the article's address
(``DocumentIdentifier``, column 5) and its themes (``V2Themes``, column 9:
``THEME,offset;THEME,offset;...``). An event whose source URL is such an article
gets the issue areas that the theme table (package data
``tagging/data/gkg_themes.yaml``, or a user's copy) gives the article's themes.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from detente.errors import DetenteError, InputFileError

__all__ = ["GKG_COLUMNS", "GkgScan", "ThemeTable", "load_theme_table", "scan_gkg"]

GKG_COLUMNS = 27
_DOCUMENT = 4  # DocumentIdentifier (0-based)
_V2THEMES = 8
_THEME = re.compile(r"^[A-Z0-9_]+$")
_AREA = re.compile(r"^[a-z][a-z0-9_]*$")
_MAX_MEMBER = 2 << 30  # a GKG file unzips to some 100 MB; refuse a zip bomb


@dataclass(frozen=True)
class ThemeTable:
    """GKG theme -> issue areas, and where the table came from."""

    areas: dict[str, tuple[str, ...]]
    origin: str

    def check_areas(self, known: set[str]) -> None:
        """Raise :class:`DetenteError` when an entry names an area the rules do not have."""
        bad = sorted({a for areas in self.areas.values() for a in areas} - known)
        if bad:
            raise DetenteError(f"{self.origin}: unknown issue area(s) {', '.join(bad)}; "
                               f"known: {', '.join(sorted(known))}")


def load_theme_table(path: Path | None = None) -> ThemeTable:
    """Read the theme table: the package's, or the YAML file ``path`` laid out the same way.

    Raises:
        DetenteError: the file is missing or malformed (the message names it and the entry).
    """
    from detente._yaml import load_named

    if path is None:
        origin = "the package's GKG theme table (tagging/data/gkg_themes.yaml)"
        text = resources.files("detente.tagging").joinpath("data/gkg_themes.yaml").read_text("utf-8")
    else:
        origin = str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise DetenteError(f"{path}: cannot read the GKG theme table "
                               f"({exc.strerror or exc})") from None
    doc = load_named(text, origin)
    entries = doc.get("themes") if isinstance(doc, dict) else None
    if not isinstance(entries, list) or not entries:
        raise DetenteError(f"{origin}: expected a mapping with a list `themes:` of entries "
                           "(theme, areas, documented)")
    out: dict[str, tuple[str, ...]] = {}
    for i, e in enumerate(entries, start=1):
        where = f"{origin}: theme entry {i}"
        if not isinstance(e, dict) or set(e) - {"theme", "areas", "documented"}:
            raise DetenteError(f"{where}: expected theme, areas and documented")
        theme, areas, documented = e.get("theme"), e.get("areas"), e.get("documented")
        if not isinstance(theme, str) or not _THEME.match(theme):
            raise DetenteError(f"{where}: theme must be a GKG theme code (upper case, digits, _), "
                               f"not {theme!r}")
        if not isinstance(areas, list) or not areas or not all(
                isinstance(a, str) and _AREA.match(a) for a in areas):
            raise DetenteError(f"{where} ({theme}): areas must be a list of issue areas")
        if not isinstance(documented, str) or not documented.strip():
            raise DetenteError(f"{where} ({theme}): say where GDELT documents the theme "
                               "(`documented:`)")
        if theme in out:
            raise DetenteError(f"{where}: theme {theme} is listed twice")
        out[theme] = tuple(sorted(set(areas)))
    return ThemeTable(out, origin)


@dataclass
class GkgScan:
    """What one GKG file gave."""

    areas: dict[str, list[str]] = field(default_factory=dict)
    """Issue areas per article address asked for (only those with any)."""
    seen: set[str] = field(default_factory=set)
    """Themes of the table found in any article of the file."""
    records: int = 0
    matched: int = 0
    """Addresses asked for that the file has an article for."""
    malformed: int = 0
    """Lines without GKG 2.1's 27 columns."""


def scan_gkg(path: Path, urls: set[str], table: ThemeTable) -> GkgScan:
    """Read a zipped GKG 2.1 file: the issue areas of the articles at ``urls``, and which of
    the table's themes appear anywhere in it.

    Raises:
        InputFileError: not a zip, or no line of it has the 27 columns of GKG 2.1.
    """
    wanted = {u.encode("utf-8", "surrogateescape") for u in urls}
    probes = {t: b";" + t.encode() + b"," for t in table.areas}
    out = GkgScan()
    try:
        with zipfile.ZipFile(path) as zf:
            members = [m for m in zf.infolist() if not m.is_dir()]
            if len(members) != 1:
                raise InputFileError(path, f"a GKG zip holds one file, this one {len(members)}")
            if members[0].file_size > _MAX_MEMBER:
                raise InputFileError(path, f"{members[0].filename} unzips to "
                                           f"{members[0].file_size:,} bytes; refused")
            with zf.open(members[0]) as raw:
                for line in raw:
                    fields = line.rstrip(b"\r\n").split(b"\t")
                    if len(fields) != GKG_COLUMNS:
                        if line.strip():
                            out.malformed += 1
                        continue
                    out.records += 1
                    themes = b";" + fields[_V2THEMES]
                    for t in [t for t in probes if t not in out.seen]:
                        if probes[t] in themes:
                            out.seen.add(t)
                    doc = fields[_DOCUMENT]
                    if doc in wanted:
                        out.matched += 1
                        key = doc.decode("utf-8", "surrogateescape")
                        areas = set(out.areas.get(key, ()))
                        for item in fields[_V2THEMES].split(b";"):
                            name = item.rsplit(b",", 1)[0].decode("ascii", "replace")
                            areas.update(table.areas.get(name, ()))
                        if areas:
                            out.areas[key] = sorted(areas)
    except (zipfile.BadZipFile, zlib.error, EOFError, zipfile.LargeZipFile,
            NotImplementedError) as exc:
        raise InputFileError(path, f"not a readable zip ({exc})") from None
    except OSError as exc:
        raise InputFileError(path, f"cannot be read ({exc.strerror or exc})") from None
    if out.records == 0:
        raise InputFileError(path, f"no line has the {GKG_COLUMNS} tab-separated columns of "
                                   "GKG 2.1 (not a GKG file?)")
    return out
