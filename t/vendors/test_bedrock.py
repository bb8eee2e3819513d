"""Claude on Amazon Bedrock (``Client("anthropic-bedrock")``), the way the
SDK conformance tests work: what the anthropic SDK's ``AnthropicBedrock``
client sends for messages.create, plain and streamed, is recorded against a
local Bedrock stand-in (t/bedrock_server.py, which checks every SigV4
signature with botocore and answers streams as real AWS event streams), and
this client's requests for the same calls must match: method, path, query,
body and the headers that matter, signature valid.
"""
import json
import os
import subprocess
import sys

import pytest

pytest.importorskip("botocore")

from openapi_dyn import (APIError, AsyncClient, Client, MissingCredentialsError, RequestValidationError,
                         StreamError, UsageError)

import bedrock_server as bs
from faultserver import reply, status

MODEL = "anthropic.claude-3-5-sonnet-20241022-v2:0"
MESSAGES = [{"role": "user", "content": "Hi"}]


@pytest.fixture(autouse=True)
def aws_env(monkeypatch, tmp_path):
    """Fake credentials in the environment, and no shared file or instance
    role botocore could find instead."""
    for var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
                "AWS_BEARER_TOKEN_BEDROCK", "ANTHROPIC_BEDROCK_BASE_URL", "AWS_DEFAULT_REGION",
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", bs.ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", bs.SECRET_KEY)
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))


@pytest.fixture
def bedrock(faultserver):
    faultserver.always(bs.bedrock_service())
    return faultserver


def _client(server, **options):
    return Client("anthropic-bedrock", base_url=server.url, max_retries=0, **options)


def _sdk_requests(server):
    anthropic = pytest.importorskip("anthropic")
    pytest.importorskip("boto3")
    sdk = anthropic.AnthropicBedrock(aws_region="us-east-1", base_url=server.url, max_retries=0)
    made = sdk.messages.create(model=MODEL, max_tokens=64, messages=MESSAGES)
    assert made.content[0].text == "Hello"
    events = [e.type for e in sdk.messages.create(model=MODEL, max_tokens=64, messages=MESSAGES, stream=True)]
    assert events == [e["type"] for e in bs.STREAM_EVENTS]
    return list(server.requests)


#: Headers whose value the service reads (the rest identify the SDK)
THAT_MATTER = ("content-type",)


def _same_request(ours, theirs):
    assert ours.method == theirs.method
    assert ours.path == theirs.path
    assert ours.query == theirs.query
    mine, sdk = ours.json(), theirs.json()
    # the body: the same fields; anthropic_version is the value the document
    # (the overlay's enum) requires, which this SDK release does not send
    assert set(mine) == set(sdk)
    assert {k: v for k, v in mine.items() if k != "anthropic_version"} == \
        {k: v for k, v in sdk.items() if k != "anthropic_version"}
    assert mine["anthropic_version"] == "bedrock-2023-05-31"
    for name in THAT_MATTER:
        assert ours.headers.get(name) == theirs.headers.get(name), name
    for rec in (ours, theirs):
        assert bs.signature_problem(rec) is None
        assert "model" not in rec.json() and "stream" not in rec.json()


def test_messages_create_and_stream_match_the_sdk(bedrock):
    sdk = _sdk_requests(bedrock)
    client = _client(bedrock)
    reply_ = client.messages_post(modelId=MODEL, max_tokens=64, messages=MESSAGES)
    assert reply_.content[0].text == "Hello"
    stream = client.messages_post(modelId=MODEL, max_tokens=64, messages=MESSAGES, stream=True)
    events = list(stream.events())
    assert [e.event for e in events] == [e["type"] for e in bs.STREAM_EVENTS]
    assert [e.json() for e in events] == bs.STREAM_EVENTS
    ours = bedrock.requests[len(sdk):]
    assert len(ours) == 2
    _same_request(ours[0], sdk[0])
    _same_request(ours[1], sdk[1])
    assert ours[1].path == f"/model/{MODEL}/invoke-with-response-stream"


