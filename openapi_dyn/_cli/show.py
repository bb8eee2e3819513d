"""``openapi-dyn show``: the reference of one operation."""
from __future__ import annotations

import sys

from .common import EXIT_OK, add_common


def add_parser(sub) -> None:
    p = sub.add_parser("show", help="the reference of one operation")
    add_common(p, False)
    p.add_argument("operation", help="operationId (or its Python alias)")
    p.add_argument("--format", "-f", default="text", choices=("text", "pod", "markdown", "html"))
    p.add_argument("--no-check", action="store_true",
                   help="do not validate the spec's examples (faster; then none are shown)")


def run(client, args) -> int:
    from ..reference import render_operation

    sys.stdout.write(render_operation(client, args.operation, args.format, check=not args.no_check))
    return EXIT_OK
