"""Request bodies other than JSON: multipart/form-data (files and fields),
application/x-www-form-urlencoded, raw binary and text.  Every check parses
what a real server on 127.0.0.1 received; the multipart rows of the official
SDK's conformance corpus are replayed at the end."""
import io
import json
import re

import pytest

from openapi_dyn import APIError, Client, RequestValidationError
from openapi_dyn._call import multipart as mp

from conftest import DATA
from faultserver import reply, reset, status

MEDIA = DATA / "media.yaml"
PROFILE = str(DATA / "media-profile.yaml")  # OpenAI-like conventions for it


@pytest.fixture
def client(faultserver):
    c = Client(str(MEDIA), profile=PROFILE, base_url=faultserver.url + "/v1")
    c.transport.backoff_factor = 0.001
    c.transport.backoff_jitter = 0
    return c


def ok(faultserver, n=1):
    faultserver.plan(*[reply(json={"id": "f", "bytes": 1}) for _ in range(n)])


def by_name(parts):
    out = {}
    for p in parts:
        out.setdefault(p["name"], []).append(p)
    return out


# ------------------------------------------------------------ multipart
def test_fields_and_a_bytes_file(client, faultserver):
    ok(faultserver)
    client.call("uploadFile", body={"file": b"\x00\x01binary\r\n--x", "purpose": "assistants", "count": 2,
                                    "flag": False, "tags": ["a", "b"], "meta": None})
    (rec,) = faultserver.requests
    assert rec.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    assert rec.headers["Content-Length"] == str(len(rec.body))  # known length, not chunked
    parts = by_name(rec.multipart())
    assert parts["file"][0]["filename"] == "upload"
    assert parts["file"][0]["content_type"] == "application/octet-stream"
    assert parts["file"][0]["data"] == b"\x00\x01binary\r\n--x"
    assert parts["purpose"][0]["data"] == b"assistants" and parts["purpose"][0]["content_type"] is None
    assert parts["count"][0]["data"] == b"2"
    assert parts["flag"][0]["data"] == b"false"
    assert [p["data"] for p in parts["tags"]] == [b"a", b"b"]


def test_path_file_object_and_tuple_files(client, faultserver, tmp_path):
    audio = tmp_path / "speech.mp3"
    audio.write_bytes(b"ID3" + bytes(range(256)) * 40)
    ok(faultserver, 3)
    client.call("uploadFile", body={"file": audio, "purpose": "batch"})
    with open(audio, "rb") as fh:
        client.call("uploadFile", body={"file": fh, "purpose": "batch"})
    client.call("uploadFile", body={"file": ("notes.txt", "héllo", "text/markdown"), "purpose": "batch"})
    first, second, third = (by_name(r.multipart())["file"][0] for r in faultserver.requests)
    assert (first["filename"], first["content_type"]) == ("speech.mp3", "audio/mpeg")
    assert first["data"] == audio.read_bytes()
    assert (second["filename"], second["content_type"], second["data"]) == ("speech.mp3", "audio/mpeg",
                                                                              audio.read_bytes())
    assert (third["filename"], third["content_type"], third["data"]) == ("notes.txt", "text/markdown",
                                                                         "héllo".encode())


def test_names_are_escaped_in_the_part_headers(client, faultserver):
    ok(faultserver)
    client.call("uploadFile", body={"file": ('my "best"\r\nfile.bin', b"x"), "purpose": "batch"})
    raw = faultserver.requests[0].body
    assert b'filename="my %22best%22%0D%0Afile.bin"' in raw


