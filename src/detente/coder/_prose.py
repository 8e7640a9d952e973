"""Score the coder on real news sentences labelled elsewhere (``detente evaluate-coder``).

Two published layouts are read as they are distributed:

* **class file**: one sentence a line, a tab, then its class 0-4 (0 statement or
  appeal; 1 verbal cooperation; 2 material cooperation; 3 verbal conflict; 4
  material conflict; the CAMEO roots of each are in ``_CLASS_OF_ROOT``);
* **span file**: one token a line, a space, then a BIO tag for the event's
  source (``S``) or target (``T``), or ``R`` for the parties of a reciprocal
  event (a meeting, talks: either may be the source); a blank line between
  sentences.

Every sentence counts. Coverage is the share of sentences with at least one
coded event; class accuracy the share whose first coded event is in the gold
class (an uncoded sentence is a miss). Source (target) agreement is the share
of sentences with a gold source (target) span whose first coded event has a
source (target) that agrees with it by head token (see :func:`head`).

The sentences of both files are split into a **tune** and a **held** part by
their text: the SHA-256 of the text lower-cased with everything but ``a-z`` and
``0-9`` removed; the held part is the sentences whose hash's first eight hex
digits, read as a number, are divisible by three. A sentence is in the same part
in both files, whatever its tokenisation.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from detente.coder.actors import ActorMention
from detente.coder.coder import Coder
from detente.coder.sentences import tokenize
from detente.errors import InputFileError

__all__ = [
    "CLASS_NAMES",
    "PARTS",
    "ProseScores",
    "ProseSentence",
    "cameo_class",
    "detect_layout",
    "evaluate_prose",
    "head",
    "load_class_file",
    "load_span_file",
    "part_of",
]

PARTS = ("all", "tune", "held")
CLASS_NAMES = (
    "statement/appeal",
    "verbal cooperation",
    "material cooperation",
    "verbal conflict",
    "material conflict",
)
_NORM = re.compile(r"[^0-9a-z]+")


def part_of(text: str) -> str:
    """Return ``tune`` or ``held`` for a sentence (the split rule of the module docstring)."""
    digest = hashlib.sha256(_NORM.sub("", text.lower()).encode("ascii")).hexdigest()
    return "held" if int(digest[:8], 16) % 3 == 0 else "tune"


# the corpus's five classes by CAMEO root, as its labels read on the tune part: statements and
# appeals 01-02; verbal cooperation 03-05; material cooperation 06-08; verbal conflict 09-13
# and 16 (investigations and reduced relations are labelled with criticism and rejection);
# material conflict 14-15 and 17-20 (protests are labelled with force)
_CLASS_OF_ROOT = {
    "01": 0, "02": 0, "03": 1, "04": 1, "05": 1, "06": 2, "07": 2, "08": 2, "09": 3, "10": 3, "11": 3,
    "12": 3, "13": 3, "16": 3, "14": 4, "15": 4, "17": 4, "18": 4, "19": 4, "20": 4,
}  # fmt: skip


def cameo_class(code: str) -> int:
    """Return the five-class label (0-4) of a CAMEO code (see ``_CLASS_OF_ROOT``)."""
    return _CLASS_OF_ROOT[code[:2]]


@dataclass(frozen=True, slots=True)
class ProseSentence:
    """One labelled sentence: its text, gold class (or None) and gold spans (word tuples)."""

    id: str
    text: str
    label: int | None = None
    sources: tuple[tuple[str, ...], ...] = ()
    targets: tuple[tuple[str, ...], ...] = ()
    mutual: tuple[tuple[str, ...], ...] = ()  # R spans: parties of a reciprocal event


def detect_layout(path: Path) -> str:
    """Return ``class``, ``span`` or ``jsonl`` from the first non-blank line of ``path``."""
    try:
        with path.open("rb") as fh:
            for raw in fh:
                line = raw.decode("utf-8", "replace").strip("\r\n")
                if not line.strip():
                    continue
                if line.lstrip().startswith("{"):
                    return "jsonl"
                if "\t" in line:
                    return "class"
                parts = line.split(" ")
                if len(parts) == 2 and re.fullmatch(r"O|[BI]-[A-Z]+", parts[1]):
                    return "span"
                if len(parts) == 2 and parts[1].startswith(("B-", "I-")):
                    return "span"
                return "unknown"
    except OSError as exc:
        raise InputFileError(path, f"cannot read gold file ({type(exc).__name__})") from None
    raise InputFileError(path, "empty gold file")


def _read_lines(path: Path) -> list[str]:
    try:
        return path.read_text("utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(path, f"cannot read gold file ({type(exc).__name__})") from None


def load_class_file(path: str | Path) -> list[ProseSentence]:
    """Read a class file: ``sentence<TAB>class`` per line, class 0-4.

    Raises:
        InputFileError: unreadable, a line without a class, or no sentences at all.
    """
    p = Path(path)
    out: list[ProseSentence] = []
    for n, line in enumerate(_read_lines(p), 1):
        if not line.strip():
            continue
        text, tab, label = line.rpartition("\t")
        label = label.strip()
        if not tab or not text.strip() or label not in ("0", "1", "2", "3", "4"):
            raise InputFileError(p, f"line {n}: expected a sentence, a tab and its class 0-4 (no gold class)")
        out.append(ProseSentence(f"{p.stem}:{n}", text.strip(), int(label)))
    if not out:
        raise InputFileError(p, "no gold sentences")
    return out


def detokenize(words: Sequence[str]) -> str:
    """Join tokens into text as it was written (the span file holds tokens)."""
    text = " ".join(words)
    text = re.sub(r" ([,.;:!?%)\]])", r"\1", text)
    text = re.sub(r"([(\[$]) ", r"\1", text)
    text = re.sub(r" ([’'])\s?(s|re|ve|ll|d)\b", r"\1\2", text)
    text = re.sub(r" n't\b", "n't", text)
    return re.sub(r"(\w) - (\w)", r"\1-\2", text)


def load_span_file(path: str | Path) -> list[ProseSentence]:
    """Read a span file: ``token TAG`` per line (BIO over S, T, R), blank line between sentences.

    Raises:
        InputFileError: unreadable, a malformed line, or no span in the whole file.
    """
    p = Path(path)
    out: list[ProseSentence] = []
    words: list[str] = []
    tags: list[str] = []
    start_line = 1

    def close() -> None:
        if not words:
            return
        spans: dict[str, list[tuple[str, ...]]] = {"S": [], "T": [], "R": []}
        cur: list[str] = []
        kind = ""
        for w, t in [*zip(words, tags, strict=True), ("", "O")]:
            if cur and (t == "O" or t.startswith("B-") or t[2:] != kind):
                spans.setdefault(kind, []).append(tuple(cur))
                cur = []
            if t != "O":
                kind = t[2:]
                cur.append(w)
        out.append(
            ProseSentence(
                f"{p.stem}:{start_line}",
                detokenize(words),
                None,
                tuple(spans["S"]),
                tuple(spans["T"]),
                tuple(spans["R"]),
            )
        )
        words.clear()
        tags.clear()

    for n, line in enumerate(_read_lines(p), 1):
        if not line.strip():
            close()
            start_line = n + 1
            continue
        word, sep, tag = line.rpartition(" ")
        if not sep or not word or not re.fullmatch(r"O|[BI]-[STR]", tag):
            raise InputFileError(
                p, f"line {n}: expected 'token TAG' with TAG O, B-S, I-S, B-T, I-T, B-R or I-R"
            )
        words.append(word)
        tags.append(tag)
    close()
    if not out:
        raise InputFileError(p, "no gold sentences")
    if not any(s.sources or s.targets or s.mutual for s in out):
        raise InputFileError(p, "no gold spans (every tag is O): nothing to score against")
    return out


# words that end a noun phrase's core: its head is the word before the first of them
_HEAD_STOP = frozenset(
    {
        "of", "in", "at", "on", "for", "from", "with", "by", "who", "whom", "which", "that", "whose",
        ",", "(", "'s", "’s", "'", "’", "-", "and", "to", "near", "under", "over", "led", "based",
    }
)  # fmt: skip


def head(words: Sequence[str]) -> str:
    """The head word of a span: the last word before the first of/in/'s/who/","... (lower case).

    "the Croatian government's request" -> government; "Russian President
    Vladimir Putin" -> putin; "a car bomb in Kiev" -> bomb.
    """
    low = [w.lower().replace("’", "'") for w in words]
    core: list[str] = []
    for w in low:
        if w in _HEAD_STOP and core:
            break
        if w not in _HEAD_STOP:
            core.append(w)
    return core[-1] if core else (low[-1] if low else "")


def _agrees(coded: Sequence[str], gold: Sequence[str]) -> bool:
    """A coded actor agrees with a gold span when either's head word is in the other."""
    c = [w.lower().replace("’", "'") for w in coded]
    g = [w.lower().replace("’", "'") for w in gold]
    return bool(c) and bool(g) and (head(coded) in g or head(gold) in c)


