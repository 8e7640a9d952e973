"""Commands of the text coder: ``code`` and ``evaluate-coder``."""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from detente.cli._options import RulesOpt, StoreOpt, WaitOpt, open_store
from detente.cli._render import stderr

if TYPE_CHECKING:
    from rich.console import Console

    from detente.coder import CodingReport, Document


class InputFormat(StrEnum):
    """How ``detente code`` reads its input."""

    auto = "auto"
    text = "text"
    jsonl = "jsonl"
    feed = "feed"


class CodedFormat(StrEnum):
    """How ``detente code`` prints the events it found."""

    jsonl = "jsonl"
    json = "json"
    csv = "csv"


class EvalFormat(StrEnum):
    """How ``detente evaluate-coder`` prints."""

    table = "table"
    json = "json"


def code(
    paths: Annotated[
        list[str] | None, typer.Argument(help="Files, folders or globs; '-' reads standard input.")
    ] = None,
    fmt: Annotated[
        InputFormat, typer.Option("--format", help="Input format (auto: detected per file).")
    ] = InputFormat.auto,
    date: Annotated[
        str | None, typer.Option("--date", help="Date of undated documents (YYYY-MM-DD).")
    ] = None,
    ingest: Annotated[
        bool, typer.Option("--ingest", help="Store the events instead of printing them.")
    ] = False,
    output: Annotated[
        CodedFormat, typer.Option("--as", help="Output format of the printed events.")
    ] = CodedFormat.jsonl,
    store: StoreOpt = None,
    rules: RulesOpt = None,
    wait: WaitOpt = None,
) -> None:
    """Code English text (plain, JSON lines or RSS/Atom) into CAMEO events.

    Prints canonical JSON lines (dataset `coded`), or stores them with --ingest.
    Each event carries the id of its document and the sentence itself. A plain
    text file is one document dated by --date, a `Date: YYYY-MM-DD` line, or a
    date in its file name. Skipped input (empty, binary, not English, too long)
    is counted on standard error.
    """
    from detente.coder import Coder, CodingReport, ingest_events, read_bytes, read_documents, tag_rows
    from detente.coder.events import canonical_rows, write_jsonl
    from detente.query.types import parse_date
    from detente.store import expand_paths
    from detente.tagging import load_rules

    default_date = parse_date(date, "--date") if date else None
    forced = None if fmt is InputFormat.auto else fmt.value
    skipped: Counter[str] = Counter()
    items = paths or ["-"]

    def documents() -> Iterator[Document]:
        # streamed: a large folder is never held in memory as text
        for item in items:
            if item == "-":
                yield from read_bytes(_stdin(), "stdin", skipped, default_date, forced)
            else:
                yield from read_documents(expand_paths([item]), skipped, default_date, forced)

    report = CodingReport(skipped=skipped)
    rows = canonical_rows(Coder().code_documents(documents(), report))
    rule_set = load_rules(rules)
    if ingest:
        with open_store(store, wait=wait, rules=rule_set, write=True) as st:
            name = Path(items[0]).name if items[0] != "-" else "stdin"
            rep = ingest_events(st, rows, name=f"{name}.coded.jsonl")
        stderr().print(
            f"stored {rep.stored:,} coded events ({rep.duplicates:,} already stored, "
            f"{rep.quarantined:,} quarantined)"
        )
    else:
        tag_rows(rows, rule_set)
        if output is CodedFormat.jsonl:
            write_jsonl(rows, sys.stdout)
        else:
            import pyarrow as pa

            from detente.cli._render import OutputFormat, render
            from detente.schema import CANONICAL_SCHEMA

            render(pa.Table.from_pylist(rows, schema=CANONICAL_SCHEMA),
                   OutputFormat(output.value))
    _print_report(report)


def _stdin() -> bytes:
    """Read standard input, at most the coder's bound on one file (more is an error)."""
    from detente.coder.inputs import MAX_FILE_BYTES
    from detente.errors import DetenteError

    data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise DetenteError(f"standard input: more than {MAX_FILE_BYTES >> 20} MB (the most one "
                           "input may hold); split it into files and give those")
    return data


def _print_report(report: CodingReport) -> None:
    err = stderr()
    err.print(
        f"{report.documents:,} documents, {report.sentences:,} sentences, "
        f"{report.sentences_with_events:,} with events, {report.events:,} events"
    )
    for reason, n in sorted(report.skipped.items()):
        err.print(f"  skipped: {n:,} x {reason}")
    if any("not English" in r for r in report.skipped):
        err.print("detente codes English text only; documents in other languages were skipped")


class EvalPart(StrEnum):
    """Which part of a class or span file ``detente evaluate-coder`` scores."""

    all = "all"
    tune = "tune"
    held = "held"


