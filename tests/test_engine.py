"""The query engines (gdigraph.serve.engine): a pool of real `oxigraph serve-read-only` processes on a
store built here, and a remote endpoint (a separately started Oxigraph server on 127.0.0.1)."""

from __future__ import annotations

import asyncio
import gc
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from gdigraph.serve.engine import (
    EngineBusy,
    EngineStartError,
    EngineUnavailable,
    OxigraphPool,
    QueryRejected,
    QueryTimeout,
    RemoteEndpoint,
    ResultTooLarge,
    _free_port,
    open_engine,
    oxigraph_binary,
)
from gdigraph.settings import Settings

BASE = "https://gdigraph.nl"
GDI = f"{BASE}/def/gdi#"
G_REF = f"{BASE}/graph/reference"
G_HARM = f"{BASE}/graph/harmonised"
G_FILL = f"{BASE}/graph/filler"
FILLER = 3000

HAND_QUADS = f"""
<{BASE}/id/voorziening/digid> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{GDI}Voorziening> <{G_REF}> .
<{BASE}/id/voorziening/digid> <http://www.w3.org/2000/01/rdf-schema#label> "DigiD"@nl <{G_REF}> .
<{BASE}/id/voorziening/eherkenning> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{GDI}Voorziening> <{G_REF}> .
<{BASE}/id/voorziening/eherkenning> <http://www.w3.org/2000/01/rdf-schema#label> "eHerkenning"@nl <{G_REF}> .
<{BASE}/id/organisatie/logius> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{GDI}Organisatie> <{G_REF}> .
<{BASE}/id/organisatie/logius> <http://www.w3.org/2000/01/rdf-schema#label> "Logius"@nl <{G_REF}> .
<{BASE}/id/voorziening/digid> <{GDI}beheerder> <{BASE}/id/organisatie/logius> <{G_HARM}> .
<{BASE}/id/voorziening/eherkenning> <{GDI}beheerder> <{BASE}/id/organisatie/logius> <{G_HARM}> .
<{BASE}/id/voorziening/digid> <{GDI}gebruikers> "15000000"^^<http://www.w3.org/2001/XMLSchema#integer> <{G_HARM}> .
"""
N_REF, N_HARM = 6, 3

# 3,000^3 = 2.7e10 combinations: runs for hours without a timeout (see test_runaway_query_really_runs_long)
RUNAWAY = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{G_FILL}> {{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }} }}"
COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def build_store(path: Path, filler: int = FILLER) -> Path:
    """A small Oxigraph store: the hand-written quads plus `filler` triples in a graph of their own."""
    store = ox.Store(str(path))
    store.load(HAND_QUADS.encode("utf-8"), format=ox.RdfFormat.N_QUADS)
    g = ox.NamedNode(G_FILL)
    store.extend(
        ox.Quad(ox.NamedNode(f"https://example.org/s{i}"), ox.NamedNode(f"https://example.org/p{i % 7}"),
                ox.Literal(str(i)), g)
        for i in range(filler)
    )
    store.flush()
    del store
    gc.collect()
    return path


@pytest.fixture(scope="session")
def store_path(tmp_path_factory) -> Path:
    return build_store(tmp_path_factory.mktemp("oxigraph") / "store")


