"""Binary answers: returned as bytes, or written to a path or a file object
block by block with save_to=, never leaving a half-written file behind."""
import io

import pytest

from openapi_dyn import APIConnectionError, Client, NotFoundError, UsageError

from conftest import DATA
from faultserver import reply, send_body

MEDIA = DATA / "media.yaml"
PROFILE = str(DATA / "media-profile.yaml")  # OpenAI-like conventions for it
AUDIO = bytes(range(256)) * 4096  # 1 MiB


@pytest.fixture
def client(faultserver):
    return Client(str(MEDIA), profile=PROFILE, base_url=faultserver.url + "/v1", max_retries=0)


def test_binary_answers_are_bytes(client, faultserver):
    faultserver.plan(send_body(AUDIO, "audio/mpeg"), send_body(b"\x00\x01", "application/octet-stream"))
    assert client.call("getBlob", name="speech") == AUDIO
    assert client.call("getBlob", name="tiny") == b"\x00\x01"


def test_save_to_a_path(client, faultserver, tmp_path):
    faultserver.plan(send_body(AUDIO, "audio/mpeg", pieces=16))
    target = tmp_path / "speech.mp3"
    response = client.request("getBlob", name="speech", save_to=str(target))
    assert response.data == target and response.saved_bytes == len(AUDIO)
    assert target.read_bytes() == AUDIO
    assert [p.name for p in tmp_path.iterdir()] == ["speech.mp3"]  # no temporary file left


def test_save_to_a_file_object(client, faultserver):
    faultserver.plan(send_body(AUDIO, "audio/mpeg"))

    class Sink(io.RawIOBase):
        def __init__(self):
            self.writes = []

        def writable(self):
            return True

        def write(self, b):
            self.writes.append(bytes(b))
            return len(b)

    sink = Sink()
    assert client.call("getBlob", name="speech", save_to=sink) is sink
    assert b"".join(sink.writes) == AUDIO
    assert max(len(w) for w in sink.writes) <= 64 * 1024  # written as it arrives, block by block


def test_a_broken_download_raises_and_leaves_no_file(client, faultserver, tmp_path):
    faultserver.plan(send_body(AUDIO, "audio/mpeg", cut_after=300_000))
    target = tmp_path / "speech.mp3"
    with pytest.raises(APIConnectionError):
        client.call("getBlob", name="speech", save_to=target)
    assert list(tmp_path.iterdir()) == []


def test_an_existing_file_survives_a_broken_download(client, faultserver, tmp_path):
    target = tmp_path / "speech.mp3"
    target.write_bytes(b"old")
    faultserver.plan(send_body(AUDIO, "audio/mpeg", cut_after=1000))
    with pytest.raises(APIConnectionError):
        client.call("getBlob", name="speech", save_to=target)
    assert target.read_bytes() == b"old"


def test_an_error_answer_is_not_saved(client, faultserver, tmp_path):
    faultserver.plan(reply(404, json={"error": {"message": "no such blob"}}))
    target = tmp_path / "x.bin"
    with pytest.raises(NotFoundError, match="no such blob"):
        client.call("getBlob", name="x", save_to=target)
    assert not target.exists()


def test_save_to_needs_a_path_or_a_file(client, faultserver):
    faultserver.plan(send_body(b"abc"))
    with pytest.raises(UsageError, match="save_to"):
        client.call("getBlob", name="x", save_to=42)


def test_text_and_json_answers_can_be_saved_too(client, faultserver, tmp_path):
    faultserver.plan(reply(json={"id": "i", "size": 2}))
    target = client.call("getItem", id="i", save_to=tmp_path / "item.json")
    assert target.read_text() == '{"id": "i", "size": 2}'
