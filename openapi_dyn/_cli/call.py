"""``openapi-dyn call``: validate and send one call, print the decoded answer."""
from __future__ import annotations

import json
import sys
from typing import Any, Dict, List

from .common import EXIT_OK, EXIT_USAGE, Fail, add_common, dump, missing_credentials, pretty


def add_parser(sub) -> None:
    p = sub.add_parser("call", help="validate and send a call, print the decoded answer")
    add_common(p, False)
    p.add_argument("operation", help="operationId (or its Python alias)")
    p.add_argument("params", nargs="*", metavar="name=value",
                   help="parameters and body fields; a value is read as JSON when it parses as JSON "
                        "(limit=20, temperature=0.2, stream=true, messages='[...]') and kept as text "
                        "otherwise (model=gpt-4o), and always as text where the spec declares a string; "
                        "name may be location-qualified (query.limit)")
    p.add_argument("--body", metavar="JSON|@FILE|-", help="request body: JSON text, @file.json, or - for stdin")
    p.add_argument("--header", "-H", action="append", default=[], metavar="NAME:VALUE",
                   help="extra request header (repeatable)")
    p.add_argument("--content-type", help="body media type when the operation offers several")
    p.add_argument("--timeout", type=float, help="seconds")
    p.add_argument("--dry-run", action="store_true",
                   help="validate and print the request (credentials masked) without sending it")
    p.add_argument("-o", "--output", metavar="FILE",
                   help="write the answer's body to FILE as it arrives (for binary answers: audio, "
                        "images, file contents); nothing is left under FILE if the download breaks")


def parse_params(op, pairs: List[str]) -> Dict[str, Any]:
    """``name=value`` words -> keyword arguments, for parameters and body
    fields alike.  A value is read as JSON when it parses as JSON
    (``limit=20``, ``temperature=0.2``, ``stream=true``,
    ``messages='[{"role": "user", "content": "Hi"}]'``) and kept as text
    otherwise (``model=gpt-4o``), as httpie's ``:=`` does; a parameter or
    body field the spec declares as a string is always text (``name=123``
    stays ``"123"``)."""
    from .._call.request import binder_for, body_text_fields

    binder = binder_for(op)
    index = binder.index
    text_fields = body_text_fields(op)
    out: Dict[str, Any] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise Fail(f"expected name=value, got {pair!r}", EXIT_USAGE)
        p = index.get(name)
        if p is not None:
            schema = getattr(p, "schema", None) or {}
            t = schema.get("type")
            types = set(t) if isinstance(t, list) else {t}
            as_text = types == {"string"} or (not t and not schema)
        else:
            as_text = name in text_fields
        if as_text:
            out[name] = value
            continue
        try:
            out[name] = json.loads(value)
        except ValueError:
            out[name] = value
    return out


def read_body(spec: str) -> Any:
    """``--body``: JSON text, ``@file`` (JSON), or ``-`` (JSON on stdin)."""
    if spec == "-":
        text = sys.stdin.read()
        source = "standard input"
    elif spec.startswith("@"):
        path = spec[1:]
        try:
            with open(path, encoding="utf-8") as fh:
                text = fh.read()
        except OSError as exc:
            raise Fail(f"cannot read the body file {path}: {exc.strerror}", EXIT_USAGE)
        source = path
    else:
        text, source = spec, "--body"
    try:
        return json.loads(text)
    except ValueError as exc:
        raise Fail(f"the body in {source} is not JSON: {exc}", EXIT_USAGE)


def run(client, args) -> int:
    op = client.operation(args.operation)
    kwargs = parse_params(op, args.params)
    if args.body is not None:
        kwargs["body"] = read_body(args.body)
    headers = {}
    for h in args.header:
        name, sep, value = h.partition(":")
        if not sep:
            raise Fail(f"expected --header NAME:VALUE, got {h!r}", EXIT_USAGE)
        headers[name.strip()] = value.strip()
    if headers:
        kwargs["headers"] = headers
    if args.content_type:
        kwargs["content_type"] = args.content_type
    prepared = client.prepare(op.operation_id, **kwargs)
    missing = missing_credentials(client, prepared)
    if args.dry_run:
        sys.stdout.write(prepared.describe() + "\n")
        if missing:
            print(f"note: {missing}", file=sys.stderr)
        return EXIT_OK
    if missing:
        raise Fail(missing, EXIT_USAGE)
    if args.output:
        response = client.send(prepared, timeout=args.timeout, save_to=args.output)
        print(f"{response.saved_bytes} bytes written to {response.data}", file=sys.stderr)
        return EXIT_OK
    response = client.send(prepared, timeout=args.timeout)
    _print_result(response.data, pretty(args, sys.stdout))
    return EXIT_OK


def _print_result(data: Any, indent: bool) -> None:
    def as_json(value: Any) -> str:
        return dump(value, indent)

    if data is None:
        return
    if isinstance(data, (dict, list, int, float, bool)):
        sys.stdout.write(as_json(data) + "\n")
    elif isinstance(data, str):
        sys.stdout.write(data if data.endswith("\n") else data + "\n")
    elif isinstance(data, (bytes, bytearray)):
        sys.stdout.flush()
        sys.stdout.buffer.write(bytes(data))
    elif hasattr(data, "__iter__"):  # an event stream: one JSON document per event
        for event in data:
            payload = getattr(event, "data", event)
            sys.stdout.write((as_json(payload) if not isinstance(payload, str) else payload) + "\n")
            sys.stdout.flush()
    else:
        sys.stdout.write(str(data) + "\n")