def test_object_fields_follow_the_encoding_object(client, faultserver):
    # media.yaml: meta has style deepObject -> meta[anchor], meta[seconds];
    # options has no encoding -> one JSON part; sdp has contentType application/sdp.
    ok(faultserver, 2)
    client.call("uploadFile", body={"file": b"x", "purpose": "batch",
                                    "meta": {"anchor": "created_at", "seconds": 3600}})
    client.call("uploadImages", body={"images": b"png", "options": {"size": "big"}, "sdp": "v=0"})
    one, two = (by_name(r.multipart()) for r in faultserver.requests)
    assert one["meta[anchor]"][0]["data"] == b"created_at"
    assert one["meta[seconds]"][0]["data"] == b"3600"
    assert "meta" not in one
    assert two["options"][0]["content_type"] == "application/json"
    assert json.loads(two["options"][0]["data"]) == {"size": "big"}
    assert two["sdp"][0]["content_type"] == "application/sdp" and two["sdp"][0]["data"] == b"v=0"


def test_several_files_under_one_name_and_content_types_from_the_spec(client, faultserver, tmp_path):
    photo = tmp_path / "cat.jpg"
    photo.write_bytes(b"\xff\xd8jpeg")
    ok(faultserver)
    # encoding says "image/png, image/jpeg": a .jpg keeps image/jpeg, a nameless
    # file gets the first type listed.
    client.call("uploadImages", body={"images": [photo, b"\x89PNG"], "caption": "two"})
    parts = by_name(faultserver.requests[0].multipart())
    assert [(p["filename"], p["content_type"]) for p in parts["images"]] == [
        ("cat.jpg", "image/jpeg"), ("upload", "image/png")]
    assert [p["data"] for p in parts["images"]] == [b"\xff\xd8jpeg", b"\x89PNG"]


def test_files_choose_multipart_when_json_is_the_default(client, faultserver):
    ok(faultserver, 2)
    client.call("uploadImages", body={"images": b"x"})
    client.call("uploadImages", body={"image_urls": ["https://x/a.png"]})
    first, second = faultserver.requests
    assert first.headers["Content-Type"].startswith("multipart/form-data")
    assert second.headers["Content-Type"] == "application/json"
    assert second.json() == {"image_urls": ["https://x/a.png"]}


class ReadCounter(io.RawIOBase):
    """A binary file that records how much each read asked for."""

    def __init__(self, size):
        self.left = size
        self.sizes = []

    def readable(self):
        return True

    def readinto(self, buf):
        self.sizes.append(len(buf))
        n = min(len(buf), self.left)
        buf[:n] = b"z" * n
        self.left -= n
        return n


def test_files_are_streamed_in_blocks_not_read_whole(client, faultserver):
    size = 3 * 1024 * 1024
    source = ReadCounter(size)
    ok(faultserver)
    client.call("uploadFile", body={"file": ("big.bin", source), "purpose": "batch"})
    (rec,) = faultserver.requests
    assert "chunked" in rec.headers.get("Transfer-Encoding", "")  # not seekable: length unknown
    part = by_name(rec.multipart())["file"][0]
    assert len(part["data"]) == size
    assert max(source.sizes) <= mp.CHUNK_SIZE


def test_a_path_is_reopened_when_the_request_is_retried(client, faultserver, tmp_path):
    f = tmp_path / "data.bin"
    f.write_bytes(b"abc" * 1000)
    faultserver.plan(status(503), reset(), reply(json={"id": "f", "bytes": 3000}))
    client.call("uploadFile", body={"file": f, "purpose": "batch"})
    bodies = [r.body for r in faultserver.requests]
    assert len(bodies) == 3
    for body in bodies:
        # same parts each time (boundaries included: one encoding, re-read)
        assert body == bodies[0]


def test_a_one_shot_stream_is_sent_once_and_the_error_says_why(client, faultserver):
    faultserver.plan(status(503), reply(json={}))
    with pytest.raises(APIError) as info:
        client.call("uploadFile", body={"file": ("pipe.bin", ReadCounter(10)), "purpose": "batch"})
    assert len(faultserver.requests) == 1
    assert info.value.status_code == 503
    assert "not retried" in str(info.value) and "one-shot stream" in str(info.value)


