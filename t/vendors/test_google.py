"""Gemini and Vertex AI by name: what their profiles add to the Discovery
documents, against local services that refuse what the real ones refuse
(t/google_servers.py).  What google-genai itself sends is compared in
t/vendors/test_google_conformance.py."""
from __future__ import annotations

import io
import json
import os
import sys

import anyio
import pytest

from faultserver import reply
from google_servers import gemini_service, google_error, vertex_service

from openapi_dyn import (APIError, AsyncClient, BadRequestError, Client,
                         PermissionDeniedError, RequestValidationError, Stream, UsageError)
from openapi_dyn._answer.pagination import pagination_of
from openapi_dyn._spec.profile import check

KEY = "AIza-test-4f9c2d7e1b0a5c3e"
TOKEN = "ya29.test-token-7d1e9a"
BODY = {"contents": [{"role": "user", "parts": [{"text": "Hello"}]}]}
MODEL = "models/gemini-2.0-flash"
VMODEL = "projects/p1/locations/us-central1/publishers/google/models/gemini-2.0-flash"
GOOGLE_VARS = ("GOOGLE_API_KEY", "GEMINI_API_KEY", "GOOGLE_GEMINI_BASE_URL", "GOOGLE_VERTEX_BASE_URL",
               "GOOGLE_CLOUD_LOCATION", "GOOGLE_APPLICATION_CREDENTIALS")


@pytest.fixture(autouse=True)
def _no_google_environment(monkeypatch):
    for var in GOOGLE_VARS:
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def gemini(faultserver):
    faultserver.always(gemini_service(faultserver))
    return faultserver


@pytest.fixture
def vertex(faultserver):
    faultserver.always(vertex_service(faultserver))
    return faultserver


def fast(client):
    t = client.transport
    t.backoff_factor, t.backoff_jitter, t.retry_after_max = 0.001, 0, 0.05
    return client


# ------------------------------------------------------------------ profiles
@pytest.mark.parametrize("name", ["gemini", "vertex"])
def test_profiles_match_the_profile_schema_and_select_real_operations(name):
    from importlib import resources

    import yaml

    text = resources.files("openapi_dyn.schemas").joinpath(f"profile-{name}.yaml").read_text()
    check(yaml.safe_load(text), name)
    client = Client(name)
    assert client.profile.name == name and client.spec.source_format == "discovery"
    ops = list(client.spec.operations.values())
    for rule in client.profile.headers + client.profile.parameters:
        assert [op for op in ops if rule.when.matches(op)], rule.name
        for op_id in rule.when.operations:
            assert op_id in client.spec.operations, op_id
    for op_id in client.profile.uploads.get("operations") or ():
        assert op_id in client.spec.operations
    schemes = client.spec.security_schemes
    for scheme in list(client.profile.credential_env) + list(client.profile.api_key_schemes):
        assert scheme == "*" or scheme in schemes, scheme


@pytest.mark.parametrize("name", ["gemini", "vertex"])
def test_every_list_operation_pages_by_page_token(name):
    client = Client(name)
    listed = [op for op in client.spec.operations.values()
              if any(p.name == "pageToken" for p in op.parameters)]
    assert len(listed) == (13 if name == "gemini" else 174)
    ambiguous = []
    for op in listed:
        found, why = pagination_of(op, client.profile)
        if found is None:  # two lists of objects in one answer: which one pages is not said
            assert why == "its 200 answer has 2 array fields, not one", op.operation_id
            ambiguous.append(op.operation_id)
            continue
        assert found.param.name == "pageToken"
        assert found.items != "*"
    assert ambiguous == ([] if name == "gemini" else
                         ["aiplatform.projects.locations.deploymentResourcePools.queryDeployedModels"])


# ------------------------------------------------------------------- Gemini
def test_the_key_comes_from_gemini_api_key_or_google_api_key(gemini, monkeypatch):
    monkeypatch.setenv("GEMINI_API_KEY", "from-gemini")
    client = Client("gemini", base_url=gemini.url)
    client.call("generativelanguage.models.generateContent", model=MODEL, body=BODY)
    monkeypatch.setenv("GOOGLE_API_KEY", "from-google")  # google-genai prefers it when both are set
    client.call("generativelanguage.models.generateContent", model=MODEL, body=BODY)
    assert [r.headers["x-goog-api-key"] for r in gemini.requests] == ["from-gemini", "from-google"]
    assert all("key" not in r.args for r in gemini.requests)


