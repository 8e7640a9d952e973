"""YAML reading shared by the packages: libyaml's parser where PyYAML has it."""

from __future__ import annotations

from typing import Any

import yaml

__all__ = ["LOADER", "load_named", "safe_load"]

LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""The safe loader, in C where PyYAML was built with libyaml (several times faster)."""


def safe_load(text: str) -> Any:
    """Parse ``text`` as YAML with the safe loader (plain data only)."""
    return yaml.load(text, Loader=LOADER)


def load_named(text: str, origin: object) -> Any:
    """Parse ``text`` as :func:`safe_load` does; a YAML error becomes one
    :class:`~detente.errors.DetenteError` line naming ``origin`` (a file)."""
    from detente.errors import DetenteError

    try:
        return safe_load(text)
    except Exception as exc:  # the library's own errors, and its recursion on deep nesting
        raise DetenteError(f"{origin}: not valid YAML ({str(exc).splitlines()[0]})") from None
