"""``openapi-dyn mcp``: the operations served as MCP tools over stdio."""
from __future__ import annotations

from .common import EXIT_OK, EXIT_USAGE, Fail, add_common


def add_parser(sub) -> None:
    p = sub.add_parser("mcp", help="serve the operations as MCP tools over stdio (needs the [mcp] extra)")
    add_common(p, False)
    p.add_argument("--tag", action="append", default=[], help="only operations with this tag (repeatable)")
    p.add_argument("--operations", action="append", default=[], metavar="ID[,ID...]",
                   help="only these operationIds (comma-separated, repeatable)")
    p.add_argument("--search", metavar="WORDS", help="only operations matching all these words")
    p.add_argument("--prefix", default="", help="put this in front of every tool name (joined by _)")
    p.add_argument("--names", default="operationId", choices=("operationId", "snake"),
                   help="tool names: the operationId as it is, or snake_cased")
    writes = p.add_mutually_exclusive_group()
    writes.add_argument("--read-only", action="store_true",
                        help="only GET, HEAD, OPTIONS and QUERY operations, even those named in --operations")
    writes.add_argument("--allow-write", action="store_true",
                        help="serve operations that change state too (POST, PUT, PATCH, DELETE); by default "
                             "only read-only ones are served unless named in --operations")
    p.add_argument("--dry-run", action="store_true",
                   help="validate and prepare each call but do not send it: answer with the request, masked")


def run(client, args) -> int:
    from .._agents.mcp_server import MCPUnavailable, serve

    operations = [o.strip() for value in args.operations for o in value.split(",") if o.strip()]
    try:
        serve(client, operations=operations or None, tags=args.tag or None, search=args.search,
              prefix=args.prefix, names=args.names, read_only=args.read_only, allow_write=args.allow_write,
              dry_run=args.dry_run)
    except MCPUnavailable as exc:
        raise Fail(str(exc), EXIT_USAGE)
    return EXIT_OK
