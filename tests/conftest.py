"""Shared helpers for the reader tests: format-faithful GDELT and ICEWS lines.

The writers below build lines the way the publishers write them (checked
against the real samples in the project's reference folder): tab-separated,
unquoted, empty strings for missing values in GDELT, the literal ``NA`` in
ICEWS. Every field has a keyword argument with a plausible default, so a test
states only what it is about.
"""

from __future__ import annotations

import atexit
import gzip
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

import pytest
from hypothesis import settings

from detente.ontology import event_code

# Compiled queries and the page's JavaScript are cached under $XDG_CACHE_HOME: the tests
# (and every process they start) use a folder of their own, never the user's.
os.environ["XDG_CACHE_HOME"] = _CACHE = tempfile.mkdtemp(prefix="detente-test-cache-")
atexit.register(shutil.rmtree, _CACHE, ignore_errors=True)

# CI runs the property tests on a fixed set of examples (the same every run, so a red
# run means a change broke something); elsewhere each run explores new ones.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

__all__ = [
    "DERIVE",
    "ICEWS_COLUMNS",
    "actor",
    "gdelt1_fields",
    "gdelt1_line",
    "gdelt2_fields",
    "gdelt2_line",
    "geo1",
    "geo2",
    "gzip_file",
    "icews_fields",
    "icews_header",
    "icews_line",
    "write_lines",
    "zip_file",
]

# -- helpers -----------------------------------------------------------------


class _Derive:
    """Sentinel: take the value from the CAMEO table, as GDELT itself does."""

    def __repr__(self) -> str:
        return "DERIVE"


DERIVE = _Derive()


def actor(
    code: str = "",
    name: str = "",
    country: str = "",
    known_group: str = "",
    ethnic: str = "",
    religion1: str = "",
    religion2: str = "",
    type1: str = "",
    type2: str = "",
    type3: str = "",
) -> list[str]:
    """Return one GDELT actor block (10 fields: Code .. Type3Code).

    ``actor()`` with no arguments is an actor GDELT could not identify: ten
    empty fields.
    """
    return [code, name, country, known_group, ethnic, religion1, religion2, type1, type2, type3]


USA_GOV = actor("USAGOV", "UNITED STATES", "USA", type1="GOV")
RUSSIA = actor("RUS", "RUSSIA", "RUS")


def geo2(
    geo_type: str = "0",
    full_name: str = "",
    country: str = "",
    adm1: str = "",
    adm2: str = "",
    lat: str = "",
    long: str = "",
    feature_id: str = "",
) -> list[str]:
    """Return one GDELT 2.0 geography block (8 fields, with ADM2Code).

    The default is what GDELT writes for an actor without geography: type
    ``0`` and the other seven fields empty.
    """
    return [geo_type, full_name, country, adm1, adm2, lat, long, feature_id]


def geo1(
    geo_type: str = "0",
    full_name: str = "",
    country: str = "",
    adm1: str = "",
    lat: str = "",
    long: str = "",
    feature_id: str = "",
) -> list[str]:
    """Return one GDELT 1.0 geography block (7 fields, no ADM2Code)."""
    return [geo_type, full_name, country, adm1, lat, long, feature_id]


MOSCOW2 = geo2("4", "Moscow, Moskva, Russia", "RS", "RS48", "25678", "55.7522", "37.6156",
               "-2960561")
MOSCOW1 = geo1("4", "Moscow, Moskva, Russia", "RS", "RS48", "55.7522", "37.6156", "-2960561")


def _core(
    *,
    event_id: int | str,
    date: str,
    actor1: Sequence[str],
    actor2: Sequence[str],
    is_root: str,
    code: str,
    base_code: str | None,
    root_code: str | None,
    quad_class: str | _Derive,
    goldstein: str | _Derive,
    mentions: str,
    sources: str,
    articles: str,
    tone: str,
) -> list[str]:
    """Return GDELT columns 1-35, shared by 1.0 and 2.0."""
    assert len(actor1) == 10 and len(actor2) == 10, "actor blocks have 10 fields"
    known = event_code(code)
    if isinstance(quad_class, _Derive):
        quad_class = str(known.quad_class) if known else "1"
    if isinstance(goldstein, _Derive):
        goldstein = str(known.goldstein) if known else "0.0"
    year = date[:4]
    month_year = date[:6]
    fraction = f"{year}.{int(date[4:6] or 1) * 83:04d}" if date[:6].isdigit() else date
    return [
        str(event_id),
        date,
        month_year,
        year,
        fraction,
        *actor1,
        *actor2,
        is_root,
        code,
        code[:3] if base_code is None else base_code,
        code[:2] if root_code is None else root_code,
        quad_class,
        goldstein,
        mentions,
        sources,
        articles,
        tone,
    ]


