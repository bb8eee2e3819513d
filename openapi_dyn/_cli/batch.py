"""``openapi-dyn batch submit|status|results``: many calls through the vendor's batch
engine (docs/batch.md)."""
from __future__ import annotations

import json
import sys
from typing import Any, Dict, List

from .common import EXIT_API, EXIT_INVALID, EXIT_OK, EXIT_USAGE, Fail, add_common, client_for


def add_parser(sub) -> None:
    p = sub.add_parser("batch", help="run many calls through the vendor's batch engine (docs/batch.md)")
    add_common(p, False)
    actions = p.add_subparsers(dest="batch_command", metavar="ACTION")
    actions.required = True
    q = actions.add_parser("submit", help="validate every line of a JSONL file, then upload and create the batch")
    add_common(q, False)
    q.add_argument("file", metavar="FILE.jsonl",
                   help='lines of {"operation": ..., "params": {...}, "body": {...}, "custom_id": ...} (- for stdin)')
    q.add_argument("--state", metavar="PATH", help="the state file (default: a new one in the user's data directory)")
    q.add_argument("--endpoint", help="the batch endpoint (default: that of the first line's operation)")
    q.add_argument("--completion-window", help="OpenAI's completion window (default 24h)")
    q.add_argument("--max-requests", type=int, metavar="N", help="split into batches of at most N requests")
    adopt_help = ("CHUNK=BATCH_ID: the batch a chunk whose creation was left in doubt belongs to "
                  "(a resume that cannot tell says so and names the candidates; repeatable)")
    q = actions.add_parser("status", help="poll once and print the status of every batch of the run")
    add_common(q, False)
    q.add_argument("state", metavar="STATE", help="the state file submit printed")
    q.add_argument("--adopt", action="append", default=[], metavar="CHUNK=BATCH_ID", help=adopt_help)
    q = actions.add_parser("results", help="write one JSON line per request: its result or its error")
    add_common(q, False)
    q.add_argument("state", metavar="STATE", help="the state file submit printed")
    q.add_argument("--adopt", action="append", default=[], metavar="CHUNK=BATCH_ID", help=adopt_help)
    q.add_argument("-o", "--output", default="-", metavar="FILE", help="where to write (default: standard output)")
    q.add_argument("--wait", action="store_true", help="poll until the run has ended")
    q.add_argument("--poll-interval", type=float, metavar="SECONDS", help="with --wait: seconds between polls")
    q.add_argument("--timeout", type=float, metavar="SECONDS", help="with --wait: give up after this long")


def run(client, args) -> int:
    """``batch submit|status|results``: see docs/batch.md."""
    if args.batch_command == "submit":
        return _batch_submit(client, args)
    client = _batch_client(client, args)
    adopt = {}
    for given in args.adopt:
        chunk, sep, batch_id = given.partition("=")
        if not (sep and chunk.strip().isdigit() and batch_id.strip()):
            raise Fail(f"expected --adopt CHUNK=BATCH_ID, got {given!r}", EXIT_USAGE)
        adopt[int(chunk)] = batch_id.strip()
    batch = client.batch_resume(args.state, adopt=adopt or None)
    if args.batch_command == "status":
        print(json.dumps(batch.poll(), indent=2))
        return EXIT_OK
    if args.wait:
        batch.wait(poll_interval=args.poll_interval, timeout=args.timeout)
    else:
        batch.poll()
    if not batch.finished:
        summary = batch.summary
        raise Fail(f"the batch is still {summary['status']} ({summary['completed']}/{summary['total']} done); "
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
    from .._batch.state import BatchState

    spec = BatchState.load(args.state).data.get("spec")
    if spec and spec != (client.spec.bundled_name or client.spec.origin):
        args.spec = spec
        return client_for(args)
    return client


def _batch_submit(client, args) -> int:
    from .._errors import RequestValidationError, UnknownOperationError, UsageError

    batch = client.batch(state=args.state, endpoint=args.endpoint, completion_window=args.completion_window,
                         max_requests=args.max_requests)
    problems: List[str] = []
    try:
        fh = sys.stdin if args.file == "-" else open(args.file, encoding="utf-8")
    except OSError as exc:
        batch.discard()
        raise Fail(f"cannot read {args.file}: {exc.strerror or exc}", EXIT_USAGE)
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
            raise Fail(f"{args.file}: no requests", EXIT_USAGE)
        raise Fail(f"{len(problems)} problem(s) in {args.file}; nothing was uploaded:\n" +
                    "\n".join(f"  {p}" for p in problems), EXIT_INVALID)
    batch.submit()
    print(json.dumps(batch.summary, indent=2))
    return EXIT_OK
