"""The Vega, Vega-Lite and vega-embed JavaScript, from vl-convert, cached on disk.

Building the bundle takes a couple of seconds, so it is written once per
vl-convert version to the user's cache folder and read from there after.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

__all__ = ["vega_bundle"]


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "detente"


@functools.cache
def vega_bundle() -> str:
    """Return the JavaScript that defines ``vegaEmbed``, ``vega`` and ``vegaLite`` globally."""
    import vl_convert

    version = getattr(vl_convert, "__version__", "unknown")
    name = f"vega-bundle-{version}.js"
    cached = _cache_dir() / name
    try:
        return cached.read_text(encoding="utf-8")
    except OSError:
        pass
    text: str = vl_convert.javascript_bundle()  # type: ignore[call-arg,unused-ignore]
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_name(f"{name}.{os.getpid()}.partial")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(cached)
    except OSError:
        pass  # a read-only home still gets its brief, only slower
    return text
