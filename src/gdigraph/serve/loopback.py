"""A small HTTP/1.1 client for the hop to the embedded Oxigraph workers on 127.0.0.1.

Why not httpx here: the pool's workers are our own child processes on loopback, one query at a time
each, so the hop needs one persistent connection, a ``POST`` and a complete body -- no TLS, proxies,
redirects, cookies or connection pools. httpx does all of that on every request and costs about
1.1 ms per round trip on this hop (measured: ``benchmarks/README.md``); this client, on asyncio's
streams, a fraction of it. ``RemoteEndpoint`` (any SPARQL server, any network) keeps httpx.

``LoopbackConnection(host, port)``: ``await conn.post(path, body, headers, max_bytes)`` answers
``(status, headers, body)`` with the body complete (``Content-Length`` or ``chunked``, or read to the
close for a response that has neither), and raises

* ``BodyTooLarge`` as soon as the body passes ``max_bytes`` (the caller stops the worker);
* ``ConnectError`` when the worker does not accept the connection;
* ``ProtocolError`` for a broken or cut answer (also when the worker dies mid-answer).

A keep-alive connection the worker closed in the meantime is noticed before the request is sent
(reader at EOF) or when the answer does not start (no byte of a status line), and the request is
sent once more on a new connection -- safe, as queries do not change anything. The caller bounds the
whole exchange with ``asyncio.timeout`` and closes the connection after a timeout or a cancellation
(``close()``), since a half-read answer leaves it unusable.
"""

from __future__ import annotations

import asyncio

__all__ = ["LoopbackConnection", "LoopbackError", "ConnectError", "ProtocolError", "BodyTooLarge"]

_MAX_HEADER_BYTES = 64 * 1024
_READ = 256 * 1024


class LoopbackError(Exception):
    """Any failure of the hop (the subclasses say which)."""


class ConnectError(LoopbackError):
    """The worker did not accept the connection."""


class ProtocolError(LoopbackError):
    """The answer was broken, cut or not HTTP/1.x."""


class BodyTooLarge(LoopbackError):
    """The answer's body grew beyond the limit."""

    def __init__(self, limit: int):
        super().__init__(f"the answer is larger than {limit} bytes")
        self.limit = limit


