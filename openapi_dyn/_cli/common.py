"""What every command of ``openapi-dyn`` shares: the exit codes, the options
every command takes, the client they make, and how JSON is printed."""
from __future__ import annotations

import argparse
import json
from typing import Any, Optional

from .._errors import _CommandFailed as Fail

EXIT_OK, EXIT_API, EXIT_USAGE, EXIT_INVALID, EXIT_SPEC, EXIT_NETWORK = 0, 1, 2, 3, 4, 5

__all__ = ["EXIT_OK", "EXIT_API", "EXIT_USAGE", "EXIT_INVALID", "EXIT_SPEC", "EXIT_NETWORK", "Fail",
           "add_common", "client_for", "pretty", "dump", "missing_credentials"]


def add_common(p: argparse.ArgumentParser, top: bool) -> None:
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


def client_for(args):
    """The :class:`~openapi_dyn.Client` the options name."""
    from .._client import Client

    spec = getattr(args, "spec", None) or "openai"
    profile = getattr(args, "profile", None)
    return Client(spec, base_url=getattr(args, "base_url", None),
                  profile=False if profile == "none" else profile,
                  api_version=getattr(args, "api_version", None),
                  api_key=getattr(args, "api_key", None) or None)


def pretty(args, stream) -> bool:
    """``--pretty``/``--compact``, else indented when ``stream`` is a terminal."""
    chosen = getattr(args, "pretty", None)
    if chosen is not None:
        return chosen
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def dump(value: Any, pretty: bool) -> str:
    if pretty:
        return json.dumps(value, indent=2, ensure_ascii=False, default=str)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def missing_credentials(client, prepared) -> Optional[str]:
    """The missing-credentials message with shell advice (``--api-key``, the
    profile's environment variable) instead of Python's ``api_key=``."""
    if not prepared.missing_credentials:
        return None
    from .._call.auth import missing_message
    from .._call.context import call_context

    return missing_message(prepared.operation, call_context(client).credentials, api_key_option="--api-key KEY")