def test_multipart_validation(client, faultserver, tmp_path):
    with pytest.raises(RequestValidationError) as info:
        client.call("uploadFile", body={"purpose": "nope", "count": 0, "flag": "yes",
                                        "meta": {"seconds": "soon"}})
    where = {e.location for e in info.value.errors}
    assert where == {"body.file", "body.purpose", "body.count", "body.flag", "body.meta.seconds"}
    with pytest.raises(RequestValidationError) as info:
        client.call("uploadFile", body={"file": tmp_path / "missing.bin", "purpose": "batch"})
    assert "no such file" in str(info.value)
    with pytest.raises(RequestValidationError) as info:
        client.call("uploadFile", body={"file": b"x", "purpose": "batch", "meta": {"anchor": b"x"}})
    assert info.value.errors[0].location == "body.meta.anchor"
    with open(MEDIA) as text_mode:
        with pytest.raises(RequestValidationError, match="text mode"):
            client.call("uploadFile", body={"file": ("spec.yaml", text_mode), "purpose": "batch"})
        with pytest.raises(RequestValidationError, match="text mode"):
            client.call("putBlob", name="x", body=text_mode)
    with pytest.raises(RequestValidationError) as info:
        client.call("uploadFile", body=b"raw bytes", content_type="multipart/form-data")
    assert "dict of fields" in str(info.value)
    assert faultserver.requests == []


def test_dry_run_shows_the_parts(client):
    prepared = client.prepare("uploadFile", body={"file": ("a.png", b"123"), "purpose": "vision"})
    assert "a.png" in repr(prepared.body) and "purpose='vision'" in repr(prepared.body)
    assert prepared.replayable


# ---------------------------------------------------- form and raw bodies
def test_form_urlencoded(client, faultserver):
    faultserver.plan(reply(json={}))
    client.call("submitForm", body={"To": "+1 555", "Events": ["a", "b&c"], "Attempts": 3})
    (rec,) = faultserver.requests
    assert rec.headers["Content-Type"] == "application/x-www-form-urlencoded"
    from urllib.parse import parse_qsl
    assert parse_qsl(rec.body.decode()) == [("To", "+1 555"), ("Events", "a"), ("Events", "b&c"),
                                            ("Attempts", "3")]


def test_raw_bodies_bytes_path_file_and_text(client, faultserver, tmp_path):
    f = tmp_path / "blob.bin"
    f.write_bytes(bytes(range(256)) * 1000)
    faultserver.plan(*[reply(json={}) for _ in range(4)])
    client.call("putBlob", name="a", body=b"\x00raw")
    client.call("putBlob", name="b", body=f)
    with open(f, "rb") as fh:
        client.call("putBlob", name="c", body=fh)
    client.call("putBlob", name="d", body="plain words", content_type="text/plain")
    a, b, c, d = faultserver.requests
    assert (a.headers["Content-Type"], a.body) == ("application/octet-stream", b"\x00raw")
    assert b.body == f.read_bytes() and b.headers["Content-Length"] == str(f.stat().st_size)
    assert c.body == f.read_bytes()
    assert (d.headers["Content-Type"], d.body) == ("text/plain", b"plain words")


def test_a_seekable_raw_body_is_rewound_for_a_retry(client, faultserver, tmp_path):
    f = tmp_path / "blob.bin"
    f.write_bytes(b"0123456789" * 100)
    faultserver.plan(status(500), reply(json={}))
    with open(f, "rb") as fh:
        client.call("putBlob", name="a", body=fh)
    assert [r.body for r in faultserver.requests] == [f.read_bytes()] * 2


# ------------------------------------------- the official SDK's requests
def _corpus_rows():
    from conftest import SHARED

    path = SHARED / "conformance" / "openai-sdk-requests.jsonl"
    if not path.is_file():
        return []
    rows = [json.loads(line) for line in path.open()]
    return [r for r in rows if isinstance(r["wire"]["body"], dict) and "multipart" in r["wire"]["body"]]


def _types(spec, schema, depth=0):
    schema = spec.resolve(schema) or {}
    out = set()
    t = schema.get("type")
    out.update(t if isinstance(t, list) else [t] if t else [])
    if "enum" in schema or "const" in schema:
        out.add("string")
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key) or []:
            if depth < 6:
                out |= _types(spec, sub, depth + 1)
    return out


