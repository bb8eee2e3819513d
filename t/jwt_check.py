"""Check a JWT-bearer token request the way Google's token endpoint does:
the assertion's RS256 signature against the service account's public key,
and its claims."""
from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs


def _b64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def verified_claims(form_body: bytes, public_key) -> dict:
    """The claims of the ``assertion`` in a token request's form body, after
    checking the grant type and the signature (raises if either is wrong)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    form = parse_qs(form_body.decode())
    assert form["grant_type"] == ["urn:ietf:params:oauth:grant-type:jwt-bearer"], form
    head, claims, signature = form["assertion"][0].split(".")
    assert json.loads(_b64(head))["alg"] == "RS256"
    public_key.verify(_b64(signature), f"{head}.{claims}".encode(), padding.PKCS1v15(), hashes.SHA256())
    return json.loads(_b64(claims))