def test_the_base_url_from_the_environment(gemini, monkeypatch):
    monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", gemini.url)
    assert Client("gemini", api_key=KEY).call("generativelanguage.models.get", name=MODEL).name == MODEL


def test_without_a_key_nothing_is_sent(gemini):
    from openapi_dyn import MissingCredentialsError

    client = Client("gemini", base_url=gemini.url)
    with pytest.raises(MissingCredentialsError) as info:
        client.call("generativelanguage.models.generateContent", model=MODEL, body=BODY)
    assert "google_api_key (api_key=, credentials={'google_api_key': ...} or the GOOGLE_API_KEY or " \
           "GEMINI_API_KEY environment variables)" in str(info.value)
    assert gemini.requests == []
    assert client.prepare("generativelanguage.models.get", name=MODEL).missing_credentials  # a dry run still works


def test_without_a_key_the_service_refuses_and_says_why(gemini):
    client = Client("gemini", base_url=gemini.url, profile=False)   # the document alone sends it keyless
    with pytest.raises(PermissionDeniedError) as info:
        client.call("generativelanguage.models.generateContent", model=MODEL, body=BODY)
    err = info.value
    assert (err.status_code, err.code, err.type) == (403, 403, None)  # error.status is the profile's reading
    assert err.message.startswith("Method doesn't allow unregistered callers")
    assert "x-goog-api-key" not in gemini.requests[0].headers


def test_the_error_envelope_with_its_details(gemini):
    client = Client("gemini", api_key="bad-key", base_url=gemini.url)
    with pytest.raises(BadRequestError) as info:
        client.call("generativelanguage.models.countTokens", model=MODEL, body=BODY)
    err = info.value
    assert err.type == "INVALID_ARGUMENT" and err.code == 400
    assert err.details == [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID",
                            "domain": "googleapis.com"}]
    assert "[INVALID_ARGUMENT] API key not valid" in str(err)


def test_the_key_is_masked_everywhere(gemini):
    client = Client("gemini", api_key=KEY, base_url=gemini.url)
    prepared = client.prepare("generativelanguage.models.generateContent", model=MODEL, body=BODY)
    assert prepared.headers["x-goog-api-key"] == KEY
    for text in (repr(prepared), prepared.describe(), repr(client), str(prepared.masked_headers)):
        assert KEY not in text
    gemini.plan(google_error(404, "NOT_FOUND", "models/nope is not found"))
    with pytest.raises(APIError) as info:
        client.call("generativelanguage.models.get", name="models/nope")
    assert KEY not in str(info.value) and KEY not in repr(info.value)


def test_streams_ask_for_sse_and_come_back_as_events(gemini):
    client = Client("gemini", api_key=KEY, base_url=gemini.url)
    stream = client.call("generativelanguage.models.streamGenerateContent", model=MODEL, body=BODY)
    assert isinstance(stream, Stream)
    texts = [e.candidates[0].content.parts[0].text for e in stream]
    assert texts == ["Hel", "lo"]
    assert gemini.requests[0].args == {"alt": "sse"}


def test_async_streams_too(gemini):
    async def main():
        async with AsyncClient("gemini", api_key=KEY, base_url=gemini.url) as client:
            stream = await client.call("generativelanguage.models.streamGenerateContent", model=MODEL, body=BODY)
            return [e.candidates[0].content.parts[0].text async for e in stream]

    assert anyio.run(main) == ["Hel", "lo"]
    assert gemini.requests[0].args == {"alt": "sse"}


def test_without_the_profile_the_stream_request_is_refused(gemini):
    client = Client("gemini", api_key=KEY, base_url=gemini.url, profile=False)
    with pytest.raises(BadRequestError, match="alt=sse"):
        client.call("generativelanguage.models.streamGenerateContent", model=MODEL, body=BODY)
    assert gemini.requests[0].args == {}


def test_alt_given_by_the_caller_wins_and_is_validated(gemini):
    client = Client("gemini", api_key=KEY, base_url=gemini.url)
    req = client.prepare("generativelanguage.models.streamGenerateContent", model=MODEL, body=BODY, alt="json")
    assert req.url.endswith(":streamGenerateContent?alt=json")
    with pytest.raises(RequestValidationError) as info:
        client.prepare("generativelanguage.models.streamGenerateContent", model=MODEL, body=BODY, alt="xml")
    assert [p.location for p in info.value.errors] == ["query.alt"]
    req = client.prepare("generativelanguage.models.generateContent", model=MODEL, body=BODY)
    assert "alt=" not in req.url  # only streaming methods get it


