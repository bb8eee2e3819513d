"""Driving ``openapi-dyn mcp`` as a subprocess with the official ``mcp``
client over stdio: the server's parameters (its stdout teed to a file, so a
test can check what it wrote) and a bounded session."""
import os
import shlex
import sys

import anyio
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

KEY = "sk-test-4f9c2d7e1b0a5c3e8d6f"
TIMEOUT = 60  # seconds for a whole session, start-up included


def session_params(tmp_path, session_cache_dir, base_url, *mcp_args):
    """Parameters that start the server under `sh`, its stdout teed to a file."""
    out, err = tmp_path / "server-stdout.jsonl", tmp_path / "server-stderr.txt"
    command = [sys.executable, "-m", "openapi_dyn", "--base-url", base_url, "mcp", *mcp_args]
    script = " ".join(shlex.quote(c) for c in command) + " | tee " + shlex.quote(str(out))
    env = {"OPENAI_API_KEY": KEY, "OPENAPI_DYN_CACHE_DIR": str(session_cache_dir),
           "PYTHONPATH": os.pathsep.join(sys.path)}
    return StdioServerParameters(command="sh", args=["-c", script], env=env), out, err


def run_session(params, err_path, body, with_init=False):
    """Run ``body(session)`` against the server, within TIMEOUT seconds;
    ``with_init``: ``(the server's initialize answer, what body returned)``."""
    result = {}

    async def main():
        with anyio.fail_after(TIMEOUT):
            with open(err_path, "w") as errlog:
                async with stdio_client(params, errlog=errlog) as (read, write):
                    async with ClientSession(read, write) as session:
                        result["init"] = await session.initialize()
                        result["value"] = await body(session)

    anyio.run(main)
    return (result["init"], result["value"]) if with_init else result["value"]