@dataclass
class ProseScores:
    """Counts and rates of one run over labelled news sentences."""

    sentences: int = 0
    coded: int = 0
    labelled: int = 0
    correct: int = 0
    with_source: int = 0
    source_agree: int = 0
    with_target: int = 0
    target_agree: int = 0
    with_mutual: int = 0
    mutual_agree: int = 0
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    errors: list[dict[str, Any]] = field(default_factory=list)

    @staticmethod
    def rate(n: int, d: int) -> float | None:
        """n / d rounded, or None when d is 0."""
        return round(n / d, 4) if d else None

    def as_dict(self) -> dict[str, Any]:
        """Return the headline numbers and the class confusion (gold>coded, ``--`` uncoded)."""
        return {
            "sentences": self.sentences,
            "coded_sentences": self.coded,
            "coverage": self.rate(self.coded, self.sentences),
            "class_sentences": self.labelled,
            "class_accuracy": self.rate(self.correct, self.labelled),
            "class_accuracy_of_coded": self.rate(
                self.correct, sum(v for (g, c), v in self.confusion.items() if c != "--")
            ),
            "source_spans": self.with_source,
            "source_agreement": self.rate(self.source_agree, self.with_source),
            "target_spans": self.with_target,
            "target_agreement": self.rate(self.target_agree, self.with_target),
            "mutual_spans": self.with_mutual,
            "mutual_agreement": self.rate(self.mutual_agree, self.with_mutual),
            "confusion": {f"{g}>{c}": v for (g, c), v in sorted(self.confusion.items())},
        }


