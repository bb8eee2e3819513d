"""Bearer tokens from Google's Application Default Credentials.

Vertex AI takes an OAuth2 access token that expires within the hour.  A
caller may pass one (``api_key="ya29..."``) or a callable that returns a
fresh one; when neither is given and the vendor profile names
``token_provider: {kind: google-auth}``, the token comes from what Google's
own libraries use: ``GOOGLE_APPLICATION_CREDENTIALS``, the gcloud user
credentials, or the metadata server of the machine, found and refreshed by
``google-auth`` (the optional extra ``openapi_dyn[vertex]``).

Nothing is imported or looked up before a request needs a token.  The
credentials found are kept for the client's lifetime and refreshed when
they are no longer valid; a failure to find them is remembered too (the
search may probe the network), so a client without any credential fails
fast with a message that says how to give one.
"""
from __future__ import annotations

import os
import threading
from typing import Any, Optional, Sequence

from .._errors import MissingCredentialsError

__all__ = ["GoogleAuthTokens", "provider_for"]

#: What ``pip`` installs to make this work.
EXTRA = "pip install 'openapi_dyn[vertex]'"


class GoogleAuthTokens:
    """A token provider (see :class:`~openapi_dyn._call.auth.Credentials`)
    over ``google.auth.default(scopes=...)``."""

    def __init__(self, scopes: Sequence[str] = ()):
        self.scopes = tuple(scopes) or ("https://www.googleapis.com/auth/cloud-platform",)
        self._lock = threading.Lock()
        self._credentials: Any = None
        self._unavailable: Optional[str] = None  # why there are none (remembered)

    def hint(self) -> str:
        if self._unavailable:
            return f"Application Default Credentials ({self._unavailable})"
        return "Application Default Credentials (google-auth)"

    def current(self):
        """A :class:`~openapi_dyn._call.auth.Secret` holding a valid token, or
        ``None`` when no credentials can be found (then :meth:`hint` says
        why).  Raises :class:`MissingCredentialsError` when credentials
        exist but cannot be refreshed."""
        from .auth import Secret, clean_credential

        with self._lock:
            if self._unavailable:
                return None
            creds = self._credentials
            if creds is None:
                creds = self._find()
                if creds is None:
                    return None
            if not creds.valid:
                self._refresh(creds)
            token = creds.token
        if not token:
            return None
        return Secret(clean_credential(token, "Application Default Credentials"))

    def _find(self) -> Any:
        try:
            import google.auth
            from google.auth.exceptions import DefaultCredentialsError
        except ImportError:
            self._unavailable = f"google-auth is not installed: {EXTRA}"
            return None
        try:
            creds, _project = google.auth.default(scopes=list(self.scopes))
        except (DefaultCredentialsError, ValueError, OSError) as exc:
            named = os.environ.get("GOOGLE_APPLICATION_CREDENTIALS")
            if named:  # the library's message names the file and what is wrong, never a key
                reason = str(exc.args[0] if exc.args else exc)[:200]
                self._unavailable = f"GOOGLE_APPLICATION_CREDENTIALS is not usable: {reason}"
            else:
                self._unavailable = ("none found: set GOOGLE_APPLICATION_CREDENTIALS or run "
                                     "'gcloud auth application-default login'")
            return None
        self._credentials = creds
        return creds

    @staticmethod
    def _refresh(creds: Any) -> None:
        from google.auth.exceptions import GoogleAuthError
        from google.auth.transport.requests import Request

        try:
            creds.refresh(Request())
        except GoogleAuthError as exc:
            # The library's message names the endpoint and the error code,
            # never the refresh token; keep it short all the same.
            reason = str(exc.args[0] if exc.args else exc)[:200]
            raise MissingCredentialsError(f"Application Default Credentials could not be refreshed: "
                                          f"{type(exc).__name__}: {reason}") from None

    def __repr__(self) -> str:
        return f"<GoogleAuthTokens scopes={list(self.scopes)}>"


def provider_for(raw: Any) -> Optional[GoogleAuthTokens]:
    """The token provider a profile's ``token_provider`` section names
    (``None`` for none)."""
    if not raw:
        return None
    if raw.get("kind") == "google-auth":
        return GoogleAuthTokens(raw.get("scopes") or ())
    return None
