"""Fuzzing: mutated files through every reader and into a store, mutated playbooks and
proposals through their loaders, and generated conditions through the parser.

Every input ends in a result or in one line naming the problem (a
:class:`~detente.errors.DetenteError`), never a traceback or a hang: each example has a
deadline, and reading leaves no temporary file behind. The seeds are the files in
``tests/fuzz_corpus`` (well-formed files of every format, and every hostile case
probing found). CI runs a few examples of each, the same every run; ``bench/fuzz.py``
runs many more, new each time, and reports how many.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import tempfile
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from detente import Store, read_events
from detente.errors import DetenteError
from detente.policy import load_playbook, load_proposal, parse
from detente.policy.playbook import default_playbook_path
from detente.readers import READERS

CORPUS = Path(__file__).resolve().parent / "fuzz_corpus"
READER_SEEDS = sorted((CORPUS / "readers").iterdir())
EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "proposals"
POLICY_SEEDS = [*sorted((CORPUS / "policy").iterdir()), default_playbook_path(),
                *sorted(EXAMPLES.glob("*.yaml"))]
CONDITION_SEEDS: list[str] = json.loads((CORPUS / "conditions.json").read_text("utf-8"))

SCALE = float(os.environ.get("DETENTE_FUZZ_SCALE", "1"))
"""How many more examples than CI's few to run (``bench/fuzz.py`` raises it)."""
DEADLINE = timedelta(seconds=10)
"""Longest any one example may take (a hang fails the example)."""


def _settings(examples: int) -> settings:
    return settings(max_examples=max(1, int(examples * SCALE)), deadline=DEADLINE,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.data_too_large])


# -- mutations ------------------------------------------------------------------------------

_TOKENS = [b"\n", b"\r", b"\r\n", b"\t", b",", b'"', b"\x00", b"\xff", b"\xef\xbb\xbf", b"[", b"{",
           b"}", b"]", b"*", b"?", b"NA", b"None", b"9999-12-31", b"-1", b"1e999", b"\\", b"'",
           b"&a", b"*a", b"!!python/object:os.system", b": ", b"- ", b"<<: *a"]


@st.composite
def mutated(draw: st.DrawFn, seeds: list[Path]) -> tuple[str, bytes]:
    """A seed file with a few random changes (bytes, tokens, lines, cuts, line ends)."""
    seed = draw(st.sampled_from(seeds))
    data = seed.read_bytes()
    if seed.suffix in (".gz", ".zip") and draw(st.booleans()):
        data = _unpack(data, seed.suffix)
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    for _ in range(draw(st.integers(0, 6))):
        kind = rng.randrange(7)
        at = rng.randrange(len(data) + 1)
        if kind == 0 and data:  # flip a byte
            at = min(at, len(data) - 1)
            data = data[:at] + bytes([data[at] ^ (1 << rng.randrange(8))]) + data[at + 1:]
        elif kind == 1:  # insert a token
            data = data[:at] + rng.choice(_TOKENS) + data[at:]
        elif kind == 2:  # cut the file
            data = data[:at]
        elif kind == 3:  # repeat a stretch
            end = min(len(data), at + rng.randrange(1, 200))
            data = data[:end] + data[at:end] * rng.randrange(1, 50) + data[end:]
        elif kind == 4:  # change every line end
            data = data.replace(b"\r\n", b"\n").replace(b"\n", rng.choice([b"\r", b"\r\n", b"\n\n"]))
        elif kind == 5:  # delete a stretch
            data = data[:at] + data[at + rng.randrange(1, 100):]
        else:  # random bytes
            data = data[:at] + rng.randbytes(rng.randrange(1, 40)) + data[at:]
    name = seed.name
    wrap = draw(st.sampled_from(["", "", "gz", "zip"]))
    if wrap == "gz":
        data, name = gzip.compress(data, mtime=0), name + ".gz"
    elif wrap == "zip":
        data, name = _zip(data), name + ".zip"
    return name, data


def _unpack(data: bytes, suffix: str) -> bytes:
    try:
        if suffix == ".gz":
            return gzip.decompress(data)
        with zipfile.ZipFile(__import__("io").BytesIO(data)) as zf:
            return zf.read(zf.infolist()[0])
    except Exception:  # a damaged seed stays as it is
        return data


def _zip(data: bytes) -> bytes:
    import io

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("member.CSV", data)
    return out.getvalue()


