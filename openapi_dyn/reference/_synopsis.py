"""The Python a reference shows: values as Python literals, one call of an
operation written both ways (``client.call("op", ...)`` and
``client.op(...)``), and the synopsis, a call with every required argument.

Every format prints this code as is, and the tests run it through Python's
parser and the client's validation, so it is made in one place.
"""
from __future__ import annotations

import json
import keyword
from typing import Any, Dict, List, Tuple

from ._doc import _NO_DEFAULT, BodyDoc, OperationDoc, ParamDoc


def py_literal(value: Any, indent: int = 0, width: int = 76) -> str:
    """``value`` (JSON data) as Python source, one line when it fits."""
    flat = _py_flat(value)
    if len(flat) + indent <= width or not isinstance(value, (dict, list)) or not value:
        return flat
    pad = " " * (indent + 4)
    if isinstance(value, dict):
        items = [f"{pad}{json.dumps(str(k), ensure_ascii=False)}: {py_literal(v, indent + 4, width)}"
                 for k, v in value.items()]
        return "{\n" + ",\n".join(items) + ",\n" + " " * indent + "}"
    items = [pad + py_literal(v, indent + 4, width) for v in value]
    return "[\n" + ",\n".join(items) + ",\n" + " " * indent + "]"


def _py_flat(value: Any) -> str:
    if value is Ellipsis:
        return "..."
    if value is None:
        return "None"
    if value is True:
        return "True"
    if value is False:
        return "False"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(k), ensure_ascii=False)}: {_py_flat(v)}"
                               for k, v in value.items()) + "}"
    if isinstance(value, tuple):  # a file: (filename, content[, content type])
        return "(" + ", ".join(_py_flat(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, list):
        return "[" + ", ".join(_py_flat(v) for v in value) + "]"
    if isinstance(value, bytes):
        return repr(value)
    return json.dumps(str(value), ensure_ascii=False)


def call_code(doc: OperationDoc, params: Dict[str, Any], body: Any = _NO_DEFAULT,
              style: str = "both") -> str:
    """The Python for one call: ``client.call("op", a=1, body={...})`` and/or
    ``client.op(a=1, body={...})``."""
    by_name = {p.name: p for p in doc.parameters}
    args: List[Tuple[str, str]] = []
    extra: Dict[str, Any] = {}
    for name, value in params.items():
        p = by_name.get(name)
        kw = p.keyword if p is not None else (name if name.isidentifier() and not keyword.iskeyword(name) else None)
        if kw is None:
            extra[p.address if p is not None else name] = value
        else:
            args.append((kw, value))
    if body is not _NO_DEFAULT:
        args.append(("body", body))

    def render(head: str) -> str:
        parts = [f"{k}={py_literal(v, 4)}" for k, v in args]
        if extra:
            parts.append("**" + py_literal(extra, 4))
        one = head + ", ".join(parts) + ")"
        if len(one) <= 76 and "\n" not in one:
            return one
        return head.rstrip() + "\n" + "".join(f"    {p},\n" for p in parts) + ")"

    out = []
    if style in ("both", "call"):
        first = f'client.call({json.dumps(doc.operation_id)}' + (", " if args or extra else "")
        out.append(render(first))
    if style in ("both", "method"):
        out.append(render(f"client.{doc.method_name}("))
    return "\n".join(out)



#: a value longer than this as Python source is not written into a synopsis
#: (a default of 200,000 ids would be the whole page): ``...`` stands for it
MAX_SHOWN_VALUE = 200


def _small(value: Any) -> bool:
    return len(py_literal(value, width=10_000)) <= MAX_SHOWN_VALUE


def _placeholder(p: ParamDoc) -> Any:
    if p.has_example and _small(p.example):
        return p.example
    if p.enum and _small(p.enum[0]):
        return p.enum[0]
    if p.has_default and _small(p.default):
        return p.default
    return ...


def _body_placeholder(body: BodyDoc) -> Any:
    if body.media_type.startswith("multipart/") or body.media_type.startswith("application/x-www-form"):
        out: Dict[str, Any] = {}
        for prop in body.properties:
            if prop.required:
                out[prop.name] = ...
        return out
    if body.type in ("string",) and not body.properties:
        return ...
    if body.properties or body.type == "object":
        out = {}
        for prop in body.properties:
            if prop.required:
                if prop.const is not _NO_DEFAULT:
                    out[prop.name] = prop.const
                elif prop.enum and len(prop.enum) == 1:
                    out[prop.name] = prop.enum[0]
                else:
                    out[prop.name] = ...
        return out
    return ...


def synopsis(doc: OperationDoc) -> List[str]:
    """``client.call(...)`` and ``client.<method>(...)`` with every required
    argument (``...`` where the caller must fill in a value) and the optional
    parameters that have a default, to show their names."""
    params: Dict[str, Any] = {}
    for p in doc.parameters:
        if p.required:
            params[p.name] = _placeholder(p)
    optional = [p for p in doc.parameters if not p.required and p.keyword and not p.deprecated
                and ((p.has_example and _small(p.example)) or (not p.has_example and p.has_default
                                                              and _small(p.default)))]
    for p in optional[:3]:
        params[p.name] = p.example if p.has_example else p.default
    body: Any = _NO_DEFAULT
    if doc.bodies:
        b = doc.bodies[0]
        if doc.body_required or any(x.required for x in b.properties):
            body = _body_placeholder(b)
    return call_code(doc, params, body).split("\n")

