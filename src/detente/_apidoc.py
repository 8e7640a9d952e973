"""The Python API reference (docs/api.md), generated from :mod:`detente.api`.

``python -m detente._apidoc > docs/api.md`` writes it; a test checks that the page is
current and that :func:`mapping_problems` finds nothing (the keyword arguments match
the command line's options).
"""

from __future__ import annotations

import dataclasses
import inspect
import re
import textwrap
from collections.abc import Callable
from typing import Any

from detente import api

__all__ = ["FUNCTIONS", "cli_parameters", "keyword_for", "mapping_problems", "render"]

FUNCTIONS: tuple[str, ...] = ("open_store", "events", "indicators", "trends", "reciprocity", "forecast",
                              "playbook_check", "assess", "brief")
"""The API's functions, in the order the page shows them."""



def _results() -> list[tuple[str, type]]:
    """Return the library's result types the functions return (or hold), with the module to
    import each from."""
    from detente.analysis import Alert, Backtest, ChangePoint, Forecast, ReciprocityResult, TrendsReport
    from detente.policy import Assessment, PlaybookReport
    from detente.report import Brief

    return [("detente.analysis", TrendsReport), ("detente.analysis", ChangePoint),
            ("detente.analysis", Alert), ("detente.analysis", ReciprocityResult),
            ("detente.analysis", Forecast), ("detente.analysis", Backtest),
            ("detente.policy", PlaybookReport), ("detente.policy", Assessment), ("detente.report", Brief)]


_SECTIONS = ("Args", "Arguments", "Attributes", "Returns", "Raises", "Example", "Examples", "Note")
_WIDTH = 100


# -- the command line -----------------------------------------------------------------------


def keyword_for(function: str, name: str) -> str:
    """Return the keyword of ``function`` for the command-line option (or ARGUMENT) ``name``."""
    listed = api.CLI_NAMES.get(function, {})
    if name in listed:
        return listed[name]
    return name.lstrip("-").replace("-", "_").lower()


def _option_name(param: Any) -> str:
    """Return how a click parameter is written: its long option, or an argument in capitals."""
    if getattr(param, "param_type_name", "") == "argument":
        return str(param.name).upper()
    longs = [str(o) for o in (*param.opts, *param.secondary_opts) if str(o).startswith("--")]
    return longs[0] if longs else str(param.opts[0])


def cli_parameters(function: str) -> dict[str, Any]:
    """Return the command's options and arguments of ``function``: name as written -> click parameter."""
    import typer.main

    from detente.cli.app import app

    command: Any = typer.main.get_command(app)
    for part in api.COMMANDS[function]:
        command = command.commands[part]
    return {_option_name(p): p for p in command.params}


def _blank(value: Any) -> Any:
    if value in (None, (), []):
        return None
    return value.value if hasattr(value, "value") else value


def mapping_problems() -> list[str]:
    """Compare every function's keywords with its command's options; return what disagrees.

    Each option of the command must be a keyword of the function (under its own name,
    or the one :data:`~detente.api.CLI_NAMES` gives) or be listed in
    :data:`~detente.api.NOT_OFFERED`; each keyword (but ``store``) must be an option;
    a default must be the option's unless :data:`~detente.api.DEFAULTS` says why not;
    and no entry of the tables may name an option the command does not have.
    """
    problems: list[str] = []
    for function, path in api.COMMANDS.items():
        command = " ".join(path)
        params = cli_parameters(function)
        signature = inspect.signature(getattr(api, function))
        keywords = {n: p for n, p in signature.parameters.items() if n != "store"}
        left_out = {**api.NOT_OFFERED.get("*", {}), **api.NOT_OFFERED.get(function, {})}
        differ = {**api.DEFAULTS.get("*", {}), **api.DEFAULTS.get(function, {})}
        covered: set[str] = set()
        for name, param in params.items():
            if name in left_out:
                continue
            keyword = keyword_for(function, name)
            if keyword not in keywords:
                problems.append(f"{function}: `detente {command}` has {name}, which is neither the keyword "
                                f"{keyword!r} nor listed in NOT_OFFERED")
                continue
            covered.add(keyword)
            api_default = keywords[keyword].default
            api_default = None if api_default is inspect.Parameter.empty else api_default
            if keyword not in differ and _blank(param.default) != _blank(api_default):
                problems.append(f"{function}: {keyword}={api_default!r} but {name} defaults to "
                                f"{_blank(param.default)!r} (make them equal, or say why in DEFAULTS)")
        for keyword in keywords:
            if keyword not in covered:
                problems.append(f"{function}: keyword {keyword!r} is no option of `detente {command}`")
        for table, entries in (("CLI_NAMES", api.CLI_NAMES.get(function, {})),
                               ("NOT_OFFERED", api.NOT_OFFERED.get(function, {}))):
            for name in entries:
                if name not in params:
                    problems.append(f"{function}: {table} lists {name}, which `detente {command}` lacks")
        for keyword in api.DEFAULTS.get(function, {}):
            if keyword not in keywords:
                problems.append(f"{function}: DEFAULTS lists {keyword!r}, which is no keyword")
    for function in (*api.CLI_NAMES, *api.NOT_OFFERED, *api.DEFAULTS):
        if function != "*" and function not in api.COMMANDS:
            problems.append(f"the tables name {function!r}, which is not a function of the API")
    return problems