def test_invalid_bodies_are_refused_before_sending(gemini):
    client = Client("gemini", api_key=KEY, base_url=gemini.url)
    with pytest.raises(RequestValidationError) as info:
        client.call("generativelanguage.models.generateContent", model=MODEL,
                    body={"contents": [{"role": "user", "parts": "Hello"}], "generationConfig": {"temperature": "hot"}})
    locations = sorted(p.location for p in info.value.errors)
    assert locations == ["body.contents[0].parts", "body.generationConfig.temperature"]
    assert gemini.requests == []


def test_429_and_5xx_are_retried_for_every_method(gemini):
    client = fast(Client("gemini", api_key=KEY, base_url=gemini.url, max_retries=3))
    gemini.plan(google_error(429, "RESOURCE_EXHAUSTED", "quota"), google_error(503, "UNAVAILABLE", "busy"))
    reply_ = client.call("generativelanguage.models.generateContent", model=MODEL, body=BODY)
    assert reply_.candidates[0].content.parts[0].text == "Hello"
    assert [r.method for r in gemini.requests] == ["POST"] * 3
    gemini.plan(google_error(400, "INVALID_ARGUMENT", "no"))
    with pytest.raises(BadRequestError):
        client.call("generativelanguage.models.generateContent", model=MODEL, body=BODY)
    assert len(gemini.requests) == 4  # a 400 is not retried


def test_pages_follow_next_page_token(gemini):
    client = Client("gemini", api_key=KEY, base_url=gemini.url)
    pager = client.paginate("generativelanguage.models.list")
    names = [m.name for m in pager]
    assert names == [f"models/gemini-{i}" for i in range(5)]
    assert [r.args.get("pageToken") for r in gemini.requests] == [None, "2", "4"]
    assert pager.rule.items == "models"


# ------------------------------------------------------------------ uploads
def test_upload_from_a_path_in_chunks(gemini, tmp_path):
    data = os.urandom(100_000)
    path = tmp_path / "notes.txt"
    path.write_bytes(data)
    client = Client("gemini", api_key=KEY, base_url=gemini.url)
    answer = client.upload("generativelanguage.media.upload", path, chunk_size=40_000,
                           body={"file": {"displayName": "notes"}})
    assert answer.file.displayName == "notes" and answer.file.sizeBytes == "100000"
    (meta, got), = gemini.uploads.finished
    assert got == data
    start, *chunks = gemini.requests
    assert start.headers["X-Goog-Upload-Header-Content-Type"] == "text/plain"  # guessed from the name
    assert start.headers["X-Goog-Upload-Header-Content-Length"] == "100000"
    assert [(r.headers["X-Goog-Upload-Command"], r.headers["X-Goog-Upload-Offset"], len(r.body)) for r in chunks] \
        == [("upload", "0", 40_000), ("upload", "40000", 40_000), ("upload, finalize", "80000", 20_000)]
    assert all("x-goog-api-key" not in r.headers for r in chunks)


def test_an_upload_chunk_refused_with_503_is_sent_again(faultserver):
    service = gemini_service(faultserver)
    faultserver.always(service)
    faultserver.plan(service, google_error(503, "UNAVAILABLE", "try again"))   # the start, then chunk 1 fails
    client = fast(Client("gemini", api_key=KEY, base_url=faultserver.url))
    answer = client.upload("generativelanguage.media.upload", io.BytesIO(b"abcdef"), chunk_size=4)
    assert answer.file.sizeBytes == "6"
    assert faultserver.uploads.finished[0][1] == b"abcdef"
    offsets = [r.headers.get("X-Goog-Upload-Offset") for r in faultserver.requests]
    assert offsets == [None, "0", "0", "4"]


def test_an_upload_reads_one_chunk_at_a_time(gemini):
    class Reader(io.RawIOBase):
        """A file of 50,000 bytes that records every read."""

        def __init__(self):
            self.left, self.reads = 50_000, []

        def readable(self):
            return True

        def read(self, n=-1):
            n = self.left if n is None or n < 0 else min(n, self.left)
            self.reads.append(n)
            self.left -= n
            return b"q" * n

    reader = Reader()
    client = Client("gemini", api_key=KEY, base_url=gemini.url)
    client.upload("generativelanguage.media.upload", reader, size=50_000, chunk_size=16_384)
    assert reader.reads == [16_384, 16_384, 16_384, 848]     # never more than a chunk at once
    assert gemini.uploads.finished[0][1] == b"q" * 50_000


