"""``openapi-dyn repl``: an interactive Python prompt with a ready ``client``."""
from __future__ import annotations

from .common import EXIT_OK, add_common


def add_parser(sub) -> None:
    p = sub.add_parser("repl", help="interactive Python prompt with a ready `client`")
    add_common(p, False)


def run(client, args) -> int:
    from .repl import run as run_repl

    run_repl(client)
    return EXIT_OK
