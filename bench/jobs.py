"""One benchmark job per process, run by ``bench/run.py``:
``python bench/jobs.py <job> <base_url>`` prints one JSON line of figures.

Each job runs in a fresh process so that its peak RSS (``rss`` in the
figures it prints, see :func:`peak`) is its own.  ``growth`` figures are this process's peak RSS
after the work minus its peak before it (after imports, client creation and
one warm-up request).

Jobs: ``async-ours`` / ``async-sdk`` (``CALLS`` validated chat completions,
``CONCURRENCY`` at a time, on one client), ``stream-ours`` / ``stream-sdk`` /
``astream-ours`` / ``astream-sdk`` (one 20,000-event chat completion stream,
each event decoded), ``download`` / ``adownload`` (1 GiB with ``save_to=`` a
file object that drops the bytes), ``upload`` / ``aupload`` (1 GiB
multipart ``createFile`` from a reader that makes the bytes as they are
read).
"""
from __future__ import annotations

import asyncio
import io
import json
import resource
import sys
import time

KEY = "sk-bench-0000"
BODY = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}
CALLS = 2000
CONCURRENCY = 50
GIB = 1 << 30


def peak() -> int:
    """This process's peak RSS in bytes: ``VmHWM`` of its own address space.
    (``ru_maxrss`` would not do: a process started by a large parent keeps
    the parent's peak from before ``exec`` in it.)"""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1 if sys.platform == "darwin" else 1024)


class Drop(io.RawIOBase):
    """A binary sink that keeps nothing."""

    def writable(self) -> bool:
        return True

    def write(self, b) -> int:
        return len(b)


class Zeros(io.RawIOBase):
    """``size`` zero bytes, made as they are read (not seekable: a pipe)."""

    def __init__(self, size: int):
        self.left = size
        self.block = b"\0" * (1 << 20)

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        if self.left <= 0:
            return b""
        n = min(self.left, n if n and n > 0 else len(self.block), len(self.block))
        self.left -= n
        return self.block[:n]


async def _concurrently(call) -> float:
    await call()  # warm: connection, validators
    sem = asyncio.Semaphore(CONCURRENCY)

    async def one():
        async with sem:
            await call()

    t0 = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(CALLS)))
    return time.perf_counter() - t0


def main(job: str, base: str) -> dict:
    if job == "async-ours":
        from openapi_dyn import AsyncClient

        async def run():
            async with AsyncClient(api_key=KEY, base_url=base) as client:
                return await _concurrently(lambda: client.call("createChatCompletion", body=BODY))
        return {"seconds": asyncio.run(run())}
    if job == "async-sdk":
        import openai

        async def run():
            async with openai.AsyncOpenAI(api_key=KEY, base_url=base) as client:
                return await _concurrently(lambda: client.chat.completions.create(
                    model="gpt-4o", messages=BODY["messages"]))
        return {"seconds": asyncio.run(run())}
    stream_body = dict(BODY, stream=True)
    if job == "stream-ours":
        from openapi_dyn import Client

        client = Client(api_key=KEY, base_url=base)
        t0 = time.perf_counter()
        n = sum(1 for _ in client.call("createChatCompletion", body=stream_body))
        return {"seconds": time.perf_counter() - t0, "events": n}
    if job == "stream-sdk":
        import openai

        client = openai.OpenAI(api_key=KEY, base_url=base)
        t0 = time.perf_counter()
        n = sum(1 for _ in client.chat.completions.create(model="gpt-4o", messages=BODY["messages"], stream=True))
        return {"seconds": time.perf_counter() - t0, "events": n}
    if job == "astream-ours":
        from openapi_dyn import AsyncClient

        async def run():
            async with AsyncClient(api_key=KEY, base_url=base) as client:
                t0 = time.perf_counter()
                n = 0
                async for _ in await client.call("createChatCompletion", body=stream_body):
                    n += 1
                return {"seconds": time.perf_counter() - t0, "events": n}
        return asyncio.run(run())
    if job == "astream-sdk":
        import openai

        async def run():
            async with openai.AsyncOpenAI(api_key=KEY, base_url=base) as client:
                t0 = time.perf_counter()
                n = 0
                async for _ in await client.chat.completions.create(model="gpt-4o", messages=BODY["messages"],
                                                                     stream=True):
                    n += 1
                return {"seconds": time.perf_counter() - t0, "events": n}
        return asyncio.run(run())
    if job in ("download", "upload"):
        from openapi_dyn import Client

        client = Client(api_key=KEY, base_url=base)
        client.call("createChatCompletion", body=BODY)
        before = peak()
        t0 = time.perf_counter()
        if job == "download":
            n = client.request("downloadFile", file_id="file-big", save_to=Drop()).saved_bytes
        else:
            n = client.call("createFile", body={"file": ("big.bin", Zeros(GIB)), "purpose": "batch"})["bytes"]
        return {"seconds": time.perf_counter() - t0, "bytes": n, "growth": peak() - before}
    if job in ("adownload", "aupload"):
        from openapi_dyn import AsyncClient

        async def run():
            async with AsyncClient(api_key=KEY, base_url=base) as client:
                await client.call("createChatCompletion", body=BODY)
                before = peak()
                t0 = time.perf_counter()
                if job == "adownload":
                    n = (await client.request("downloadFile", file_id="file-big", save_to=Drop())).saved_bytes
                else:
                    n = (await client.call("createFile", body={"file": ("big.bin", Zeros(GIB)),
                                                               "purpose": "batch"}))["bytes"]
                return {"seconds": time.perf_counter() - t0, "bytes": n, "growth": peak() - before}
        return asyncio.run(run())
    raise SystemExit(f"unknown job {job!r}")


if __name__ == "__main__":
    print(json.dumps(dict(main(sys.argv[1], sys.argv[2]), rss=peak())))
