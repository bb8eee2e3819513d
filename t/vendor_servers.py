"""Local stand-ins for the vendors' services: each refuses, with that
vendor's own error envelope and request-id header, what the real service
refuses although the spec document allows it (a missing beta or version
header, a missing ``api-version``, a missing key), and answers anything
else with a small JSON body.  Used with :class:`faultserver.FaultServer`:
``faultserver.always(openai_service())``.
"""
from __future__ import annotations

import base64
import json
import random
import struct

from faultserver import reply

OPENAI_BETA = {  # path prefix under /v1 -> the OpenAI-Beta value the API requires
    "/v1/assistants": "assistants=v2",
    "/v1/threads": "assistants=v2",
    "/v1/vector_stores": "assistants=v2",
    "/v1/chatkit": "chatkit_beta=v1",
}

ANTHROPIC_BETA = {  # path prefix (beta endpoints only) -> the beta flag required
    "/v1/files": "files-api-2025-04-14",
    "/v1/messages/batches": "message-batches-2024-09-24",
    "/v1/messages/count_tokens": "token-counting-2024-11-01",
    "/v1/skills": "skills-2025-10-02",
}


def _prefixed(path: str, table: dict):
    for prefix, value in table.items():
        if path == prefix or path.startswith(prefix + "/"):
            return value
    return None


def understood(pairs):
    """What the OpenAI service is reported to make of repeated names: a
    ``name[]`` collects every value into a list, a plain name repeated
    keeps only its last value, silently."""
    out = {}
    for name, value in pairs:
        if name.endswith("[]"):
            out.setdefault(name[:-2], []).append(value)
        else:
            out[name] = value
    return out


def form_pairs(rec):
    """A multipart body's (name, value) pairs: text parts as text, files by
    their file name."""
    return [(p["name"], p["filename"] if p["filename"] is not None else p["data"].decode("utf-8"))
            for p in rec.multipart()]


def embedding_vector(text, dims):
    """A reproducible vector for ``text``: float32 values, as the service's."""
    rng = random.Random(text)
    return [struct.unpack("<f", struct.pack("<f", rng.gauss(0.0, 0.03)))[0] for _ in range(dims)]


def embeddings_answer(body, dims=1536):
    """The createEmbedding answer as the service writes it: with
    ``encoding_format: "base64"`` each vector is the base64 of its
    little-endian float32 bytes; otherwise a JSON array of floats written
    with float32 precision (9 significant digits), indented as the service
    indents them."""
    inputs = body.get("input")
    inputs = inputs if isinstance(inputs, list) else [inputs]
    as_base64 = body.get("encoding_format") == "base64"
    items = []
    for i, text in enumerate(inputs):
        vector = embedding_vector(str(text), dims)
        if as_base64:
            shown = json.dumps(base64.b64encode(struct.pack(f"<{dims}f", *vector)).decode("ascii"))
        else:
            shown = "[\n" + ",\n".join(f"        {v:.9g}" for v in vector) + "\n      ]"
        items.append(f'    {{\n      "object": "embedding",\n      "index": {i},\n      "embedding": {shown}\n    }}')
    text = ('{\n  "object": "list",\n  "data": [\n' + ",\n".join(items) + '\n  ],\n  "model": '
            + json.dumps(body.get("model")) + ',\n  "usage": {"prompt_tokens": 1, "total_tokens": 1}\n}\n')
    return text.encode()


def openai_service(ok=None, echo=False):
    """OpenAI: a bearer key, and OpenAI-Beta on the beta families (an empty
    one is refused as ``invalid_beta``).  createEmbedding answers like the
    service (base64 vectors when asked).  With ``echo``, the answer says
    what the service understood of the query string and of a multipart
    body (see :func:`understood`)."""
    def pick(rec):
        if not (rec.headers.get("Authorization") or "").startswith("Bearer "):
            return reply(401, json={"error": {"message": "You didn't provide an API key.", "type":
                                              "invalid_request_error", "param": None, "code": None}},
                         headers={"x-request-id": "req_401"})
        if "OpenAI-Beta" in rec.headers and not rec.headers["OpenAI-Beta"].strip():
            return reply(400, json={"error": {"message": "Invalid value for 'OpenAI-Beta' header.", "type":
                                              "invalid_request_error", "param": None, "code": "invalid_beta"}},
                         headers={"x-request-id": "req_invalid_beta"})
        wanted = _prefixed(rec.path, OPENAI_BETA)
        if wanted and rec.headers.get("OpenAI-Beta") != wanted:
            return reply(400, json={"error": {
                "message": f"You must provide the 'OpenAI-Beta' header to access the beta API ({wanted}).",
                "type": "invalid_request_error", "param": None, "code": "missing_beta_header"}},
                headers={"x-request-id": "req_beta"})
        if ok is None and rec.method == "POST" and rec.path == "/v1/embeddings":
            return reply(body=embeddings_answer(rec.json()), content_type="application/json",
                         headers={"x-request-id": "req_ok"})
        if echo:
            ctype = rec.headers.get("Content-Type") or ""
            form = understood(form_pairs(rec)) if ctype.startswith("multipart/") else None
            return reply(json={"query": understood(rec.query), "form": form}, headers={"x-request-id": "req_ok"})
        return reply(json=ok if ok is not None else {"id": "obj_1", "object": "thing"},
                     headers={"x-request-id": "req_ok"})
    return pick


def anthropic_service(ok=None):
    """Anthropic: x-api-key, anthropic-version on every request, and the
    resource's beta flag on beta endpoints (``?beta=true``)."""
    def fail(status, kind, message):
        return reply(status, json={"type": "error", "error": {"type": kind, "message": message}},
                     headers={"request-id": f"req_{kind}"})

    def pick(rec):
        if not rec.headers.get("x-api-key"):
            return fail(401, "authentication_error", "x-api-key header is required")
        if rec.headers.get("anthropic-version") != "2023-06-01":
            return fail(400, "invalid_request_error", "anthropic-version: header is required")
        if rec.args.get("beta") == "true":
            wanted = _prefixed(rec.path, ANTHROPIC_BETA)
            flags = [f.strip() for f in (rec.headers.get("anthropic-beta") or "").split(",") if f.strip()]
            if wanted and wanted not in flags:
                return fail(400, "invalid_request_error", f"this endpoint requires the beta {wanted}")
        return reply(json=ok if ok is not None else {"id": "msg_1", "type": "message"},
                     headers={"request-id": "req_ok"})
    return pick


def azure_service(ok=None):
    """Azure OpenAI: an ``api-key`` header and ``api-version`` on every call."""
    def pick(rec):
        if not rec.headers.get("api-key"):
            return reply(401, json={"error": {"code": "401", "message": "Access denied due to invalid "
                                              "subscription key or wrong API endpoint."}},
                         headers={"apim-request-id": "apim_401"})
        if not rec.args.get("api-version"):
            return reply(404, json={"error": {"code": "404", "message": "Resource not found"}},
                         headers={"apim-request-id": "apim_404"})
        return reply(json=ok if ok is not None else {"id": "chatcmpl-1", "object": "chat.completion"},
                     headers={"apim-request-id": "apim_ok"})
    return pick


def cohere_service(ok=None):
    """Cohere: a bearer key."""
    def pick(rec):
        if not (rec.headers.get("Authorization") or "").startswith("Bearer "):
            return reply(401, json={"id": "e1", "message": "no api key supplied"},
                         headers={"x-request-id": "co_401"})
        return reply(json=ok if ok is not None else {"id": "c1", "finish_reason": "COMPLETE"},
                     headers={"x-request-id": "co_ok"})
    return pick