def test_an_inference_profile_arn_goes_in_the_path_as_the_sdk_puts_it(bedrock):
    anthropic = pytest.importorskip("anthropic")
    pytest.importorskip("boto3")
    arn = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-20250514-v1:0"
    sdk = anthropic.AnthropicBedrock(aws_region="us-east-1", base_url=bedrock.url, max_retries=0)
    sdk.messages.create(model=arn, max_tokens=8, messages=MESSAGES)
    _client(bedrock).messages_post(modelId=arn, max_tokens=8, messages=MESSAGES)
    theirs, ours = bedrock.requests
    assert ours.path == theirs.path == \
        "/model/arn:aws:bedrock:us-east-1:123456789012:inference-profile%2Fus.anthropic.claude-sonnet-4-20250514-v1:0/invoke"
    assert bs.signature_problem(ours) is None


def test_the_body_form_and_the_keyword_form_send_the_same(bedrock):
    client = _client(bedrock)
    client.messages_post(modelId=MODEL, body={"max_tokens": 64, "messages": MESSAGES, "stream": False})
    client.messages_post(modelId=MODEL, max_tokens=64, messages=MESSAGES)
    first, second = bedrock.requests
    assert first.path == second.path == f"/model/{MODEL}/invoke"
    assert first.json() == second.json() == {"max_tokens": 64, "messages": MESSAGES,
                                            "anthropic_version": "bedrock-2023-05-31"}


def test_async_client_signs_and_streams_alike(bedrock):
    import anyio

    async def main():
        async with AsyncClient("anthropic-bedrock", base_url=bedrock.url, max_retries=0) as client:
            made = await client.messages_post(modelId=MODEL, max_tokens=64, messages=MESSAGES)
            stream = await client.messages_post(modelId=MODEL, max_tokens=64, messages=MESSAGES, stream=True)
            got = [e async for e in stream]
            return made, got

    made, got = anyio.run(main)
    assert made["content"][0]["text"] == "Hello"
    assert [e["type"] for e in got] == [e["type"] for e in bs.STREAM_EVENTS]
    assert all(bs.signature_problem(r) is None for r in bedrock.requests)


def test_a_wrong_signature_is_refused_as_aws_does(bedrock, monkeypatch):
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret-key-0123456789")
    client = _client(bedrock)
    with pytest.raises(APIError) as info:
        client.messages_post(modelId=MODEL, max_tokens=64, messages=MESSAGES)
    err = info.value
    assert err.status_code == 403
    assert "signature" in str(err).lower()
    assert err.request_id == "rid-403"
    assert "not-the-secret-key" not in str(err) and bs.SECRET_KEY not in str(err)
    # the body is {"message": ...} only: the type comes from x-amzn-ErrorType
    assert err.type == "InvalidSignatureException" and "[InvalidSignatureException]" in str(err)


@pytest.mark.parametrize("header, expected", [
    ("ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/", "ValidationException"),
    ("ThrottlingException", "ThrottlingException"),
])
def test_the_error_type_header_is_read_as_botocore_reads_it(faultserver, header, expected):
    faultserver.always(reply(400, json={"message": "bad"}, headers={"x-amzn-ErrorType": header}))
    with pytest.raises(APIError) as info:
        _client(faultserver).messages_post(modelId=MODEL, max_tokens=8, messages=MESSAGES)
    assert info.value.type == expected and info.value.message == "bad"


def test_a_type_in_the_body_wins_over_the_header(faultserver):
    faultserver.always(reply(400, json={"message": "bad", "error": {"type": "invalid_request_error"}},
                             headers={"x-amzn-ErrorType": "ValidationException"}))
    with pytest.raises(APIError) as info:
        _client(faultserver).messages_post(modelId=MODEL, max_tokens=8, messages=MESSAGES)
    assert info.value.type == "invalid_request_error"


def test_error_headers_are_read_only_where_a_profile_names_them(faultserver):
    from openapi_dyn import ProfileError

    faultserver.always(reply(400, json={"message": "bad"}, headers={"x-amzn-ErrorType": "ValidationException"}))
    client = Client("anthropic", base_url=faultserver.url, api_key="sk-ant-test", max_retries=0)
    with pytest.raises(APIError) as info:
        client.messages_post(model="claude", max_tokens=8, messages=MESSAGES)
    assert info.value.type is None
    with pytest.raises(ProfileError, match=r"errors\.headers"):
        Client("anthropic", profile={"errors": {"headers": {"kind": ["x-amzn-ErrorType"]}}})


