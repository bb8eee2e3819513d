"""The two candidate async HTTP libraries on their own, no openapi_dyn and
no SDK: 2,000 JSON POSTs, 50 at a time, to ``fast_server.py``, with httpx
(what AsyncClient and both official SDKs use) and with aiohttp, alternating,
three rounds each.  It measures the floor each library puts under any
client built on it.  Two more rows put httpx over aiohttp's connections:
``httpx/ours`` (the transport AsyncClient's own pool uses) and, when
installed, ``httpx/httpx-aiohttp`` (the maintained package doing the same).

    pip install -e '.[bench]'       # includes aiohttp for this script only
    python bench/async_libs.py
"""
import asyncio
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BODY = json.dumps({"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}).encode()
HEADERS = {"Authorization": "Bearer sk-bench", "Content-Type": "application/json"}
CALLS, CONCURRENCY, ROUNDS = 2000, 50, 3


async def timed(call) -> float:
    await call()
    sem = asyncio.Semaphore(CONCURRENCY)

    async def one():
        async with sem:
            await call()

    t0 = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(CALLS)))
    return time.perf_counter() - t0


async def compare(url: str) -> dict:
    import aiohttp
    import httpx

    from openapi_dyn._http.aiohttp_transport import AiohttpTransport

    hx = httpx.AsyncClient(limits=httpx.Limits(max_connections=100, max_keepalive_connections=100))
    ah = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100))
    clients = {"httpx": hx, "httpx/ours": httpx.AsyncClient(transport=AiohttpTransport(100))}
    try:  # the maintained package doing the same, when installed
        import httpx_aiohttp
    except ImportError:
        pass
    else:
        clients["httpx/httpx-aiohttp"] = httpx_aiohttp.HttpxAiohttpClient()

    def with_httpx(client):
        async def call():
            return (await client.post(url, content=BODY, headers=HEADERS)).json()
        return call

    async def with_aiohttp():
        async with ah.post(url, data=BODY, headers=HEADERS) as r:
            return json.loads(await r.read())

    got = {name: [] for name in list(clients) + ["aiohttp"]}
    try:
        for _ in range(ROUNDS):
            for name, client in clients.items():
                got[name].append(await timed(with_httpx(client)))
            got["aiohttp"].append(await timed(with_aiohttp))
    finally:
        for client in clients.values():
            await client.aclose()
        await ah.close()
    return {k: statistics.median(v) for k, v in got.items()}


def main() -> int:
    server = subprocess.Popen([sys.executable, str(HERE / "fast_server.py")], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, cwd=str(HERE))
    try:
        port = int(server.stdout.readline())
        got = asyncio.run(compare(f"http://127.0.0.1:{port}/v1/chat/completions"))
    finally:
        server.stdin.close()
        server.wait(timeout=10)
    for name, seconds in got.items():
        print(f"{name:20} {seconds:7.2f} s for {CALLS} calls, {CONCURRENCY} at a time "
              f"({seconds / CALLS * 1e3:.2f} ms per call)")
    print(f"aiohttp / httpx: {got['aiohttp'] / got['httpx']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