def evaluate_coder(
    gold: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Gold files: JSON lines with expected events, a class file (sentence TAB class 0-4) "
            "or a span file (token TAG, BIO over S/T/R); default: the packaged dev and test parts."
        ),
    ] = None,
    output: Annotated[EvalFormat, typer.Option("--as", help="Output format.")] = EvalFormat.table,
    errors: Annotated[int, typer.Option("--errors", help="Show up to N sentences coded differently.")] = 0,
    part: Annotated[
        EvalPart,
        typer.Option("--part", help="Of a class or span file, score the tune part, the held part or all."),
    ] = EvalPart.all,
) -> None:
    """Score the coder against labelled sentences.

    JSON lines with expected events: root, full-code, source, target and dyad
    accuracy over the expected events, precision, recall, macro-F1 over roots and
    the confusion of roots. A class file or a span file of news sentences (the
    layout is detected): coverage (sentences with an event), class accuracy over
    every sentence, source and target agreement by head word, and the confusion
    of classes. A file without gold labels is refused.
    """
    from rich.console import Console
    from rich.table import Table

    from detente.coder import GOLD_PARTS, evaluate, gold_path, load_gold
    from detente.coder._prose import detect_layout, evaluate_prose, load_class_file, load_span_file
    from detente.errors import InputFileError

    parts = [(str(p), p) for p in gold] if gold else [(part, gold_path(part)) for part in GOLD_PARTS]
    results: dict[str, tuple[dict[str, object], list[dict[str, object]]]] = {}
    prose: dict[str, tuple[dict[str, object], list[dict[str, object]]]] = {}
    for label, path in parts:
        layout = detect_layout(Path(path))
        if layout in ("class", "span"):
            sents = load_class_file(path) if layout == "class" else load_span_file(path)
            pscores = evaluate_prose(sents, part=part.value)
            key = label if part is EvalPart.all else f"{label} ({part.value})"
            prose[key] = (pscores.as_dict(), list(pscores.errors[:errors]) if errors else [])
            continue
        if layout != "jsonl":
            raise InputFileError(
                path, "not a gold file (JSON lines, sentence TAB class, or token TAG lines expected)"
            )
        scores = evaluate(load_gold(path, require_events=True))
        results[label] = (scores.as_dict(), scores.errors[:errors] if errors else [])
    if output is EvalFormat.json:
        both = {**results, **prose}
        typer.echo(
            json.dumps(
                {k: {**v[0], **({"errors": v[1]} if errors else {})} for k, v in both.items()}, indent=2
            )
        )
        return
    console = Console()
    if prose:
        _print_prose(console, prose)
    if not results:
        return
    table = Table(title="coder evaluation", header_style="bold")
    table.add_column("measure")
    for label in results:
        table.add_column(label, justify="right")
    keys = [
        "sentences",
        "expected_events",
        "coded_events",
        "true_positives",
        "false_positives",
        "misses",
        "root_accuracy",
        "full_code_accuracy",
        "source_accuracy",
        "target_accuracy",
        "dyad_accuracy",
        "precision",
        "recall",
        "macro_f1_roots",
    ]
    for k in keys:
        table.add_row(k, *(_fmt(v[0][k]) for v in results.values()))
    console.print(table)
    for label, (d, errs) in results.items():
        console.print(f"[bold]{label}[/bold]: expected root -> coded roots (-- = none), F1")
        rows: dict[str, list[str]] = {}
        for ckey, n in d["confusion"].items():  # type: ignore[attr-defined]
            g, c = ckey.split(">")
            rows.setdefault(g, []).append(f"{c}:{n}")
        for g in sorted(rows, key=lambda r: (r == "--", r)):
            f1 = d["f1_by_root"].get(g)  # type: ignore[attr-defined]
            console.print(
                f"  {g} -> {' '.join(rows[g])}" + (f"  (F1 {f1:.2f})" if f1 is not None else ""),
                highlight=False,
            )
        _print_errors(console, errs)


def _print_prose(
    console: Console, prose: dict[str, tuple[dict[str, object], list[dict[str, object]]]]
) -> None:
    from rich.table import Table

    table = Table(title="coder on labelled news sentences", header_style="bold")
    table.add_column("measure")
    for label in prose:
        table.add_column(label, justify="right")
    keys = [
        "sentences",
        "coded_sentences",
        "coverage",
        "class_sentences",
        "class_accuracy",
        "class_accuracy_of_coded",
        "source_spans",
        "source_agreement",
        "target_spans",
        "target_agreement",
        "mutual_spans",
        "mutual_agreement",
    ]
    for k in keys:
        table.add_row(k, *(_fmt(v[0][k]) for v in prose.values()))
    console.print(table)
    for label, (d, errs) in prose.items():
        conf = d["confusion"]
        if conf:
            console.print(f"[bold]{label}[/bold]: gold class -> coded class (-- = no event)")
            rows: dict[str, list[str]] = {}
            for ckey, n in conf.items():  # type: ignore[attr-defined]
                g, c = ckey.split(">")
                rows.setdefault(g, []).append(f"{c}:{n}")
            for g in sorted(rows):
                console.print(f"  {g} -> {' '.join(rows[g])}", highlight=False)
        _print_errors(console, errs)


def _print_errors(console: Console, errs: list[dict[str, object]]) -> None:
    for e in errs:
        expected = "; ".join(e["expected"]) or "-"  # type: ignore[arg-type]
        coded = "; ".join(e["coded"]) or "-"  # type: ignore[arg-type]
        console.print(
            f"[dim]{e['id']}[/dim] {e['text']}\n   expected: {expected}\n   coded:    {coded}",
            highlight=False,
        )


def _fmt(v: object) -> str:
    if isinstance(v, float):
        return f"{v:.3f}"
    return "" if v is None else str(v)


def register(app: typer.Typer) -> None:
    """Add the coder's commands to ``app``."""
    app.command(name="code")(code)
    app.command(name="evaluate-coder")(evaluate_coder)


__all__ = ["register"]
