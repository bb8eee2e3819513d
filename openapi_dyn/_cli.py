"""``openapi-dyn``: list, read, call and document the operations of a spec.

    openapi-dyn list [WORDS...] [--tag TAG]
    openapi-dyn show OPERATION [--format text|pod|markdown|html]
    openapi-dyn call OPERATION [name=value ...] [--body JSON|@FILE|-] [--dry-run] [-o FILE]
    openapi-dyn docs --format pod|markdown|html|man|text -o DIR [--split]
    openapi-dyn repl
    openapi-dyn mcp [--tag TAG] [--operations ID,...] [--search WORDS] [--prefix P]
                    [--names operationId|snake] [--read-only]
    openapi-dyn stubs --name NAME -o DIR [--async]
    openapi-dyn batch submit FILE.jsonl [--state PATH] | status STATE | results STATE [-o FILE] [--wait]

Every command takes ``--spec NAME|PATH|URL`` (default: the bundled OpenAI
spec), ``--base-url URL``, ``--api-key KEY`` and ``--pretty``/``--compact``
(JSON output indented or on one line; default: indented on a terminal).
Results go to standard output, messages and errors to standard error.
Exit codes:

    0  success
    1  the API answered with an error status, or its answer could not be read
    2  usage error: bad arguments, unknown operation, missing credentials,
       unreadable body file (and whatever argparse rejects)
    3  the call failed validation; nothing was sent
    4  the spec could not be loaded
    5  the server could not be reached or timed out
    130 interrupted
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from typing import Any, Dict, List, Optional, Sequence

from ._errors import _CommandFailed as _Fail

EXIT_OK, EXIT_API, EXIT_USAGE, EXIT_INVALID, EXIT_SPEC, EXIT_NETWORK = 0, 1, 2, 3, 4, 5


def _common(p: argparse.ArgumentParser, top: bool) -> None:
    default = None if top else argparse.SUPPRESS
    p.add_argument("--spec", default=default, metavar="NAME|PATH|URL",
                   help="bundled spec name (openai, anthropic, cohere, ...), file or URL; default: openai")
    p.add_argument("--base-url", default=default, metavar="URL", help="server URL to use instead of the spec's")
    p.add_argument("--profile", default=default, metavar="NAME|PATH",
                   help="vendor profile (default: the bundled spec's own; 'none' for the document alone)")
    p.add_argument("--api-version", default=default, metavar="VERSION",
                   help="the API version parameter the profile names (Azure's api-version)")
    p.add_argument("--api-key", default=default, metavar="KEY",
                   help="the key for the spec's security schemes (default: the profile's environment "
                        "variable, OPENAI_API_KEY for openai)")
    layout = p.add_mutually_exclusive_group()
    layout.add_argument("--pretty", dest="pretty", action="store_const", const=True, default=default,
                        help="indent JSON output (the default on a terminal)")
    layout.add_argument("--compact", dest="pretty", action="store_const", const=False, default=default,
                        help="JSON output on one line (the default when not on a terminal)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="openapi-dyn",
        description="List, read, call and document the operations of an OpenAPI spec.",
        epilog="exit codes: 0 ok, 1 API error answer, 2 usage error, 3 validation failed "
               "(nothing sent), 4 spec not loadable, 5 network error or timeout")
    _common(parser, True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("list", help="list operations: operationId, method, path, summary")
    _common(p, False)
    p.add_argument("words", nargs="*", help="only operations matching all these words")
    p.add_argument("--tag", help="only operations with this tag")

    p = sub.add_parser("show", help="the reference of one operation")
    _common(p, False)
    p.add_argument("operation", help="operationId (or its Python alias)")
    p.add_argument("--format", "-f", default="text", choices=("text", "pod", "markdown", "html"))
    p.add_argument("--no-check", action="store_true",
                   help="do not validate the spec's examples (faster; then none are shown)")

    p = sub.add_parser("call", help="validate and send a call, print the decoded answer")
    _common(p, False)
    p.add_argument("operation", help="operationId (or its Python alias)")
    p.add_argument("params", nargs="*", metavar="name=value",
                   help="parameters; values are JSON when the parameter is not a string "
                        "(limit=20, include='[\"a\"]'); name may be location-qualified (query.limit)")
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

    p = sub.add_parser("docs", help="write the whole reference to a directory")
    _common(p, False)
    p.add_argument("--format", "-f", default="pod", choices=("pod", "markdown", "html", "man", "text"))
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="directory to write into (created)")
    p.add_argument("--name", help="file name stem (default: the spec's name; for man, openapi-dyn-<spec>, "
                                  "also the page's name)")
    p.add_argument("--split", action="store_true", help="POD only: one file per tag plus an index")
    p.add_argument("--no-check", action="store_true", help="do not validate the spec's examples (omits them)")

    p = sub.add_parser("repl", help="interactive Python prompt with a ready `client`")
    _common(p, False)

    p = sub.add_parser("mcp", help="serve the operations as MCP tools over stdio (needs the [mcp] extra)")
    _common(p, False)
    p.add_argument("--tag", action="append", default=[], help="only operations with this tag (repeatable)")
    p.add_argument("--operations", action="append", default=[], metavar="ID[,ID...]",
                   help="only these operationIds (comma-separated, repeatable)")
    p.add_argument("--search", metavar="WORDS", help="only operations matching all these words")
    p.add_argument("--prefix", default="", help="put this in front of every tool name (joined by _)")
    p.add_argument("--names", default="operationId", choices=("operationId", "snake"),
                   help="tool names: the operationId as it is, or snake_cased")
    p.add_argument("--read-only", action="store_true", help="only GET, HEAD and OPTIONS operations")

    p = sub.add_parser("stubs", help="write a typed module NAME (NAME.py + NAME.pyi) for the spec (docs/types.md)")
    _common(p, False)
    p.add_argument("--name", required=True, help="the module's name (a Python identifier)")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="directory to write into (created)")
    p.add_argument("--async", dest="with_async", action="store_true", help="also NAME.AsyncClient")

    p = sub.add_parser("batch", help="run many calls through the vendor's batch engine (docs/batch.md)")
    _common(p, False)
    actions = p.add_subparsers(dest="batch_command", metavar="ACTION")
    actions.required = True
    q = actions.add_parser("submit", help="validate every line of a JSONL file, then upload and create the batch")
    _common(q, False)
    q.add_argument("file", metavar="FILE.jsonl",
                   help='lines of {"operation": ..., "params": {...}, "body": {...}, "custom_id": ...} (- for stdin)')
    q.add_argument("--state", metavar="PATH", help="the state file (default: a new one in the user's data directory)")
    q.add_argument("--endpoint", help="the batch endpoint (default: that of the first line's operation)")
    q.add_argument("--completion-window", help="OpenAI's completion window (default 24h)")
    q.add_argument("--max-requests", type=int, metavar="N", help="split into batches of at most N requests")
    q = actions.add_parser("status", help="poll once and print the status of every batch of the run")
    _common(q, False)
    q.add_argument("state", metavar="STATE", help="the state file submit printed")
    q = actions.add_parser("results", help="write one JSON line per request: its result or its error")
    _common(q, False)
    q.add_argument("state", metavar="STATE", help="the state file submit printed")
    q.add_argument("-o", "--output", default="-", metavar="FILE", help="where to write (default: standard output)")
    q.add_argument("--wait", action="store_true", help="poll until the run has ended")
    q.add_argument("--poll-interval", type=float, metavar="SECONDS", help="with --wait: seconds between polls")
    q.add_argument("--timeout", type=float, metavar="SECONDS", help="with --wait: give up after this long")
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point of the ``openapi-dyn`` console script; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        return _run(args)
    except _Fail as exc:
        print(f"openapi-dyn: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        print("openapi-dyn: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `openapi-dyn list | head`
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return EXIT_OK


def _run(args) -> int:
    from ._errors import (APIConnectionError, APIError, MissingCredentialsError, OpenAPIDynError, ProfileError,
                         RequestValidationError, SpecError, StreamError, UnknownOperationError, UsageError)

    try:
        client = _client(args)
        handler = {"list": cmd_list, "show": cmd_show, "call": cmd_call, "docs": cmd_docs,
                   "repl": cmd_repl, "mcp": cmd_mcp, "batch": cmd_batch,
                   "stubs": cmd_stubs}[args.command]
        return handler(client, args)
    except ProfileError as exc:
        raise _Fail(f"cannot load the profile: {exc}", EXIT_SPEC)
    except SpecError as exc:
        raise _Fail(f"cannot load the spec: {exc}", EXIT_SPEC)
    except UnknownOperationError as exc:
        raise _Fail(str(exc), EXIT_USAGE)
    except RequestValidationError as exc:
        lines = [f"{exc.operation_id}: {len(exc.errors)} problem(s), request not sent:"]
        lines += [f"  {e.location}: {e.message}" for e in exc.errors]
        raise _Fail("\n".join(lines), EXIT_INVALID)
    except (MissingCredentialsError, UsageError) as exc:
        raise _Fail(str(exc), EXIT_USAGE)
    except (APIError, StreamError) as exc:  # an error answer, or an error inside a stream
        body = exc.body
        text = _dump(body, _pretty(args, sys.stderr)) if isinstance(body, (dict, list)) else str(body or "")
        raise _Fail(f"{exc}\n{text}".rstrip(), EXIT_API)
    except APIConnectionError as exc:
        raise _Fail(str(exc), EXIT_NETWORK)
    except OpenAPIDynError as exc:
        raise _Fail(str(exc), EXIT_API)


def _client(args):
    from ._client import Client

    spec = getattr(args, "spec", None) or "openai"
    profile = getattr(args, "profile", None)
    return Client(spec, base_url=getattr(args, "base_url", None),
                  profile=False if profile == "none" else profile,
                  api_version=getattr(args, "api_version", None),
                  api_key=getattr(args, "api_key", None) or None)


def _pretty(args, stream) -> bool:
    """``--pretty``/``--compact``, else indented when ``stream`` is a terminal."""
    chosen = getattr(args, "pretty", None)
    if chosen is not None:
        return chosen
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _dump(value: Any, pretty: bool) -> str:
    if pretty:
        return json.dumps(value, indent=2, ensure_ascii=False, default=str)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def _missing_credentials(client, prepared) -> Optional[str]:
    """The missing-credentials message with shell advice (``--api-key``, the
    profile's environment variable) instead of Python's ``api_key=``."""
    if not prepared.missing_credentials:
        return None
    from ._auth import missing_message
    from ._client import call_context

    return missing_message(prepared.operation, call_context(client).credentials, api_key_option="--api-key KEY")


def cmd_stubs(client, args) -> int:
    """Write NAME.py and NAME.pyi: a client on this spec that type checkers know."""
    from ._stubgen import write_module

    source = getattr(args, "spec", None) or "openai"
    for path in write_module(source, args.name, args.output, args.with_async, spec=client.spec):
        print(path)
    return EXIT_OK


# --------------------------------------------------------------------- list
def cmd_list(client, args) -> int:
    ops = client.search(" ".join(args.words)) if args.words else list(client.operations.values())
    if args.tag:
        wanted = args.tag.lower()
        ops = [op for op in ops if any(t.lower() == wanted for t in op.tags)]
    if not ops:
        print("no operation matches", file=sys.stderr)
        return EXIT_OK
    w_id = max(len(op.operation_id) for op in ops)
    w_m = max(len(op.method) for op in ops)
    w_p = max(len(op.path) for op in ops)
    width = shutil.get_terminal_size((10_000, 24)).columns if sys.stdout.isatty() else 10_000
    out = []
    for op in ops:
        line = f"{op.operation_id:<{w_id}}  {op.method:<{w_m}}  {op.path:<{w_p}}  {_plain(op)}".rstrip()
        if len(line) > width:
            line = line[: max(width - 1, 20)] + "…"
        out.append(line)
    sys.stdout.write("\n".join(out) + "\n")
    return EXIT_OK


def _plain(op) -> str:
    """The summary as plain text (summaries are CommonMark: no ``**`` or
    ``[text](url)`` in a listing); markdown-it is loaded only when needed."""
    summary = op.short_summary
    if not any(c in op.summary for c in "*_`[<\\"):
        return summary
    from .reference._markup import inline_text

    line = inline_text(op.summary.split("\n\n", 1)[0])
    return line if len(line) <= 100 else line[:99].rstrip() + "…"


# --------------------------------------------------------------------- show
def cmd_show(client, args) -> int:
    from .reference import render_operation

    sys.stdout.write(render_operation(client, args.operation, args.format, check=not args.no_check))
    return EXIT_OK


# --------------------------------------------------------------------- call
def parse_params(op, pairs: List[str]) -> Dict[str, Any]:
    """``name=value`` words -> keyword arguments.  A value is kept as text
    when the parameter's schema is a string (or unknown), else read as JSON
    (``limit=20``, ``include='["a","b"]'``, ``stream=true``)."""
    from ._request import binder_for

    index = binder_for(op).index
    out: Dict[str, Any] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise _Fail(f"expected name=value, got {pair!r}", EXIT_USAGE)
        p = index.get(name)
        schema = getattr(p, "schema", None) or {}
        t = schema.get("type")
        types = set(t) if isinstance(t, list) else {t}
        if p is None or types == {"string"} or (not t and not schema):
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
            raise _Fail(f"cannot read the body file {path}: {exc.strerror}", EXIT_USAGE)
        source = path
    else:
        text, source = spec, "--body"
    try:
        return json.loads(text)
    except ValueError as exc:
        raise _Fail(f"the body in {source} is not JSON: {exc}", EXIT_USAGE)


def cmd_call(client, args) -> int:
    op = client.operation(args.operation)
    kwargs = parse_params(op, args.params)
    if args.body is not None:
        kwargs["body"] = read_body(args.body)
    headers = {}
    for h in args.header:
        name, sep, value = h.partition(":")
        if not sep:
            raise _Fail(f"expected --header NAME:VALUE, got {h!r}", EXIT_USAGE)
        headers[name.strip()] = value.strip()
    if headers:
        kwargs["headers"] = headers
    if args.content_type:
        kwargs["content_type"] = args.content_type
    prepared = client.prepare(op.operation_id, **kwargs)
    missing = _missing_credentials(client, prepared)
    if args.dry_run:
        sys.stdout.write(prepared.describe() + "\n")
        if missing:
            print(f"note: {missing}", file=sys.stderr)
        return EXIT_OK
    if missing:
        raise _Fail(missing, EXIT_USAGE)
    if args.output:
        response = client.send(prepared, timeout=args.timeout, save_to=args.output)
        print(f"{response.saved_bytes} bytes written to {response.data}", file=sys.stderr)
        return EXIT_OK
    response = client.send(prepared, timeout=args.timeout)
    _print_result(response.data, _pretty(args, sys.stdout))
    return EXIT_OK


def _print_result(data: Any, pretty: bool) -> None:
    def dump(value: Any) -> str:
        return _dump(value, pretty)

    if data is None:
        return
    if isinstance(data, (dict, list, int, float, bool)):
        sys.stdout.write(dump(data) + "\n")
    elif isinstance(data, str):
        sys.stdout.write(data if data.endswith("\n") else data + "\n")
    elif isinstance(data, (bytes, bytearray)):
        sys.stdout.flush()
        sys.stdout.buffer.write(bytes(data))
    elif hasattr(data, "__iter__"):  # an event stream: one JSON document per event
        for event in data:
            payload = getattr(event, "data", event)
            sys.stdout.write((dump(payload) if not isinstance(payload, str) else payload) + "\n")
            sys.stdout.flush()
    else:
        sys.stdout.write(str(data) + "\n")


# --------------------------------------------------------------------- docs
class _Progress:
    """Progress on stderr, shown only once the work takes more than a moment."""

    def __init__(self, label: str, delay: float = 0.5):
        self.label = label
        self.start = time.monotonic()
        self.delay = delay
        self.tty = sys.stderr.isatty()
        self.shown = False
        self.last_quarter = -1

    def __call__(self, n: int, total: int) -> None:
        if time.monotonic() - self.start < self.delay:
            return
        if self.tty:
            sys.stderr.write(f"\r{self.label}: {n}/{total}")
            sys.stderr.flush()
            self.shown = True
        else:
            quarter = (4 * n) // max(total, 1)
            if quarter != self.last_quarter:
                self.last_quarter = quarter
                sys.stderr.write(f"{self.label}: {n}/{total}\n")

    def done(self) -> None:
        if self.shown:
            sys.stderr.write("\n")


def cmd_docs(client, args) -> int:
    from . import reference
    from .reference import SUFFIX

    started = time.monotonic()
    progress = _Progress("documenting operations")
    ref = reference.reference(client, check=not args.no_check, progress=progress)
    progress.done()
    if args.format == "man" and not args.split:
        from .reference._man import man_name

        stem = args.name or man_name(ref)
    else:
        stem = args.name or _stem(ref)
    os.makedirs(args.output, exist_ok=True)
    files: Dict[str, str] = {}
    if args.split:
        if args.format != "pod":
            raise _Fail("--split is offered for --format pod only", EXIT_USAGE)
        from .reference import _pod as pod

        files = pod.render_split(ref, stem)
    else:
        if args.format == "man":
            from ._errors import DocumentationError

            try:
                text = reference.render(client, "man", ref=ref, name=stem)
            except DocumentationError as exc:
                raise _Fail(str(exc), EXIT_USAGE)
        else:
            text = reference.render(client, args.format, ref=ref)
        files[f"{stem}.{SUFFIX[args.format]}"] = text
    for rel, text in files.items():
        path = os.path.join(args.output, rel)
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
        print(path)
    shown = len([e for d in ref.operations for e in d.valid_examples])
    print(f"{len(ref.operations)} operations, {shown} checked examples, "
          f"{len(files)} file(s) in {time.monotonic() - started:.1f}s", file=sys.stderr)
    return EXIT_OK


def _stem(ref) -> str:
    return ref.stem


# --------------------------------------------------------------------- repl
def cmd_repl(client, args) -> int:
    from ._repl import run

    run(client)
    return EXIT_OK


# ---------------------------------------------------------------------- mcp
def cmd_mcp(client, args) -> int:
    from ._mcp_server import MCPUnavailable, serve

    operations = [o.strip() for value in args.operations for o in value.split(",") if o.strip()]
    try:
        serve(client, operations=operations or None, tags=args.tag or None, search=args.search,
              prefix=args.prefix, names=args.names, read_only=args.read_only)
    except MCPUnavailable as exc:
        raise _Fail(str(exc), EXIT_USAGE)
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())


# -------------------------------------------------------------------- batch
def cmd_batch(client, args) -> int:
    """``batch submit|status|results``: see docs/batch.md."""
    if args.batch_command == "submit":
        return _batch_submit(client, args)
    client = _batch_client(client, args)
    batch = client.batch_resume(args.state)
    if args.batch_command == "status":
        print(json.dumps(batch.poll(), indent=2))
        return EXIT_OK
    if args.wait:
        batch.wait(poll_interval=args.poll_interval, timeout=args.timeout)
    else:
        batch.poll()
    if not batch.finished:
        summary = batch.summary
        raise _Fail(f"the batch is still {summary['status']} ({summary['completed']}/{summary['total']} done); "
                    f"try again later or pass --wait", EXIT_API)
    out = sys.stdout if args.output == "-" else open(args.output, "w", encoding="utf-8")
    n = failed = 0
    try:
        for handle, value in batch.results():
            record: Dict[str, Any] = {"custom_id": handle.custom_id, "position": handle.position,
                                      "operation": handle.operation_id}
            if isinstance(value, Exception):
                failed += 1
                record["error"] = {"type": type(value).__name__, "status_code": getattr(value, "status_code", None),
                                   "code": getattr(value, "code", None), "reason": getattr(value, "reason", None),
                                   "message": str(value), "body": getattr(value, "body", None)}
            else:
                record["result"] = value
            out.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
            n += 1
    finally:
        if out is not sys.stdout:
            out.close()
    print(f"openapi-dyn: {n} results, {failed} of them errors", file=sys.stderr)
    return EXIT_OK


def _batch_client(client, args):
    """The client for a state file's spec, when ``--spec`` does not name one."""
    if getattr(args, "spec", None):
        return client
    from ._batch_state import BatchState

    spec = BatchState.load(args.state).data.get("spec")
    if spec and spec != (client.spec.bundled_name or client.spec.origin):
        args.spec = spec
        return _client(args)
    return client


def _batch_submit(client, args) -> int:
    from ._errors import RequestValidationError, UnknownOperationError, UsageError

    batch = client.batch(state=args.state, endpoint=args.endpoint, completion_window=args.completion_window,
                         max_requests=args.max_requests)
    problems: List[str] = []
    try:
        fh = sys.stdin if args.file == "-" else open(args.file, encoding="utf-8")
    except OSError as exc:
        batch.discard()
        raise _Fail(f"cannot read {args.file}: {exc.strerror or exc}", EXIT_USAGE)
    with fh:
        for n, text in enumerate(fh, 1):
            if not text.strip():
                continue
            try:
                item = json.loads(text)
            except ValueError as exc:
                problems.append(f"line {n}: not JSON ({exc})")
                continue
            if not isinstance(item, dict) or not isinstance(item.get("operation"), str):
                problems.append(f'line {n}: an object with an "operation" is needed')
                continue
            params = item.get("params") or {}
            if not isinstance(params, dict):
                problems.append(f'line {n}: "params" must be an object')
                continue
            kwargs = dict(params)
            if "body" in item:
                kwargs["body"] = item["body"]
            try:
                batch.call(item["operation"], custom_id=item.get("custom_id"), **kwargs)
            except RequestValidationError as exc:
                problems += [f"line {n}: {p.location}: {p.message}" for p in exc.errors]
            except (UsageError, UnknownOperationError) as exc:
                problems.append(f"line {n}: {exc}")
    if problems or not len(batch):
        batch.discard()
        if not problems:
            raise _Fail(f"{args.file}: no requests", EXIT_USAGE)
        raise _Fail(f"{len(problems)} problem(s) in {args.file}; nothing was uploaded:\n" +
                    "\n".join(f"  {p}" for p in problems), EXIT_INVALID)
    batch.submit()
    print(json.dumps(batch.summary, indent=2))
    return EXIT_OK
