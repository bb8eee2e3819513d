"""``openapi-dyn stubs``: a typed module for a spec (``NAME.py`` and ``NAME.pyi``)."""
from __future__ import annotations

from .common import EXIT_OK, add_common


def add_parser(sub) -> None:
    p = sub.add_parser("stubs", help="write a typed module NAME (NAME.py + NAME.pyi) for the spec (docs/types.md)")
    add_common(p, False)
    p.add_argument("--name", required=True, help="the module's name (a Python identifier)")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="directory to write into (created)")
    p.add_argument("--async", dest="with_async", action="store_true", help="also NAME.AsyncClient")


def run(client, args) -> int:
    """Write NAME.py and NAME.pyi: a client on this spec that type checkers know."""
    from .._stubs.generate import write_module

    source = getattr(args, "spec", None) or "openai"
    for path in write_module(source, args.name, args.output, args.with_async, spec=client.spec):
        print(path)
    return EXIT_OK
