"""The CLI reference (docs/cli.md), generated from every command's --help."""

from __future__ import annotations

from typing import Any

import typer.main
from typer.testing import CliRunner


def _walk(group: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []
    for name in group.commands:
        cmd = group.commands[name]
        found.append((*prefix, name))
        if hasattr(cmd, "commands"):
            found.extend(_walk(cmd, (*prefix, name)))
    return found


def command_paths() -> list[tuple[str, ...]]:
    """Return every command of ``detente`` (sub-commands as paths), in --help order."""
    from detente.cli.app import app

    return _walk(typer.main.get_command(app))


def cli_reference() -> str:
    """Return the Markdown CLI reference: the plain --help text of every command."""
    from detente.cli.app import app

    runner = CliRunner(env={"COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"})
    parts = ["# Command reference", "",
             "Generated from `detente --help` and each command's `--help` by",
             "`python -m detente.cli._reference > docs/cli.md`; a test keeps it current.", ""]
    for path in [(), *command_paths()]:
        result = runner.invoke(app, [*path, "--help"], prog_name="detente")
        title = " ".join(("detente", *path))
        body = "\n".join(line.rstrip() for line in result.output.strip("\n").splitlines())
        parts += [f"## `{title}`", "", "```text", body, "```", ""]
    return "\n".join(parts)


if __name__ == "__main__":
    print(cli_reference(), end="")
