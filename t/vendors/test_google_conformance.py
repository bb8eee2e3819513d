"""What google-genai sends, recorded against a local server and replayed
with this client on the bundled Gemini and Vertex AI documents.

Each case runs one common call of the official SDK (google-genai, a
test-only dependency, pointed at 127.0.0.1 with ``http_options.base_url``)
and the same call made here by operationId, each against its own fresh
local service (t/google_servers.py, which refuses what the real one
refuses).  Every request on the wire must match: method, path, query (as a
multiset of pairs), body (JSON compared as data, file bytes as bytes) and
the headers that matter (the key or token, the content type of a body, the
resumable upload protocol's headers).  The SDK's ``user-agent`` and
``x-goog-api-client`` are its own and not compared.
"""
from __future__ import annotations

import io
import json
from collections import Counter

import pytest

from faultserver import FaultServer
from google_servers import gemini_service, vertex_service

genai = pytest.importorskip("google.genai")
from google.genai import types  # noqa: E402

from openapi_dyn import Client  # noqa: E402

KEY = "AIza-test-key-123"
TOKEN = "ya29.test-token"
PROJECT, LOCATION = "proj-1", "us-central1"
VERTEX_MODEL = f"projects/{PROJECT}/locations/{LOCATION}/publishers/google/models"

#: Headers the services read; the rest (user agents, Accept) are the SDK's own.
AUTH_HEADERS = ("x-goog-api-key", "authorization")
START_HEADERS = ("x-goog-upload-protocol", "x-goog-upload-command", "x-goog-upload-header-content-length",
                 "x-goog-upload-header-content-type")
CHUNK_HEADERS = ("x-goog-upload-command", "x-goog-upload-offset")

BIG = bytes(range(256)) * (36 * 1024 + 7)  # 9 MiB + 1792 bytes: two of google-genai's 8 MiB chunks


def _wire(rec):
    """One recorded request as the parts a service reads."""
    headers = {k.lower(): v for k, v in rec.headers.items()}
    ctype = headers.get("content-type", "")
    chunk = "upload_id" in dict(rec.query)
    if chunk:
        body, names = rec.body, CHUNK_HEADERS
    elif rec.body and ctype.startswith("application/json"):
        body, names = json.loads(rec.body), ("content-type",) + (
            START_HEADERS if "x-goog-upload-command" in headers else ())
    else:
        body, names = rec.body, ()
    seen = {n: headers.get(n) for n in AUTH_HEADERS + names}
    return {"method": rec.method, "path": rec.path, "query": Counter(rec.query), "body": body, "headers": seen}


def _sdk(kind):
    """A google-genai client for a local service (``kind``: gemini or vertex)."""
    def make(url):
        if kind == "gemini":
            return genai.Client(api_key=KEY, http_options=types.HttpOptions(base_url=url, api_version="v1beta"))
        import google.oauth2.credentials

        return genai.Client(vertexai=True, project=PROJECT, location=LOCATION,
                            credentials=google.oauth2.credentials.Credentials(token=TOKEN),
                            http_options=types.HttpOptions(base_url=url, api_version="v1"))
    return make


def _ours(kind):
    def make(url):
        if kind == "gemini":
            return Client("gemini", api_key=KEY, base_url=url)
        return Client("vertex", api_key=TOKEN, base_url=url)
    return make


def _record(kind, run, make):
    server = FaultServer()
    server.always((gemini_service if kind == "gemini" else vertex_service)(server))
    try:
        result = run(make(server.url))
        return [_wire(r) for r in server.requests], result, server
    finally:
        server.stop()


CONTENTS = [{"parts": [{"text": "Hello"}], "role": "user"}]


def _nothing(answer):
    """Calls whose answer is not compared (a delete, a cancel)."""
    return None


def _events(stream):
    return [e["candidates"][0]["content"]["parts"][0]["text"] for e in stream]


