"""Read YAML remembering where every value came from, and validate it with pydantic.

A playbook, a proposal or a registry file is read into plain Python values
together with a map from each value's path (``("baskets", "essential", 0,
"conditions", 1, "when")``) to its line and column, so that a schema error,
or a bad condition deep inside a file, is reported as ``file:line``.

Reading is bounded, whatever the file holds: at most :data:`MAX_BYTES` of text,
:data:`MAX_DEPTH` levels of nesting, :data:`MAX_ITEMS` entries in one list or
mapping and :data:`MAX_VALUES` values in all, counted with every alias expanded
(so a "billion laughs" file, or an anchor that refers to itself, stops at the
bound with one line saying so instead of filling memory).
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

__all__ = ["MAX_BYTES", "MAX_DEPTH", "MAX_ITEMS", "MAX_VALUES", "Located", "PolicyFileError",
           "load_located", "validate"]

MAX_BYTES = 1 << 20
"""Largest policy file read (the packaged ones are under 20 KiB)."""
MAX_DEPTH = 32
"""Deepest nesting of lists and mappings."""
MAX_ITEMS = 1000
"""Most entries in one list or mapping."""
MAX_VALUES = 20_000
"""Most values in a file, aliases expanded (the packaged ones hold under 1,000)."""

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


_PLAIN_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")


class _Bad(Exception):
    def __init__(self, node: yaml.Node, problem: str) -> None:
        self.node = node
        self.problem = problem


class _Build:
    """Turn a composed YAML node into values, counting what it builds."""

    def __init__(self, marks: dict[PathKey, Mark]) -> None:
        self.marks = marks
        self.ctor = _Builder()
        self.values = 0

    def build(self, node: yaml.Node, key: PathKey) -> Any:
        self.values += 1
        if self.values > MAX_VALUES:
            raise _Bad(node, f"more than {MAX_VALUES:,} values (aliases counted as often as "
                                "they are used)")
        if len(key) > MAX_DEPTH:
            raise _Bad(node, f"nested deeper than {MAX_DEPTH} levels (or an alias refers to "
                                "itself)")
        m = node.start_mark
        plain = isinstance(node, yaml.ScalarNode) and not node.style and \
            node.start_mark.line == node.end_mark.line
        self.marks[key] = Mark(m.line + 1, m.column + 1, plain)
        if isinstance(node, yaml.MappingNode | yaml.SequenceNode) and node.tag not in _PLAIN_TAGS:
            raise _Bad(node, f"could not determine a constructor for the tag {node.tag!r}")
        if isinstance(node, yaml.MappingNode | yaml.SequenceNode) and len(node.value) > MAX_ITEMS:
            raise _Bad(node, f"more than {MAX_ITEMS:,} entries in one list or mapping")
        if isinstance(node, yaml.MappingNode):
            self.ctor.flatten_mapping(node)
            if len(node.value) > MAX_ITEMS:  # merged keys count too
                raise _Bad(node, f"more than {MAX_ITEMS:,} entries in one mapping")
            out: dict[Any, Any] = {}
            for knode, vnode in node.value:
                if not isinstance(knode, yaml.ScalarNode):
                    raise _Bad(knode, "a mapping key must be a plain value")
                k = self.scalar(knode)
                if not isinstance(k, str | int):
                    k = str(k)
                out[k] = self.build(vnode, (*key, k))
                km = knode.start_mark
                self.marks.setdefault((*key, k), Mark(km.line + 1, km.column + 1, False))
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(v, (*key, i)) for i, v in enumerate(node.value)]
        return self.scalar(node)

    def scalar(self, node: yaml.Node) -> Any:
        try:
            return self.ctor.construct_object(node, deep=True)
        except (ValueError, OverflowError) as exc:  # YAML reads it, Python cannot hold it
            raise _Bad(node, f"not a valid value: {' '.join(str(exc).split())[:200]}") from None


def load_located(path: str | Path, what: str = "file") -> Located:
    """Read a YAML file with the positions of its values.

    Raises:
        PolicyFileError: the file is missing, unreadable, not YAML, or beyond the
            bounds above.
    """
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise PolicyFileError(p, None, f"{what} is {size:,} bytes; at most {MAX_BYTES:,} are read")
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PolicyFileError(p, None, f"no such {what}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyFileError(p, None, f"cannot read {what}: {exc}") from None
    try:
        node = yaml.compose(text, Loader=LOADER)
        if node is None:
            raise PolicyFileError(p, None, f"empty {what}")
        marks: dict[PathKey, Mark] = {}
        data = _Build(marks).build(node, ())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = " ".join(str(exc.problem or exc.context or "").split())
        raise PolicyFileError(p, line, f"not valid YAML: {problem}") from None
    except yaml.YAMLError as exc:  # e.g. a character YAML does not allow (NUL)
        raise PolicyFileError(p, None, f"not valid YAML: {' '.join(str(exc).split())}") from None
    except _Bad as exc:
        raise PolicyFileError(p, exc.node.start_mark.line + 1, exc.problem) from None
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
