"""Following ``build/current``: a running ``gdigraph serve`` switches to a newly published release.

A release run publishes by renaming a new ``build/current -> releases/<version>`` symlink over the old
one (``gdigraph.release.switch_current``) and deletes old releases two runs later. The application
(``ReleaseApp``, made by ``gdigraph.serve.app.create_app``) serves one release at a time, a ``Served``:
the engine pool on that release's store, its build info (manifest, dumps, trends, version, ETags),
its pages site and routes. When the store it was given lies directly under a symlink
(``build/current/store``, the default of ``gdigraph serve``):

* **Pinned.** The store is resolved once, from the link's target, to ``releases/<version>/store``;
  the engine's workers (and every worker respawned after a query timeout) open that path, never the
  link, so a pool always reads one release.
* **Detection.** A background task reads the link (one ``readlink``, about 1.5 µs measured here)
  every ``GDIGRAPH_RELEASE_CHECK_SECONDS`` (default 5; 0 turns following off). Requests pay nothing
  for it: they read the current ``Served`` from an attribute and count themselves in and out of it.
* **Switch.** When the target changed, the new ``Served`` is built beside the old one (in a thread:
  it reads files), its engine started and probed (the store must answer and hold triples). Only then
  is it swapped in, in one assignment on the event loop: every request that starts after it is
  answered from the new release; the ones in flight finish on the old one, whose engine is closed
  (its workers killed) once they are done, or after a grace period (``drain_seconds``:
  3 x ``GDIGRAPH_QUERY_TIMEOUT``, at least 30 s). The old release's directory can then be deleted.
* **A release that does not start** (no store, an empty or broken one) leaves the old one serving;
  the failure is logged (``gdigraph.serve.follow``, level ERROR) and kept in ``status()``, and the
  switch is tried again after 2, 4, 8, ... check intervals (at most 5 minutes) while the link still
  points there (at once when it points elsewhere).

A plain store (``--store DIR`` not under a symlink) and a remote endpoint (``--sparql-endpoint``) are
served as they are, without a watcher. Every answer from a release carries ``Gdigraph-Release:
<version>`` (the VoID description says it too: ``owl:versionInfo``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .engine import Engine

log = logging.getLogger(__name__)

__all__ = ["CurrentLink", "ReleaseApp", "Served", "RELEASE_HEADER"]

RELEASE_HEADER = "Gdigraph-Release"
_HEADER = RELEASE_HEADER.lower().encode("ascii")
_PROBE = "ASK { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"


@dataclass(eq=False)
class Served:
    """One release (or plain store) being served: its ASGI app (the routes, no lifespan), its engine,
    the store the engine reads, the release version; the requests in flight on it."""

    app: Any
    engine: Engine
    store: Path
    version: str | None = None
    key: str | None = None  # the link target it was resolved from
    inflight: int = 0
    retired: bool = False
    drained: asyncio.Event = field(default_factory=asyncio.Event)
    header: tuple[bytes, bytes] | None = None

    def __post_init__(self):
        if self.version:
            self.header = (_HEADER, self.version.encode("latin-1", "replace"))


_ALLOW_ORIGIN = b"access-control-allow-origin"
_EXPOSE = b"access-control-expose-headers"


def _with_release(headers, header: tuple[bytes, bytes]) -> list:
    """The response headers plus the release header; an answer open to other origins (CORS) also
    exposes it to their scripts (``Access-Control-Expose-Headers``, added to one already there)."""
    out = [*headers, header]
    if not any(k.lower() == _ALLOW_ORIGIN for k, _ in out):
        return out
    for i, (k, v) in enumerate(out):
        if k.lower() == _EXPOSE:
            if RELEASE_HEADER.lower().encode() not in v.lower():
                out[i] = (k, v + b", " + RELEASE_HEADER.encode("ascii"))
            return out
    out.append((_EXPOSE, RELEASE_HEADER.encode("ascii")))
    return out


class CurrentLink:
    """The symlink a store lies under (``build/current`` for ``build/current/store``)."""

    def __init__(self, link: Path, name: str):
        self.link = link
        self.name = name

    @classmethod
    def of(cls, store: str | os.PathLike) -> "CurrentLink | None":
        store = Path(os.path.abspath(store))
        return cls(store.parent, store.name) if store.parent.is_symlink() else None

    def read(self) -> str | None:
        """The link's target as written (one ``readlink``), None when it is not a link now."""
        try:
            return os.readlink(self.link)
        except OSError:
            return None

    def store_for(self, target: str) -> Path:
        """The store under ``target``, resolved (no symlink left in the path)."""
        base = target if os.path.isabs(target) else os.path.join(self.link.parent, target)
        return Path(os.path.realpath(base)) / self.name


