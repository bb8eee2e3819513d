"""AWS Signature Version 4 for APIs whose profile says ``signing:
{method: aws-sigv4}`` (Claude on Amazon Bedrock).

A SigV4 signature covers the method, the URL, the signed headers, the time
and a hash of the body, so it cannot be made when the call is prepared: it
is made by :meth:`AwsSigner.sign` for every attempt, from the exact method,
URL, headers and body bytes that attempt puts on the wire (the send loop of
:mod:`._exchange` calls it just before sending), and a retry a minute later
carries a fresh ``X-Amz-Date``.  A redirect to another origin is never
signed.

The signing is botocore's (``SigV4Auth``), with credentials from its usual
chain: ``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY`` (and
``AWS_SESSION_TOKEN``), ``AWS_PROFILE`` and the shared files, then the
container and instance roles.  botocore is an optional dependency (the
``bedrock`` extra); without it, sending raises a :class:`UsageError` naming
the extra.  The region is the server variable the profile names, taken in
the order the anthropic SDK and boto3 look: ``server_variables={"region":
...}``, then ``AWS_REGION`` (through the profile's environment), then
``AWS_DEFAULT_REGION``, then the ``region`` of the shared config file's
profile (``AWS_PROFILE``, ``AWS_CONFIG_FILE``) as botocore's own session
config reads it, then the document's default.  The last two are read once,
when the client is made, so the server URL and the signature agree; botocore
is imported for it only when no variable gave a region.

Bedrock also takes API keys: a credential for the signing scheme
(``api_key=`` or the variable the profile names for it,
``AWS_BEARER_TOKEN_BEDROCK``) is sent as ``Authorization: Bearer`` and
nothing is signed, as the anthropic SDK does.
"""
from __future__ import annotations

import os
import threading
from typing import Any, Mapping, Optional

from .._errors import MissingCredentialsError, UsageError

__all__ = ["AwsSigner", "configured_region", "signer_for"]


class AwsSigner:
    """Signs the requests of one client (see the module docstring).
    ``region`` is a callable giving the region when a request is signed."""

    def __init__(self, service: str, region, scheme: str, extra: str):
        self.service = service
        self.region = region
        self.scheme = scheme
        self.extra = extra
        self._session: Any = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<AwsSigner SigV4 service={self.service} region={self.region()}>"

    def describe(self) -> str:
        """What a dry run shows in place of the signature."""
        try:
            region = self.region()
        except UsageError:
            region = "no region"
        return f"AWS Signature Version 4, service {self.service}, {region}"

    def attach(self, prepared) -> None:
        """Mark ``prepared`` to be signed when sent, unless a credential for
        the signing scheme was given (then it goes as a bearer token)."""
        token = prepared.headers.get("Authorization")
        if token is not None and prepared.missing_credentials is None:
            if not token.startswith("Bearer "):
                prepared.headers["Authorization"] = f"Bearer {token}"
            return
        if prepared.missing_credentials and self.scheme not in prepared.missing_credentials:
            return  # some other credential is missing: sending will say so
        prepared.missing_credentials = None
        prepared.signer = self

    def _credentials(self) -> Any:
        try:
            import botocore.session
        except ImportError:
            raise UsageError(f"this API signs its requests with AWS Signature Version 4, which needs botocore: "
                             f"pip install 'openapi_dyn[{self.extra}]'") from None
        with self._lock:
            if self._session is None:
                self._session = botocore.session.Session()
                _quiet_signing_logs()
            session = self._session
        try:
            creds = session.get_credentials()
        except Exception as exc:  # a broken shared file, an unreachable role: say what, not the values
            raise MissingCredentialsError(f"AWS credentials could not be read ({type(exc).__name__})") from None
        if creds is None:
            raise MissingCredentialsError(
                "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), "
                "AWS_PROFILE or the shared credentials file, or give a Bedrock API key as api_key= or "
                "AWS_BEARER_TOKEN_BEDROCK")
        return creds

    def sign(self, method: str, url: str, headers: Any, body: Any, crossed: bool = False) -> None:
        """Add ``Authorization``, ``X-Amz-Date`` and, with temporary
        credentials, ``X-Amz-Security-Token`` to ``headers`` (the mapping
        this attempt sends), over exactly this method, URL, headers and
        body.  ``crossed``: a redirect went to another origin, which gets
        none of them (the session token is a credential)."""
        if crossed:
            for name in _SIGNING_HEADERS:
                _remove(headers, name)
            return
        if body is not None and not isinstance(body, (bytes, str)):
            raise UsageError("a request signed with AWS Signature Version 4 needs its body in memory "
                             "(bytes), not a stream")
        creds = self._credentials()
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest

        for name in _SIGNING_HEADERS:
            _remove(headers, name)
        # a proxy may drop Connection, so it is not signed (as the SDK does)
        signed = {k: v for k, v in headers.items() if k.lower() != "connection"}
        request = AWSRequest(method=method.upper(), url=url, headers=signed, data=body or b"")
        SigV4Auth(creds, self.service, self.region()).add_auth(request)
        for name in _SIGNING_HEADERS:
            value = request.headers.get(name)
            if value is not None:
                headers[name] = value


