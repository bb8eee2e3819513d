"""A path parameter whose value is ``.`` or ``..`` reaches the server as
``%2E`` / ``%2E%2E`` with every HTTP library the clients send with
(requests, httpx, aiohttp): never as a dot segment that the library, or the
server, would fold into the parent path (``deleteFile(file_id="..")``
deleting at ``/v1/``)."""
import anyio
import httpx
import pytest

from openapi_dyn import AsyncClient, Client

from faultserver import reply

MODEL = {"id": "x", "object": "model", "created": 1, "owned_by": "o"}


def _paths(kind, url):
    """The path the server received for retrieveModel(model=...) with '..', '.' and 'a/..'."""
    values = ["..", ".", "a/.."]
    if kind == "sync":
        with Client("openai", api_key="sk-test", base_url=url + "/v1", max_retries=0) as client:
            for v in values:
                client.retrieveModel(model=v)
        return
    options = {"http_client": httpx.AsyncClient()} if kind == "httpx" else {}

    async def run():
        async with AsyncClient("openai", api_key="sk-test", base_url=url + "/v1", max_retries=0, **options) as client:
            for v in values:
                await client.retrieveModel(model=v)
        if "http_client" in options:
            await options["http_client"].aclose()
    anyio.run(run)


@pytest.mark.parametrize("kind", ["sync", "aiohttp", "httpx"])
def test_dot_segments_reach_the_server_encoded(faultserver, kind):
    if kind == "aiohttp":
        pytest.importorskip("aiohttp")
    faultserver.always(reply(json=MODEL))
    _paths(kind, faultserver.url)
    assert [r.path for r in faultserver.requests] == ["/v1/models/%2E%2E", "/v1/models/%2E", "/v1/models/a%2F.."]

