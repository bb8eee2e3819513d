"""A keep-alive HTTP server on 127.0.0.1 for the concurrency benchmark (the
async row of ``bench/run.py``): one asyncio process answering every request
with ``server.py``'s chat completion.

``server.py`` (``http.server``, a thread per connection) is fine for one
request at a time, but with 50 requests in flight on a two-core machine it
becomes the bottleneck, and then both clients measure the server, not
themselves.  This one parses just enough HTTP/1.1 (a request line, headers,
a ``Content-Length`` body) to answer keep-alive requests quickly.  It prints
its port, then serves until its standard input closes.
"""
import asyncio
import sys

from server import COMPLETION

HEAD = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nx-request-id: req_bench\r\n"
        b"Content-Length: %d\r\n\r\n" % len(COMPLETION))


class Answer(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport
        self.buf = b""

    def data_received(self, data):
        self.buf += data
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            length = 0
            for line in self.buf[:end].split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            if len(self.buf) < end + 4 + length:
                return
            self.buf = self.buf[end + 4 + length:]
            self.transport.write(HEAD + COMPLETION)


async def main() -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Answer, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    await loop.run_in_executor(None, sys.stdin.read)   # the parent closes our stdin to stop us
    server.close()


if __name__ == "__main__":
    asyncio.run(main())