class ReleaseApp:
    """The ASGI application of ``gdigraph serve``: its lifespan starts the engine of the served release
    (and the watcher when following); each request goes to the release served when it arrives.

    ``make(store)`` builds a ``Served`` for a store (not started). ``state`` is the served app's
    Starlette state (``engine``, ``front``, ``settings``, ``build``)."""

    def __init__(self, make: Callable[[Path], Served], store: Path, *, link: CurrentLink | None = None,
                 interval: float = 5.0, drain_seconds: float = 30.0, retry_max: float = 300.0):
        self.make = make
        self.link = link
        self.interval = float(interval)
        self.drain_seconds = float(drain_seconds)
        self.retry_max = float(retry_max)
        key = link.read() if link is not None else None
        if link is not None:  # pinned: the release directory, never the link
            store = link.store_for(key) if key is not None else Path(os.path.realpath(store))
        self.served = make(Path(store))
        self.served.key = key
        self.switches = 0
        self.failures = 0
        self.last_error: str | None = None
        self._failed_key: str | None = None
        self._retry_at = 0.0
        self._watcher: asyncio.Task | None = None
        self._retiring: dict[Served, asyncio.Task] = {}

    @property
    def state(self):
        return self.served.app.state

    @property
    def following(self) -> bool:
        return self.link is not None and self.interval > 0

    def status(self) -> dict:
        return {"following": str(self.link.link) if self.following else None, "store": str(self.served.store),
                "release": self.served.version, "switches": self.switches, "failures": self.failures,
                "last_error": self.last_error, "retiring": len(self._retiring)}

    # -- ASGI ----------------------------------------------------------------------------------------
    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        served = self.served
        served.inflight += 1
        try:
            header = served.header
            if header is None or scope["type"] != "http":
                await served.app(scope, receive, send)
            else:
                async def send_with_release(message):
                    if message["type"] == "http.response.start":
                        message["headers"] = _with_release(message.get("headers", ()), header)
                    await send(message)

                await served.app(scope, receive, send_with_release)
        finally:
            served.inflight -= 1
            if served.retired and not served.inflight:
                served.drained.set()

    async def _lifespan(self, receive, send) -> None:
        await receive()  # lifespan.startup
        try:
            await self.start()
        except BaseException:
            await send({"type": "lifespan.startup.failed", "message": traceback.format_exc()})
            raise
        await send({"type": "lifespan.startup.complete"})
        try:
            await receive()  # lifespan.shutdown
        finally:
            await self.close()
        await send({"type": "lifespan.shutdown.complete"})

    # -- start, stop ---------------------------------------------------------------------------------
    async def start(self) -> None:
        await self.served.engine.start()
        log.info("gdigraph serving %s%s (%s)", self.served.store,
                 f", release {self.served.version}" if self.served.version else "", self.served.engine.describe())
        if self.following and self._watcher is None:
            self._watcher = asyncio.get_running_loop().create_task(self._watch())
            log.info("following %s (checked every %g s)", self.link.link, self.interval)

    async def close(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            await asyncio.gather(self._watcher, return_exceptions=True)
            self._watcher = None
        retiring = list(self._retiring)
        for task in self._retiring.values():
            task.cancel()
        await asyncio.gather(*self._retiring.values(), return_exceptions=True)
        self._retiring.clear()
        for served in [*retiring, self.served]:
            await served.engine.close()

    # -- following -----------------------------------------------------------------------------------
    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.check()
            except Exception:  # never let the watcher die
                log.exception("checking %s failed", self.link.link)

    async def check(self) -> bool:
        """Switch when the link points to another release than the one served; True when it did."""
        if self.link is None:
            return False
        key = self.link.read()
        if key is None or key == self.served.key:
            return False
        if key == self._failed_key and time.monotonic() < self._retry_at:
            return False
        store = self.link.store_for(key)
        if store == self.served.store:  # the same release, written another way
            self.served.key = key
            return False
        return await self._switch(key, store)

    async def _switch(self, key: str, store: Path) -> bool:
        t0 = time.monotonic()
        new: Served | None = None
        try:
            new = await asyncio.to_thread(self.make, store)
            new.key = key
            await new.engine.start()
            await self._probe(new)
        except Exception as e:
            if new is not None:
                await new.engine.close()
            self.failures = self.failures + 1 if key == self._failed_key else 1
            delay = min(self.interval * 2 ** self.failures, self.retry_max)
            self._failed_key, self._retry_at = key, time.monotonic() + delay
            self.last_error = f"{store}: {e}"[:1000]
            log.error("could not switch to the release at %s: %s; still serving %s; trying again in %.0f s",
                      store.parent, e, self.served.version or self.served.store, delay)
            return False
        old, self.served = self.served, new  # from here on every new request goes to the new release
        self.switches += 1
        self.failures, self._failed_key, self.last_error = 0, None, None
        log.info("switched to release %s (%s) in %.2f s; release %s retires when its %d request(s) are done",
                 new.version, store.parent, time.monotonic() - t0, old.version or old.store, old.inflight)
        self._retiring[old] = asyncio.get_running_loop().create_task(self._retire(old))
        return True

    @staticmethod
    async def _probe(served: Served) -> None:
        answer = await served.engine.query(_PROBE, "application/sparql-results+json")
        try:
            holds = json.loads(answer.body)["boolean"] is True
        except (ValueError, KeyError, TypeError):
            raise RuntimeError(f"the store answered the probe query with {answer.body[:200]!r}") from None
        if not holds:
            raise RuntimeError(f"the store {served.store} holds no triples")

    async def _retire(self, old: Served) -> None:
        old.retired = True
        try:
            if old.inflight:
                try:
                    await asyncio.wait_for(old.drained.wait(), self.drain_seconds)
                except TimeoutError:
                    log.warning("release %s: %d request(s) still running after %g s; closing its engine anyway",
                                old.version or old.store, old.inflight, self.drain_seconds)
            await old.engine.close()
            log.info("release %s retired (its engine closed)", old.version or old.store)
        finally:
            self._retiring.pop(old, None)
