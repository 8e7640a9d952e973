"""The public surface: exported names, and the generated CLI reference kept current."""

from __future__ import annotations

from pathlib import Path

import detente
from detente.cli._reference import cli_reference

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_all_is_sorted_and_exactly_the_public_names() -> None:
    def isort_key(name: str) -> tuple[int, str]:  # constants, then classes, then the rest
        return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)

    assert detente.__all__ == sorted(detente.__all__, key=isort_key)
    public = {n for n in vars(detente) if not n.startswith("_")} - {
        "annotations", "cli", "errors", "ontology", "readers", "schema", "store", "tagging",
        "indicators", "analysis", "policy", "report", "web", "coder",
    }
    assert public | {"__version__"} == set(detente.__all__)


def test_every_exported_name_resolves() -> None:
    for name in detente.__all__:
        assert getattr(detente, name) is not None, name


def test_cli_reference_is_current() -> None:
    expected = cli_reference()
    current = (DOCS / "cli.md").read_text(encoding="utf-8")
    assert current == expected, (
        "docs/cli.md is stale: run `python -m detente.cli._reference > docs/cli.md`")