# -- docstrings to Markdown -----------------------------------------------------------------


def _md(text: str) -> str:
    """Turn reST inline markup into Markdown: ``x`` and :func:`x` into `x`."""
    text = re.sub(r":(?:func|class|data|meth|mod|attr):`~?([^`]+)`", r"`\1`", text)
    return text.replace("``", "`")


def _items(lines: list[str]) -> list[str]:
    """Render a section's ``name: text`` entries (continuations indented) as a list."""
    out: list[str] = []
    for line in lines:
        if not line.strip():
            continue
        if line.startswith((" ", "\t")) and out:
            out[-1] += " " + line.strip()
            continue
        name, sep, text = line.partition(":")
        out.append(f"- `{name.strip()}`: {text.strip()}" if sep and " " not in name.strip()
                   else f"- {line.strip()}")
    return [_md(o) for o in out]


def _prose(text: str) -> list[str]:
    """Render paragraphs, indented blocks becoming Python code blocks."""
    out: list[str] = []
    code: list[str] = []
    for para in text.strip("\n").split("\n\n"):
        if para.startswith("    "):
            code.append(para)
            continue
        if code:
            out += ["```python", textwrap.dedent("\n\n".join(code)), "```", ""]
            code = []
        out += [_md(para), ""]
    if code:
        out += ["```python", textwrap.dedent("\n\n".join(code)), "```", ""]
    return out[:-1] if out else out


def _docstring(obj: Any) -> list[str]:
    """Render a Google-style docstring as Markdown lines."""
    doc = inspect.cleandoc(obj.__doc__ or "")
    sections: list[tuple[str, list[str]]] = [("", [])]
    for line in doc.splitlines():
        head = line.strip().rstrip(":")
        if line.strip().endswith(":") and head in _SECTIONS and not line.startswith(" "):
            sections.append((head, []))
        else:
            sections[-1][1].append(line)
    out: list[str] = []
    for head, body in sections:
        if not head:
            out += _prose("\n".join(body))
            continue
        block = textwrap.dedent("\n".join(body)).strip("\n")
        if head in ("Example", "Examples"):
            out += ["", f"**{head}**", "", "```python", block, "```"]
        elif head in ("Args", "Arguments", "Attributes", "Raises"):
            out += ["", f"**{head}**", "", *_items(block.splitlines())]
        else:
            out += ["", f"**{head}**", "", _md(" ".join(block.split()))]
    return out


def _signature(name: str, fn: Callable[..., Any]) -> str:
    """Return ``name(...) -> ...`` wrapped one parameter a line when long."""
    sig = inspect.signature(fn)
    parts: list[str] = []
    star = False
    for p in sig.parameters.values():
        if p.kind is inspect.Parameter.KEYWORD_ONLY and not star:
            parts.append("*")
            star = True
        text = p.name if p.annotation is inspect.Parameter.empty else f"{p.name}: {p.annotation}"
        if p.default is not inspect.Parameter.empty:
            text += f" = {p.default!r}"
        parts.append(text)
    ret = "" if sig.return_annotation is inspect.Signature.empty else f" -> {sig.return_annotation}"
    one = f"{name}({', '.join(parts)}){ret}"
    if len(one) <= _WIDTH:
        return one
    return f"{name}(\n" + "".join(f"    {p},\n" for p in parts) + f"){ret}"