def gdelt2_fields(
    *,
    event_id: int | str = 719024875,
    date: str = "20180101",
    actor1: Sequence[str] = USA_GOV,
    actor2: Sequence[str] = RUSSIA,
    is_root: str = "1",
    code: str = "042",
    base_code: str | None = None,
    root_code: str | None = None,
    quad_class: str | _Derive = DERIVE,
    goldstein: str | _Derive = DERIVE,
    mentions: str = "10",
    sources: str = "2",
    articles: str = "10",
    tone: str = "-2.56410256410256",
    actor1_geo: Sequence[str] = MOSCOW2,
    actor2_geo: Sequence[str] = MOSCOW2,
    action_geo: Sequence[str] = MOSCOW2,
    date_added: str = "20180101000000",
    url: str = "http://www.example.com/news/story-1",
) -> list[str]:
    """Return the 61 fields of a GDELT 2.0 event row.

    ``quad_class`` and ``goldstein`` default to the CAMEO values of ``code``
    (as GDELT writes them); pass a string to write anything else, ``""`` for
    an empty field. Base and root codes default to the prefixes of ``code``.
    """
    assert all(len(g) == 8 for g in (actor1_geo, actor2_geo, action_geo)), "2.0 geo has 8 fields"
    fields = [
        *_core(event_id=event_id, date=date, actor1=actor1, actor2=actor2, is_root=is_root,
               code=code, base_code=base_code, root_code=root_code, quad_class=quad_class,
               goldstein=goldstein, mentions=mentions, sources=sources, articles=articles,
               tone=tone),
        *actor1_geo,
        *actor2_geo,
        *action_geo,
        date_added,
        url,
    ]
    assert len(fields) == 61
    return fields


def gdelt2_line(**kwargs: object) -> str:
    """Return one GDELT 2.0 row (61 tab-separated fields, no newline)."""
    return "\t".join(gdelt2_fields(**kwargs))  # type: ignore[arg-type]


def gdelt1_fields(
    *,
    event_id: int | str = 250000001,
    date: str = "20130415",
    actor1: Sequence[str] = USA_GOV,
    actor2: Sequence[str] = RUSSIA,
    is_root: str = "1",
    code: str = "042",
    base_code: str | None = None,
    root_code: str | None = None,
    quad_class: str | _Derive = DERIVE,
    goldstein: str | _Derive = DERIVE,
    mentions: str = "4",
    sources: str = "1",
    articles: str = "4",
    tone: str = "1.25",
    actor1_geo: Sequence[str] = MOSCOW1,
    actor2_geo: Sequence[str] = MOSCOW1,
    action_geo: Sequence[str] = MOSCOW1,
    date_added: str = "20130415",
    with_url: bool = True,
    url: str = "http://www.example.com/news/story-1",
) -> list[str]:
    """Return the fields of a GDELT 1.0 row: 58 with SOURCEURL, 57 without."""
    assert all(len(g) == 7 for g in (actor1_geo, actor2_geo, action_geo)), "1.0 geo has 7 fields"
    fields = [
        *_core(event_id=event_id, date=date, actor1=actor1, actor2=actor2, is_root=is_root,
               code=code, base_code=base_code, root_code=root_code, quad_class=quad_class,
               goldstein=goldstein, mentions=mentions, sources=sources, articles=articles,
               tone=tone),
        *actor1_geo,
        *actor2_geo,
        *action_geo,
        date_added,
    ]
    if with_url:
        fields.append(url)
    assert len(fields) == (58 if with_url else 57)
    return fields


def gdelt1_line(**kwargs: object) -> str:
    """Return one GDELT 1.0 row (58 fields, or 57 with ``with_url=False``)."""
    return "\t".join(gdelt1_fields(**kwargs))  # type: ignore[arg-type]


