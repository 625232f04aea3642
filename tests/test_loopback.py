"""The loopback HTTP/1.1 client of the Oxigraph pool (``gdigraph.serve.loopback``) against scripted servers.

Each server is a real asyncio TCP server on 127.0.0.1 that reads one request at a time and writes a
scripted answer (bytes as they go over the wire), so framing, keep-alive, reconnection and limits are
checked byte for byte. The pool's use of it against real Oxigraph workers is in ``test_engine.py``.
"""

from __future__ import annotations

import asyncio

import pytest

from gdigraph.serve.loopback import BodyTooLarge, ConnectError, LoopbackConnection, ProtocolError


async def _read_request(reader: asyncio.StreamReader) -> bytes | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, ConnectionError):
        return None
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    return head + await reader.readexactly(length)


class Scripted:
    """A server answering the n-th request with ``answers[n]`` (bytes, or a callable(writer))."""

    def __init__(self, answers, *, close_after=()):
        self.answers = list(answers)
        self.close_after = set(close_after)  # request numbers after which the server closes
        self.requests: list[bytes] = []
        self.connections = 0

    async def __aenter__(self):
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc):
        self.server.close()
        await self.server.wait_closed()

    async def _handle(self, reader, writer):
        self.connections += 1
        try:
            while True:
                req = await _read_request(reader)
                if req is None:
                    break
                n = len(self.requests)
                self.requests.append(req)
                answer = self.answers[min(n, len(self.answers) - 1)]
                if callable(answer):
                    await answer(writer)
                else:
                    writer.write(answer)
                    await writer.drain()
                if n in self.close_after:
                    break
        finally:
            writer.close()


def run(coro):
    return asyncio.run(coro)


def _chunked(*parts: bytes) -> bytes:
    body = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts)
    return (b"HTTP/1.1 200 OK\r\ncontent-type: application/sparql-results+json\r\n"
            b"transfer-encoding: chunked\r\n\r\n" + body + b"0\r\n\r\n")


def test_chunked_content_length_and_keep_alive():
    async def main():
        fixed = b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nerror"
        async with Scripted([_chunked(b'{"a":', b"1}"), fixed, _chunked(b"x" * 70000)]) as srv:
            conn = LoopbackConnection("127.0.0.1", srv.port)
            status, headers, body = await conn.post("/query", b"query=ASK%7B%7D", {"Accept": "a/b"}, max_bytes=10**6)
            assert (status, body) == (200, b'{"a":1}')
            assert headers["content-type"] == "application/sparql-results+json"
            status, headers, body = await conn.post("/query", b"q", {}, max_bytes=10**6)
            assert (status, body, headers["content-type"]) == (400, b"error", "text/plain")
            status, _, body = await conn.post("/query", b"q", {}, max_bytes=10**6)
            assert status == 200 and body == b"x" * 70000
            await conn.aclose()
            assert srv.connections == 1  # one persistent connection for all three
            first = srv.requests[0]
            assert first.startswith(b"POST /query HTTP/1.1\r\n")
            assert b"\r\nContent-Length: 15\r\n" in first and b"\r\nAccept: a/b\r\n" in first
            assert first.endswith(b"\r\n\r\nquery=ASK%7B%7D")

    run(main())


def test_a_closed_keep_alive_connection_is_reopened_once():
    async def main():
        ok = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
        async with Scripted([ok], close_after={0, 1}) as srv:
            conn = LoopbackConnection("127.0.0.1", srv.port)
            assert (await conn.post("/q", b"", {}, max_bytes=100))[2] == b"ok"
            await asyncio.sleep(0.05)  # the server has closed the kept-alive connection meanwhile
            assert (await conn.post("/q", b"", {}, max_bytes=100))[2] == b"ok"
            await conn.aclose()
            assert srv.connections == 2 and len(srv.requests) == 2

    run(main())


def test_connection_close_and_read_to_end():
    async def main():
        answer = b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nall of it"
        async with Scripted([answer], close_after={0, 1}) as srv:
            conn = LoopbackConnection("127.0.0.1", srv.port)
            assert (await conn.post("/q", b"", {}, max_bytes=100))[2] == b"all of it"
            assert not conn.connected
            assert (await conn.post("/q", b"", {}, max_bytes=100))[2] == b"all of it"

    run(main())


def test_interim_100_continue_is_skipped():
    async def main():
        answer = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nyes"
        async with Scripted([answer]) as srv:
            conn = LoopbackConnection("127.0.0.1", srv.port)
            assert await conn.post("/q", b"", {}, max_bytes=100) == (200, {"content-length": "3"}, b"yes")
            await conn.aclose()

    run(main())


@pytest.mark.parametrize("answer", [
    b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort",                  # cut body
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\n",  # no last chunk
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",          # bad chunk size
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY",       # no CRLF after a chunk
    b"SSH-2.0-OpenSSH_9.2\r\n",                                              # not HTTP
    b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",                             # malformed header
    b"HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n",                       # bad length
    b"HTTP/1.1 200 OK\r\nContent-Le",                                        # cut headers
])
def test_broken_answers_are_protocol_errors_and_drop_the_connection(answer):
    async def main():
        async with Scripted([answer], close_after={0}) as srv:
            conn = LoopbackConnection("127.0.0.1", srv.port)
            with pytest.raises(ProtocolError):
                await conn.post("/q", b"", {}, max_bytes=10**6)
            assert not conn.connected

    run(main())


def test_no_answer_at_all_on_a_new_connection_is_an_error_not_a_retry_loop():
    async def main():
        async def hang_up(writer):
            writer.close()

        async with Scripted([hang_up]) as srv:
            conn = LoopbackConnection("127.0.0.1", srv.port)
            with pytest.raises(ProtocolError, match="without answering"):
                await conn.post("/q", b"", {}, max_bytes=100)
            assert len(srv.requests) == 1  # a fresh connection is not retried

    run(main())


@pytest.mark.parametrize("answer", [
    b"HTTP/1.1 200 OK\r\nContent-Length: 2000\r\n\r\n" + b"x" * 2000,
    _chunked(b"x" * 600, b"y" * 600),
    b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + b"z" * 2000,
])
def test_body_limit(answer):
    async def main():
        async with Scripted([answer], close_after={0}) as srv:
            conn = LoopbackConnection("127.0.0.1", srv.port)
            with pytest.raises(BodyTooLarge):
                await conn.post("/q", b"", {}, max_bytes=1000)
            assert not conn.connected
            assert (await asyncio.wait_for(_noop(), 1)) is None

    run(main())


async def _noop():
    return None


def test_refused_connection():
    async def main():
        server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        server.close()
        await server.wait_closed()
        with pytest.raises(ConnectError):
            await LoopbackConnection("127.0.0.1", port).post("/q", b"", {}, max_bytes=10)

    run(main())


def test_a_timeout_leaves_the_connection_closed():
    async def main():
        async def slow(writer):
            await asyncio.sleep(5)

        async with Scripted([slow]) as srv:
            conn = LoopbackConnection("127.0.0.1", srv.port)
            with pytest.raises(TimeoutError):
                async with asyncio.timeout(0.2):
                    await conn.post("/q", b"", {}, max_bytes=10)
            # the half-done exchange cannot be continued on this connection
            assert not conn.connected

    run(main())
