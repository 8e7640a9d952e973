"""The Vega, Vega-Lite and vega-embed JavaScript, from vl-convert, cached on disk.

Building the bundle takes a couple of seconds, so it is written once per
vl-convert version to the user's cache folder and read from there after.
When the cache is cold, :func:`prefetch` (called by whoever is about to render
HTML, before the content is computed) starts the build in a separate process
(vl-convert holds the interpreter lock while it bundles, so a thread would not
help), and it runs while the brief's content is computed instead of after it.
Nothing builds the bundle for a brief written as JSON or Markdown.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from detente.query._compiled import cache_folder

__all__ = ["prefetch", "vega_bundle"]

_text: str | None = None
_builder: subprocess.Popen[bytes] | None = None

# Run by the prefetching process: build the bundle, write it under a temporary
# name, then move it into place so that no reader sees half a file.
_BUILD = (
    "import os, sys, vl_convert\n"
    "path = sys.argv[1]\n"
    "tmp = f'{path}.{os.getpid()}.partial'\n"
    "with open(tmp, 'w', encoding='utf-8') as out:\n"
    "    out.write(vl_convert.javascript_bundle())\n"
    "os.replace(tmp, path)\n"
)


def _cached_path() -> Path:
    import vl_convert

    version = getattr(vl_convert, "__version__", "unknown")
    return cache_folder() / f"vega-bundle-{version}.js"


def prefetch() -> None:
    """Start building the bundle in another process if it is neither loaded nor cached."""
    global _builder
    if _text is not None or _builder is not None:
        return
    try:
        cached = _cached_path()
        if cached.is_file():
            return
        cached.parent.mkdir(parents=True, exist_ok=True)
        _builder = subprocess.Popen(  # our own interpreter running our own code
            [sys.executable, "-c", _BUILD, str(cached)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except OSError:
        _builder = None  # no cache folder or no process: built in place when needed


def vega_bundle() -> str:
    """Return the JavaScript that defines ``vegaEmbed``, ``vega`` and ``vegaLite`` globally."""
    global _text, _builder
    if _text is not None:
        return _text
    import vl_convert

    cached = _cached_path()
    if _builder is not None:
        try:
            _builder.wait(timeout=120)
        except subprocess.TimeoutExpired:
            _builder.kill()
        _builder = None
    try:
        _text = cached.read_text(encoding="utf-8")
        return _text
    except OSError:
        pass
    text: str = vl_convert.javascript_bundle()  # type: ignore[call-arg,unused-ignore]
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_name(f"{cached.name}.{os.getpid()}.partial")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(cached)
    except OSError:
        pass  # a read-only home still gets its brief, only slower
    _text = text
    return _text
