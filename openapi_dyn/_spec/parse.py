"""Parsing a spec's text (or a caller's dict) into plain JSON data.

A module of its own because every file of a spec goes through it, the root
and each file a multi-file spec refers to, and because how YAML is read is a
decision of its own: a safe loader (libyaml's when present), dates kept as the
strings they were written as, mapping keys always strings (``200:`` becomes
``"200"``), JSON (``json.loads``, much faster) when the text starts with
``{``.  PyYAML is imported on first use only.
"""
from __future__ import annotations

import datetime
import json
from collections import Counter
from typing import Any, Mapping, Optional

from .._errors import SpecError
from . import limits as _limits

__all__ = ["DICT_ORIGIN", "parse_text", "plain", "stats"]

#: What loading did in this process: ``parsed`` (files parsed, counted here),
#: ``cache_hit``, ``cache_miss`` (counted by :mod:`.load`).  Tests and
#: benchmarks read it; nothing depends on it.
stats: Counter = Counter()

#: The origin of a spec given as a dict.
DICT_ORIGIN = "<dict>"

_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_yaml_loader_cls = None


def _yaml_loader():
    """The YAML loader class, made on first use: PyYAML (and its regexes) is
    not imported by a process that only reads specs from the cache."""
    global _yaml_loader_cls
    if _yaml_loader_cls is not None:
        return _yaml_loader_cls
    import yaml

    _YAMLBase = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class _SpecYAMLLoader(_YAMLBase):  # type: ignore[misc, valid-type]
        """A safe loader (libyaml's parser when available) that keeps dates as the
        text they were written as and makes every mapping key a string: the key's
        own text (``200``, ``2024-01-01``, ``on``), not ``str()`` of what YAML
        would make of it."""

        def construct_mapping(self, node, deep=False):
            if not isinstance(node, yaml.MappingNode):
                raise yaml.constructor.ConstructorError(
                    None, None, f"expected a mapping node, but found {node.id}", node.start_mark)
            self.flatten_mapping(node)
            mapping = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    raise yaml.constructor.ConstructorError(
                        "while constructing a mapping", node.start_mark,
                        "found a key that is not a plain value", key_node.start_mark)
                mapping[key_node.value] = self.construct_object(value_node, deep=deep)
            return mapping

    # Dates are not resolved at all (cheaper than converting them back), and a
    # lone "=" (YAML 1.1's "value" tag, which the safe loader cannot construct) is
    # a plain string.
    _SpecYAMLLoader.yaml_implicit_resolvers = {
        ch: [(tag, rx) for tag, rx in resolvers
             if tag not in (_TIMESTAMP, "tag:yaml.org,2002:value")]
        for ch, resolvers in _YAMLBase.yaml_implicit_resolvers.items()
    }

    def _scalar_text(loader, node):
        return loader.construct_scalar(node)

    _SpecYAMLLoader.add_constructor(_TIMESTAMP, _scalar_text)                  # explicit !!timestamp
    _SpecYAMLLoader.add_constructor("tag:yaml.org,2002:binary", _scalar_text)  # keep the base64 text
    _yaml_loader_cls = _SpecYAMLLoader
    return _SpecYAMLLoader


def parse_text(data, where: str = "<text>") -> Any:
    """Parse YAML or JSON (bytes or str).  JSON (``json.loads``) when the text
    starts with ``{``, YAML otherwise.  :class:`SpecError` with line and
    column on a syntax error."""
    stats["parsed"] += 1
    head = data[:1024].lstrip(b" \t\r\n\xef\xbb\xbf" if isinstance(data, bytes) else " \t\r\n\ufeff")
    json_err = None
    if head[:1] in (b"{", "{"):
        try:
            return json.loads(data)
        except ValueError as e:   # maybe YAML flow style; report the JSON error if not
            json_err = e
        except RecursionError:
            raise SpecError("not usable JSON: nested too deeply", where) from None
    loader = _yaml_loader()
    import yaml

    try:
        return yaml.load(data, Loader=loader)
    except RecursionError:
        raise SpecError("not usable YAML: nested too deeply", where) from None
    except yaml.YAMLError as e:
        if isinstance(json_err, json.JSONDecodeError):
            raise SpecError(f"not valid JSON: {json_err.msg}",
                            f"{where}:{json_err.lineno}:{json_err.colno}") from json_err
        if json_err is not None:
            raise SpecError(f"not valid JSON: {json_err}", where) from json_err
        mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
        problem = getattr(e, "problem", None)
        if mark is not None:
            what = f"not valid YAML: {problem or e}"
            if getattr(e, "context", None):
                what += f" ({e.context})"
            raise SpecError(what, f"{where}:{mark.line + 1}:{mark.column + 1}") from e
        raise SpecError(f"not valid YAML: {e}", where) from e


def plain(obj: Any, _depth: int = 0, _memo: Optional[dict] = None) -> Any:
    """A deep copy of a caller's dict as plain JSON data: string keys, lists
    for tuples, ISO strings for dates.  An object found in several places is
    copied once and stays shared (as YAML aliases do), so a dict built to
    expand does not expand here; :func:`.limits.measure` judges it next."""
    if _depth > _limits.MAX_DEPTH:
        raise SpecError(f"the dict is nested more than {_limits.MAX_DEPTH} levels deep "
                        f"(does it contain itself?)", DICT_ORIGIN)
    if isinstance(obj, (Mapping, list, tuple)):
        if _memo is None:
            _memo = {}
        got = _memo.get(id(obj))
        if got is not None:
            return got[1]
        if isinstance(obj, Mapping):
            out: Any = {_key_text(k): plain(v, _depth + 1, _memo) for k, v in obj.items()}
        else:
            out = [plain(v, _depth + 1, _memo) for v in obj]
        _memo[id(obj)] = (obj, out)      # obj kept: its id() must not be reused meanwhile
        return out
    if isinstance(obj, (datetime.date, datetime.time)):
        return obj.isoformat()
    return obj


def _key_text(k: Any) -> str:
    if isinstance(k, str):
        return k
    if k is None:
        return "null"
    if isinstance(k, bool):
        return "true" if k else "false"
    if isinstance(k, (datetime.date, datetime.time)):
        return k.isoformat()
    return str(k)
