"""The two ways to scale gdigraph out, each run for real on 127.0.0.1 with the project's own tools.

1. An external triple store: a separate read-write Oxigraph server gets the session's build with
   ``gdigraph push --store .../store`` (SPARQL 1.1 Graph Store Protocol), and ``gdigraph serve
   --sparql-endpoint .../query`` -- on a web node with no build of its own -- serves the pages of a
   facility, a registry, an observation and an edition from it, in HTML and Turtle (the same Turtle
   as the embedded store gives), and proxies ``/sparql`` to it.

2. Prefect server + worker + deployment (``slow``): ``prefect server start`` with its own
   ``PREFECT_HOME``, a process work pool, a process worker, ``prefect deploy --all`` of
   ``deployments/prefect.yaml`` from the project root, the ``manual`` deployment run through the
   worker into a temporary build folder (the flow's ``build_dir`` parameter) and pushed to an
   Oxigraph server; then the publication (``build/current``), the run's artifacts and the yearly cron
   deployment's scheduled run (state Scheduled: Prefect's scheduler works -- with SQLAlchemy 2.1 it
   silently did not). Server, worker and every process they started are stopped at the end.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pyoxigraph as ox
import pytest
from starlette.testclient import TestClient

from gdigraph import release

from .test_push import free_port, stop, wait_ready

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
OXIGRAPH = BIN / "oxigraph"
BASE = "https://gdigraph.nl"


def start_store(location: Path, port: int) -> subprocess.Popen:
    """A read-write Oxigraph server whose default graph is the union of the named graphs (what the
    pages ask for: they query without GRAPH)."""
    return subprocess.Popen([str(OXIGRAPH), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}",
                             "--union-default-graph"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def count_quads(query_url: str) -> int:
    r = httpx.post(query_url, data={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"},
                   headers={"Accept": "application/sparql-results+json"}, timeout=60)
    r.raise_for_status()
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def wait_http(url: str, proc: subprocess.Popen, timeout: float, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[:3]} exited with {proc.returncode}" + (f":\n{tail(log)}" if log else ""))
        try:
            if httpx.get(url, timeout=5).status_code < 500:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer within {timeout:g} s" + (f":\n{tail(log)}" if log else ""))


def tail(path: Path | None, n: int = 60) -> str:
    if path is None or not path.exists():
        return ""
    return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-n:])


# ---------------------------------------------------------------------------------------------------------
# 1. an external triple store: push, then serve --sparql-endpoint
# ---------------------------------------------------------------------------------------------------------


def pick(memory_store, prefix: str) -> str:
    rows = memory_store.query(f"SELECT DISTINCT ?s WHERE {{ GRAPH ?g {{ ?s a ?t }} "
                              f"FILTER(STRSTARTS(STR(?s), '{BASE}/id/{prefix}/')) }} ORDER BY ?s LIMIT 1")
    return next(iter(rows))["s"].value[len(BASE):].replace("/id/", "/doc/", 1)


@pytest.fixture(scope="module")
def external_store(built, tmp_path_factory):
    """A separate Oxigraph server (read-write) with the build pushed into it by ``gdigraph push``."""
    settings, _ = built
    port = free_port()
    proc = start_store(tmp_path_factory.mktemp("external-store"), port)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base)
        env = {**os.environ, "GDIGRAPH_BUILD_DIR": str(settings.build_dir)}
        t0 = time.monotonic()
        pushed = subprocess.run([str(BIN / "gdigraph"), "push", "--store", f"{base}/store", "--quiet"], env=env,
                                capture_output=True, text=True, timeout=600)
        assert pushed.returncode == 0, pushed.stderr
        assert re.search(r"pushed \d+ named graphs \(\d+ triples\) to http://127\.0\.0\.1", pushed.stdout), pushed.stdout
        print(f"push: {time.monotonic() - t0:.1f} s")
        yield base
    finally:
        stop(proc)


@pytest.fixture(scope="module")
def web_node(external_store, tmp_path_factory):
    """``gdigraph serve --sparql-endpoint`` in its own process, with an empty build folder (a web node
    that has nothing but the code): every page must come from the external store."""
    port = free_port()
    empty = tmp_path_factory.mktemp("web-node-build")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GDIGRAPH_")}
    env.update(GDIGRAPH_BUILD_DIR=str(empty))
    log = empty.parent / "web-node.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([str(BIN / "gdigraph"), "serve", "--port", str(port), "--sparql-endpoint",
                                 f"{external_store}/query"], env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{base}/static/site.css", proc, 60, log)
        yield base
    finally:
        proc.send_signal(signal.SIGINT)  # Ctrl-C
        try:
            assert proc.wait(timeout=30) == 0, tail(log)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        assert not list(empty.iterdir())  # serving wrote nothing into the build folder


@pytest.fixture(scope="module")
def embedded(built):
    """The same app on the build's own store (the embedded engine), for comparison."""
    from gdigraph.serve.app import create_app

    settings, _ = built
    with TestClient(create_app(settings.with_(sparql_endpoint=""), settings.build_dir / "store")) as c:
        yield c