def test_session_tokens_are_sent_and_signed(faultserver, monkeypatch):
    faultserver.always(bs.bedrock_service(token=bs.SESSION_TOKEN))
    client = _client(faultserver)
    with pytest.raises(APIError):                      # the service wants the token
        client.messages_post(modelId=MODEL, max_tokens=8, messages=MESSAGES)
    monkeypatch.setenv("AWS_SESSION_TOKEN", bs.SESSION_TOKEN)
    _client(faultserver).messages_post(modelId=MODEL, max_tokens=8, messages=MESSAGES)
    rec = faultserver.requests[-1]
    assert rec.headers["X-Amz-Security-Token"] == bs.SESSION_TOKEN
    assert "x-amz-security-token" in rec.headers["Authorization"]


def test_credentials_from_the_shared_file(faultserver, monkeypatch, tmp_path):
    faultserver.always(bs.bedrock_service())
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    creds = tmp_path / "credentials"
    creds.write_text(f"[work]\naws_access_key_id = {bs.ACCESS_KEY}\naws_secret_access_key = {bs.SECRET_KEY}\n")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(creds))
    monkeypatch.setenv("AWS_PROFILE", "work")
    _client(faultserver).messages_post(modelId=MODEL, max_tokens=8, messages=MESSAGES)
    assert bs.signature_problem(faultserver.requests[-1]) is None


def test_the_region_comes_from_aws_region_or_server_variables(faultserver, monkeypatch):
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    assert Client("anthropic-bedrock").server_url() == "https://bedrock-runtime.eu-west-1.amazonaws.com"
    faultserver.always(bs.bedrock_service(region="eu-west-1"))
    _client(faultserver).messages_post(modelId=MODEL, max_tokens=8, messages=MESSAGES)
    assert "/eu-west-1/bedrock/aws4_request" in faultserver.requests[-1].headers["Authorization"]
    client = _client(faultserver, server_variables={"region": "us-west-2"})
    assert client.server_url() == "https://bedrock-runtime.us-west-2.amazonaws.com"
    with pytest.raises(APIError):   # signed for us-west-2, the stand-in is eu-west-1
        client.messages_post(modelId=MODEL, max_tokens=8, messages=MESSAGES)


def test_the_region_then_comes_from_aws_default_region_then_the_config_profile(faultserver, monkeypatch,
                                                                               tmp_path):
    """The SDK's order: AWS_REGION, AWS_DEFAULT_REGION, then the region of
    the shared config file's profile, read through botocore's session."""
    config = tmp_path / "config"
    config.write_text("[default]\nregion = ap-south-1\n[profile work]\nregion = ca-central-1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-central-1")
    assert Client("anthropic-bedrock").server_url() == "https://bedrock-runtime.us-east-1.amazonaws.com"
    monkeypatch.delenv("AWS_REGION")
    assert Client("anthropic-bedrock").server_url() == "https://bedrock-runtime.eu-central-1.amazonaws.com"
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    assert Client("anthropic-bedrock").server_url() == "https://bedrock-runtime.ap-south-1.amazonaws.com"
    monkeypatch.setenv("AWS_PROFILE", "work")
    assert Client("anthropic-bedrock").server_url() == "https://bedrock-runtime.ca-central-1.amazonaws.com"
    # the signature is made for the same region the URL names
    faultserver.always(bs.bedrock_service(region="ca-central-1"))
    _client(faultserver).messages_post(modelId=MODEL, max_tokens=8, messages=MESSAGES)
    assert bs.signature_problem(faultserver.requests[-1], region="ca-central-1") is None
    # server_variables= still wins over all of them
    client = Client("anthropic-bedrock", server_variables={"region": "us-west-2"})
    assert client.server_url() == "https://bedrock-runtime.us-west-2.amazonaws.com"


def test_an_unknown_profile_or_no_config_falls_back_to_the_documents_region(monkeypatch, tmp_path):
    monkeypatch.delenv("AWS_REGION")
    monkeypatch.setenv("AWS_PROFILE", "nowhere")
    assert Client("anthropic-bedrock").server_url() == "https://bedrock-runtime.us-east-1.amazonaws.com"
    monkeypatch.delenv("AWS_PROFILE")
    assert Client("anthropic-bedrock").server_url() == "https://bedrock-runtime.us-east-1.amazonaws.com"


