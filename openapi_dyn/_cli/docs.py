"""``openapi-dyn docs``: the whole reference, written to a directory."""
from __future__ import annotations

import os
import sys
import time
from typing import Dict

from .common import EXIT_OK, EXIT_USAGE, Fail, add_common


def add_parser(sub) -> None:
    p = sub.add_parser("docs", help="write the whole reference to a directory")
    add_common(p, False)
    p.add_argument("--format", "-f", default="pod", choices=("pod", "markdown", "html", "man", "text"))
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="directory to write into (created)")
    p.add_argument("--name", help="file name stem (default: the spec's name; for man, openapi-dyn-<spec>, "
                                  "also the page's name)")
    p.add_argument("--split", action="store_true", help="POD only: one file per tag plus an index")
    p.add_argument("--no-check", action="store_true", help="do not validate the spec's examples (omits them)")


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


def run(client, args) -> int:
    from .. import reference
    from ..reference import SUFFIX

    started = time.monotonic()
    progress = _Progress("documenting operations")
    ref = reference.reference(client, check=not args.no_check, progress=progress)
    progress.done()
    if args.format == "man" and not args.split:
        from ..reference._man import man_name

        stem = args.name or man_name(ref)
    else:
        stem = args.name or _stem(ref)
    os.makedirs(args.output, exist_ok=True)
    files: Dict[str, str] = {}
    if args.split:
        if args.format != "pod":
            raise Fail("--split is offered for --format pod only", EXIT_USAGE)
        from ..reference import _pod as pod

        files = pod.render_split(ref, stem)
    else:
        if args.format == "man":
            from .._errors import DocumentationError

            try:
                text = reference.render(client, "man", ref=ref, name=stem)
            except DocumentationError as exc:
                raise Fail(str(exc), EXIT_USAGE)
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