class LoopbackConnection:
    """One persistent HTTP/1.1 connection to ``host:port`` (one request at a time)."""

    def __init__(self, host: str, port: int, *, connect_timeout: float = 5.0):
        self.host = host
        self.port = port
        self.connect_timeout = connect_timeout
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._host_header = f"{host}:{port}".encode("ascii")

    @property
    def connected(self) -> bool:
        return self._writer is not None

    async def _connect(self) -> None:
        try:
            async with asyncio.timeout(self.connect_timeout):
                self._reader, self._writer = await asyncio.open_connection(
                    self.host, self.port, limit=_MAX_HEADER_BYTES)
        except (OSError, TimeoutError) as e:
            self._reader = self._writer = None
            raise ConnectError(f"cannot connect to {self.host}:{self.port}: {e!r}") from None

    def close(self) -> None:
        """Drop the connection (the next request opens a new one)."""
        writer = self._writer
        self._reader = self._writer = None
        if writer is not None:
            try:
                writer.close()
            except (OSError, RuntimeError):  # pragma: no cover - loop closing
                pass

    async def aclose(self) -> None:
        writer = self._writer
        self.close()
        if writer is not None:
            try:
                await writer.wait_closed()
            except (OSError, RuntimeError):  # pragma: no cover
                pass

    async def post(self, path: str, body: bytes, headers: dict[str, str], *,
                   max_bytes: int) -> tuple[int, dict[str, str], bytes]:
        head = [b"POST ", path.encode("ascii"), b" HTTP/1.1\r\nHost: ", self._host_header,
                b"\r\nContent-Length: ", str(len(body)).encode("ascii"), b"\r\n"]
        for name, value in headers.items():
            head += [name.encode("latin-1"), b": ", value.encode("latin-1"), b"\r\n"]
        request = b"".join(head) + b"\r\n" + body
        for attempt in (0, 1):
            reused = self._writer is not None
            if reused and self._reader.at_eof():
                self.close()
                reused = False
            if self._writer is None:
                await self._connect()
            try:
                try:
                    self._writer.write(request)
                    await self._writer.drain()
                    status_line = await self._reader.readline()
                except (ConnectionError, OSError) as e:
                    if reused and attempt == 0:
                        status_line = b""
                    else:
                        raise ProtocolError(f"the worker closed the connection: {e!r}") from None
                if not status_line:
                    if reused and attempt == 0:  # a keep-alive connection closed meanwhile: once more, anew
                        self.close()
                        continue
                    raise ProtocolError("the worker closed the connection without answering")
                return await self._read_response(status_line, max_bytes)
            except BaseException:  # also a timeout or a cancellation: a half-done exchange is unusable
                self.close()
                raise
        raise ProtocolError("the worker closed the connection without answering")  # pragma: no cover

    async def _read_response(self, status_line: bytes, max_bytes: int) -> tuple[int, dict[str, str], bytes]:
        reader = self._reader
        parts = status_line.split(None, 2)
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/1.") or not parts[1].isdigit():
            raise ProtocolError(f"not an HTTP/1.x status line: {status_line[:100]!r}")
        status = int(parts[1])
        headers: dict[str, str] = {}
        size = 0
        while True:
            try:
                line = await reader.readuntil(b"\n")
            except asyncio.IncompleteReadError:
                raise ProtocolError("the answer's headers were cut off") from None
            except asyncio.LimitOverrunError:
                raise ProtocolError("a header line of the answer is too long") from None
            size += len(line)
            if size > _MAX_HEADER_BYTES:
                raise ProtocolError("the answer's headers are too long")
            line = line.rstrip(b"\r\n")
            if not line:
                break
            name, sep, value = line.partition(b":")
            if not sep:
                raise ProtocolError(f"malformed header line: {line[:100]!r}")
            key = name.strip().lower().decode("latin-1")
            val = value.strip().decode("latin-1")
            headers[key] = f"{headers[key]}, {val}" if key in headers else val
        if 100 <= status < 200:  # an interim answer (100 Continue): the real one follows
            return await self._read_response(await reader.readline(), max_bytes)
        keep_alive = "close" not in headers.get("connection", "").lower()
        te = headers.get("transfer-encoding", "").lower()
        if status in (204, 304):
            body = b""
        elif "chunked" in te:
            body = await self._read_chunked(max_bytes)
        elif "content-length" in headers:
            try:
                length = int(headers["content-length"])
            except ValueError:
                raise ProtocolError(f"bad Content-Length {headers['content-length']!r}") from None
            if length > max_bytes:
                raise BodyTooLarge(max_bytes)
            try:
                body = await reader.readexactly(length)
            except asyncio.IncompleteReadError:
                raise ProtocolError("the answer's body was cut off") from None
        else:  # delimited by the end of the connection
            body = await self._read_to_close(max_bytes)
            keep_alive = False
        if not keep_alive:
            self.close()
        return status, headers, body

    async def _read_chunked(self, max_bytes: int) -> bytes:
        reader = self._reader
        chunks: list[bytes] = []
        size = 0
        try:
            while True:
                line = await reader.readuntil(b"\n")
                length_text = line.split(b";", 1)[0].strip()
                try:
                    length = int(length_text, 16)
                except ValueError:
                    raise ProtocolError(f"bad chunk size {length_text[:20]!r}") from None
                if length == 0:
                    while (await reader.readuntil(b"\n")).strip():  # trailers, then the blank line
                        pass
                    return b"".join(chunks)
                size += length
                if size > max_bytes:
                    raise BodyTooLarge(max_bytes)
                chunks.append(await reader.readexactly(length))
                if await reader.readexactly(2) != b"\r\n":
                    raise ProtocolError("a chunk is not followed by CRLF")
        except asyncio.IncompleteReadError:
            raise ProtocolError("the answer's body was cut off") from None
        except asyncio.LimitOverrunError:
            raise ProtocolError("a chunk header of the answer is too long") from None

    async def _read_to_close(self, max_bytes: int) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while True:
            chunk = await self._reader.read(_READ)
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > max_bytes:
                raise BodyTooLarge(max_bytes)
            chunks.append(chunk)
