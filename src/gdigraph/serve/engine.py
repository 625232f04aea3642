"""Query engines behind ``/sparql``: a pool of embedded Oxigraph servers, or a remote SPARQL endpoint.

Both speak the SPARQL 1.1 Protocol (``POST``, ``default-graph-uri`` / ``named-graph-uri``): the pool's
workers get the query as an ``application/sparql-query`` body over one kept-alive loopback connection
each (``loopback.py``), a remote endpoint gets form-encoded ``query=`` with httpx; so pointing gdigraph
at Fuseki, GraphDB or QLever is a setting (``GDIGRAPH_SPARQL_ENDPOINT``), not a code change. ``open_engine(settings, store_path)``
returns one of them, not yet started; start and stop it with ``async with engine:`` (in the
application's lifespan). ``await engine.query(text, accept, timeout)`` answers an ``EngineResponse``
(the complete body, never a part) or raises an ``EngineError`` whose ``status`` is the HTTP status
``/sparql`` answers with.

What was measured (Oxigraph server 0.5.13 from the ``oxigraph`` wheel, pyoxigraph 0.5.13, Linux, store
of 3,000 quads in one named graph):

* Several read-only opens of one store at once work: three ``oxigraph serve-read-only --location S``
  processes plus a ``pyoxigraph.Store.read_only(S)`` in another process all answered the same
  ``COUNT(*)`` (3000). (Even a read-write ``pyoxigraph.Store(S)`` could open it meanwhile: read-only
  opens take no lock, so nothing stops a build from writing a store that is being served -- the
  Oxigraph docs call that undefined behaviour: serve a finished store, never one being written.)
* ``--timeout-s`` does not give a usable timeout. A ``COUNT(*)`` over a three-way cartesian product
  (2.7e10 rows) under ``--timeout-s 2`` answered after 2 s with status **200** and the body
  ``{"head":{"vars":["n"]},"results":{"bindings":[The SPARQL operation has been cancelled`` -- a
  truncated document with the error appended in-band. A streamed ``SELECT *`` over the same product
  was not cut at all: 1.5 GB in 25 s until the client gave up. (The project's earlier measurement saw
  the ``COUNT`` run 75 s to completion and the stream cut with a 200; either way a 200 from the
  server says nothing about completeness.)
* A client that gives up does not stop the server: after curl disconnected, the ``COUNT`` kept one
  core at 100 % (checked 3, 6 and 9 s later). Abandoning a query is not stopping it.
* ``SERVICE <url>`` is executed by both the server and pyoxigraph: they POST to the URL (seen on a
  local listener), so federated queries let anyone make the server fetch URLs; ``/sparql`` refuses
  them unless ``GDIGRAPH_ALLOW_SERVICE`` is set.
* A worker starts and answers its first query in well under a second on a small store.

Hence the embedded engine, ``OxigraphPool``: N = ``GDIGRAPH_QUERY_WORKERS`` processes
``oxigraph serve-read-only --location STORE --bind 127.0.0.1:<free port>`` (one query at a time each).
A query takes an idle worker (waiting at most the query timeout, with at most
``GDIGRAPH_QUERY_QUEUE`` queries waiting; otherwise ``EngineBusy`` = 503 + ``Retry-After``), and the
application enforces the deadline itself: if the complete answer has not arrived in time, or the
answer grows beyond ``GDIGRAPH_MAX_RESULT_BYTES``, or the request is cancelled, the worker's process
group is killed (SIGKILL) and a fresh worker is started in the background; the client gets
``QueryTimeout`` (504) or ``ResultTooLarge`` (422). Each worker runs in its own session (process
group); on Linux it also gets ``PR_SET_PDEATHSIG=SIGKILL``, so workers die with the application even
when it is killed with SIGKILL; ``close()`` and an ``atexit`` hook kill them on a normal exit.

``RemoteEndpoint`` sends the same requests to ``GDIGRAPH_SPARQL_ENDPOINT`` with the same bounded
concurrency and deadline; a remote query that overruns is abandoned (the connection is closed) --
stopping the work there is that server's job (configure its own timeout).
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import math
import os
import shutil
import signal
import socket
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence
from urllib.parse import urlencode

import httpx

from ..settings import Settings
from .conneg import media_type_of
from .loopback import BodyTooLarge, ConnectError, LoopbackConnection, LoopbackError

log = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_ACCEPT",
    "Engine",
    "EngineResponse",
    "EngineError",
    "EngineBusy",
    "EngineUnavailable",
    "EngineStartError",
    "QueryTimeout",
    "QueryRejected",
    "ResultTooLarge",
    "BadEngineResponse",
    "OxigraphPool",
    "RemoteEndpoint",
    "open_engine",
    "oxigraph_binary",
]

# what the application asks an engine for: result formats whose end can be checked (JSON, XML) for
# SELECT/ASK, and N-Triples (one triple a line) for CONSTRUCT/DESCRIBE; /sparql re-serialises into the
# format the client negotiated.
DEFAULT_ACCEPT = (
    "application/sparql-results+json, application/sparql-results+xml;q=0.9, "
    "application/n-triples;q=0.8, text/turtle;q=0.7, application/rdf+xml;q=0.5"
)


class EngineError(Exception):
    """A query that got no (complete) answer; ``status`` is the HTTP status for the client."""

    status = 502

    def __init__(self, message: str, *, retry_after: int | None = None):
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


class EngineBusy(EngineError):
    """All workers busy and the wait queue full (or the wait took too long)."""

    status = 503


class EngineUnavailable(EngineError):
    """The engine is not running (not started, closed, or a worker failed)."""

    status = 503


class EngineStartError(RuntimeError):
    """An embedded worker could not be started (bad store path, binary missing, ...)."""


class QueryTimeout(EngineError):
    """The query ran out of time and was stopped."""

    status = 504


class QueryRejected(EngineError):
    """The engine refused the query (its parser's message); 400."""

    status = 400


class ResultTooLarge(EngineError):
    """The answer grew beyond the byte limit; the query was stopped."""

    status = 422


class BadEngineResponse(EngineError):
    """The engine answered something unusable (error status, broken connection)."""

    status = 502


@dataclass
class EngineResponse:
    media_type: str
    body: bytes
    elapsed: float
    worker: str = ""


class Engine:
    """Common interface: ``async with engine:`` then ``await engine.query(...)``."""

    kind = "abstract"

    def __init__(self, *, max_timeout: float, queue_size: int, max_result_bytes: int):
        self.max_timeout = float(max_timeout)
        self.queue_size = int(queue_size)
        self.max_result_bytes = int(max_result_bytes)
        self._gate: _Gate | None = None

    async def start(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    async def close(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    async def __aenter__(self) -> "Engine":
        await self.start()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    @property
    def running(self) -> bool:
        return self._gate is not None

    def describe(self) -> str:
        return self.kind

    async def query(
        self,
        text: str,
        accept: str = DEFAULT_ACCEPT,
        timeout: float | None = None,
        *,
        default_graph_uris: Sequence[str] = (),
        named_graph_uris: Sequence[str] = (),
    ) -> EngineResponse:
        """Run one query; the complete answer, or an ``EngineError``."""
        if self._gate is None:
            raise EngineUnavailable("The query engine is not running.", retry_after=5)
        timeout = self.max_timeout if timeout is None else min(float(timeout), self.max_timeout)
        form = [("query", text)]
        form += [("default-graph-uri", u) for u in default_graph_uris]
        form += [("named-graph-uri", u) for u in named_graph_uris]
        token = await self._acquire(timeout, retry_after=max(1, math.ceil(self.max_timeout)))
        t0 = time.monotonic()
        clean = False
        try:
            status, headers, body = await self._exchange(token, form, accept, timeout)
            clean = True
        except TimeoutError:
            log.warning("query stopped after %.1f s (%s)", time.monotonic() - t0, self._worker_name(token))
            raise QueryTimeout(
                f"The query did not finish within {timeout:g} s and was stopped. "
                "Make it more selective (fewer unbound variables, a LIMIT, no cartesian products)."
            ) from None
        except (httpx.ConnectError, ConnectError) as e:
            raise EngineUnavailable(f"The query engine could not be reached ({e!r}); try again.", retry_after=1) from None
        except (httpx.TransportError, LoopbackError) as e:
            raise BadEngineResponse(f"The query engine failed while answering: {e!r}.") from None
        finally:
            self._release(token, clean)
        elapsed = time.monotonic() - t0
        media_type = media_type_of(headers.get("content-type"))
        if status == 200:
            return EngineResponse(media_type, body, elapsed, self._worker_name(token))
        message = body.decode("utf-8", "replace").strip()[:2000] or f"status {status}"
        if status == 400:
            raise QueryRejected(message)
        if status == 503:
            raise EngineBusy(f"The query engine is busy: {message}", retry_after=_int(headers.get("retry-after"), 5))
        if status in (408, 504):
            raise QueryTimeout(f"The query engine stopped the query: {message}")
        raise BadEngineResponse(f"The query engine answered {status}: {message}")

    # subclasses
    async def _acquire(self, wait: float, retry_after: int):
        return await self._gate.get(wait, retry_after)

    async def _exchange(self, token, form, accept, timeout) -> tuple[int, "httpx.Headers | dict[str, str]", bytes]:
        raise NotImplementedError

    def _release(self, token, clean: bool) -> None:
        raise NotImplementedError

    def _worker_name(self, token) -> str:
        return ""

    async def _post(
        self, client: httpx.AsyncClient, url: str, form, accept: str, timeout: float
    ) -> tuple[int, httpx.Headers, bytes]:
        """POST the query; read the whole body within ``timeout`` and ``max_result_bytes``."""
        async with asyncio.timeout(timeout):
            body = urlencode(form).encode("ascii")
            headers = {"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"}
            async with client.stream("POST", url, content=body, headers=headers) as r:
                chunks: list[bytes] = []
                size = 0
                async for chunk in r.aiter_bytes():
                    size += len(chunk)
                    if size > self.max_result_bytes:
                        raise self._too_large()
                    chunks.append(chunk)
                return r.status_code, r.headers, b"".join(chunks)

    def _too_large(self) -> ResultTooLarge:
        return ResultTooLarge(
            f"The result is larger than {self.max_result_bytes} bytes; the query was stopped. "
            "Add a LIMIT (and page with OFFSET) or select fewer variables."
        )


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


class _Gate:
    """Idle tokens (workers) plus a bounded number of waiters."""

    def __init__(self, queue_size: int):
        self.queue_size = queue_size
        self.idle: asyncio.Queue = asyncio.Queue()
        self.waiting = 0

    def put(self, token) -> None:
        self.idle.put_nowait(token)

    async def get(self, wait: float, retry_after: int):
        try:
            return self.idle.get_nowait()
        except asyncio.QueueEmpty:
            pass
        if self.waiting >= self.queue_size:
            raise EngineBusy(
                "All query workers are busy and the wait queue is full; try again later.", retry_after=retry_after
            )
        self.waiting += 1
        try:
            async with asyncio.timeout(wait):
                return await self.idle.get()
        except TimeoutError:
            raise EngineBusy(
                f"No query worker became free within {wait:g} s; try again later.", retry_after=retry_after
            ) from None
        finally:
            self.waiting -= 1


# -- embedded Oxigraph server pool -------------------------------------------------------------------

_FORM_HEADERS_JSON = {"Accept": "application/sparql-results+json", "Content-Type": "application/x-www-form-urlencoded"}

_LIVE_GROUPS: set[int] = set()
_HAS_PROC = os.path.exists("/proc/self/stat")


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    _LIVE_GROUPS.discard(pgid)


@atexit.register
def _kill_all_groups() -> None:
    for pgid in list(_LIVE_GROUPS):
        _kill_group(pgid)


def _die_with_parent() -> None:  # runs in the child between fork and exec
    if sys.platform.startswith("linux"):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG


def oxigraph_binary() -> str:
    """The ``oxigraph`` executable of the ``oxigraph`` package (next to this Python, else on PATH)."""
    here = Path(sys.executable).parent / "oxigraph"
    if here.exists():
        return str(here)
    found = shutil.which("oxigraph")
    if found:
        return found
    raise EngineStartError("the oxigraph server executable was not found (pip install oxigraph)")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(eq=False)
class _Worker:
    index: int
    proc: asyncio.subprocess.Process | None = None
    port: int = 0
    conn: LoopbackConnection | None = None
    starts: int = 0
    log: object | None = field(default=None, repr=False)

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    @property
    def alive(self) -> bool:
        """Running; a process that died but is not reaped yet (a zombie) counts as dead."""
        if self.proc is None or self.proc.returncode is not None:
            return False
        if not _HAS_PROC:  # not Linux: trust the return code
            return True
        try:
            with open(f"/proc/{self.proc.pid}/stat", "rb") as f:
                return f.read().rsplit(b")", 1)[1].split()[0] not in (b"Z", b"X")
        except OSError:
            return False


class OxigraphPool(Engine):
    """N ``oxigraph serve-read-only`` processes on one store; deadline enforced by killing (see module doc)."""

    kind = "oxigraph"

    def __init__(
        self,
        store_path: str | os.PathLike,
        *,
        workers: int = 2,
        queue_size: int = 8,
        max_timeout: float = 10.0,
        max_result_bytes: int = 64 * 1024 * 1024,
        union_default_graph: bool = True,
        start_timeout: float = 30.0,
        binary: str | None = None,
    ):
        super().__init__(max_timeout=max_timeout, queue_size=queue_size, max_result_bytes=max_result_bytes)
        if workers < 1:
            raise ValueError("an Oxigraph pool needs at least one worker")
        self.store_path = Path(store_path)
        self.n_workers = workers
        self.union_default_graph = union_default_graph
        self.start_timeout = start_timeout
        self.binary = binary
        self.restarts = 0
        self._workers: list[_Worker] = []
        self._tasks: set[asyncio.Task] = set()
        self._closing = False

    def describe(self) -> str:
        return f"embedded Oxigraph ({self.n_workers} workers) on {self.store_path}"

    @property
    def pids(self) -> list[int]:
        """Process ids of the workers that are running now."""
        return [w.pid for w in self._workers if w.proc is not None and w.proc.returncode is None]

    def stats(self) -> dict[str, int]:
        gate = self._gate
        return {
            "workers": self.n_workers,
            "idle": gate.idle.qsize() if gate else 0,
            "waiting": gate.waiting if gate else 0,
            "restarts": self.restarts,
        }

    async def start(self) -> None:
        if self._gate is not None:
            return
        if not self.store_path.is_dir():
            raise EngineStartError(f"no Oxigraph store at {self.store_path} (build it first)")
        self.binary = self.binary or oxigraph_binary()
        self._closing = False
        self._workers = [_Worker(i) for i in range(self.n_workers)]
        results = await asyncio.gather(*(self._spawn(w) for w in self._workers), return_exceptions=True)
        errors = [r for r in results if isinstance(r, BaseException)]
        if errors:
            for w in self._workers:
                await self._stop_worker(w)
            raise errors[0]
        gate = _Gate(self.queue_size)
        for w in self._workers:
            gate.put(w)
        self._gate = gate
        log.info("started %d Oxigraph workers on %s (pids %s)", self.n_workers, self.store_path, self.pids)

    async def close(self) -> None:
        self._closing = True
        self._gate = None
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        for w in self._workers:
            await self._stop_worker(w)

    async def _spawn(self, w: _Worker) -> None:
        """Start a worker process and wait until it answers a query."""
        last_error = ""
        for _attempt in range(3):
            w.port = _free_port()
            args = [self.binary, "serve-read-only", "--location", str(self.store_path),
                    "--bind", f"127.0.0.1:{w.port}"]
            if self.union_default_graph:
                args.append("--union-default-graph")
            if self.max_timeout + 5 > 60:  # the server's own HTTP timeout (default 60 s) must not cut first
                args += ["--timeout-s", str(math.ceil(self.max_timeout) + 30)]
            w.log = tempfile.TemporaryFile()
            w.proc = await asyncio.create_subprocess_exec(
                *args,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=w.log,
                stderr=w.log,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
            _LIVE_GROUPS.add(w.proc.pid)
            w.starts += 1
            w.conn = LoopbackConnection("127.0.0.1", w.port)
            ok, last_error = await self._wait_ready(w)
            if ok:
                return
            await self._stop_worker(w)
            if "in use" not in last_error.lower():
                break
        raise EngineStartError(f"Oxigraph worker {w.index} did not start on {self.store_path}: {last_error}")

    async def _wait_ready(self, w: _Worker) -> tuple[bool, str]:
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if w.proc.returncode is not None:
                return False, f"exited with {w.proc.returncode}: {self._log_tail(w)}"
            try:
                status, _headers, body = await w.conn.post(
                    "/query", b"query=ASK%20%7B%7D", _FORM_HEADERS_JSON, max_bytes=1 << 20)
                if status == 200:
                    return True, ""
                return False, f"answered {status}: {body[:500].decode('utf-8', 'replace')}"
            except LoopbackError:
                w.conn.close()
                await asyncio.sleep(0.02)
        return False, f"not ready after {self.start_timeout:g} s: {self._log_tail(w)}"

    @staticmethod
    def _log_tail(w: _Worker) -> str:
        try:
            w.log.seek(0)
            return w.log.read()[-2000:].decode("utf-8", "replace").strip()
        except Exception:  # pragma: no cover - diagnostics only
            return ""

    async def _stop_worker(self, w: _Worker) -> None:
        proc, conn, log = w.proc, w.conn, w.log
        w.conn = None
        w.log = None
        if proc is not None:
            _kill_group(proc.pid)
            try:
                await asyncio.wait_for(proc.wait(), 5)
            except (asyncio.TimeoutError, ProcessLookupError):  # pragma: no cover
                pass
        if conn is not None:
            await conn.aclose()
        if log is not None:
            log.close()

    async def _acquire(self, wait: float, retry_after: int) -> _Worker:
        """An idle worker that is still alive (one that died on its own is restarted, not used)."""
        deadline = time.monotonic() + wait
        while True:
            w = await self._gate.get(max(0.0, deadline - time.monotonic()), retry_after)
            if w.alive:
                return w
            log.warning("Oxigraph worker %d had exited (%s); restarting it", w.index, w.proc and w.proc.returncode)
            self._release(w, clean=False)

    async def _exchange(self, w: _Worker, form, accept, timeout):
        # the query as the body (application/sparql-query), the dataset in the URL (SPARQL 1.1 Protocol
        # 2.1.3): no percent-encoding of the query text, which costs more than the rest of the hop
        text = form[0][1]
        dataset = form[1:]
        path = "/query?" + urlencode(dataset) if dataset else "/query"
        headers = {"Accept": accept, "Content-Type": "application/sparql-query; charset=utf-8"}
        try:
            async with asyncio.timeout(timeout):
                return await w.conn.post(path, text.encode("utf-8"), headers, max_bytes=self.max_result_bytes)
        except BodyTooLarge:
            raise self._too_large() from None

    def _worker_name(self, w: _Worker) -> str:
        return f"oxigraph pid {w.pid}"

    def _release(self, w: _Worker, clean: bool) -> None:
        if clean and self._gate is not None and w.proc is not None and w.proc.returncode is None:
            self._gate.put(w)
            return
        # the worker may still be computing (timeout, too large, cancelled, broken): kill it now
        if w.proc is not None:
            log.info("killing Oxigraph worker %d (pid %d)", w.index, w.proc.pid)
            _kill_group(w.proc.pid)
        if self._closing:
            return
        task = asyncio.get_running_loop().create_task(self._restart(w))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _restart(self, w: _Worker) -> None:
        delay = 0.5
        await self._stop_worker(w)
        while not self._closing:
            try:
                await self._spawn(w)
            except EngineStartError:
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30)
                continue
            self.restarts += 1
            if self._gate is not None:
                self._gate.put(w)
            return


# -- remote endpoint ---------------------------------------------------------------------------------


class RemoteEndpoint(Engine):
    """Any SPARQL 1.1 Protocol query endpoint (Fuseki, GraphDB, QLever, an Oxigraph server, ...)."""

    kind = "remote"

    def __init__(
        self,
        url: str,
        *,
        concurrency: int = 2,
        queue_size: int = 8,
        max_timeout: float = 10.0,
        max_result_bytes: int = 64 * 1024 * 1024,
    ):
        super().__init__(max_timeout=max_timeout, queue_size=queue_size, max_result_bytes=max_result_bytes)
        self.url = url
        self.concurrency = max(1, concurrency)
        self._client: httpx.AsyncClient | None = None

    def describe(self) -> str:
        return f"remote SPARQL endpoint {self.url}"

    async def start(self) -> None:
        if self._gate is not None:
            return
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(None, connect=10.0),
            limits=httpx.Limits(max_connections=self.concurrency + 2),
            follow_redirects=True,
            headers={"User-Agent": "gdigraph"},
        )
        gate = _Gate(self.queue_size)
        for i in range(self.concurrency):
            gate.put(i)
        self._gate = gate

    async def close(self) -> None:
        self._gate = None
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def _exchange(self, token, form, accept, timeout):
        return await self._post(self._client, self.url, form, accept, timeout)

    def _worker_name(self, token) -> str:
        return self.url

    def _release(self, token, clean: bool) -> None:
        # an overrun remote query is abandoned: closing the stream closed the connection
        if self._gate is not None:
            self._gate.put(token)


def open_engine(settings: Settings, store_path: str | os.PathLike | None = None) -> Engine:
    """The engine the settings ask for (not started: use ``async with``).

    ``GDIGRAPH_SPARQL_ENDPOINT`` set: a ``RemoteEndpoint``; otherwise an ``OxigraphPool`` on
    ``store_path`` (the Oxigraph store directory the build wrote).
    """
    common = dict(
        queue_size=settings.query_queue,
        max_timeout=settings.query_timeout,
        max_result_bytes=settings.max_result_bytes,
    )
    if settings.sparql_endpoint:
        return RemoteEndpoint(settings.sparql_endpoint, concurrency=settings.query_workers, **common)
    if store_path is None:
        raise ValueError("the embedded engine needs the path of the Oxigraph store (or set GDIGRAPH_SPARQL_ENDPOINT)")
    return OxigraphPool(
        store_path,
        workers=settings.query_workers,
        union_default_graph=settings.union_default_graph,
        start_timeout=settings.engine_start_timeout,
        **common,
    )