def test_push_put_every_quad_into_the_external_store(external_store, memory_store):
    assert count_quads(f"{external_store}/query") == len(memory_store)


def test_the_pages_come_from_the_external_store(web_node, embedded, memory_store):
    pages = {"facility": "/doc/voorziening/digid", "registry": "/doc/basisregistratie/brp",
             "observation": pick(memory_store, "waarneming"), "edition": "/doc/editie/2024"}
    with httpx.Client(base_url=web_node, timeout=60) as c:
        for kind, path in pages.items():
            html = c.get(path, headers={"Accept": "text/html"})
            assert html.status_code == 200 and html.headers["content-type"].startswith("text/html"), (kind, html.text[:300])
            assert "<h1" in html.text and 'lang="nl"' in html.text, kind
            ttl = c.get(path, headers={"Accept": "text/turtle"})
            assert ttl.status_code == 200 and ttl.headers["content-type"].startswith("text/turtle"), kind
            uri = BASE + path.replace("/doc/", "/id/", 1)
            triples = [q.triple for q in ox.parse(ttl.content, ox.RdfFormat.TURTLE, base_iri=BASE)]
            assert sum(1 for t in triples if t.subject == ox.NamedNode(uri)) >= 3, kind
            assert ttl.content == embedded.get(path, headers={"Accept": "text/turtle"}).content, kind
            assert c.get(path + ".ttl").content == ttl.content, kind
        assert "DigiD" in c.get(pages["facility"]).text and 'id="cijfers-tabel"' in c.get(pages["facility"]).text
        assert "BRP" in c.get(pages["registry"]).text or "Personen" in c.get(pages["registry"]).text
        r = c.get("/id/voorziening/digid", headers={"Accept": "text/turtle"})
        assert r.status_code == 303 and r.headers["location"] == "/doc/voorziening/digid"
        assert c.get("/doc/voorziening/bestaat-niet").status_code == 404
        assert c.get("/").status_code == 200
        # the files of a build are not in the store: a node without them has none to give
        assert c.get("/dumps/gdigraph.nq").status_code == 404
        assert c.get("/trends/").status_code == 404