# (name, kind, what google-genai does, what this client does)
CASES = [
    ("generate", "gemini",
     lambda c: c.models.generate_content(model="gemini-2.0-flash", contents="Hello",
                                         config={"temperature": 0.2, "max_output_tokens": 64}).text,
     lambda c: c.call("generativelanguage.models.generateContent", model="models/gemini-2.0-flash",
                      body={"contents": CONTENTS, "generationConfig": {"temperature": 0.2, "maxOutputTokens": 64}}
                      ).candidates[0].content.parts[0].text),
    ("stream", "gemini",
     lambda c: [ch.text for ch in c.models.generate_content_stream(model="gemini-2.0-flash", contents="Hello")],
     lambda c: _events(c.call("generativelanguage.models.streamGenerateContent", model="models/gemini-2.0-flash",
                              body={"contents": CONTENTS}))),
    ("embed", "gemini",
     lambda c: [e.values for e in c.models.embed_content(model="text-embedding-004", contents=["a", "b"]).embeddings],
     lambda c: [e["values"] for e in c.call(
         "generativelanguage.models.batchEmbedContents", model="models/text-embedding-004",
         body={"requests": [{"content": {"parts": [{"text": t}], "role": "user"},
                             "model": "models/text-embedding-004"} for t in "ab"]})["embeddings"]]),
    ("count-tokens", "gemini",
     lambda c: c.models.count_tokens(model="gemini-2.0-flash", contents="Hello").total_tokens,
     lambda c: c.call("generativelanguage.models.countTokens", model="models/gemini-2.0-flash",
                      body={"contents": CONTENTS}).totalTokens),
    ("models-list", "gemini",
     lambda c: [m.name for m in c.models.list(config={"page_size": 2})],
     lambda c: [m.name for m in c.paginate("generativelanguage.models.list", pageSize=2)]),
    ("models-get", "gemini",
     lambda c: c.models.get(model="gemini-1").name,
     lambda c: c.call("generativelanguage.models.get", name="models/gemini-1").name),
    ("files-upload", "gemini",
     lambda c: c.files.upload(file=io.BytesIO(b"hello world"),
                              config={"mime_type": "text/plain", "display_name": "h"}).size_bytes,
     lambda c: int(c.upload("generativelanguage.media.upload", io.BytesIO(b"hello world"), mime_type="text/plain",
                            body={"file": {"display_name": "h", "mime_type": "text/plain", "size_bytes": 11}}
                            ).file.sizeBytes)),
    ("files-upload-two-chunks", "gemini",
     lambda c: c.files.upload(file=io.BytesIO(BIG), config={"mime_type": "application/octet-stream"}).size_bytes,
     lambda c: int(c.upload("generativelanguage.media.upload", io.BytesIO(BIG),
                            body={"file": {"mime_type": "application/octet-stream", "size_bytes": len(BIG)}}
                            ).file.sizeBytes)),
    ("file-search-store-upload", "gemini",
     lambda c: c.file_search_stores.upload_to_file_search_store(
         file_search_store_name="fileSearchStores/s1", file=io.BytesIO(b"hello"),
         config={"mime_type": "text/plain", "display_name": "d"}).name,
     lambda c: c.upload("generativelanguage.media.uploadToFileSearchStore", io.BytesIO(b"hello"),
                        mime_type="text/plain", fileSearchStoreName="fileSearchStores/s1",
                        body={"mimeType": "text/plain", "displayName": "d"}).name),
    ("caches-create", "gemini",
     lambda c: c.caches.create(model="gemini-2.0-flash", config={"contents": ["x"], "ttl": "60s"}).name,
     lambda c: c.call("generativelanguage.cachedContents.create",
                      body={"model": "models/gemini-2.0-flash", "ttl": "60s",
                            "contents": [{"parts": [{"text": "x"}], "role": "user"}]}).name),
    ("caches-get", "gemini",
     lambda c: c.caches.get(name="cachedContents/c1").name,
     lambda c: c.call("generativelanguage.cachedContents.get", name="cachedContents/c1").name),
    ("caches-list", "gemini",
     lambda c: [x.name for x in c.caches.list(config={"page_size": 1})],
     lambda c: [x.name for x in c.paginate("generativelanguage.cachedContents.list", pageSize=1)]),
    ("caches-update", "gemini",
     lambda c: c.caches.update(name="cachedContents/c1", config={"ttl": "120s"}).name,
     lambda c: c.call("generativelanguage.cachedContents.patch", name="cachedContents/c1", body={"ttl": "120s"}).name),
    ("caches-delete", "gemini",
     lambda c: _nothing(c.caches.delete(name="cachedContents/c1")),
     lambda c: _nothing(c.call("generativelanguage.cachedContents.delete", name="cachedContents/c1"))),
    ("generate-with-tools", "gemini",
     lambda c: c.models.generate_content(model="gemini-2.0-flash", contents="Hi", config=types.GenerateContentConfig(
         system_instruction="be brief", response_mime_type="application/json",
         safety_settings=[types.SafetySetting(category="HARM_CATEGORY_HATE_SPEECH", threshold="BLOCK_ONLY_HIGH")],
         tools=[types.Tool(function_declarations=[types.FunctionDeclaration(
             name="get_weather", description="w", parameters={"type": "OBJECT", "properties": {
                 "city": {"type": "STRING"}}, "required": ["city"]})])])).text,
     lambda c: c.call("generativelanguage.models.generateContent", model="models/gemini-2.0-flash", body={
         "contents": [{"parts": [{"text": "Hi"}], "role": "user"}],
         "systemInstruction": {"parts": [{"text": "be brief"}], "role": "user"},
         "safetySettings": [{"category": "HARM_CATEGORY_HATE_SPEECH", "threshold": "BLOCK_ONLY_HIGH"}],
         "tools": [{"functionDeclarations": [{"name": "get_weather", "description": "w", "parameters": {
             "type": "OBJECT", "properties": {"city": {"type": "STRING"}}, "required": ["city"]}}]}],
         "generationConfig": {"responseMimeType": "application/json"}}).candidates[0].content.parts[0].text),
    ("files-list", "gemini",
     lambda c: [f.name for f in c.files.list()],
     lambda c: [f.name for f in c.paginate("generativelanguage.files.list")]),
    ("files-get", "gemini",
     lambda c: c.files.get(name="files/f1").name,
     lambda c: c.call("generativelanguage.files.get", name="files/f1").name),
    ("files-delete", "gemini",
     lambda c: _nothing(c.files.delete(name="files/f1")),
     lambda c: _nothing(c.call("generativelanguage.files.delete", name="files/f1"))),
    ("batches-create", "gemini",
     lambda c: c.batches.create(model="gemini-2.0-flash",
                                src=[{"contents": [{"parts": [{"text": "hi"}], "role": "user"}]}]).name,
     lambda c: c.call("generativelanguage.models.batchGenerateContent", model="models/gemini-2.0-flash",
                      body={"batch": {"inputConfig": {"requests": {"requests": [
                          {"request": {"contents": [{"parts": [{"text": "hi"}], "role": "user"}]}}]}}}})
     .metadata.name),
    ("batches-get", "gemini",
     lambda c: c.batches.get(name="batches/b1").name,
     lambda c: c.call("generativelanguage.batches.get", name="batches/b1").metadata.name),
    ("batches-list", "gemini",
     lambda c: [b.name for b in c.batches.list()],
     lambda c: [b.name for b in c.paginate("generativelanguage.batches.list", name="batches")]),
    ("batches-cancel", "gemini",
     lambda c: c.batches.cancel(name="batches/b1"),
     lambda c: _nothing(c.call("generativelanguage.batches.cancel", name="batches/b1"))),
    ("vertex-generate", "vertex",
     lambda c: c.models.generate_content(model="gemini-2.0-flash", contents="Hello").text,
     lambda c: c.call("aiplatform.projects.locations.publishers.models.generateContent",
                      model=f"{VERTEX_MODEL}/gemini-2.0-flash", body={"contents": CONTENTS}
                      ).candidates[0].content.parts[0].text),
    ("vertex-stream", "vertex",
     lambda c: [ch.text for ch in c.models.generate_content_stream(model="gemini-2.0-flash", contents="Hello")],
     lambda c: _events(c.call("aiplatform.projects.locations.publishers.models.streamGenerateContent",
                              model=f"{VERTEX_MODEL}/gemini-2.0-flash", body={"contents": CONTENTS}))),
    ("vertex-count-tokens", "vertex",
     lambda c: c.models.count_tokens(model="gemini-2.0-flash", contents="Hello").total_tokens,
     lambda c: c.call("aiplatform.projects.locations.publishers.models.countTokens",
                      endpoint=f"{VERTEX_MODEL}/gemini-2.0-flash", body={"contents": CONTENTS}).totalTokens),
    ("vertex-embed", "vertex",
     lambda c: [e.values for e in c.models.embed_content(model="text-embedding-004", contents=["a"]).embeddings],
     lambda c: [p["embeddings"]["values"] for p in c.call(
         "aiplatform.projects.locations.publishers.models.predict", endpoint=f"{VERTEX_MODEL}/text-embedding-004",
         body={"instances": [{"content": "a"}]})["predictions"]]),
    ("vertex-caches-create", "vertex",
     lambda c: c.caches.create(model="gemini-2.0-flash", config={"contents": ["x"], "ttl": "60s"}).name,
     lambda c: c.call("aiplatform.projects.locations.cachedContents.create",
                      parent=f"projects/{PROJECT}/locations/{LOCATION}",
                      body={"model": f"{VERTEX_MODEL}/gemini-2.0-flash", "ttl": "60s",
                            "contents": [{"parts": [{"text": "x"}], "role": "user"}]}).name),
    ("vertex-batches-create", "vertex",
     lambda c: c.batches.create(model="gemini-2.0-flash", src="gs://bucket/in.jsonl",
                                config={"dest": "gs://bucket/out", "display_name": "b"}).name,
     lambda c: c.call("aiplatform.projects.locations.batchPredictionJobs.create",
                      parent=f"projects/{PROJECT}/locations/{LOCATION}",
                      body={"model": "publishers/google/models/gemini-2.0-flash", "displayName": "b",
                            "inputConfig": {"instancesFormat": "jsonl", "gcsSource": {"uris": ["gs://bucket/in.jsonl"]}},
                            "outputConfig": {"predictionsFormat": "jsonl",
                                             "gcsDestination": {"outputUriPrefix": "gs://bucket/out"}}}).name),
    ("vertex-batches-get", "vertex",
     lambda c: c.batches.get(name="123").state.value,
     lambda c: c.call("aiplatform.projects.locations.batchPredictionJobs.get",
                      name=f"projects/{PROJECT}/locations/{LOCATION}/batchPredictionJobs/123").state),
    ("vertex-models-get", "vertex",
     lambda c: c.models.get(model="gemini-2.0-flash").name,
     lambda c: c.call("aiplatform.publishers.models.get", name="publishers/google/models/gemini-2.0-flash").name),
]


@pytest.mark.parametrize("name,kind,sdk_call,our_call", CASES, ids=[c[0] for c in CASES])
def test_same_requests_as_google_genai(name, kind, sdk_call, our_call):
    sdk_wire, sdk_result, _ = _record(kind, sdk_call, _sdk(kind))
    our_wire, our_result, _ = _record(kind, our_call, _ours(kind))
    assert sdk_wire, "the SDK sent nothing"
    assert len(our_wire) == len(sdk_wire), ([w["path"] for w in sdk_wire], [w["path"] for w in our_wire])
    for i, (sdk, ours) in enumerate(zip(sdk_wire, our_wire)):
        for part in ("method", "path", "query", "headers", "body"):
            assert ours[part] == sdk[part], (i, part)
    # and both read the answer the same way
    assert our_result == sdk_result


def test_the_upload_arrives_whole_in_both_chunks():
    _, _, server = _record("gemini", lambda c: c.upload("generativelanguage.media.upload", io.BytesIO(BIG)),
                           _ours("gemini"))
    (meta, data), = server.uploads.finished
    assert data == BIG and meta == {"file": {"mimeType": "application/octet-stream"}}