def test_the_session_url_goes_to_the_base_url_host(gemini):
    # as google-genai does: behind base_url= (a proxy), the session URL's host is replaced
    sid = gemini.uploads.start(3, {"file": {}})
    gemini.plan(reply(json={}, headers={
        "X-Goog-Upload-URL": f"https://upload.example.invalid/upload/v1beta/files?upload_id={sid}",
        "X-Goog-Upload-Status": "active"}))
    client = Client("gemini", api_key=KEY, base_url=gemini.url)
    assert client.upload("generativelanguage.media.upload", io.BytesIO(b"abc"))["file"]["sizeBytes"] == "3"
    assert gemini.requests[1].path == "/upload/v1beta/files" and gemini.requests[1].args["upload_id"] == sid


def test_upload_errors_are_clear(gemini, tmp_path):
    client = Client("gemini", api_key=KEY, base_url=gemini.url)
    with pytest.raises(UsageError, match="does not take a resumable upload"):
        client.upload("generativelanguage.models.generateContent", io.BytesIO(b"x"))
    with pytest.raises(UsageError, match="cannot read the file"):
        client.upload("generativelanguage.media.upload", tmp_path / "missing.bin")
    with pytest.raises(UsageError, match="text mode"):
        with open(tmp_path / "t.txt", "w+") as fh:
            fh.write("abc")
            fh.seek(0)
            client.upload("generativelanguage.media.upload", fh, mime_type="text/plain")
    with pytest.raises(RequestValidationError) as info:
        client.upload("generativelanguage.media.upload", io.BytesIO(b"x"), body={"file": {"sizeBytes": "many"}})
    assert [p.location for p in info.value.errors] == ["body.file.sizeBytes"]
    # the service's refusal of a short file (declared size not reached) is an APIError
    with pytest.raises(BadRequestError, match="declared 10"):
        client.upload("generativelanguage.media.upload", io.BytesIO(b"abc"), size=10)


def test_async_upload(gemini):
    async def main():
        async with AsyncClient("gemini", api_key=KEY, base_url=gemini.url) as client:
            return await client.upload("generativelanguage.media.upload", io.BytesIO(b"z" * 50), chunk_size=20)

    answer = anyio.run(main)
    assert answer["file"]["sizeBytes"] == "50"
    assert gemini.uploads.finished[0][1] == b"z" * 50


# ------------------------------------------------------------------- Vertex
def test_vertex_regional_endpoint_from_the_location():
    client = Client("vertex", api_key=TOKEN, server_variables={"location": "europe-west4"})
    req = client.prepare("aiplatform.projects.locations.publishers.models.generateContent", model=VMODEL, body=BODY)
    assert req.url.startswith("https://europe-west4-aiplatform.googleapis.com/v1/projects/p1/")
    assert req.headers["Authorization"] == f"Bearer {TOKEN}"


def test_vertex_express_mode_key_goes_in_its_header():
    client = Client("vertex", credentials={"google_api_key": "AQ.express-key"})
    req = client.prepare("aiplatform.publishers.models.generateContent",
                         model="publishers/google/models/gemini-2.0-flash", body=BODY)
    assert req.url.startswith("https://aiplatform.googleapis.com/v1/publishers/google/models/gemini-2.0-flash:")
    assert req.headers["x-goog-api-key"] == "AQ.express-key" and "Authorization" not in req.headers


def test_vertex_location_from_the_environment(monkeypatch):
    monkeypatch.setenv("GOOGLE_CLOUD_LOCATION", "asia-northeast1")
    client = Client("vertex", api_key=TOKEN)
    assert client.server_url(client.operation("aiplatform.publishers.models.get")) == \
        "https://asia-northeast1-aiplatform.googleapis.com"


def test_vertex_token_from_a_callable_asked_per_request(vertex):
    tokens = iter(["tok-1", "tok-2"])
    client = Client("vertex", api_key=lambda: next(tokens), base_url=vertex.url)
    for _ in range(2):
        client.call("aiplatform.projects.locations.publishers.models.countTokens", endpoint=VMODEL, body=BODY)
    assert [r.headers["Authorization"] for r in vertex.requests] == ["Bearer tok-1", "Bearer tok-2"]
    assert "tok-" not in repr(client)


