"""Open an input file once: hash it, unwrap gzip or zip, and look at its head.

Every reader sees a :class:`SourceFile`: the bytes to parse (decompressed to a
temporary file for zip, which DuckDB cannot read), the original file's SHA-256,
the first lines for format detection, and the numbers of the empty lines that a
line-based scan skips, so quarantine can report true line numbers.
"""

from __future__ import annotations

import codecs
import gzip
import hashlib
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from detente.errors import InputFileError

__all__ = ["SourceFile", "open_source"]

_CHUNK = 8 << 20
_HEAD = 64 << 10


@dataclass
class SourceFile:
    """An input file ready for a reader.

    Attributes:
        path: the file as given.
        data_path: the file DuckDB reads (a temporary copy for zip members).
        compression: ``none`` or ``gzip`` (how DuckDB must read ``data_path``).
        sha256: hash of the file as stored on disk.
        size: bytes on disk.
        head: the first non-empty lines of the decompressed content, decoded.
        leading_empty: how many empty lines come before the first non-empty one.
        member: name of the zip member, if any.
    """

    path: Path
    data_path: Path
    compression: str
    sha256: str
    size: int
    head: list[str]
    leading_empty: int = 0
    member: str | None = None
    _empty: list[int] | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        """Return the file's name (with the zip member, if any)."""
        return f"{self.path.name}!{self.member}" if self.member else self.path.name

    def empty_lines(self) -> list[int]:
        """Return the 1-based numbers of empty lines, which line scans skip.

        Needed only to report line numbers of quarantined rows, so the extra
        pass over the file is made on first use, not for every file.
        """
        if self._empty is None:
            opener = gzip.open if self.compression == "gzip" else open
            with opener(self.data_path, "rb") as fh:
                self._empty = [n for n, raw in enumerate(fh, start=1)
                               if raw.rstrip(b"\r\n") == b""]
        return self._empty

    @property
    def ingested_from(self) -> str:
        """Return the provenance label stored with each event."""
        return f"{self.name}@sha256:{self.sha256[:16]}"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _magic(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.read(4)


def _read_head(fh: BinaryIO, path: Path) -> tuple[list[str], int]:
    """Return the decoded first lines (up to 64 KiB) and the count of empty lines before them."""
    try:
        head = fh.read(_HEAD)
    except (EOFError, OSError, zipfile.BadZipFile) as exc:
        raise InputFileError(path, f"cut off or damaged compressed data ({exc})") from None
    lines = _decode_head(head, path)
    leading = 0
    for raw in head.split(b"\n"):
        if raw.strip(b"\r") or not lines:
            break
        leading += 1
    return lines, leading


def _check_gzip(path: Path) -> None:
    """Read a gzip stream to its end once, so a cut-off archive fails before parsing."""
    try:
        with gzip.open(path, "rb") as gz:
            while gz.read(_CHUNK):
                pass
    except (EOFError, OSError) as exc:
        raise InputFileError(path, f"cut off or damaged gzip data ({exc})") from None


def _decode_head(head: bytes, path: Path) -> list[str]:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputFileError(path, "encoded as UTF-16; convert it to UTF-8")
    if b"\x00" in head[:4096] and head.count(b"\x00") > len(head) // 8:
        raise InputFileError(path, "binary content, not a text file")
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        text = decoder.decode(head.removeprefix(codecs.BOM_UTF8), final=False)
    except UnicodeDecodeError as exc:
        line = head[: exc.start].count(b"\n") + 1
        raise InputFileError(
            path, f"not UTF-8 (byte 0x{head[exc.start]:02x} on line {line}); re-encode it as UTF-8"
        ) from None
    lines = text.split("\n")
    if len(head) == _HEAD:
        lines = lines[:-1]  # the last piece may be cut
    return [ln.rstrip("\r") for ln in lines if ln.strip("\r")][:200]


@contextmanager
def open_source(path: str | Path) -> Iterator[SourceFile]:
    """Prepare ``path`` for reading; clean up any temporary copy afterwards.

    Raises:
        InputFileError: the file is missing, unreadable, empty, damaged, not
            UTF-8, or a zip with no data member.
    """
    p = Path(path)
    if not p.exists():
        raise InputFileError(p, "no such file")
    if p.is_dir():
        raise InputFileError(p, "is a folder, not a file")
    if not os.access(p, os.R_OK):
        raise InputFileError(p, "not readable (permission denied)")
    size = p.stat().st_size
    if size == 0:
        raise InputFileError(p, "file is empty")
    sha = _sha256(p)
    magic = _magic(p)
    tmpdir: str | None = None
    try:
        if magic.startswith((b"PK\x03\x04", b"PK\x05\x06")):
            member, data_path, tmpdir = _unzip(p)
            with data_path.open("rb") as fh:
                head, leading = _read_head(fh, p)
            compression = "none"
        else:
            member, data_path = None, p
            if magic.startswith(b"\x1f\x8b"):
                compression = "gzip"
                _check_gzip(p)
                with gzip.open(p, "rb") as gz:
                    head, leading = _read_head(gz, p)  # type: ignore[arg-type]
            else:
                compression = "none"
                with p.open("rb") as fh:
                    head, leading = _read_head(fh, p)
        if not head:
            raise InputFileError(p, "holds no data (only empty lines)")
        yield SourceFile(
            path=p,
            data_path=data_path,
            compression=compression,
            sha256=sha,
            size=size,
            head=head,
            leading_empty=leading,
            member=member,
        )
    finally:
        if tmpdir is not None:
            shutil.rmtree(tmpdir, ignore_errors=True)


def _unzip(p: Path) -> tuple[str, Path, str]:
    try:
        with zipfile.ZipFile(p) as zf:
            members = [i for i in zf.infolist() if not i.is_dir() and i.file_size > 0]
            if not members:
                raise InputFileError(p, "zip archive has no data member")
            if len(members) > 1:
                names = ", ".join(i.filename for i in members[:3])
                raise InputFileError(
                    p, f"zip archive has {len(members)} data members ({names}, ...); unzip it first"
                )
            info = members[0]
            tmpdir = tempfile.mkdtemp(prefix="detente-")
            target = Path(tmpdir) / "member"
            with zf.open(info) as src, target.open("wb") as dst:
                shutil.copyfileobj(src, dst, _CHUNK)
            return info.filename, target, tmpdir
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise InputFileError(p, f"damaged zip archive ({exc})") from None
