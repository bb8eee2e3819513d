"""What openapi_dyn relies on inside its dependencies, checked in one place:
openapi-core's package layout (below) and the private attributes of
requests, httpx and aiohttp that :mod:`openapi_dyn._library_internals` uses
(at the end).  For openapi-core: an openapi-core release that moves any of it fails here, saying
what moved, instead of quietly making every validating process slower or
failing deep inside a validation.

:mod:`openapi_dyn._call.engine` runs openapi-core's package ``__init__`` only when
something asks the package itself for a name (its docstring has the figures
that justify it).  That relies on:

1. ``openapi_core`` being a regular package (an import spec with a loader
   and a search path), so it can be registered before its ``__init__`` runs;
2. its schema validation (``openapi_core.validation.schemas`` and
   ``.exceptions``) importing without that ``__init__`` and without the
   heavy parts (the app, unmarshallers, openapi-spec-validator, werkzeug):
   otherwise the deferral still works but saves nothing;
3. the names :mod:`openapi_dyn._call.validation` takes from there: the dialect
   factories, ``SchemaValidatorsFactory`` and ``InvalidSchemaValue`` with
   its ``schema_errors``;
4. the first name asked of the package running its ``__init__`` in the same
   module object, after which the package is complete.
"""
import json
import os
import subprocess
import sys

_PROBE = r"""if 1:
    import importlib.util, json, sys
    spec = importlib.util.find_spec("openapi_core")
    facts = {"package": bool(spec and spec.loader and spec.submodule_search_locations)}
    from openapi_dyn._call.engine import defer_package_init
    facts["deferred"] = defer_package_init()
    package = sys.modules["openapi_core"]
    from openapi_core.validation import schemas
    from openapi_core.validation.schemas.exceptions import InvalidSchemaValue
    facts["init_ran_early"] = "OpenAPI" in vars(package)
    facts["heavy_loaded"] = sorted(m for m in ("openapi_core.app", "openapi_core.unmarshalling",
                                               "openapi_spec_validator", "werkzeug") if m in sys.modules)
    names = ("SchemaValidatorsFactory", "oas30_write_schema_validators_factory",
             "oas30_read_schema_validators_factory", "oas31_schema_validators_factory")
    facts["missing_names"] = [n for n in names if not hasattr(schemas, n)]
    from jsonschema_path import SchemaPath
    doc = SchemaPath.from_dict({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {},
                                "components": {"schemas": {"N": {"type": "integer", "minimum": 1}}}})
    validator = schemas.oas31_schema_validators_factory.create(doc, doc / "components" / "schemas" / "N")
    try:
        validator.validate(0)
        facts["errors"] = None
    except InvalidSchemaValue as exc:
        facts["errors"] = [e.message for e in exc.schema_errors]
    import openapi_core
    facts["same_module"] = openapi_core is package and sys.modules["openapi_core"] is package
    from openapi_core import OpenAPI
    facts["complete_after"] = bool(OpenAPI) and bool(openapi_core.__version__)
    print(json.dumps(facts))
"""


