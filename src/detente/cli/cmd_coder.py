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
                yield from read_bytes(sys.stdin.buffer.read(), "stdin", skipped, default_date, forced)
            else:
                yield from read_documents(expand_paths([item]), skipped, default_date, forced)

    report = CodingReport(skipped=skipped)
    rows = canonical_rows(Coder().code_documents(documents(), report))
    rule_set = load_rules(rules)
    if ingest:
        with open_store(store, wait=wait, rules=rule_set) as st:
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


def evaluate_coder(
    gold: Annotated[
        list[Path] | None, typer.Argument(help="Gold JSON lines; default: the packaged dev and test parts.")
    ] = None,
    output: Annotated[EvalFormat, typer.Option("--as", help="Output format.")] = EvalFormat.table,
    errors: Annotated[int, typer.Option("--errors", help="Show up to N sentences coded differently.")] = 0,
) -> None:
    """Score the coder against hand-coded sentences (JSON lines with expected events).

    Reports, over the expected events, root, full-code, source, target and dyad
    accuracy, precision, recall, macro-F1 over roots and the confusion of roots.
    """
    from rich.console import Console
    from rich.table import Table

    from detente.coder import GOLD_PARTS, evaluate, gold_path, load_gold

    parts = [(str(p), p) for p in gold] if gold else [(part, gold_path(part)) for part in GOLD_PARTS]
    results = {}
    for label, path in parts:
        scores = evaluate(load_gold(path))
        results[label] = (scores.as_dict(), scores.errors[:errors] if errors else [])
    if output is EvalFormat.json:
        typer.echo(
            json.dumps(
                {k: {**v[0], **({"errors": v[1]} if errors else {})} for k, v in results.items()}, indent=2
            )
        )
        return
    console = Console()
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
        for key, n in d["confusion"].items():
            g, c = key.split(">")
            rows.setdefault(g, []).append(f"{c}:{n}")
        for g in sorted(rows, key=lambda r: (r == "--", r)):
            f1 = d["f1_by_root"].get(g)
            console.print(
                f"  {g} -> {' '.join(rows[g])}" + (f"  (F1 {f1:.2f})" if f1 is not None else ""),
                highlight=False,
            )
        for e in errs:
            console.print(
                f"[dim]{e['id']}[/dim] {e['text']}\n   expected: {'; '.join(e['expected']) or '-'}"
                f"\n   coded:    {'; '.join(e['coded']) or '-'}",
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
