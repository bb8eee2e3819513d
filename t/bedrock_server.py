"""A local stand-in for Amazon Bedrock's runtime (Claude's invoke and
invoke-with-response-stream), for :class:`faultserver.FaultServer`.

It refuses what Bedrock refuses: a request without an AWS Signature Version
4, or with one that does not match the request it arrived with (403 with
AWS's ``{"message": ...}`` body and ``x-amzn-ErrorType``), recomputed with
botocore from the received method, raw path, query, signed headers and body
and the credentials the test set.  A streaming call is answered as a real
AWS event stream: binary frames (prelude, headers, payload, CRCs) whose
``chunk`` payloads carry the Anthropic events base64-encoded.
"""
from __future__ import annotations

import base64
import json
import re
import struct
import zlib
from typing import Dict, Iterable, Optional
from urllib.parse import quote, urlencode

from faultserver import reply

ACCESS_KEY = "AKIDEXAMPLETESTKEY01"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
SESSION_TOKEN = "FwoGZXIvYXdzEXAMPLESESSIONTOKEN"

_AUTH = re.compile(r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request, "
                   r"SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$")


def _header(name: str, value: str) -> bytes:
    raw = name.encode()
    data = value.encode()
    return struct.pack("!B", len(raw)) + raw + struct.pack("!BH", 7, len(data)) + data


def frame(headers: Dict[str, str], payload: bytes) -> bytes:
    """One AWS event-stream message: total and header lengths, the prelude's
    CRC32, string headers, the payload and the CRC32 of everything before."""
    head = b"".join(_header(k, v) for k, v in headers.items())
    total = 12 + len(head) + len(payload) + 4
    prelude = struct.pack("!II", total, len(head))
    prelude += struct.pack("!I", zlib.crc32(prelude) & 0xFFFFFFFF)
    message = prelude + head + payload
    return message + struct.pack("!I", zlib.crc32(message) & 0xFFFFFFFF)


def chunk(event: dict) -> bytes:
    """A ``chunk`` event carrying one Anthropic streaming event."""
    payload = json.dumps({"bytes": base64.b64encode(json.dumps(event).encode()).decode()}).encode()
    return frame({":event-type": "chunk", ":content-type": "application/json", ":message-type": "event"}, payload)


def exception(kind: str, message: str) -> bytes:
    return frame({":exception-type": kind, ":content-type": "application/json", ":message-type": "exception"},
                 json.dumps({"message": message}).encode())


#: The events of a short streamed answer, as Anthropic's SSE stream has them.
STREAM_EVENTS = [
    {"type": "message_start", "message": {"id": "msg_bdrk_1", "type": "message", "role": "assistant",
                                          "model": "claude", "content": [], "stop_reason": None,
                                          "stop_sequence": None, "usage": {"input_tokens": 5, "output_tokens": 1}}},
    {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
    {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hel"}},
    {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "lo"}},
    {"type": "content_block_stop", "index": 0},
    {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None},
     "usage": {"output_tokens": 2}},
    {"type": "message_stop"},
]

MESSAGE = {"id": "msg_bdrk_1", "type": "message", "role": "assistant", "model": "claude",
           "content": [{"type": "text", "text": "Hello"}], "stop_reason": "end_turn", "stop_sequence": None,
           "usage": {"input_tokens": 5, "output_tokens": 2}}


def signature_problem(rec, region: str = "us-east-1", service: str = "bedrock",
                      token: Optional[str] = None) -> Optional[str]:
    """Why ``rec`` (a :class:`faultserver.Recorded`) is not correctly signed
    for the test credentials, or ``None`` when it is."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    m = _AUTH.match(rec.headers.get("Authorization") or "")
    if not m:
        return "Authorization is not an AWS4-HMAC-SHA256 signature"
    key, day, got_region, got_service, signed, signature = m.groups()
    if key != ACCESS_KEY:
        return "unknown access key"
    if (got_region, got_service) != (region, service):
        return f"credential scope {got_region}/{got_service}, expected {region}/{service}"
    stamp = rec.headers.get("X-Amz-Date") or ""
    if not stamp.startswith(day):
        return "X-Amz-Date does not match the credential scope"
    names = signed.split(";")
    if "host" not in names or "x-amz-date" not in names:
        return "host and x-amz-date must be signed"
    if token is not None and rec.headers.get("X-Amz-Security-Token") != token:
        return "the session token is missing or wrong"
    headers = {n: rec.headers.get(n) for n in names}
    if any(v is None for v in headers.values()):
        return "a signed header was not received"
    # botocore re-encodes and sorts the query for the canonical request
    raw_target = rec.path + ("?" + urlencode(rec.query, quote_via=quote) if rec.query else "")
    request = AWSRequest(method=rec.method, url=f"http://{rec.headers['Host']}{raw_target}", headers=headers,
                         data=rec.body)
    request.context["timestamp"] = stamp
    signer = SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY, token), service, region)
    expected = signer.signature(signer.string_to_sign(request, signer.canonical_request(request)), request)
    return None if expected == signature else "The request signature we calculated does not match"


def bedrock_service(region: str = "us-east-1", token: Optional[str] = None,
                    stream_frames: Optional[Iterable[bytes]] = None, bearer: Optional[str] = None):
    """Bedrock: a valid SigV4 signature (or, with ``bearer``, that API key
    as a bearer token) on every request; ``/model/{id}/invoke`` answers a
    message, ``/model/{id}/invoke-with-response-stream`` an event stream."""
    def pick(rec):
        if bearer is not None and rec.headers.get("Authorization") == f"Bearer {bearer}":
            problem = None
        else:
            problem = signature_problem(rec, region, token=token)
        if problem:
            return reply(403, json={"message": problem},
                         headers={"x-amzn-ErrorType": "InvalidSignatureException", "x-amzn-RequestId": "rid-403"})
        if rec.path.endswith("/invoke-with-response-stream"):
            frames = list(stream_frames) if stream_frames is not None else [chunk(e) for e in STREAM_EVENTS]
            return reply(body=b"".join(frames), content_type="application/vnd.amazon.eventstream",
                         headers={"x-amzn-RequestId": "rid-stream",
                                  "X-Amzn-Bedrock-Content-Type": "application/json"})
        if rec.path.endswith("/invoke"):
            return reply(json=MESSAGE, headers={"x-amzn-RequestId": "rid-ok"})
        return reply(404, json={"message": "unknown operation"}, headers={"x-amzn-ErrorType": "UnknownOperationException"})
    return pick