ICEWS_COLUMNS: tuple[str, ...] = (
    "Event ID",
    "Event Date",
    "Source Name",
    "Source Sectors",
    "Source Country",
    "Event Text",
    "CAMEO Code",
    "Intensity",
    "Target Name",
    "Target Sectors",
    "Target Country",
    "Story ID",
    "Sentence Number",
    "Publisher",
    "City",
    "District",
    "Province",
    "Country",
    "Latitude",
    "Longitude",
)


def icews_header() -> str:
    """Return the ICEWS header line (20 tab-separated column names)."""
    return "\t".join(ICEWS_COLUMNS)


def icews_fields(
    *,
    event_id: int | str = 32889836,
    date: str = "2018-06-01",
    source_name: str = "Foreign Affairs (Russia)",
    source_sectors: str = "Executive,Foreign Ministry,Government",
    source_country: str = "Russian Federation",
    event_text: str = "Consult",
    cameo: str = "040",
    intensity: str = "1",
    target_name: str = "Citizen (United States)",
    target_sectors: str = "NA",
    target_country: str = "United States",
    story_id: str = "47400351",
    sentence: str = "2",
    publisher: str = "Interfax",
    city: str = "Moscow",
    district: str = "NA",
    province: str = "Moskva",
    country: str = "Russian Federation",
    lat: str = "55.7522",
    lon: str = "37.6156",
) -> list[str]:
    """Return the 20 fields of an ICEWS event row, in header order."""
    return [str(event_id), date, source_name, source_sectors, source_country, event_text,
            cameo, intensity, target_name, target_sectors, target_country, story_id, sentence,
            publisher, city, district, province, country, lat, lon]


def icews_line(**kwargs: object) -> str:
    """Return one ICEWS row (20 tab-separated fields, no newline)."""
    return "\t".join(icews_fields(**kwargs))  # type: ignore[arg-type]


# -- files ---------------------------------------------------------------------


def write_lines(path: Path, lines: Iterable[str], *, newline: str = "\n",
                trailing_newline: bool = True) -> Path:
    """Write ``lines`` as UTF-8 to ``path`` and return it."""
    text = newline.join(lines)
    if trailing_newline:
        text += newline
    path.write_bytes(text.encode("utf-8"))
    return path


def zip_file(path: Path, members: dict[str, bytes]) -> Path:
    """Write a zip at ``path`` holding ``members`` (name -> content), deflated."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def gzip_file(path: Path, data: bytes) -> Path:
    """Write ``data`` gzip-compressed to ``path``."""
    path.write_bytes(gzip.compress(data))
    return path


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """Return ``write(name, lines, **opts)``: write lines to a file in tmp_path."""

    def _write(name: str, lines: Iterable[str], **opts: object) -> Path:
        return write_lines(tmp_path / name, lines, **opts)  # type: ignore[arg-type]

    return _write


# -- Spark -----------------------------------------------------------------------


@pytest.fixture(scope="session")
def spark() -> Iterator[object]:
    """One quiet local Spark session for the whole test run (skipped without Java)."""
    import shutil

    if shutil.which("java") is None:
        if os.environ.get("DETENTE_REQUIRE_SPARK") == "1":
            pytest.fail("DETENTE_REQUIRE_SPARK=1 but no Java on PATH")
        pytest.skip("Spark tests need Java (a JDK 17 or later on PATH)")
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[1]")
        .appName("detente-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.default.parallelism", "1")
        # tiny test data: compiling generated code costs more than it saves
        .config("spark.sql.codegen.wholeStage", "false")
        .config("spark.sql.adaptive.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Let Spark tests drop the local sockets PySpark leaves to the garbage collector."""
    for item in items:
        if "spark" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.filterwarnings("ignore::ResourceWarning"))
            item.add_marker(pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"))


def write_sql(store: object, sql: str, params: list[object] | None = None) -> None:
    """Change a store's tables with raw SQL, as another program would, advancing the
    store's version as every write of the library does (tests only)."""
    from detente.store._schema import bump_version

    con = store._con  # type: ignore[attr-defined]
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(sql, params or [])
        bump_version(con)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def read_sql(store: object, sql: str, params: list[object] | None = None) -> list[tuple[object, ...]]:
    """Read a store's tables with raw SQL (tests only)."""
    rows: list[tuple[object, ...]] = store._con.execute(sql, params or []).fetchall()  # type: ignore[attr-defined]
    return rows