def test_vertex_token_callable_failures_are_named_not_leaked(vertex):
    def broken():
        raise RuntimeError("metadata server down")

    client = Client("vertex", api_key=broken, base_url=vertex.url)
    with pytest.raises(UsageError, match="credential callable from api_key= failed: RuntimeError"):
        client.call("aiplatform.publishers.models.get", name="publishers/google/models/gemini-2.0-flash")
    async def not_awaited():
        return "tok"

    client = Client("vertex", api_key=not_awaited, base_url=vertex.url)
    with pytest.raises(UsageError, match="returned coroutine, not a string"):
        client.call("aiplatform.publishers.models.get", name="publishers/google/models/gemini-2.0-flash")
    client = Client("vertex", api_key=lambda: "tok\nevil", base_url=vertex.url)
    with pytest.raises(UsageError, match="line break") as info:
        client.call("aiplatform.publishers.models.get", name="publishers/google/models/gemini-2.0-flash")
    assert "evil" not in str(info.value)
    assert vertex.requests == []


def _service_account(tmp_path, token_uri):
    """Application Default Credentials as a service-account key file whose
    token endpoint is the local server (google-auth signs a JWT with the
    key and trades it there for an access token)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    path = tmp_path / "adc.json"
    path.write_text(json.dumps({"type": "service_account", "project_id": "p1", "private_key_id": "kid1",
                                "private_key": pem, "client_email": "sa@p1.iam.gserviceaccount.com",
                                "client_id": "1", "token_uri": token_uri}))
    return path, key.public_key()


def test_vertex_token_from_application_default_credentials(faultserver, tmp_path, monkeypatch):
    pytest.importorskip("google.auth")
    import jwt_check

    service = vertex_service(faultserver)

    def pick(rec):
        if rec.path == "/token":
            return reply(json={"access_token": "ya29.from-adc", "expires_in": 3600, "token_type": "Bearer"})
        return service(rec)

    faultserver.always(pick)
    path, public = _service_account(tmp_path, faultserver.url + "/token")
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(path))
    client = Client("vertex", base_url=faultserver.url)
    for _ in range(2):
        client.call("aiplatform.projects.locations.publishers.models.generateContent", model=VMODEL, body=BODY)
    token_calls = [r for r in faultserver.requests if r.path == "/token"]
    api_calls = [r for r in faultserver.requests if r.path != "/token"]
    assert len(token_calls) == 1  # fetched once, then kept while valid
    claims = jwt_check.verified_claims(token_calls[0].body, public)
    assert claims["scope"] == "https://www.googleapis.com/auth/cloud-platform"
    assert claims["iss"] == "sa@p1.iam.gserviceaccount.com"
    assert [r.headers["Authorization"] for r in api_calls] == ["Bearer ya29.from-adc"] * 2
    prepared = client.prepare("aiplatform.publishers.models.get", name="publishers/google/models/x")
    assert "ya29.from-adc" not in repr(prepared) and "ya29.from-adc" not in prepared.describe()


def test_vertex_adc_that_cannot_refresh_says_so(faultserver, tmp_path, monkeypatch):
    pytest.importorskip("google.auth")
    from openapi_dyn import MissingCredentialsError

    faultserver.always(reply(400, json={"error": "invalid_grant", "error_description": "Invalid JWT Signature."}))
    path, _ = _service_account(tmp_path, faultserver.url + "/token")
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(path))
    client = Client("vertex", base_url=faultserver.url)
    with pytest.raises(MissingCredentialsError, match="could not be refreshed: RefreshError") as info:
        client.call("aiplatform.publishers.models.get", name="publishers/google/models/x")
    assert "PRIVATE KEY" not in str(info.value)
    assert [r.path for r in faultserver.requests] == ["/token"]


def test_vertex_without_google_auth_says_how_to_install_it(vertex, monkeypatch):
    monkeypatch.setitem(sys.modules, "google.auth", None)   # as if the extra were not installed
    from openapi_dyn import MissingCredentialsError

    client = Client("vertex", base_url=vertex.url)
    with pytest.raises(MissingCredentialsError, match=r"google-auth is not installed: pip install 'openapi_dyn\[vertex\]'"):
        client.call("aiplatform.publishers.models.get", name="publishers/google/models/x")
    assert vertex.requests == []
    client = Client("vertex", base_url=vertex.url, api_key=TOKEN)   # a token given needs no extra
    assert client.call("aiplatform.publishers.models.get", name="publishers/google/models/x").name


def test_vertex_with_an_unusable_credentials_file_says_which(vertex, tmp_path, monkeypatch):
    pytest.importorskip("google.auth")
    from openapi_dyn import MissingCredentialsError

    bad = tmp_path / "adc.json"
    bad.write_text('{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----secret"}')
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(bad))
    client = Client("vertex", base_url=vertex.url)
    with pytest.raises(MissingCredentialsError, match="GOOGLE_APPLICATION_CREDENTIALS is not usable") as info:
        client.call("aiplatform.publishers.models.get", name="publishers/google/models/x")
    assert "secret" not in str(info.value) and vertex.requests == []


NO_ADC = """
import sys
from openapi_dyn import Client, MissingCredentialsError
client = Client("vertex", base_url=sys.argv[1])
try:
    client.call("aiplatform.publishers.models.get", name="publishers/google/models/x")