def _fields(cls: type) -> list[str]:
    """Return a result class's fields as Markdown list lines: name and type."""
    if dataclasses.is_dataclass(cls):
        pairs = [(f.name, str(f.type)) for f in dataclasses.fields(cls)]
    else:
        pairs = [(k, str(v)) for k, v in inspect.get_annotations(cls).items() if not k.startswith("_")
                 and k not in ("model_config",)]
    return [f"- `{name}`: `{kind}`" for name, kind in pairs]


def _first_paragraph(obj: Any) -> str:
    doc = inspect.cleandoc(obj.__doc__ or "")
    return _md(" ".join(doc.split("\n\n")[0].split()))


# -- the page -------------------------------------------------------------------------------


def _mapping_table() -> list[str]:
    out = ["| function | command | keyword | option |", "| --- | --- | --- | --- |"]
    for function, path in api.COMMANDS.items():
        sig = inspect.signature(getattr(api, function))
        inverse = {v: k for k, v in api.CLI_NAMES.get(function, {}).items()}
        first = True
        for name in sig.parameters:
            if name == "store":
                continue
            option = inverse.get(name, "--" + name.replace("_", "-"))
            mark = " (differs)" if option.lstrip("-").replace("-", "_").lower() != name else ""
            label = (f"`{function}`", f"`detente {' '.join(path)}`") if first else ("", "")
            out.append(f"| {label[0]} | {label[1]} | `{name}` | `{option}`{mark} |")
            first = False
    return out


def render() -> str:
    """Return docs/api.md: the API's functions, result types and keyword-to-option mapping."""
    out = ["# Python API", "",
           "Generated from the docstrings of `detente.api` by "
           "`python -m detente._apidoc > docs/api.md`;", "a test keeps it current.", ""]
    out += _prose(inspect.cleandoc(api.__doc__ or "").replace(
        ":data:`CLI_NAMES` and :data:`NOT_OFFERED` below", "the tables below"))
    out.append("")
    out += ["Functions: " + ", ".join(f"[`{f}`](#{f})" for f in FUNCTIONS) + ".", ""]

    out += ["## Keyword arguments and the command line", "",
            "Every keyword and the command-line option it stands for. A keyword is the long option's name",
            "with dashes as underscores, except where marked *(differs)*. A test compares this with",
            "the commands themselves.", "", *_mapping_table(), ""]
    out += ["Options the functions leave out on purpose:", "",
            "| function | option | instead |", "| --- | --- | --- |"]
    for function, entries in api.NOT_OFFERED.items():
        where = "any command that has it" if function == "*" else f"`{function}`"
        for option, why in entries.items():
            out.append(f"| {where} | `{option}` | {why} |")
    out += ["", "Defaults that differ from the option's:", "",
            "| function | keyword | default |", "| --- | --- | --- |"]
    for function, entries in api.DEFAULTS.items():
        where = "every function" if function == "*" else f"`{function}`"
        for keyword, why in entries.items():
            out.append(f"| {where} | `{keyword}` | {why} |")
    out.append("")

    out += ["## Functions", ""]
    for name in FUNCTIONS:
        fn = getattr(api, name)
        out += [f"### {name}", "", "```python", _signature(f"detente.{name}", fn), "```", "",
                *_docstring(fn), ""]

    out += ["## Result types", "", "Returned by `reciprocity` and `forecast`:", ""]
    for run in (api.ReciprocityRun, api.ForecastRun):
        methods = [m for m in vars(run) if not m.startswith("_") and callable(getattr(run, m))]
        out += [f"### {run.__name__}", "", *_docstring(run), "", "**Methods**", "",
                *(f"- `{m}()`: {_first_paragraph(getattr(run, m))}" for m in methods), ""]
    out += ["The library's result types, field by field (each has its own docstring; the pydantic",
            "models also `model_dump()` and `model_dump_json()`):", ""]
    for module, kind in _results():
        name = kind.__name__
        out += [f"### {name}", "", f"`{module}.{name}`: {_first_paragraph(kind)}", "", *_fields(kind), ""]
    return "\n".join(line.rstrip() for line in "\n".join(out).splitlines()).rstrip("\n") + "\n"


if __name__ == "__main__":
    print(render(), end="")