def test_the_base_url_from_the_sdks_variable(bedrock, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_BEDROCK_BASE_URL", bedrock.url)
    client = Client("anthropic-bedrock", max_retries=0)
    assert client.base_url == bedrock.url
    client.messages_post(modelId=MODEL, max_tokens=8, messages=MESSAGES)
    assert bedrock.requests[-1].path == f"/model/{MODEL}/invoke"


def test_retries_and_redirects_are_signed_again(faultserver):
    """Each attempt and each hop is signed over what it sends: a signature
    made once, when preparing, would not fit the redirected path."""
    service = bs.bedrock_service()
    faultserver.plan(status(503), reply(307, headers={"Location": f"/model/other-model/invoke"}))
    faultserver.always(service)
    client = Client("anthropic-bedrock", base_url=faultserver.url, max_retries=2)
    client.messages_post(modelId=MODEL, max_tokens=8, messages=MESSAGES)
    first, second, third = faultserver.requests
    assert first.path == second.path == f"/model/{MODEL}/invoke"
    assert third.path == "/model/other-model/invoke"
    assert all(bs.signature_problem(r) is None for r in (first, second, third))
    assert second.headers["Authorization"] != third.headers["Authorization"]


def test_a_redirect_to_another_origin_carries_no_signature_or_token(faultserver, monkeypatch):
    from faultserver import FaultServer

    other = FaultServer()
    try:
        other.always(reply(json=bs.MESSAGE))
        monkeypatch.setenv("AWS_SESSION_TOKEN", bs.SESSION_TOKEN)
        faultserver.plan(reply(307, headers={"Location": f"{other.url}/model/m/invoke"}))
        Client("anthropic-bedrock", base_url=faultserver.url, max_retries=0).messages_post(
            modelId=MODEL, max_tokens=8, messages=MESSAGES)
        first, moved = faultserver.requests[0], other.requests[0]
        assert bs.signature_problem(first, token=bs.SESSION_TOKEN) is None
        for name in ("Authorization", "X-Amz-Date", "X-Amz-Security-Token"):
            assert moved.headers.get(name) is None, name
    finally:
        other.stop()


def test_a_dry_run_says_the_request_will_be_signed(tmp_path):
    import subprocess

    done = subprocess.run([sys.executable, "-m", "openapi_dyn", "--spec", "anthropic-bedrock", "call",
                           "messages_post", "modelId=" + MODEL, "--body",
                           json.dumps({"max_tokens": 8, "messages": MESSAGES}), "--dry-run"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert f"POST https://bedrock-runtime.us-east-1.amazonaws.com/model/{MODEL}/invoke" in out
    assert "Authorization: **** (AWS Signature Version 4, service bedrock, us-east-1, made when sent)" in out
    assert '"anthropic_version": "bedrock-2023-05-31"' in out and bs.SECRET_KEY not in out + done.stderr


def test_without_credentials_nothing_is_sent(bedrock, monkeypatch):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    client = _client(bedrock)
    prepared = client.prepare("messages_post", modelId=MODEL, max_tokens=8, messages=MESSAGES)
    assert prepared.missing_credentials is None and "Authorization" not in prepared.headers
    with pytest.raises(MissingCredentialsError, match="AWS_ACCESS_KEY_ID"):
        client.messages_post(modelId=MODEL, max_tokens=8, messages=MESSAGES)
    assert bedrock.requests == []


def test_a_bedrock_api_key_goes_as_a_bearer_token_unsigned(faultserver, monkeypatch):
    key = "ABSKQmVkcm9ja0FQSUtleS1leGFtcGxl"
    faultserver.always(bs.bedrock_service(bearer=key))
    monkeypatch.setenv("AWS_BEARER_TOKEN_BEDROCK", key)
    client = _client(faultserver)
    prepared = client.prepare("messages_post", modelId=MODEL, max_tokens=8, messages=MESSAGES)
    assert key not in prepared.describe() and key not in repr(prepared)
    client.messages_post(modelId=MODEL, max_tokens=8, messages=MESSAGES)
    rec = faultserver.requests[-1]
    assert rec.headers["Authorization"] == f"Bearer {key}" and "X-Amz-Date" not in rec.headers
    _client(faultserver, api_key=key).messages_post(modelId=MODEL, max_tokens=8, messages=MESSAGES)
    assert faultserver.requests[-1].headers["Authorization"] == f"Bearer {key}"


def test_without_botocore_the_error_names_the_extra(bedrock, monkeypatch):
    for name in [m for m in sys.modules if m == "botocore" or m.startswith("botocore.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "botocore", None)   # import botocore now fails
    client = _client(bedrock)
    with pytest.raises(UsageError, match=r"openapi_dyn\[bedrock\]"):
        client.messages_post(modelId=MODEL, max_tokens=8, messages=MESSAGES)
    assert bedrock.requests == []


def test_without_botocore_aws_default_region_is_still_read(monkeypatch, tmp_path):
    """A Bedrock API key needs no botocore, and its URL still needs the region."""
    for name in [m for m in sys.modules if m == "botocore" or m.startswith("botocore.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "botocore", None)
    monkeypatch.delenv("AWS_REGION")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-3")
    config = tmp_path / "config"
    config.write_text("[default]\nregion = ap-south-1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    assert Client("anthropic-bedrock").server_url() == "https://bedrock-runtime.eu-west-3.amazonaws.com"
    monkeypatch.delenv("AWS_DEFAULT_REGION")   # the config file is botocore's to read: the default then
    assert Client("anthropic-bedrock").server_url() == "https://bedrock-runtime.us-east-1.amazonaws.com"


def test_calls_are_checked_against_the_bedrock_body(bedrock):
    client = _client(bedrock)
    with pytest.raises(RequestValidationError) as info:
        client.messages_post(modelId=MODEL, model="claude", max_tokens=8, messages=MESSAGES)
    assert "argument.model" in [p.location for p in info.value.errors]
    with pytest.raises(RequestValidationError) as info:
        client.messages_post(max_tokens=8, messages=MESSAGES)
    assert "path.modelId" in [p.location for p in info.value.errors]
    with pytest.raises(RequestValidationError) as info:
        client.messages_post(modelId=MODEL, max_tokens=8, messages=MESSAGES, anthropic_version="2023-06-01")
    assert "body.anthropic_version" in [p.location for p in info.value.errors]
    assert bedrock.requests == []


def test_an_exception_frame_raises_a_stream_error(faultserver):
    frames = [bs.chunk(bs.STREAM_EVENTS[0]), bs.exception("throttlingException", "Too many requests")]
    faultserver.always(bs.bedrock_service(stream_frames=frames))
    stream = _client(faultserver).messages_post(modelId=MODEL, max_tokens=8, messages=MESSAGES, stream=True)
    got = []
    with pytest.raises(StreamError) as info:
        for event in stream:
            got.append(event["type"])
    assert got == ["message_start"]
    assert info.value.type == "throttlingException" and "Too many requests" in str(info.value)


def test_a_corrupt_or_cut_frame_is_a_broken_stream(faultserver):
    good = bs.chunk(bs.STREAM_EVENTS[0])
    bad = bytearray(bs.chunk(bs.STREAM_EVENTS[1]))
    bad[-1] ^= 0xFF                                      # the message CRC no longer matches
    faultserver.plan(reply(body=good + bytes(bad), content_type="application/vnd.amazon.eventstream"),
                     reply(body=good + bs.chunk(bs.STREAM_EVENTS[1])[:-7],
                           content_type="application/vnd.amazon.eventstream"))
    for _ in range(2):
        stream = Client("anthropic-bedrock", base_url=faultserver.url, max_retries=0, validate=False).messages_post(
            modelId=MODEL, max_tokens=8, messages=MESSAGES, stream=True)
        with pytest.raises(StreamError, match="after 1 event"):
            list(stream)


def test_the_reference_names_the_overlay(bedrock):
    from openapi_dyn.reference import render

    text = render(Client("anthropic-bedrock"), "markdown")
    assert "overlay upstream/anthropic/bedrock/overlay.yml on bundled:anthropic" in text


def test_no_aws_secret_reaches_logs_repr_or_errors(faultserver, monkeypatch, caplog):
    """Debug logging on (every library's), a signed call with a session
    token, then a refused one: neither the secret key, the session token nor
    a signature appears in the logs, the client's repr or the error."""
    import http.client
    import logging

    monkeypatch.setenv("AWS_SESSION_TOKEN", bs.SESSION_TOKEN)
    monkeypatch.setattr(http.client.HTTPConnection, "debuglevel", 0)
    faultserver.plan(*[bs.bedrock_service(token=bs.SESSION_TOKEN)] * 2,
                     reply(403, json={"message": "denied"}, headers={"x-amzn-ErrorType": "AccessDeniedException"}))
    client = _client(faultserver)
    with caplog.at_level(logging.DEBUG):
        client.messages_post(modelId=MODEL, max_tokens=8, messages=MESSAGES)
        list(client.messages_post(modelId=MODEL, max_tokens=8, messages=MESSAGES, stream=True))
        with pytest.raises(APIError) as info:
            client.messages_post(modelId=MODEL, max_tokens=8, messages=MESSAGES)
    signatures = [r.headers["Authorization"].rsplit("Signature=", 1)[1] for r in faultserver.requests]
    shown = caplog.text + repr(client) + str(info.value) + repr(info.value.__cause__) + \
        client.prepare("messages_post", modelId=MODEL, max_tokens=8, messages=MESSAGES).describe()
    for secret in [bs.SECRET_KEY, bs.SESSION_TOKEN] + signatures:
        assert secret not in shown
    assert info.value.type == "AccessDeniedException"


def _sdk_bedrock(server):
    anthropic = pytest.importorskip("anthropic")
    pytest.importorskip("boto3")
    return anthropic, anthropic.AnthropicBedrock(aws_region="us-east-1", base_url=server.url, max_retries=0)


def test_pings_in_a_bedrock_stream_are_passed_over_as_the_sdk_does(faultserver):
    ping = {"type": "ping"}
    events = bs.STREAM_EVENTS[:2] + [ping] + bs.STREAM_EVENTS[2:4] + [ping] + bs.STREAM_EVENTS[4:]
    faultserver.always(bs.bedrock_service(stream_frames=[bs.chunk(e) for e in events]))
    anthropic, sdk = _sdk_bedrock(faultserver)
    theirs = [e.type for e in sdk.messages.create(model=MODEL, max_tokens=8, messages=MESSAGES, stream=True)]
    client = _client(faultserver)
    ours = [e["type"] for e in client.messages_post(modelId=MODEL, max_tokens=8, messages=MESSAGES, stream=True)]
    assert ours == theirs == [e["type"] for e in bs.STREAM_EVENTS]
    raw = [e.event for e in client.messages_post(modelId=MODEL, max_tokens=8, messages=MESSAGES,
                                                 stream=True).events()]
    assert raw.count("ping") == 2


def test_529_on_bedrock_is_an_overloaded_error_as_in_the_sdk(faultserver):
    from openapi_dyn import OverloadedError

    faultserver.always(reply(529, json={"message": "Overloaded"}, headers={"x-amzn-ErrorType": "OverloadedError"}))
    anthropic, sdk = _sdk_bedrock(faultserver)
    with pytest.raises(anthropic.OverloadedError):
        sdk.messages.create(model=MODEL, max_tokens=8, messages=MESSAGES)
    with pytest.raises(OverloadedError) as info:
        _client(faultserver).messages_post(modelId=MODEL, max_tokens=8, messages=MESSAGES)
    assert info.value.status_code == 529 and info.value.message == "Overloaded"


def test_making_a_client_imports_no_botocore_when_nothing_names_a_region(tmp_path, session_cache_dir):
    # loading by name costs what loading OpenAI costs: botocore (about 70 ms
    # to import) is read for a region only when a config file could hold one
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(HOME=str(tmp_path), OPENAPI_DYN_CACHE_DIR=str(session_cache_dir))
    code = ("import sys; from openapi_dyn import Client; c = Client('anthropic-bedrock'); "
            "print('botocore' in sys.modules, c.server_variables.get('region'))")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["False", "None"]
    (tmp_path / ".aws").mkdir()
    (tmp_path / ".aws" / "config").write_text("[default]\nregion = eu-west-3\n")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.stdout.split() == ["True", "eu-west-3"], done.stderr[-2000:]
