"""Open an input file once: hash it, unwrap gzip or zip, and look at its head.

Every reader sees a :class:`SourceFile`: the bytes to parse (decompressed to a
temporary file for zip, which DuckDB cannot read), the original file's SHA-256,
the first lines for format detection, and the numbers of the empty lines that a
line-based scan skips, so quarantine can report true line numbers.

DuckDB's line scanner ends a line at a carriage return, so a lone one inside a
field (not followed by a line feed) would split a row in two. The passes that
read the whole file anyway (hashing, checking gzip, unzipping) also look for
one; a file that has any gets a copy for line scans in which each lone carriage
return stands in as a control character the file does not use, turned back
into a carriage return in SQL (:attr:`SourceFile.cr_standin`).
"""

from __future__ import annotations

import codecs
import gzip
import hashlib
import os
import re
import shutil
import tempfile
import zipfile
import zlib
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
        line_path: the copy line scans read when the file has lone carriage returns
            (uncompressed; each lone one replaced by ``cr_standin``), else ``None``.
        cr_standin: the character standing in for a lone carriage return in
            ``line_path``, if any.
        batch: for a scan of several files of the same shape at once, the links to
            their :attr:`scan_path` in order (this file is the first); else ``None``.
    """

    path: Path
    data_path: Path
    compression: str
    sha256: str
    size: int
    head: list[str]
    leading_empty: int = 0
    member: str | None = None
    line_path: Path | None = None
    cr_standin: str | None = None
    batch: list[Path] | None = None
    _empty: list[int] | None = field(default=None, repr=False)

    @property
    def scan_path(self) -> Path:
        """Return the file a line scan reads (``line_path`` when there is one)."""
        return self.line_path or self.data_path

    @property
    def scan_compression(self) -> str:
        """Return how a line scan must read :attr:`scan_path`."""
        return "none" if self.line_path else self.compression

    @property
    def name(self) -> str:
        """Return the file's name (with the zip member, if any), printable."""
        name = printable(self.path.name)
        return f"{name}!{self.member}" if self.member else name

    def empty_lines(self) -> list[int]:
        """Return the 1-based numbers of empty lines, which line scans skip.

        Needed only to report line numbers of quarantined rows, so the extra
        pass over the file is made on first use, not for every file.
        """
        if self._empty is None:
            opener = gzip.open if self.scan_compression == "gzip" else open
            with opener(self.scan_path, "rb") as fh:  # a byte-order mark is not text
                self._empty = [n for n, raw in enumerate(fh, start=1)
                               if (raw.removeprefix(codecs.BOM_UTF8) if n == 1 else raw)
                               .rstrip(b"\r\n") == b""]
        return self._empty

    @property
    def ingested_from(self) -> str:
        """Return the provenance label stored with each event."""
        return f"{self.name}@sha256:{self.sha256[:16]}"


_STANDINS = (b"\x1d", b"\x1c", b"\x1b", b"\x1a")
"""Control characters that may stand in for a lone carriage return (the first unused)."""
_LONE_CR = re.compile(rb"\r(?!\n)")


class _CrWatch:
    """Fed a file's content chunk by chunk, tell how its lines end.

    ``lone``: it has a lone carriage return (one not followed by a line feed; a last
    one at the very end ends a line); ``crlf``: a CR LF pair; ``lf``: a line feed not
    after a carriage return. A file without any carriage return costs one or two
    byte searches per chunk.
    """

    def __init__(self) -> None:
        self.lone = False
        self.crlf = False
        self.lf = False
        self._pending = False  # the last chunk ended with a carriage return

    def feed(self, chunk: bytes) -> None:
        if not chunk:
            return
        start = 0
        if self._pending:
            if chunk.startswith(b"\n"):
                self.crlf, start = True, 1
            else:
                self.lone = True
        self._pending = chunk.endswith(b"\r")
        end = len(chunk) - 1 if self._pending else len(chunk)
        if b"\r" not in chunk:
            self.lf = self.lf or chunk.find(b"\n", start) >= 0
            return
        body = chunk[start:end]
        pairs = body.count(b"\r\n")
        self.crlf = self.crlf or pairs > 0
        self.lf = self.lf or body.count(b"\n") > pairs
        self.lone = self.lone or _LONE_CR.search(body) is not None

    @property
    def cr_only(self) -> bool:
        """Lines end with a carriage return alone (old Mac files): no line feed at all."""
        return self.lone and not self.crlf and not self.lf

    @property
    def mixed(self) -> bool:
        """Some lines end with CR LF and others with LF alone."""
        return self.crlf and self.lf


