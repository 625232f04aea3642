"""Concurrent clients on loopback against ``gdigraph serve``'s ``/sparql``.

A bounded asyncio httpx client: ``clients`` tasks share a fixed budget of ``requests`` and stop at a
time cap, whichever comes first; only 127.0.0.1. Each request is one of the named queries (round
robin). Reported: throughput (answers 200 per second of the run), p50/p99 of the 200s, 503s (the
engine's queue is full under saturation: expected, counted apart), other statuses and transport
errors.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter

from .common import percentile

ACCEPT = "application/sparql-results+json"


async def _load(url: str, queries: list[str], clients: int, requests: int, time_cap: float,
                timeout: float) -> dict:
    import httpx

    assert url.startswith("http://127.0.0.1:") or url.startswith("http://localhost:"), url
    issued = 0
    ok_times: list[float] = []
    all_times: list[float] = []
    statuses: Counter = Counter()
    errors: Counter = Counter()
    t_start = time.perf_counter()
    deadline = t_start + time_cap
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async with httpx.AsyncClient(timeout=timeout, limits=limits, headers={"Accept": ACCEPT}) as client:
        async def worker() -> None:
            nonlocal issued
            while True:
                if issued >= requests or time.perf_counter() >= deadline:
                    return
                i = issued
                issued += 1
                q = queries[i % len(queries)]
                t0 = time.perf_counter()
                try:
                    r = await client.post(url, data={"query": q})
                    await r.aread()
                    dt = time.perf_counter() - t0
                    statuses[r.status_code] += 1
                    all_times.append(dt)
                    if r.status_code == 200:
                        ok_times.append(dt)
                    elif r.status_code == 503:
                        retry = r.headers.get("retry-after")
                        # a client that honours Retry-After would wait; a saturating one backs off briefly
                        await asyncio.sleep(min(float(retry) if retry and retry.isdigit() else 0.05, 0.05))
                except httpx.HTTPError as e:
                    errors[type(e).__name__] += 1

        await asyncio.gather(*(worker() for _ in range(clients)))
    elapsed = time.perf_counter() - t_start
    ok = statuses.get(200, 0)
    ms = [t * 1000 for t in ok_times]
    return {
        "clients": clients, "requests_sent": issued, "seconds": round(elapsed, 2),
        "ok": ok, "throughput_rps": round(ok / elapsed, 1) if elapsed else None,
        "p50_ms": round(percentile(ms, 50), 2) if ms else None,
        "p99_ms": round(percentile(ms, 99), 2) if ms else None,
        "status_503": statuses.get(503, 0),
        "other_status": {str(k): v for k, v in statuses.items() if k not in (200, 503)},
        "transport_errors": dict(errors),
        "stopped_by": "time cap" if issued < requests else "request budget",
    }


def run_load(url: str, queries: list[str], *, clients: int, requests: int, time_cap: float,
             timeout: float = 30) -> dict:
    return asyncio.run(_load(url, queries, clients, requests, time_cap, timeout))