CodeFn = Callable[[str], list[tuple[ActorMention, ActorMention, str]]]


def _coder_fn(
    coder: Coder,
) -> Callable[[str], tuple[list[str], list[tuple[ActorMention, ActorMention, str]]]]:
    def run(text: str) -> tuple[list[str], list[tuple[ActorMention, ActorMention, str]]]:
        return tokenize(text), coder.code_sentence(text, None, [])

    return run


def evaluate_prose(
    sentences: Sequence[ProseSentence], coder: Coder | None = None, part: str = "all"
) -> ProseScores:
    """Code each sentence (of ``part``: all, tune or held) and score it.

    The first coded event of a sentence is its event: its root gives the class,
    its source and target mentions are compared with the gold spans. An ``R``
    pair (two parties of a reciprocal event) agrees when the coded source and
    target are the two parties in either order.
    """
    if part not in PARTS:
        raise ValueError(f"unknown part {part!r}; known: {', '.join(PARTS)}")
    run = _coder_fn(coder or Coder())
    s = ProseScores()
    for sent in sentences:
        if part != "all" and part_of(sent.text) != part:
            continue
        s.sentences += 1
        toks, events = run(sent.text)
        first = events[0] if events else None
        if first is not None:
            s.coded += 1
        src = toks[first[0].start : first[0].end] if first is not None else []
        tgt = toks[first[1].start : first[1].end] if first is not None else []
        got = str(cameo_class(first[2])) if first is not None else "--"
        wrong = False
        if sent.label is not None:
            s.labelled += 1
            ok = got == str(sent.label)
            s.correct += ok
            s.confusion[(str(sent.label), got)] += 1
            wrong = wrong or not ok
        if sent.sources:
            s.with_source += 1
            ok = first is not None and any(_agrees(src, g) for g in sent.sources)
            s.source_agree += ok
            wrong = wrong or not ok
        if sent.targets:
            s.with_target += 1
            ok = first is not None and any(_agrees(tgt, g) for g in sent.targets)
            s.target_agree += ok
            wrong = wrong or not ok
        if sent.mutual:
            # R: the parties of a reciprocal event, either of which may be the source
            s.with_mutual += 1
            if not sent.sources:
                s.with_source += 1
                s.source_agree += first is not None and any(_agrees(src, g) for g in sent.mutual)
            if not sent.targets:
                s.with_target += 1
                s.target_agree += first is not None and any(_agrees(tgt, g) for g in sent.mutual)
            pairs = [(a, b) for a in sent.mutual for b in sent.mutual if a is not b or len(sent.mutual) == 1]
            ok = first is not None and any(_agrees(src, a) and _agrees(tgt, b) for a, b in pairs)
            s.mutual_agree += ok
            wrong = wrong or not ok
        if wrong:
            s.errors.append(
                {
                    "id": sent.id,
                    "text": sent.text,
                    "expected": _expected(sent),
                    "coded": [
                        f"{' '.join(toks[a.start : a.end])} [{a.code}] > {' '.join(toks[b.start : b.end])} "
                        f"[{b.code}] {c} (class {cameo_class(c)})"
                        for a, b, c in events
                    ],
                }
            )
    return s


def _expected(sent: ProseSentence) -> list[str]:
    out = []
    if sent.label is not None:
        out.append(f"class {sent.label} ({CLASS_NAMES[sent.label]})")
    out += [f"S: {' '.join(x)}" for x in sent.sources]
    out += [f"T: {' '.join(x)}" for x in sent.targets]
    out += [f"R: {' '.join(x)}" for x in sent.mutual]
    return out