def test_openapi_core_still_has_the_layout_the_engine_relies_on():
    env = {k: v for k, v in os.environ.items() if k != "OPENAPI_DYN_FULL_OPENAPI_CORE"}
    done = subprocess.run([sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"openapi-core's schema validation moved: {done.stderr[-2000:]}"
    facts = json.loads(done.stdout)
    assert facts["package"], "openapi_core is no longer a regular package: _engine cannot defer its __init__"
    assert facts["deferred"], "_engine did not register openapi_core with its __init__ deferred"
    assert not facts["init_ran_early"], ("importing openapi_core.validation.schemas now runs openapi-core's "
                                         "package __init__: _engine's deferral saves nothing")
    assert facts["heavy_loaded"] == [], (f"openapi-core's schema validation now imports {facts['heavy_loaded']}: "
                                         "_engine's deferral no longer keeps them out")
    assert facts["missing_names"] == [], f"openapi_core.validation.schemas lost {facts['missing_names']}"
    assert facts["errors"] and "minimum" in facts["errors"][0], (
        f"InvalidSchemaValue.schema_errors no longer lists the schema's errors: {facts['errors']}")
    assert facts["same_module"], "the deferred openapi_core module was replaced by another object"
    assert facts["complete_after"], "asking the deferred package for a name did not complete it"


# ------------------------------------------------- _library_internals
def _serve_once(body: bytes):
    import http.server
    import threading

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"      # keep-alive, so a pool keeps the connection

        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_requests_takes_back_a_body_read_with_a_limit():
    import requests

    from openapi_dyn._library_internals import keep_requests_body, requests_body_is_read

    server = _serve_once(b'{"wire": true}')
    try:
        with requests.Session() as session:
            raw = session.get(f"http://127.0.0.1:{server.server_port}/", stream=True)
            assert not requests_body_is_read(raw)
            wire = b"".join(raw.iter_content(4))
            assert wire == b'{"wire": true}'
            keep_requests_body(raw, b'{"kept": 1}')
            assert requests_body_is_read(raw)
            assert raw.content == b'{"kept": 1}' and raw.json() == {"kept": 1} and raw.text == '{"kept": 1}'
            whole = session.get(f"http://127.0.0.1:{server.server_port}/")   # stream=False reads it
            assert requests_body_is_read(whole)
    finally:
        server.shutdown()


def test_httpx_takes_back_a_body_read_with_a_limit():
    import asyncio

    import httpx

    from openapi_dyn._library_internals import httpx_body_is_read, keep_httpx_body

    server = _serve_once(b'{"wire": true}')

    async def run():
        async with httpx.AsyncClient() as client:
            async with client.stream("GET", f"http://127.0.0.1:{server.server_port}/") as raw:
                assert not httpx_body_is_read(raw)
                wire = b"".join([block async for block in raw.aiter_bytes()])
                keep_httpx_body(raw, b'{"kept": 1}')
                assert httpx_body_is_read(raw)
                assert await raw.aread() == b'{"kept": 1}'
                return wire, raw.json()

    try:
        wire, data = asyncio.run(run())
    finally:
        server.shutdown()
    assert wire == b'{"wire": true}' and data == {"kept": 1}


def test_aiohttp_pool_counts_follow_the_connections():
    import asyncio

    import aiohttp

    from openapi_dyn._library_internals import aiohttp_pool_counts

    server = _serve_once(b"0" * (8 << 20))  # large enough not to be read whole with the headers

    async def run():
        async with aiohttp.ClientSession() as session:
            before = aiohttp_pool_counts(session.connector)
            response = await session.get(f"http://127.0.0.1:{server.server_port}/")
            during = aiohttp_pool_counts(session.connector)
            await response.read()
            response.release()
            return before, during, aiohttp_pool_counts(session.connector)

    try:
        before, during, after = asyncio.run(run())
    finally:
        server.shutdown()
    assert before == (0, 0)
    assert during[0] == 1
    assert after == (0, 1)


def test_aiohttp_sends_once_when_its_hidden_retry_is_off():
    """aiohttp sends a GET a second time by itself when the connection drops
    without an answer; aiohttp_without_hidden_retry turns that off."""
    import asyncio
    import socket
    import threading

    import aiohttp

    from openapi_dyn._library_internals import aiohttp_without_hidden_retry

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(5)
    port = listener.getsockname()[1]
    accepted = []

    def drop_all():  # read each request, then hang up without a word
        for _ in range(3):
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            accepted.append(conn.recv(65536))
            conn.close()

    thread = threading.Thread(target=drop_all, daemon=True)
    thread.start()

    async def get(off: bool):
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
            if off:
                assert hasattr(session, "_retry_connection"), ("aiohttp.ClientSession._retry_connection is gone: "
                                                               "see _library_internals.aiohttp_without_hidden_retry")
                aiohttp_without_hidden_retry(session)
            try:
                await session.get(f"http://127.0.0.1:{port}/")
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                return exc
        return None

    try:
        error = asyncio.run(get(True))
        assert isinstance(error, aiohttp.ServerDisconnectedError)
        assert len(accepted) == 1
        asyncio.run(get(False))  # aiohttp's default: a second connection for the same GET
        thread.join(5)
        assert len(accepted) == 3
    finally:
        listener.close()