def alive(pid: int) -> bool:
    """Running (a zombie only waits to be reaped: its work has stopped)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state not in ("Z", "X")


def wait_dead(pids, within: float = 5.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not any(alive(p) for p in pids):
            return True
        time.sleep(0.05)
    return not any(alive(p) for p in pids)


def n_of(response) -> int:
    return int(json.loads(response.body)["results"]["bindings"][0]["n"]["value"])


def pool(store_path, **kw) -> OxigraphPool:
    kw.setdefault("workers", 1)
    kw.setdefault("queue_size", 2)
    kw.setdefault("max_timeout", 5)
    return OxigraphPool(store_path, **kw)


def run(coro):
    return asyncio.run(coro)


# -- the store and Oxigraph itself -------------------------------------------------------------------


def test_several_read_only_servers_open_one_store_at_once(store_path):
    async def main():
        async with pool(store_path, workers=3) as p:
            assert len(set(p.pids)) == 3 and all(alive(pid) for pid in p.pids)
            answers = await asyncio.gather(*(p.query(COUNT_ALL) for _ in range(3)))
            return p.pids, answers

    pids, answers = run(main())
    assert [n_of(a) for a in answers] == [FILLER + N_REF + N_HARM] * 3
    assert wait_dead(pids)


@pytest.mark.slow
def test_runaway_query_really_runs_long(store_path, tmp_path):
    """The timeout tests' query, run by the Oxigraph CLI with no timeout at all, is still busy after 3 s."""
    proc = subprocess.Popen(
        [oxigraph_binary(), "query", "--location", str(store_path), "--query", RUNAWAY,
         "--results-format", "json"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )
    try:
        time.sleep(3)
        assert proc.poll() is None, proc.stderr.read()
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


# -- deadlines, limits, concurrency ------------------------------------------------------------------


@pytest.mark.slow
def test_timeout_kills_the_worker_and_a_fresh_one_takes_over(store_path):
    async def main():
        async with pool(store_path, max_timeout=1.0) as p:
            first = p.pids[0]
            t0 = time.monotonic()
            with pytest.raises(QueryTimeout) as e:
                await p.query(RUNAWAY)
            took = time.monotonic() - t0
            assert 0.9 < took < 2.5, took
            assert e.value.status == 504 and "1 s" in e.value.message
            killed = await asyncio.to_thread(wait_dead, [first], 3)
            answer = await p.query(COUNT_ALL)
            return first, killed, p.pids, answer, p.restarts

    first, killed, pids, answer, restarts = run(main())
    assert killed, f"worker {first} still running after the timeout"
    assert pids and pids[0] != first
    assert n_of(answer) == FILLER + N_REF + N_HARM
    assert restarts == 1


def test_a_cancelled_request_kills_its_worker(store_path):
    async def main():
        async with pool(store_path) as p:
            first = p.pids[0]
            task = asyncio.create_task(p.query(RUNAWAY))
            await asyncio.sleep(0.3)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            killed = await asyncio.to_thread(wait_dead, [first], 3)
            answer = await p.query("ASK { ?s ?p ?o }")
            return killed, json.loads(answer.body)

    killed, answer = run(main())
    assert killed
    assert answer["boolean"] is True


def test_result_byte_limit_stops_the_query(store_path):
    async def main():
        async with pool(store_path, max_result_bytes=5000) as p:
            first = p.pids[0]
            with pytest.raises(ResultTooLarge) as e:
                await p.query(f"SELECT * WHERE {{ GRAPH <{G_FILL}> {{ ?s ?p ?o }} }}")
            killed = await asyncio.to_thread(wait_dead, [first], 3)
            small = await p.query(f"SELECT * WHERE {{ GRAPH <{G_REF}> {{ ?s ?p ?o }} }}")
            return e.value, killed, small

    error, killed, small = run(main())
    assert error.status == 422 and "LIMIT" in error.message
    assert killed
    assert len(json.loads(small.body)["results"]["bindings"]) == N_REF


@pytest.mark.slow
def test_concurrency_is_bounded_busy_answers_come_at_once(store_path):
    async def main():
        async with pool(store_path, workers=1, queue_size=1, max_timeout=5) as p:
            runaway = asyncio.create_task(p.query(RUNAWAY, timeout=1.0))
            await asyncio.sleep(0.1)
            waiting = asyncio.create_task(p.query("ASK { ?s ?p ?o }", timeout=4.0))
            await asyncio.sleep(0.1)
            assert p.stats()["waiting"] == 1
            t0 = time.monotonic()
            with pytest.raises(EngineBusy) as busy:
                await p.query("ASK { ?s ?p ?o }")
            refused_in = time.monotonic() - t0
            with pytest.raises(QueryTimeout):
                await runaway
            answer = await waiting  # got the fresh worker after the runaway was killed
            return busy.value, refused_in, json.loads(answer.body)

    busy, refused_in, answer = run(main())
    assert busy.status == 503 and busy.retry_after == 5
    assert refused_in < 0.2
    assert answer == {"head": {}, "boolean": True}


def test_waiting_too_long_for_a_worker_is_busy_not_timeout(store_path):
    async def main():
        async with pool(store_path, workers=1, queue_size=4) as p:
            runaway = asyncio.create_task(p.query(RUNAWAY, timeout=1.5))
            await asyncio.sleep(0.1)
            with pytest.raises(EngineBusy) as busy:
                await p.query("ASK {}", timeout=0.3)
            with pytest.raises(QueryTimeout):
                await runaway
            return busy.value

    assert "No query worker became free" in run(main()).message


# -- protocol details --------------------------------------------------------------------------------


def test_malformed_query_gets_the_engine_parser_message(store_path):
    async def main():
        async with pool(store_path) as p:
            with pytest.raises(QueryRejected) as e:
                await p.query("SELECT * WHERE { ?s ?p }")
            still = await p.query("ASK {}")  # a rejected query does not cost the worker
            return e.value, p.restarts, still

    error, restarts, still = run(main())
    assert error.status == 400 and "error at 1:" in error.message
    assert restarts == 0 and json.loads(still.body)["boolean"] is True


def test_dataset_parameters_are_passed_on(store_path):
    async def main():
        async with pool(store_path) as p:
            union = await p.query(COUNT_ALL)
            ref = await p.query(COUNT_ALL, default_graph_uris=[G_REF])
            two = await p.query(COUNT_ALL, default_graph_uris=[G_REF, G_HARM])
            named = await p.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", named_graph_uris=[G_HARM])
            return [n_of(x) for x in (union, ref, two, named)]

    assert run(main()) == [FILLER + N_REF + N_HARM, N_REF, N_REF + N_HARM, N_HARM]


def test_without_union_default_graph_the_default_graph_is_empty(store_path):
    async def main():
        async with pool(store_path, union_default_graph=False) as p:
            return n_of(await p.query(COUNT_ALL)), n_of(await p.query(
                "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"))

    assert run(main()) == (0, FILLER + N_REF + N_HARM)


def test_graph_results_come_as_n_triples(store_path):
    async def main():
        async with pool(store_path) as p:
            return await p.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{G_HARM}> {{ ?s ?p ?o }} }}")

    answer = run(main())
    assert answer.media_type == "application/n-triples"
    assert len(list(ox.parse(answer.body, ox.RdfFormat.N_TRIPLES))) == N_HARM


