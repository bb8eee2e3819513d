"""Overlays: fixes for defects of one particular spec document that no
general repair rule can find, shipped in ``schemas/overlay-*.yaml``.

An overlay names the document it fixes by the sha256 of its source file, so it
applies whether that document is loaded by its bundled name or by path, and
never to another version of it.  Each change removes keys (``remove``) from
and sets keys (``set``) on the node at a JSON pointer, and says why; every change made is recorded as a repair, like those
of :mod:`.repair`.
"""
from __future__ import annotations

import copy
from importlib import resources
from typing import Any, Dict, List, Optional

from .._errors import SpecError
from .pointer import walk

_index: Optional[Dict[str, Any]] = None


def _overlays() -> Dict[str, Any]:
    """sha256 of a source document -> its overlay (read once, on first need)."""
    global _index
    if _index is None:
        import yaml

        index: Dict[str, Any] = {}
        for entry in resources.files("openapi_dyn.schemas").iterdir():
            if entry.name.startswith("overlay-") and entry.name.endswith((".yaml", ".yml")):
                data = yaml.safe_load(entry.read_text(encoding="utf-8"))
                index[str(data["source_sha256"])] = dict(data, file=entry.name)
        _index = index
    return _index


def _node(doc: Any, pointer: str, where: str) -> Any:
    try:
        return walk(doc, pointer)[0]
    except (LookupError, ValueError):
        raise SpecError(f"overlay change points at {pointer!r}, which the document does not have",
                        where) from None


def apply_overlay(doc: dict, source_sha256: str) -> List[Any]:
    """Apply the overlay made for the document whose source hashes to
    ``source_sha256``, if there is one; returns the repairs made."""
    overlay = _overlays().get(source_sha256)
    if overlay is None:
        return []
    from .repair import Repair

    repairs = []
    for change in overlay.get("changes") or []:
        pointer = change["pointer"]
        node = _node(doc, pointer, f"schemas/{overlay['file']}")
        wanted = change.get("set") or {}
        unwanted = [k for k in change.get("remove") or () if k in node]
        if all(node.get(k) == v for k, v in wanted.items()) and not unwanted:
            continue
        for key in unwanted:
            del node[key]
        node.update(copy.deepcopy(wanted))
        done = []
        if unwanted:
            done.append(f"removed {', '.join(unwanted)}")
        if wanted:
            done.append("set " + ", ".join(f"{k}: {v!r}" for k, v in wanted.items()))
        repairs.append(Repair(pointer, f"{change['why'].strip()} (overlay {overlay['file']}: {'; '.join(done)})"))
    return repairs