def _typed(spec, schema, text):
    """A wire value back to the Python value a caller would pass."""
    kinds = _types(spec, schema)
    if "boolean" in kinds and text in ("true", "false"):
        return text == "true"
    if kinds & {"integer", "number"} and re.fullmatch(r"-?\d+", text):
        return int(text)
    if "number" in kinds and re.fullmatch(r"-?\d+\.\d*", text):
        return float(text)
    return text


def _call_body(op, entries):
    """The ``body=`` for one corpus row: files as bare bytes (so the
    client's defaults are what is compared), other values typed per the
    spec, ``x[]`` repeated into lists, ``x[k]`` regrouped into objects."""
    media = op.request_body["multipart/form-data"]
    props = media.schema.get("properties") or {}
    spec = op.spec
    body = {}
    for e in entries:
        name = e["name"]
        array = name.endswith("[]")
        base = name[:-2] if array else name
        m = re.fullmatch(r"(\w+)\[(\w+)\]", base)
        if e["filename"] is not None:
            value = b"f" * e["size"]
        elif e["content_type"] == "application/json":
            value = json.loads(e["value"])
        elif m:
            sub = (spec.resolve(props.get(m[1])) or {}).get("properties", {}).get(m[2], {})
            body.setdefault(m[1], {})[m[2]] = _typed(spec, sub, e["value"])
            continue
        else:
            schema = spec.resolve(props.get(base)) or {}
            if array or schema.get("type") == "array":
                schema = spec.resolve(schema.get("items")) or {}
                array = True
            value = _typed(spec, schema, e["value"])
        if array or (e["filename"] is not None and sum(x["name"] == name for x in entries) > 1):
            body.setdefault(base, []).append(value)
        else:
            body[base] = value
    return body


def _expected(entries):
    """The SDK's parts as (name, filename, content type, value or size)."""
    return [(e["name"], e["filename"], e["content_type"], e["value"] if e["filename"] is None else e["size"])
            for e in entries]


def _received(parts):
    return [(p["name"], p["filename"], p["content_type"],
             p["data"].decode("utf-8") if p["filename"] is None else len(p["data"])) for p in parts]


def _comparable(items):
    """Names compare exactly (the SDK's ``x[]`` and ``x[k]``, which the
    OpenAI profile's ``arrays.multipart: brackets`` reproduces); JSON parts
    compare as values (the SDK writes ``{"a": 1}``, the client ``{"a":1}``)."""
    out = []
    for name, filename, ctype, value in items:
        if ctype == "application/json" and filename is None:
            value = json.dumps(json.loads(value), sort_keys=True)
        out.append((name, filename, ctype, str(value)))
    return sorted(out)


CORPUS = _corpus_rows()


@pytest.mark.parametrize("row", CORPUS, ids=[f"{r['operation_id']}-{i}" for i, r in enumerate(CORPUS)])
def test_sdk_multipart_request(openai_client, faultserver, row):
    client = Client(openai_client.spec, base_url=faultserver.url + "/v1", api_key="sk-test", max_retries=0)
    op = client.operation(row["operation_id"])
    entries = row["wire"]["body"]["multipart"]
    faultserver.plan(reply(json={}))
    # content_type= as the SDK chose: createVideo offers JSON first, and a
    # body without files would otherwise go as JSON.
    client.call(op.operation_id, **row["call"]["params"], body=_call_body(op, entries),
                content_type=row["wire"]["content_type"])
    (rec,) = faultserver.requests
    assert rec.method == row["wire"]["method"] and rec.path == row["wire"]["path"]
    for name, value in row["wire"]["headers"].items():  # added by the OpenAI profile, not passed
        assert rec.headers.get(name) == value
    assert rec.headers["Content-Type"].split(";")[0] == "multipart/form-data"
    assert _comparable(_received(rec.multipart())) == _comparable(_expected(entries))


def test_the_corpus_has_multipart_rows(shared_dir):
    assert len(CORPUS) == 24