def _free_standin(fh: BinaryIO, path: Path) -> bytes:
    """Return the first of :data:`_STANDINS` that ``fh``'s content does not use."""
    free = list(_STANDINS)
    while free and (chunk := fh.read(_CHUNK)):
        free = [c for c in free if c not in chunk]
    if not free:
        raise InputFileError(path, "has carriage returns inside lines and uses every "
                                   "control character that could stand in for them; "
                                   "remove the carriage returns first")
    return free[0]


def _sha256(path: Path, watch: _CrWatch | None = None) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
            if watch is not None:
                watch.feed(chunk)
    return digest.hexdigest()


def _standin_copy(fh: BinaryIO, target: Path, standin: bytes | None, *, mode: str = "lone") -> None:
    """Copy ``fh`` to ``target`` with its line ends made readable for DuckDB's scanner.

    ``mode``: ``lone`` replaces each lone carriage return by ``standin``; ``cr`` turns
    every carriage return into a line feed (a file whose lines end with one);
    ``mixed`` turns each CR LF into LF and, with a ``standin``, replaces lone ones.
    """
    def fix(buf: bytes) -> bytes:
        if mode == "cr":
            return buf.replace(b"\r", b"\n")
        if mode == "mixed":
            buf = buf.replace(b"\r\n", b"\n")
        return _LONE_CR.sub(standin, buf) if standin else buf

    carry = b""
    with target.open("wb") as out:
        while True:
            chunk = fh.read(_CHUNK)
            buf, carry = carry + chunk, b""
            if chunk and buf.endswith(b"\r"):
                buf, carry = buf[:-1], b"\r"  # its line feed may open the next chunk
            if not chunk:
                end = b"\r" if buf.endswith(b"\r") else b""  # a last one ends the last line
                tail = fix(buf[: len(buf) - len(end)])
                out.write(tail + (b"\n" if end and mode != "lone" else end))
                return
            out.write(fix(buf))