except MissingCredentialsError as exc:
    print(exc)
"""


def test_vertex_without_any_credential_is_refused_before_sending(vertex, tmp_path, session_cache_dir):
    # A process of its own: google-auth reads NO_GCE_CHECK when it is imported.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GOOGLE_", "GCE_", "CLOUDSDK_"))}
    env.update(HOME=str(tmp_path), CLOUDSDK_CONFIG=str(tmp_path / "gcloud"), NO_GCE_CHECK="true",
               OPENAPI_DYN_CACHE_DIR=str(session_cache_dir), PYTHONPATH=os.pathsep.join(sys.path))
    import subprocess

    done = subprocess.run([sys.executable, "-c", NO_ADC, vertex.url], capture_output=True, text=True,
                          timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    assert "aiplatform.publishers.models.get needs credentials" in done.stdout
    assert "google_oauth2 (api_key=" in done.stdout
    assert "Application Default Credentials (none found: set GOOGLE_APPLICATION_CREDENTIALS" in done.stdout
    assert vertex.requests == []


# ------------------------------------------------------------ other faces
def _cli(*args, env=None, timeout=180):
    import subprocess

    return subprocess.run([sys.executable, "-m", "openapi_dyn", *args], capture_output=True, text=True,
                          timeout=timeout, env=dict(os.environ, **(env or {})))


@pytest.mark.parametrize("name,title,count", [("gemini", "Gemini API", 81), ("vertex", "Agent Platform API", 1006)])
def test_docs_in_pod(name, title, count, tmp_path):
    done = _cli("--spec", name, "docs", "--format", "pod", "-o", str(tmp_path))
    assert done.returncode == 0, done.stderr
    text = (tmp_path / f"{name}.pod").read_text()
    assert text.startswith("=encoding utf8") and f"{title} - method reference" in text
    assert f"{count} operations" in done.stderr
    assert "=head2 " + ("generativelanguage.models.generateContent" if name == "gemini"
                        else "aiplatform.projects.locations.publishers.models.generateContent") in text


@pytest.mark.parametrize("name", ["gemini", "vertex"])
def test_mcp_server(name, faultserver, tmp_path, session_cache_dir):
    from mcp.client.session import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client

    faultserver.always((gemini_service if name == "gemini" else vertex_service)(faultserver))
    op = ("generativelanguage.models.countTokens" if name == "gemini"
          else "aiplatform.projects.locations.publishers.models.countTokens")
    args = {"model": MODEL} if name == "gemini" else {"endpoint": VMODEL}
    env = {"OPENAPI_DYN_CACHE_DIR": str(session_cache_dir), "PYTHONPATH": os.pathsep.join(sys.path),
           "GEMINI_API_KEY": KEY, "HOME": str(tmp_path)}
    command = ["-m", "openapi_dyn", "--spec", name, "--base-url", faultserver.url, "mcp", "--operations", op]
    if name == "vertex":
        command[command.index("mcp"):command.index("mcp")] = ["--api-key", TOKEN]
    params = StdioServerParameters(command=sys.executable, args=command, env=env)
    tool = op.replace(".", "_")

    async def main():
        with anyio.fail_after(60):
            with open(tmp_path / "err.txt", "w") as errlog:
                async with stdio_client(params, errlog=errlog) as (read, write):
                    async with ClientSession(read, write) as session:
                        await session.initialize()
                        listed = await session.list_tools()
                        ok = await session.call_tool(tool, dict(args, **BODY))
                        bad = await session.call_tool(tool, dict(args, contents="x"))
                        return listed, ok, bad

    listed, ok, bad = anyio.run(main)
    assert [t.name for t in listed.tools] == [tool]
    assert not ok.is_error and json.loads(ok.content[0].text)["totalTokens"] == 7
    assert bad.is_error and "contents" in bad.content[0].text
    (sent,) = faultserver.requests
    assert sent.headers.get("x-goog-api-key" if name == "gemini" else "Authorization") == \
        (KEY if name == "gemini" else f"Bearer {TOKEN}")
