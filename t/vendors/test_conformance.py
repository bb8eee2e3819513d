"""The official openai-python SDK's own requests, replayed through prepare().

``../shared/conformance/openai-sdk-requests.jsonl`` holds 415 requests the SDK
sent for 262 operations of the bundled OpenAI spec, each with the equivalent
call arguments.  For JSON and body-less rows judged valid, ``prepare()`` must
produce the same method, path, query (a multiset of pairs, names included:
the SDK writes arrays as ``name[]``, which the OpenAI profile's
``arrays.query: brackets`` reproduces), body and API headers.  The headers the SDK adds by itself
(``OpenAI-Beta: assistants=v2``...) are not passed: the client's OpenAI
profile must add them, and every header on the wire is compared; rows judged invalid must be refused before sending, with a
problem located where the corpus says.  Multipart and raw-body rows are
replayed in t/call/test_multipart.py.
"""
import json
from collections import Counter
from urllib.parse import parse_qsl, urlsplit

import pytest

from openapi_dyn import RequestValidationError

from conftest import SHARED

CORPUS = SHARED / "conformance" / "openai-sdk-requests.jsonl"


def _rows():
    if not CORPUS.is_file():
        return []
    rows = [json.loads(line) for line in CORPUS.read_text().splitlines() if line.strip()]
    return [r for r in rows if r["wire"]["content_type"] in (None, "application/json")]


ROWS = _rows()


def _call(client, row):
    call = row["call"]
    kwargs = dict(call["params"])
    if call["body"] is not None:
        kwargs["body"] = call["body"]
    return client.prepare(row["operation_id"], **kwargs)


@pytest.mark.skipif(not ROWS, reason=f"{CORPUS} is not present")
@pytest.mark.parametrize("row", ROWS, ids=[f"{i}-{r['operation_id']}" for i, r in enumerate(ROWS)])
def test_sdk_request(openai_client, row):
    wire = row["wire"]
    if row["spec_valid"]:
        prepared = _call(openai_client, row)
        url = urlsplit(prepared.url)
        assert prepared.method == wire["method"]
        assert url.path == wire["path"]
        sent = Counter(parse_qsl(url.query, keep_blank_values=True))
        expected = Counter((k, v) for k, v in wire["query"])
        assert sent == expected
        if wire["body"] is None:
            assert prepared.body is None
        else:
            assert json.loads(prepared.body) == wire["body"]
            assert prepared.headers["Content-Type"] == "application/json"
        sent_headers = {k.lower(): v for k, v in prepared.headers.items()}
        for name, value in wire["headers"].items():
            assert sent_headers.get(name.lower()) == value, name
        if not wire["headers"]:
            assert "openai-beta" not in sent_headers
    else:
        where = row["why"].split(":", 1)[0]
        with pytest.raises(RequestValidationError) as info:
            _call(openai_client, row)
        locations = [p.location for p in info.value.errors]
        assert any(loc == where or loc.startswith(where + ".") or loc.startswith(where + "[")
                   for loc in locations), (where, locations)


def test_corpus_covers_what_it_claims(shared_dir):
    rows = [json.loads(line) for line in CORPUS.read_text().splitlines() if line.strip()]
    assert len(rows) == 415
    assert len({r["operation_id"] for r in rows}) == 262


def _raw_rows():
    if not CORPUS.is_file():
        return []
    rows = [json.loads(line) for line in CORPUS.read_text().splitlines() if line.strip()]
    return [r for r in rows if r["wire"]["content_type"] not in (None, "application/json", "multipart/form-data")]


@pytest.mark.skipif(not _raw_rows(), reason=f"{CORPUS} is not present")
@pytest.mark.parametrize("row", _raw_rows(), ids=lambda r: r["operation_id"])
def test_sdk_raw_body_request(openai_client, row):
    """The raw (application/sdp) row: the text goes as the body, with its type."""
    wire = row["wire"]
    prepared = openai_client.prepare(row["operation_id"], **row["call"]["params"],
                                     body=row["call"]["body"]["raw"], content_type=wire["content_type"])
    assert (prepared.method, urlsplit(prepared.url).path) == (wire["method"], wire["path"])
    assert prepared.headers["Content-Type"] == wire["content_type"]
    assert prepared.body == wire["body"]["raw"].encode()