def _magic(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.read(4)


def _read_head(fh: BinaryIO, path: Path) -> tuple[list[str], int]:
    """Return the decoded first lines (up to 64 KiB) and the count of empty lines before them."""
    try:
        head = fh.read(_HEAD)
    except (EOFError, OSError, zlib.error, zipfile.BadZipFile) as exc:
        raise InputFileError(path, f"cut off or damaged compressed data ({_why(exc)})") from None
    lines = _decode_head(head, path)
    if not lines and len(head) == _HEAD and head.strip(b"\r\n"):
        raise InputFileError(path, f"its first line is longer than {_HEAD >> 10} KiB, too long to "
                                   "tell its format; no format detente reads has such lines")
    leading = 0
    for raw in head.removeprefix(codecs.BOM_UTF8).split(b"\n"):
        if raw.strip(b"\r") or not lines:
            break
        leading += 1
    return lines, leading


def _why(exc: BaseException) -> str:
    """Return an exception's message on one line (its class name if it has none)."""
    text = " ".join(str(exc).split())[:200]
    return text or type(exc).__name__


def _check_gzip(path: Path, watch: _CrWatch) -> None:
    """Read a gzip stream to its end once, so a cut-off archive fails before parsing."""
    try:
        with gzip.open(path, "rb") as gz:
            while chunk := gz.read(_CHUNK):
                watch.feed(chunk)
    except (EOFError, OSError, zlib.error) as exc:
        raise InputFileError(path, f"cut off or damaged gzip data ({_why(exc)})") from None


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


_GLOB = re.compile(r"[*?\[\]{}]")
"""Characters DuckDB's file readers take as a pattern (a name holding one names other files)."""


def printable(path: str | Path) -> str:
    """Return ``path`` as text that can be printed and stored: a name that is not UTF-8
    shows its stray bytes as ``\\xNN``."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _duckdb_path(p: Path, tmpdir: str | None) -> tuple[Path, str | None]:
    """Return a path naming exactly ``p`` that DuckDB reads as that one file.

    DuckDB expands ``*``, ``?`` and ``[...]`` in the paths its readers are given, so a
    file whose name holds one would be read as the files the pattern matches; such a
    file (or one whose name is not UTF-8) is read through a link with a plain name.
    """
    full = p.absolute()
    text = str(full)
    if not _GLOB.search(text) and printable(full) == text:
        return full, tmpdir
    tmpdir = tmpdir or tempfile.mkdtemp(prefix="detente-")
    link = Path(tmpdir) / "source"
    link.symlink_to(full)
    return link, tmpdir


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
    magic = _magic(p)
    zipped = magic.startswith((b"PK\x03\x04", b"PK\x05\x06"))
    gzipped = magic.startswith(b"\x1f\x8b")
    watch = _CrWatch()
    sha = _sha256(p, None if zipped or gzipped else watch)
    tmpdir: str | None = None
    try:
        if zipped:
            tmpdir = tempfile.mkdtemp(prefix="detente-")
            member, data_path = _unzip(p, watch, Path(tmpdir))
            with data_path.open("rb") as fh:
                head, leading = _read_head(fh, p)
            compression = "none"
        else:
            member = None
            data_path, tmpdir = _duckdb_path(p, tmpdir)
            if gzipped:
                compression = "gzip"
                with gzip.open(p, "rb") as gz:  # the head first: text of a known shape
                    head, leading = _read_head(gz, p)  # type: ignore[arg-type]
                _check_gzip(p, watch)
            else:
                compression = "none"
                with p.open("rb") as fh:
                    head, leading = _read_head(fh, p)
        line_path: Path | None = None
        standin: bytes | None = None
        mode = "cr" if watch.cr_only else "mixed" if watch.mixed else "lone" if watch.lone else None
        if mode is not None:  # more passes, for the few files that need them
            opener = gzip.open if compression == "gzip" else open
            if watch.lone and mode != "cr":
                with opener(data_path, "rb") as fh:
                    standin = _free_standin(fh, p)  # type: ignore[arg-type]
            tmpdir = tmpdir or tempfile.mkdtemp(prefix="detente-")
            line_path = Path(tmpdir) / "lines"
            with opener(data_path, "rb") as fh:
                _standin_copy(fh, line_path, standin, mode=mode)  # type: ignore[arg-type]
            if mode == "cr":  # its lines are only seen as lines in the copy
                with line_path.open("rb") as fh:
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
            line_path=line_path,
            cr_standin=standin.decode() if standin else None,
        )
    finally:
        if tmpdir is not None:
            shutil.rmtree(tmpdir, ignore_errors=True)


MAX_UNZIPPED = 16 << 30
"""Largest zip member (bytes, uncompressed) read; ``$DETENTE_MAX_UNZIPPED`` changes it."""
MAX_ZIP_RATIO = 200
"""Largest compression ratio accepted for a zip member over 64 MiB (text compresses
about 10:1; a member packed far tighter is a decompression bomb)."""
_RATIO_FROM = 64 << 20


def _max_unzipped() -> int:
    env = os.environ.get("DETENTE_MAX_UNZIPPED")
    try:
        return int(env) if env else MAX_UNZIPPED
    except ValueError:
        return MAX_UNZIPPED


def _unzip(p: Path, watch: _CrWatch, tmpdir: Path) -> tuple[str, Path]:
    """Extract the one data member of zip ``p`` into ``tmpdir``, after checking its head
    is text and its size within bounds (the caller removes ``tmpdir``)."""
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
            limit = _max_unzipped()
            if info.file_size > limit:
                raise InputFileError(p, f"zip member is {info.file_size:,} bytes unzipped, over the "
                                        f"limit of {limit:,} ($DETENTE_MAX_UNZIPPED); unzip it first")
            ratio = info.file_size / max(1, info.compress_size)
            if info.file_size > _RATIO_FROM and ratio > MAX_ZIP_RATIO:
                raise InputFileError(p, f"zip member is compressed {ratio:,.0f}:1, far tighter than "
                                        "event data; refused as a likely decompression bomb")
            free = shutil.disk_usage(tmpdir).free
            if info.file_size > free:
                raise InputFileError(p, f"zip member needs {info.file_size:,} bytes unzipped; the "
                                        f"temporary folder has {free:,} free")
            with zf.open(info) as src:  # the head first: text of a known shape, or no unzipping
                _read_head(src, p)  # type: ignore[arg-type]
            target = tmpdir / "member"
            written = 0
            with zf.open(info) as src, target.open("wb") as dst:
                while chunk := src.read(_CHUNK):
                    written += len(chunk)
                    if written > info.file_size:
                        raise InputFileError(p, "damaged zip archive (member longer than it states)")
                    dst.write(chunk)
                    watch.feed(chunk)
            return info.filename, target
    except (zipfile.BadZipFile, EOFError, OSError, zlib.error, NotImplementedError) as exc:
        raise InputFileError(p, f"damaged zip archive ({_why(exc)})") from None