def test_sparql_is_proxied_to_the_external_store(web_node, external_store, memory_store):
    marker = "urn:x:scale-out:only-in-the-external-store"
    r = httpx.put(f"{external_store}/store", params={"graph": "urn:x:scale-out:marker"},
                  content=f"<{marker}> <urn:x:p> \"here\" .\n", headers={"Content-Type": "application/n-triples"})
    assert r.status_code in (201, 204)
    try:
        with httpx.Client(base_url=web_node, timeout=60) as c:
            ask = c.post("/sparql", data={"query": f"ASK {{ <{marker}> ?p ?o }}"},
                         headers={"Accept": "application/sparql-results+json"})
            assert ask.status_code == 200 and ask.json()["boolean"] is True  # it is not in the build
            n = c.post("/sparql", data={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"},
                       headers={"Accept": "application/sparql-results+json"})
            assert int(n.json()["results"]["bindings"][0]["n"]["value"]) == len(memory_store) + 1
            csv = c.get("/sparql", params={"query": "SELECT ?l WHERE { <https://gdigraph.nl/id/voorziening/digid> "
                                                    "<http://www.w3.org/2004/02/skos/core#prefLabel> ?l }"},
                        headers={"Accept": "text/csv"})
            assert csv.status_code == 200 and "DigiD" in csv.text
            # still read-only: the proxy never forwards an update
            up = c.post("/sparql", data={"update": f"DELETE WHERE {{ <{marker}> ?p ?o }}"})
            assert up.status_code == 403
            assert c.post("/sparql", data={"query": "SELECT * WHERE { ?s ?p }"}).status_code == 400
    finally:
        httpx.delete(f"{external_store}/store", params={"graph": "urn:x:scale-out:marker"})


# ---------------------------------------------------------------------------------------------------------
# 2. Prefect server + process worker + deployments
# ---------------------------------------------------------------------------------------------------------


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in out:
                out.add(child)
                todo.append(child)
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def _with_env(marker: str) -> list[int]:
    """Processes whose environment contains ``marker`` (our PREFECT_HOME): whatever server, worker and
    flow runs started, wherever they were re-parented to."""
    found = []
    needle = marker.encode()
    for env in Path("/proc").glob("[0-9]*/environ"):
        try:
            if needle in env.read_bytes() and _alive(int(env.parent.name)):
                found.append(int(env.parent.name))
        except OSError:
            continue
    return found


def _stop_group(proc: subprocess.Popen, timeout: float = 30) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # whatever is left of its group
    except ProcessLookupError:
        pass
    if proc.poll() is None:
        proc.wait(timeout=10)


class Prefect:
    """The ``prefect`` command line against our server, and its REST API."""

    def __init__(self, env: dict[str, str], api: str, logs: Path):
        self.env, self.api, self.logs = env, api, logs

    def cli(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        r = subprocess.run([str(BIN / "prefect"), *args], cwd=ROOT, env=self.env, capture_output=True, text=True,
                           timeout=timeout)
        assert r.returncode == 0, f"prefect {' '.join(args)} -> {r.returncode}\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
        return r

    def get(self, path: str):
        r = httpx.get(self.api + path, timeout=30)
        r.raise_for_status()
        return r.json()

    def post(self, path: str, body: dict):
        r = httpx.post(self.api + path, json=body, timeout=30)
        r.raise_for_status()
        return r.json()


@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory):
    """``prefect server start`` on a free loopback port with its own PREFECT_HOME (first start: a new
    SQLite database is migrated, which can take over a minute), then a process work pool and a process
    worker. Everything is stopped at the end, and no process with our PREFECT_HOME may be left."""
    home = tmp_path_factory.mktemp("prefect-server-home")
    logs = home / "logs"
    logs.mkdir()
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_HOME=str(home), PREFECT_API_URL=api, PREFECT_CLI_PROMPT="false",
               PREFECT_SERVER_ANALYTICS_ENABLED="false", PREFECT_SERVER_UI_ENABLED="false",
               # the yearly run may be up to a year ahead: let the scheduler create it whatever today is
               PREFECT_SERVER_SERVICES_SCHEDULER_MAX_SCHEDULED_TIME="P400D",
               PREFECT_WORKER_QUERY_SECONDS="2", PREFECT_WORKER_PREFETCH_SECONDS="5",
               PYTHONUNBUFFERED="1")
    procs: list[subprocess.Popen] = []
    try:
        t0 = time.monotonic()
        with open(logs / "server.log", "w") as out:
            server = subprocess.Popen([str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port",
                                       str(port), "--no-ui", "--analytics-off"], cwd=home, env=env, stdout=out,
                                      stderr=subprocess.STDOUT, start_new_session=True)
        procs.append(server)
        wait_http(f"{api}/health", server, 300, logs / "server.log")
        print(f"prefect server: up in {time.monotonic() - t0:.1f} s")
        pf = Prefect(env, api, logs)
        pf.cli("work-pool", "create", "gdigraph-local", "--type", "process")
        with open(logs / "worker.log", "w") as out:
            worker = subprocess.Popen([str(BIN / "prefect"), "worker", "start", "--pool", "gdigraph-local", "--type",
                                       "process", "--install-policy", "never", "--name", "gdigraph-test-worker"],
                                      cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        procs.append(worker)
        pf.worker = worker
        yield pf
    finally:
        t0 = time.monotonic()
        for p in reversed(procs):
            _stop_group(p)
        print(f"prefect worker and server stopped in {time.monotonic() - t0:.1f} s")
        deadline = time.monotonic() + 20
        while _with_env(str(home)) and time.monotonic() < deadline:
            time.sleep(0.5)
        left = _with_env(str(home))
        for pid in left:  # pragma: no cover - only when something escaped
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        assert left == [], f"processes left behind: {left}"


@pytest.mark.slow
def test_a_deployment_runs_on_a_worker_and_publishes(prefect_server, tmp_path_factory):
    pf = prefect_server
    build = tmp_path_factory.mktemp("deployed-build")
    store_port = free_port()
    store = start_store(tmp_path_factory.mktemp("deployed-store"), store_port)
    try:
        wait_ready(f"http://127.0.0.1:{store_port}")
        # deploy from the project root, as the README says
        t0 = time.monotonic()
        deployed = pf.cli("--no-prompt", "deploy", "--all", "--prefect-file", "deployments/prefect.yaml")
        assert "yearly-monitor/yearly" in deployed.stdout and "yearly-monitor/manual" in deployed.stdout
        print(f"deploy: {time.monotonic() - t0:.1f} s")
        yearly = pf.get("/deployments/name/yearly-monitor/yearly")
        manual = pf.get("/deployments/name/yearly-monitor/manual")
        assert manual["work_pool_name"] == yearly["work_pool_name"] == "gdigraph-local"
        assert manual["parameters"]["sources"] == ["data/sources"]

        # run the manual deployment through the worker, into our build folder, pushing to our store
        t0 = time.monotonic()
        run = subprocess.run([str(BIN / "prefect"), "deployment", "run", "yearly-monitor/manual",
                              "-p", f"build_dir={build}", "-p", f"publish_to=http://127.0.0.1:{store_port}/store",
                              "--watch", "--watch-timeout", "1500"],
                             cwd=ROOT, env=pf.env, capture_output=True, text=True, timeout=1600)
        took = time.monotonic() - t0
        print(f"manual deployment run: {took:.1f} s")
        assert run.returncode == 0, f"{run.stdout[-4000:]}\n{run.stderr[-2000:]}\nworker:\n{tail(pf.logs / 'worker.log')}"
        assert "Completed" in run.stdout
        run_id = re.search(r"UUID: ([0-9a-f-]{36})", run.stdout).group(1)
        flow_run = pf.get(f"/flow_runs/{run_id}")
        assert flow_run["state_type"] == "COMPLETED" and flow_run["deployment_id"] == manual["id"]
        assert flow_run["work_pool_name"] == "gdigraph-local" and flow_run["infrastructure_pid"]  # the worker ran it
        assert flow_run["parameters"]["build_dir"] == str(build)

        # the publication: build/current -> releases/<version>, validated, sealed, pushed
        current = build / "current"
        assert current.is_symlink()
        version = os.readlink(current).rsplit("/", 1)[-1]
        info = release.read_release(current)
        assert info["validation"]["passed"]
        for name in ("observations.csv", "graph/gdigraph.nq", "graph/manifest.json", "store", "series.csv",
                     "validation/validation.json", "release.json"):
            assert (current / name).exists(), name
        assert (build / "observations.csv").resolve() == (current / "observations.csv").resolve()
        graphs = sorted((current / "graph" / "graphs").glob("*.nq"))
        r = httpx.post(f"http://127.0.0.1:{store_port}/query",
                       data={"query": "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"},
                       headers={"Accept": "application/sparql-results+json"})
        assert int(r.json()["results"]["bindings"][0]["n"]["value"]) == len(graphs) > 0

        # the run's artifacts
        artifacts = pf.post("/artifacts/filter", {"artifacts": {"flow_run_id": {"any_": [run_id]}}})
        by_key = {a["key"]: a for a in artifacts}
        assert {"gdigraph-run-summary", "gdigraph-changed-series"} <= set(by_key), sorted(by_key)
        summary = by_key["gdigraph-run-summary"]
        assert summary["type"] == "markdown"
        assert f"release `{version}`" in summary["data"] and "validation: passed" in summary["data"]
        assert summary["data"] == (build / "last-run.md").read_text(encoding="utf-8")
        table = by_key["gdigraph-changed-series"]
        assert table["type"] == "table"
        rows = json.loads(table["data"]) if isinstance(table["data"], str) else table["data"]
        assert any(row.get("facility") for row in rows) and "digid" in json.dumps(rows)

        # the yearly cron deployment: the scheduler has created its next run, 1 June 06:00 Amsterdam
        t0 = time.monotonic()
        deadline = t0 + 180
        scheduled = []
        while time.monotonic() < deadline:
            runs = pf.post("/flow_runs/filter", {"deployments": {"id": {"any_": [yearly["id"]]}}})
            scheduled = [r for r in runs if r["state_type"] == "SCHEDULED"]
            if scheduled:
                break
            time.sleep(2)
        assert scheduled, f"the scheduler created no run of the yearly deployment:\n{tail(pf.logs / 'server.log')}"
        print(f"scheduled run of the yearly deployment found after {time.monotonic() - t0:.1f} s more")
        first = min(datetime.fromisoformat(r["expected_start_time"].replace("Z", "+00:00")) for r in scheduled)
        local = first.astimezone(ZoneInfo("Europe/Amsterdam"))
        assert (local.month, local.day, local.hour, local.minute) == (6, 1, 6, 0), local
        assert scheduled[0]["state_name"] == "Scheduled"
    finally:
        stop(store)
        shutil.rmtree(build, ignore_errors=True)  # a release with its static site is some 400 MB