# -- life cycle --------------------------------------------------------------------------------------


def test_start_fails_clearly_without_a_store(tmp_path):
    with pytest.raises(EngineStartError, match="no Oxigraph store"):
        run(pool(tmp_path / "missing").start())


def test_a_stopped_engine_is_unavailable(store_path):
    async def main():
        p = pool(store_path)
        with pytest.raises(EngineUnavailable):
            await p.query("ASK {}")
        async with p:
            pids = p.pids
        with pytest.raises(EngineUnavailable):
            await p.query("ASK {}")
        return pids

    assert wait_dead(run(main()))


@pytest.mark.slow
def test_workers_die_with_a_killed_application(store_path, tmp_path):
    """No orphans even when the application is killed with SIGKILL (no chance to clean up)."""
    script = tmp_path / "app.py"
    script.write_text(textwrap.dedent(f"""
        import asyncio, json, sys
        from gdigraph.serve.engine import OxigraphPool
        async def main():
            async with OxigraphPool({str(store_path)!r}, workers=2) as p:
                print(json.dumps(p.pids), flush=True)
                await asyncio.sleep(60)
        asyncio.run(main())
    """))
    app = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        pids = json.loads(app.stdout.readline())
        assert len(pids) == 2 and all(alive(p) for p in pids)
        app.send_signal(signal.SIGKILL)
        app.wait(5)
        assert wait_dead(pids, 5), [p for p in pids if alive(p)]
    finally:
        if app.poll() is None:
            app.kill()


# -- remote endpoint ---------------------------------------------------------------------------------


@contextmanager
def oxigraph_server(store_path: Path):
    """A separately started `oxigraph serve-read-only` on 127.0.0.1 (stopped by its pid afterwards)."""
    port = _free_port()
    proc = subprocess.Popen(
        [oxigraph_binary(), "serve-read-only", "--location", str(store_path), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/query"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.post(url, data={"query": "ASK {}"}, trust_env=False).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, "oxigraph server did not start"
            time.sleep(0.05)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@pytest.mark.slow
def test_remote_endpoint_against_a_separate_oxigraph_server(store_path):
    with oxigraph_server(store_path) as url:
        async def main():
            async with RemoteEndpoint(url, concurrency=2, queue_size=2, max_timeout=5) as remote:
                count = await remote.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{G_REF}> {{ ?s ?p ?o }} }}")
                ref = await remote.query(COUNT_ALL, default_graph_uris=[G_REF])
                with pytest.raises(QueryRejected) as bad:
                    await remote.query("SELECT * WHERE {")
                t0 = time.monotonic()
                with pytest.raises(QueryTimeout):
                    await remote.query(RUNAWAY, timeout=1.0)
                abandoned_in = time.monotonic() - t0
                after = await remote.query(f"ASK {{ GRAPH <{G_HARM}> {{ ?s ?p ?o }} }}")
                return n_of(count), n_of(ref), bad.value, abandoned_in, json.loads(after.body), remote.describe()

        count, ref, bad, abandoned_in, after, described = run(main())
    assert count == N_REF and ref == N_REF
    assert "error at" in bad.message
    assert abandoned_in < 2.0
    assert after["boolean"] is True
    assert url in described


def test_open_engine_follows_the_settings(store_path):
    embedded = open_engine(Settings(sparql_endpoint="", query_workers=3, query_timeout=7), store_path)
    assert isinstance(embedded, OxigraphPool)
    assert (embedded.n_workers, embedded.max_timeout) == (3, 7)
    remote = open_engine(Settings(sparql_endpoint="http://127.0.0.1:9/sparql"))
    assert isinstance(remote, RemoteEndpoint) and remote.url == "http://127.0.0.1:9/sparql"
    with pytest.raises(ValueError):
        open_engine(Settings(sparql_endpoint=""))


def test_a_worker_that_died_on_its_own_is_replaced_not_used(store_path):
    async def main():
        async with pool(store_path, workers=1) as p:
            first = p.pids[0]
            os.kill(first, signal.SIGKILL)  # e.g. the OOM killer
            await asyncio.to_thread(wait_dead, [first], 3)
            answer = await p.query("ASK { ?s ?p ?o }")
            return first, p.pids, json.loads(answer.body), p.restarts

    first, pids, answer, restarts = run(main())
    assert answer["boolean"] is True
    assert pids and first not in pids and restarts == 1
