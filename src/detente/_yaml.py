"""YAML reading shared by the packages: libyaml's parser where PyYAML has it."""

from __future__ import annotations

from typing import Any

import yaml

__all__ = ["LOADER", "safe_load"]

LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""The safe loader, in C where PyYAML was built with libyaml (several times faster)."""


def safe_load(text: str) -> Any:
    """Parse ``text`` as YAML with the safe loader (plain data only)."""
    return yaml.load(text, Loader=LOADER)
