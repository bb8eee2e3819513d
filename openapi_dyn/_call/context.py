"""What binding a call needs from the client that makes it.

:func:`~openapi_dyn._call.request.build_request` turns a call's arguments into a
request.  Besides the operation and the arguments it needs five things only a
client knows, and :class:`CallContext` names exactly those: the conventions
the client adds to each operation's calls (profile headers and parameter
rules, ``defaults=``), its default headers, its credentials, the values among
its headers that are secret, and the base URL of each operation.

The request layer sits below the client, so it names what it needs here
rather than reading the client's attributes; the client provides a
:class:`CallContext` as its ``_call_context`` attribute, and the other
faces that need the same facts (tool definitions, ``help()``, the reference,
the command line) ask :func:`call_context` here, so that none of them has to
import the client that sits above them.  Every value is read when a call is bound, so a change to
the client's options applies to the next call.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Mapping, NamedTuple, Protocol, Tuple

if TYPE_CHECKING:
    from .auth import Credentials
    from .._spec.operation import Operation


class Conventions(NamedTuple):
    """What a client adds to every call of one operation beyond the caller's
    arguments: headers the profile sends, profile parameter rules and the
    client's parameter defaults, each resolved to the operation's
    :class:`~openapi_dyn._spec.operation.Parameter`, and how the profile puts
    its requests on the wire (:class:`~openapi_dyn._spec.profile.WireRules`)."""

    headers: Dict[str, str]
    parameters: List[Tuple[Any, Any]]   # (Parameter, ParameterRule)
    defaults: List[Tuple[Any, Any]]     # (Parameter, value)
    wire: Any = None                    # the profile's WireRules (None: the document alone)


class CallContext(Protocol):
    """The client's side of binding a call (see the module text).

    ``conventions_for(operation)``
        the :class:`Conventions` of ``operation``, resolved once per client;
    ``base_url_for(operation)``
        where ``operation`` is sent: ``base_url=`` or the spec's server, with
        its variables filled in, without a trailing ``/``;
    ``default_headers``
        the headers the client adds to every request (live);
    ``credentials``
        the :class:`~openapi_dyn._call.auth.Credentials` the security schemes are
        filled from;
    ``header_secrets``
        the values of default headers whose names mark them as secret (kept
        out of logs, dry-run output and error messages).
    """

    def conventions_for(self, operation: "Operation") -> Conventions: ...

    def base_url_for(self, operation: "Operation") -> str: ...

    @property
    def default_headers(self) -> Mapping[str, str]: ...

    @property
    def credentials(self) -> "Credentials": ...

    @property
    def header_secrets(self) -> List[str]: ...


def call_context(client: Any) -> CallContext:
    """What binding a call needs from ``client`` (any object that keeps a
    :class:`CallContext` as ``_call_context``, as both clients do): for the
    request layer, and for the faces (tools, ``help()``, the reference, the
    command line) that need its credentials and conventions."""
    return client._call_context


def client_defaults(op: "Operation", client: Any) -> Dict[Any, Any]:
    """parameter -> the value ``client`` sends when a call gives none: its
    ``defaults=`` (and ``api_version=``, environment) and the profile's
    parameter rules.  Empty without a client."""
    if client is None:
        return {}
    conventions = call_context(client).conventions_for(op)
    out: Dict[Any, Any] = {p: rule.value for p, rule in conventions.parameters}
    out.update((p, v) for p, v in conventions.defaults if p not in out)
    return out
