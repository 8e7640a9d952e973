"""Read YAML remembering where every value came from, and validate it with pydantic.

A playbook, a proposal or a registry file is read into plain Python values
together with a map from each value's path (``("baskets", "essential", 0,
"conditions", 1, "when")``) to its line and column, so that a schema error,
or a bad condition deep inside a file, is reported as ``file:line``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from yaml.constructor import SafeConstructor

from detente._yaml import LOADER
from detente.errors import DetenteError

__all__ = ["Located", "PolicyFileError", "load_located", "validate"]

M = TypeVar("M", bound=BaseModel)
PathKey = tuple[str | int, ...]


class PolicyFileError(DetenteError):
    """A playbook, proposal or registry file is not valid: ``file:line: problem``."""

    def __init__(self, path: str | Path, line: int | None, problem: str,
                 column: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        self.column = column
        self.problem = problem
        where = f"{self.path}:{line}" if line else self.path
        if line and column:
            where += f":{column}"
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class Mark:
    """Where a value starts (1-based line and column) and how it was written."""

    line: int
    column: int
    plain: bool  # a plain (unquoted, single-line) scalar: columns map one to one


@dataclass
class Located:
    """A YAML document's data with the position of every value."""

    path: Path
    data: Any
    marks: dict[PathKey, Mark] = field(default_factory=dict)

    def mark(self, key: PathKey) -> Mark | None:
        """Return the mark of ``key`` or of its nearest ancestor."""
        for n in range(len(key), -1, -1):
            found = self.marks.get(tuple(key[:n]))
            if found is not None:
                return found
        return None

    def line(self, key: PathKey) -> int | None:
        """Return the line of ``key`` (or of its nearest ancestor)."""
        m = self.mark(key)
        return m.line if m else None

    def error(self, key: PathKey, problem: str) -> PolicyFileError:
        """Return an error located at ``key``."""
        return PolicyFileError(self.path, self.line(key), problem)


class _Builder(SafeConstructor):
    pass


def _build(node: yaml.Node, key: PathKey, marks: dict[PathKey, Mark], ctor: _Builder) -> Any:
    m = node.start_mark
    plain = isinstance(node, yaml.ScalarNode) and not node.style and \
        node.start_mark.line == node.end_mark.line
    marks[key] = Mark(m.line + 1, m.column + 1, plain)
    if isinstance(node, yaml.MappingNode):
        ctor.flatten_mapping(node)
        out: dict[Any, Any] = {}
        for knode, vnode in node.value:
            k = ctor.construct_object(knode, deep=True)
            if not isinstance(k, str | int):
                k = str(k)
            out[k] = _build(vnode, (*key, k), marks, ctor)
            km = knode.start_mark
            marks.setdefault((*key, k), Mark(km.line + 1, km.column + 1, False))
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(v, (*key, i), marks, ctor) for i, v in enumerate(node.value)]
    return ctor.construct_object(node, deep=True)


def load_located(path: str | Path, what: str = "file") -> Located:
    """Read a YAML file with the positions of its values.

    Raises:
        PolicyFileError: the file is missing, unreadable or not YAML.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PolicyFileError(p, None, f"no such {what}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyFileError(p, None, f"cannot read {what}: {exc}") from None
    try:
        node = yaml.compose(text, Loader=LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark else None
        raise PolicyFileError(p, line, f"not valid YAML: {exc.problem}") from None
    marks: dict[PathKey, Mark] = {}
    if node is None:
        raise PolicyFileError(p, None, f"empty {what}")
    data = _build(node, (), marks, _Builder())
    return Located(p, data, marks)


def validate(model: type[M], located: Located, context: dict[str, Any] | None = None) -> M:
    """Validate ``located.data`` as ``model``; the first error names its line.

    Raises:
        PolicyFileError: ``file:line: field: what was expected``.
    """
    try:
        return model.model_validate(located.data, context=context)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(first["loc"])
        where = ".".join(str(x) for x in loc) or "(top level)"
        msg = first["msg"]
        if first["type"] == "extra_forbidden":
            msg = "unknown field"
        elif first["type"] == "missing":
            msg = "field required"
        extra = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise located.error(loc, f"{where}: {msg}{extra}") from None
