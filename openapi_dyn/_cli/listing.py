"""``openapi-dyn list``: the operations, one line each."""
from __future__ import annotations

import shutil
import sys

from .common import EXIT_OK, add_common


def add_parser(sub) -> None:
    p = sub.add_parser("list", help="list operations: operationId, method, path, summary")
    add_common(p, False)
    p.add_argument("words", nargs="*", help="only operations matching all these words")
    p.add_argument("--tag", help="only operations with this tag")


def run(client, args) -> int:
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
    from ..reference._markup import inline_text

    line = inline_text(op.summary.split("\n\n", 1)[0])
    return line if len(line) <= 100 else line[:99].rstrip() + "…"
