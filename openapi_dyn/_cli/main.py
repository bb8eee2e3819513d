"""``openapi-dyn``: list, read, call and document the operations of a spec.

    openapi-dyn list [WORDS...] [--tag TAG]
    openapi-dyn show OPERATION [--format text|pod|markdown|html]
    openapi-dyn call OPERATION [name=value ...] [--body JSON|@FILE|-] [--dry-run] [-o FILE]
    openapi-dyn docs --format pod|markdown|html|man|text -o DIR [--split]
    openapi-dyn repl
    openapi-dyn mcp [--tag TAG] [--operations ID,...] [--search WORDS] [--prefix P]
                    [--names operationId|snake] [--read-only | --allow-write] [--dry-run]
    openapi-dyn stubs --name NAME -o DIR [--async]
    openapi-dyn batch submit FILE.jsonl [--state PATH] | status STATE | results STATE [-o FILE] [--wait]
                      (status and results: [--adopt CHUNK=BATCH_ID])

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
import os
import sys
from typing import Optional, Sequence

from . import batch, call, docs, listing, mcp, repl_command, show, stubs
from .common import EXIT_API, EXIT_INVALID, EXIT_NETWORK, EXIT_OK, EXIT_SPEC, EXIT_USAGE, Fail, add_common, client_for, dump, pretty

#: Each command: a module with ``add_parser(sub)`` and ``run(client, args)``.
COMMANDS = {"list": listing, "show": show, "call": call, "docs": docs, "repl": repl_command, "mcp": mcp,
            "stubs": stubs, "batch": batch}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="openapi-dyn",
        description="List, read, call and document the operations of an OpenAPI spec.",
        epilog="exit codes: 0 ok, 1 API error answer, 2 usage error, 3 validation failed "
               "(nothing sent), 4 spec not loadable, 5 network error or timeout")
    add_common(parser, True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    for command in COMMANDS.values():
        command.add_parser(sub)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point of the ``openapi-dyn`` console script; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        return _run(args)
    except Fail as exc:
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
    from .._errors import APIConnectionError, APIError, MissingCredentialsError, OpenAPIDynError, ProfileError, RequestValidationError, SpecError, StreamError, UnknownOperationError, UsageError

    try:
        client = client_for(args)
        return COMMANDS[args.command].run(client, args)
    except ProfileError as exc:
        raise Fail(f"cannot load the profile: {exc}", EXIT_SPEC)
    except SpecError as exc:
        raise Fail(f"cannot load the spec: {exc}", EXIT_SPEC)
    except UnknownOperationError as exc:
        raise Fail(str(exc), EXIT_USAGE)
    except RequestValidationError as exc:
        lines = [f"{exc.operation_id}: {len(exc.errors)} problem(s), request not sent:"]
        lines += [f"  {e.location}: {e.message}" for e in exc.errors]
        raise Fail("\n".join(lines), EXIT_INVALID)
    except (MissingCredentialsError, UsageError) as exc:
        raise Fail(str(exc), EXIT_USAGE)
    except (APIError, StreamError) as exc:  # an error answer, or an error inside a stream
        body = exc.body
        text = dump(body, pretty(args, sys.stderr)) if isinstance(body, (dict, list)) else str(body or "")
        raise Fail(f"{exc}\n{text}".rstrip(), EXIT_API)
    except APIConnectionError as exc:
        raise Fail(str(exc), EXIT_NETWORK)
    except OpenAPIDynError as exc:
        raise Fail(str(exc), EXIT_API)