def _one_line(exc: DetenteError) -> None:
    text = str(exc)
    assert text and "\n" not in text and "Traceback" not in text, text


@pytest.fixture
def tmp_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "tmp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    return root


# -- readers ----------------------------------------------------------------------------------


@given(case=mutated(READER_SEEDS), fmt=st.sampled_from([None, None, *READERS]))
@_settings(12)
def test_fuzz_readers(tmp_path: Path, tmp_root: Path, case: tuple[str, bytes], fmt: str | None) -> None:
    name, data = case
    path = tmp_path / name
    path.write_bytes(data)
    try:
        result = read_events(path, fmt)
    except DetenteError as exc:
        _one_line(exc)
    else:
        assert result.reader in READERS
        assert all(q.line >= 1 for q in result.quarantine)
        # nothing lost: a file with lines beyond its header yields rows or quarantines them
        lines = [ln for ln in _text(name, data).replace("\r", "\n").split("\n") if ln.strip()]
        headed = result.reader in ("icews", "polecat", "chronology", "canonical-csv")
        if len(lines) > int(headed):
            assert result.table.num_rows + len(result.quarantine) >= 1, (name, result.reader)
    finally:
        path.unlink()
    assert list(tmp_root.iterdir()) == []  # no temporary copy left


def _text(name: str, data: bytes) -> str:
    if name.endswith((".gz", ".zip")):
        data = _unpack(data, "." + name.rsplit(".", 1)[1])
    return data.decode("utf-8", "replace")


@pytest.fixture(scope="module")
def fuzz_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    st_ = Store.open(tmp_path_factory.mktemp("fuzz") / "s.duckdb", with_chronology=False)
    yield st_  # type: ignore[misc]
    st_.close()


@given(case=mutated(READER_SEEDS))
@_settings(12)
def test_fuzz_ingest_is_whole_or_nothing(tmp_path: Path, fuzz_store: Store, case: tuple[str, bytes]) -> None:
    name, data = case
    path = tmp_path / name
    path.write_bytes(data)
    before = (fuzz_store.version, fuzz_store.count(), fuzz_store.files().num_rows)
    try:
        report = fuzz_store.ingest_file(path)
    except DetenteError as exc:
        _one_line(exc)
        assert (fuzz_store.version, fuzz_store.count(), fuzz_store.files().num_rows) == before
    else:
        assert report.read == report.stored + report.duplicates + report.quarantined
        assert fuzz_store.count() == before[1] + report.stored
    finally:
        path.unlink()
    bad = [f for f in fuzz_store.check() if not f.ok and f.check != "chronology"]
    assert bad == []


# -- policy files -----------------------------------------------------------------------------


@given(case=mutated(POLICY_SEEDS), loader=st.sampled_from(["playbook", "proposal"]))
@_settings(40)
def test_fuzz_policy_loaders(tmp_path: Path, case: tuple[str, bytes], loader: str) -> None:
    name, data = case
    path = tmp_path / (name + ".yaml")
    path.write_bytes(data)
    try:
        (load_playbook if loader == "playbook" else load_proposal)(path)
    except DetenteError as exc:
        _one_line(exc)
    finally:
        path.unlink()


# -- the condition language -------------------------------------------------------------------

_WORDS = ["share", "count", "mean", "trend", "days_since", "(", ")", "[", "]", ",", "=", ".",
          "+", "-", "*", "/", "<", "<=", ">", ">=", "==", "!=", "and", "or", "not", "true",
          "false", "USA->RUS", "RUS-USA", "USA->USA", "2021-01", "2021-02-30", "6mo", "0d",
          "999999999d", "9000y", "1", "0.5", "1" * 30, "$x", "material_conflict", "issue",
          "last", "since", "until", "lag", "quad", "'s'", '"t"', "\x00", "_x", "é", " "]


@given(words=st.lists(st.sampled_from(_WORDS), max_size=60),
       seed=st.sampled_from(CONDITION_SEEDS), splice=st.integers(0, 4000), mode=st.integers(0, 2))
@_settings(300)
def test_fuzz_condition_parser(words: list[str], seed: str, splice: int, mode: int) -> None:
    made = " ".join(words)
    text = made if mode == 0 else seed if mode == 1 else seed[:splice] + made + seed[splice:]
    try:
        parse(text)
    except DetenteError as exc:
        _one_line(exc)