class _SigningLogFilter:
    """botocore logs, at DEBUG, the canonical request it signs (with the
    ``X-Amz-Security-Token`` value in it) and the signature it made; a
    process logging DEBUG would write a session token into its logs.  The
    record is kept, its content is not."""

    _HIDDEN = ("CanonicalRequest:", "Signature:")

    def filter(self, record) -> bool:
        if isinstance(record.msg, str) and record.msg.startswith(self._HIDDEN):
            record.msg = record.msg.split(":", 1)[0] + ": (not shown: it holds the session token or signature)"
            record.args = ()
        return True


_signing_log_filter = _SigningLogFilter()


def _quiet_signing_logs() -> None:
    import logging

    logger = logging.getLogger("botocore.auth")
    if _signing_log_filter not in logger.filters:
        logger.addFilter(_signing_log_filter)


#: What signing adds to a request.
_SIGNING_HEADERS = ("Authorization", "X-Amz-Date", "X-Amz-Security-Token")


def _remove(headers: Any, name: str) -> None:
    for key in [k for k in headers if k.lower() == name.lower()]:
        del headers[key]


def signer_for(signing: Mapping[str, Any], client: Any) -> Optional[AwsSigner]:
    """The signer a profile's ``signing`` section describes, for ``client``
    (whose server variables give the region)."""
    if signing.get("method") != "aws-sigv4":
        raise UsageError(f"unknown signing method {signing.get('method')!r}")
    variable = str(signing.get("region") or "region")
    if not client.server_variables.get(variable):
        found = configured_region()
        if found:
            client.server_variables[variable] = found

    def region() -> str:
        value = client.server_variables.get(variable)
        if value:
            return str(value)
        for server in client.spec.servers():
            default = ((server.get("variables") or {}).get(variable) or {}).get("default")
            if default:
                return str(default)
        raise UsageError(f"no AWS region: set AWS_REGION or AWS_DEFAULT_REGION, a region in the AWS_PROFILE's "
                         f"config, or server_variables={{{variable!r}: ...}}")

    return AwsSigner(str(signing["service"]), region, str(signing["scheme"]), str(signing.get("extra") or "bedrock"))


def configured_region() -> Optional[str]:
    """The region ``AWS_DEFAULT_REGION`` or the shared config file's profile
    names (botocore's ``region`` config variable, which reads both in that
    order), or None.  Without botocore only the variable is read: a Bedrock
    API key needs no botocore, and its URL still needs a region."""
    value = os.environ.get("AWS_DEFAULT_REGION", "").strip()
    if value:
        return value
    config = os.environ.get("AWS_CONFIG_FILE") or os.path.join(os.path.expanduser("~"), ".aws", "config")
    if not os.path.isfile(os.path.expanduser(config)):
        return None  # nothing botocore could read a region from: making a client imports no botocore
    try:
        import botocore.session
    except ImportError:
        return None
    try:
        found = botocore.session.Session().get_config_variable("region")
    except Exception:  # an unknown AWS_PROFILE, an unreadable file: the credentials lookup will say so
        return None
    return str(found).strip() or None if found else None
