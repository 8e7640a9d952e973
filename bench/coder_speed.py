"""Sentences per second of the text coder, end to end, beside a split-and-tokenize baseline.

Run: ``python bench/coder_speed.py [--sentences N] [--text FILE]``. The text is the
packaged development and test sentences, or with ``--text`` the sentences of a
file (one a line; a class file's tab and label are dropped), for instance real
news copy, shuffled into documents of ten sentences and repeated to N
sentences. Three timings on one core, in one run:

* baseline: split the documents into sentences and tokenize them;
* coder: the same, plus actors, patterns, grammar and canonical rows;
* coder + tags: the same, plus issue-area tagging (the rules run in DuckDB).

The ratio coder / baseline is the coder's own cost. Times are the process's CPU
time (one core), so other work on a shared machine does not inflate them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import time
from pathlib import Path

from detente.coder import Coder, CodingReport, Document, canonical_rows, gold_path, tag_rows
from detente.coder.sentences import split_sentences, tokenize


def corpus(n: int, seed: int = 7, text: Path | None = None) -> list[Document]:
    """Return documents holding ``n`` sentences in all (of ``text``, else the packaged parts)."""
    texts = []
    if text is not None:
        with text.open(encoding="utf-8") as fh:
            texts.extend(line.split("\t")[0].strip() for line in fh if line.strip())
    for part in ("dev", "test") if text is None else ():
        with gold_path(part).open(encoding="utf-8") as fh:
            texts.extend(json.loads(line)["text"] for line in fh if line.strip())
    rng = random.Random(seed)
    sentences = [texts[rng.randrange(len(texts))] for _ in range(n)]
    day = dt.date(2021, 6, 1)
    return [Document(f"d{i}", day, " ".join(sentences[i:i + 10])) for i in range(0, n, 10)]


def best_of(runs: int, fn: object) -> float:
    """Return the fastest of ``runs`` CPU-time timings of ``fn()`` in seconds."""
    times = []
    for _ in range(runs):
        t0 = time.process_time()
        fn()  # type: ignore[operator]
        times.append(time.process_time() - t0)
    return min(times)


def main() -> None:
    """Time the baseline and the coder and print sentences per second."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--text", type=Path, help="Sentences to time, one a line (default: the packaged parts)."
    )
    args = parser.parse_args()
    docs = corpus(args.sentences, text=args.text)
    coder = Coder()
    n_sent = sum(1 for d in docs for _ in split_sentences(d.text))

    def baseline() -> None:
        for d in docs:
            for s in split_sentences(d.text):
                tokenize(s)

    events = 0

    def code() -> None:
        nonlocal events
        rows = canonical_rows(coder.code_documents(docs, CodingReport()))
        events = len(rows)

    def code_and_tag() -> None:
        tag_rows(canonical_rows(coder.code_documents(docs, CodingReport())))

    t_base = best_of(args.runs, baseline)
    t_code = best_of(args.runs, code)
    t_tag = best_of(args.runs, code_and_tag)
    print(f"{n_sent:,} sentences in {len(docs):,} documents; {events:,} events coded")
    print(f"baseline (split + tokenize): {n_sent / t_base:>10,.0f} sentences/s")
    print(f"coder (end to end):          {n_sent / t_code:>10,.0f} sentences/s  "
          f"({t_code / t_base:.1f}x the baseline's time)")
    print(f"coder + issue-area tags:     {n_sent / t_tag:>10,.0f} sentences/s")
    print("target: 3,000 sentences/s on one core; PETRARCH2's documentation gives about 150/s "
          "for its coder behind a parser at 2-5/s")


if __name__ == "__main__":
    main()
