"""SPARQL latency of the named queries (``queries/*.rq``) on five engines over the same data.

* ``gdigraph``: ``gdigraph serve`` (its ``/sparql``: the Starlette front and the pool of Oxigraph
  workers), or -- while the command line has no ``serve`` -- the same application
  (``gdigraph.serve.app.create_app``) under uvicorn (``benchmarks/serve_app.py``);
* ``oxigraph``: the Oxigraph server behind it, directly (``oxigraph serve-read-only --location STORE
  --bind 127.0.0.1:PORT --union-default-graph``, the flags the pool uses);
* ``pyoxigraph``: in-process ``pyoxigraph.Store.read_only`` (no HTTP);
* ``rdflib``: rdflib's own engine on the same N-Quads in a ``Dataset(default_union=True)``, in a child
  process (``rdflib_worker.py``);
* ``rdflib-endpoint``: the PyPI package serving that Dataset under uvicorn (``rdflib_endpoint_app.py``).

HTTP engines get ``POST`` form-encoded ``query=`` with ``Accept: application/sparql-results+json`` on one
keep-alive connection, one request at a time, and the client parses the JSON (the same work for
each). Every query runs once to warm up and then ``reps`` times; p50/p99 are nearest-rank.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .common import LOOPBACK, Server, free_port, gdigraph_exe, oxigraph_exe, ratio, summary_ms

ACCEPT = "application/sparql-results+json"

# what kind of work each named query does (for the targets: "aggregate and join queries")
KINDS = {
    "facilities-per-organisation": "aggregate",
    "fastest-growing-facilities": "aggregate+join",
    "indicator-series-with-revisions": "join",
    "open-recommendations-per-facility": "join",
    "outage-impact": "path",
    "registry-uses-transitively": "path+aggregate",
    "restated-figures": "join",
}


def query_kind(name: str, text: str) -> str:
    if name in KINDS:
        return KINDS[name]
    t = text.upper()
    kinds = []
    if "GROUP BY" in t or "COUNT(" in t or "MAX(" in t or "MIN(" in t or "SUM(" in t:
        kinds.append("aggregate")
    if "+ " in text or "* " in text:
        kinds.append("path")
    return "+".join(kinds) or "join"


def named_queries(settings=None) -> list[dict]:
    from gdigraph.queries import list_queries

    return [{"name": q.name, "text": q.text, "kind": query_kind(q.name, q.text)} for q in list_queries(settings)]


# --------------------------------------------------------------------------------------------- engines

class HttpEngine:
    def __init__(self, name: str, url: str, timeout: float):
        import httpx

        self.name, self.url = name, url
        self.client = httpx.Client(timeout=timeout, headers={"Accept": ACCEPT})

    def run(self, text: str) -> int:
        r = self.client.post(self.url, data={"query": text})
        if r.status_code != 200:
            raise RuntimeError(f"HTTP {r.status_code}: {r.text[:200]}")
        data = r.json()
        if "boolean" in data:
            return 1
        return len(data["results"]["bindings"])

    def close(self) -> None:
        self.client.close()


class PyoxigraphEngine:
    name = "pyoxigraph"

    def __init__(self, store: Path):
        import pyoxigraph

        self.store = pyoxigraph.Store.read_only(str(store))

    def run(self, text: str) -> int:
        res = self.store.query(text, use_default_graph_as_union=True)
        if isinstance(res, bool) or res.__class__.__name__ == "QueryBoolean":
            return 1
        variables = res.variables
        n = 0
        for sol in res:
            for v in variables:
                t = sol[v]
                if t is not None:
                    t.value  # noqa: B018 - materialise like a client would
            n += 1
        return n

    def close(self) -> None:
        del self.store


def time_queries(engine, queries: list[dict], reps: int, cap: float) -> dict:
    """Warm-up + ``reps`` runs per query (3 when a run takes over 5 s; none after one over ``cap``)."""
    out = {}
    for q in queries:
        entry: dict = {"kind": q["kind"]}
        try:
            t0 = time.perf_counter()
            entry["rows"] = engine.run(q["text"])
            first = time.perf_counter() - t0
            times = []
            if first <= cap:
                for _ in range(reps if first <= 5 else min(reps, 3)):
                    t0 = time.perf_counter()
                    engine.run(q["text"])
                    times.append(time.perf_counter() - t0)
            else:
                times = [first]
                entry["note"] = f"one run only: {first:.1f}s > cap {cap:.0f}s"
            entry.update(summary_ms(times))
        except Exception as e:  # noqa: BLE001 - reported per query
            entry["error"] = f"{type(e).__name__}: {e}"[:300]
        out[q["name"]] = entry
    return out


# --------------------------------------------------------------------------------------------- servers

def serve_help() -> str | None:
    """The help of ``gdigraph serve``, or None while the command does not exist."""
    try:
        r = subprocess.run([gdigraph_exe(), "serve", "--help"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    return r.stdout if r.returncode == 0 else None


def gdigraph_server(store: Path, port: int, log: Path) -> Server:
    """``gdigraph serve`` on 127.0.0.1:PORT for ``store`` (its build directory: the store's parent)."""
    env = dict(os.environ, GDIGRAPH_BUILD_DIR=str(store.parent))
    help_text = serve_help()
    if help_text is not None:
        cmd = [gdigraph_exe(), "serve"]
        if "--host" in help_text:
            cmd += ["--host", LOOPBACK]
        elif "--bind" in help_text:
            cmd += ["--bind", f"{LOOPBACK}:{port}"]
        if "--port" in help_text:
            cmd += ["--port", str(port)]
        if "--store" in help_text:
            cmd += ["--store", str(store)]
        name = "gdigraph serve"
    else:
        cmd = [sys.executable, "-m", "benchmarks.serve_app", str(store), str(port)]
        name = "gdigraph app (create_app under uvicorn; no `gdigraph serve` yet)"
    url = f"http://{LOOPBACK}:{port}/sparql"
    probe = f"{url}?query=ASK%7B%7D"
    return Server(name, cmd, url, probe, env=env, cwd=Path(__file__).resolve().parents[1], log=log,
                  start_timeout=180)


def oxigraph_server(store: Path, port: int, log: Path) -> Server:
    cmd = [oxigraph_exe(), "serve-read-only", "--location", str(store), "--bind", f"{LOOPBACK}:{port}",
           "--union-default-graph"]
    url = f"http://{LOOPBACK}:{port}/query"
    return Server("oxigraph serve-read-only", cmd, url, f"{url}?query=ASK%7B%7D", log=log)


def rdflib_endpoint_server(nquads: Path, port: int, log: Path) -> Server:
    cmd = [sys.executable, "-m", "benchmarks.rdflib_endpoint_app", str(nquads), str(port)]
    url = f"http://{LOOPBACK}:{port}/sparql"
    return Server("rdflib-endpoint", cmd, url, f"{url}?query=ASK%7B%7D", log=log, start_timeout=1800,
                  cwd=Path(__file__).resolve().parents[1])


def rdflib_engine(nquads: Path, queries: list[dict], reps: int, cap: float, timeout: float) -> dict:
    """rdflib in a child process; its answers read from a file (they can be longer than a tail)."""
    from .common import run_measured

    with tempfile.TemporaryDirectory() as d:
        qfile, outfile = Path(d) / "q.json", Path(d) / "out.jsonl"
        qfile.write_text(json.dumps(queries), encoding="utf-8")
        cmd = ["sh", "-c", f'exec "$0" -m benchmarks.rdflib_worker "$1" "$2" "$3" "$4" > "$5"', sys.executable,
               str(nquads), str(qfile), str(reps), str(cap), str(outfile)]
        run = run_measured(cmd, cwd=Path(__file__).resolve().parents[1], timeout=timeout)
        lines = [json.loads(ln) for ln in outfile.read_text(encoding="utf-8").splitlines() if ln.startswith("{")] \
            if outfile.exists() else []
    result: dict = {"peak_rss_mb": round(run.peak_rss_mb, 1), "wall_s": round(run.seconds, 1), "queries": {}}
    if lines and "load_s" in lines[0]:
        result["load_s"] = lines[0]["load_s"]
        result["triples"] = lines[0]["triples"]
        lines = lines[1:]
    kinds = {q["name"]: q["kind"] for q in queries}
    for ln in lines:
        entry: dict = {"kind": kinds.get(ln["name"]), "rows": ln.get("rows")}
        if ln.get("times"):
            entry.update(summary_ms(ln["times"]))
        if "timeout_s" in ln:
            entry["timeout_s"] = ln["timeout_s"]
            entry["p50_ms"] = None
        if "error" in ln:
            entry["error"] = ln["error"]
        result["queries"][ln["name"]] = entry
    for q in queries:
        if q["name"] not in result["queries"]:
            result["queries"][q["name"]] = {"kind": q["kind"], "error": "not reached (worker stopped: "
                                            f"rc {run.returncode}, {run.seconds:.0f}s)"}
    if not run.ok:
        result["error"] = f"rc {run.returncode}: {run.stderr_tail[-300:]}"
    return result


def rdflib_endpoint_engine(nquads: Path, queries: list[dict], reps: int, cap: float, logdir: Path,
                           skip: set[str] = frozenset()) -> dict:
    """rdflib-endpoint under uvicorn; a query over ``cap`` is abandoned and the server restarted (it
    keeps computing a query its client gave up on). Queries in ``skip`` (rdflib itself, in-process,
    took longer than ``cap``: the endpoint runs the same engine plus HTTP) are counted as timeouts
    without being sent, which saves a restart (a reload of the data) each."""
    result: dict = {"queries": {}}
    for q in queries:
        if q["name"] in skip:
            result["queries"][q["name"]] = {"kind": q["kind"], "timeout_s": cap, "p50_ms": None,
                                            "note": "not sent: rdflib in-process exceeded the cap"}
    pending = [q for q in queries if q["name"] not in skip]
    while pending:
        port = free_port()
        with rdflib_endpoint_server(nquads, port, logdir / "rdflib-endpoint.log") as srv:
            result.setdefault("start_s", round(srv.start_seconds or 0, 1))
            engine = HttpEngine("rdflib-endpoint", srv.url, timeout=cap)
            try:
                while pending:
                    q = pending.pop(0)
                    entry = time_queries(engine, [q], reps, cap)[q["name"]]
                    if "error" in entry and "Timeout" in entry["error"]:
                        entry = {"kind": q["kind"], "timeout_s": cap, "p50_ms": None}
                        result["queries"][q["name"]] = entry
                        break  # restart the server for the rest
                    result["queries"][q["name"]] = entry
                result["rss_mb"] = srv.rss_mb()
            finally:
                engine.close()
    return result


def run_sparql(store: Path, nquads: Path, work: Path, *, reps: int, cap: float, label: str,
               engines: tuple[str, ...] = ("gdigraph", "oxigraph", "pyoxigraph", "rdflib", "rdflib-endpoint"),
               queries: list[dict] | None = None, log=print) -> dict:
    """All engines on one data set (``store`` built from ``nquads``)."""
    queries = queries if queries is not None else named_queries()
    out: dict = {"label": label, "store": str(store), "reps": reps, "cap_s": cap, "engines": {}}
    work.mkdir(parents=True, exist_ok=True)
    if "gdigraph" in engines:
        log(f"  [{label}] gdigraph front")
        port = free_port()
        with gdigraph_server(store, port, work / "gdigraph-serve.log") as srv:
            eng = HttpEngine("gdigraph", srv.url, timeout=cap + 30)
            try:
                out["engines"]["gdigraph"] = {"server": srv.name, "start_s": round(srv.start_seconds, 2),
                                              "queries": time_queries(eng, queries, reps, cap),
                                              "rss_mb": srv.rss_mb()}
            finally:
                eng.close()
    if "oxigraph" in engines:
        log(f"  [{label}] oxigraph server direct")
        port = free_port()
        with oxigraph_server(store, port, work / "oxigraph.log") as srv:
            eng = HttpEngine("oxigraph", srv.url, timeout=cap + 30)
            try:
                out["engines"]["oxigraph"] = {"server": srv.name, "start_s": round(srv.start_seconds, 2),
                                              "queries": time_queries(eng, queries, reps, cap),
                                              "rss_mb": srv.rss_mb()}
            finally:
                eng.close()
    if "pyoxigraph" in engines:
        log(f"  [{label}] pyoxigraph in-process")
        eng = PyoxigraphEngine(store)
        try:
            out["engines"]["pyoxigraph"] = {"queries": time_queries(eng, queries, reps, cap)}
        finally:
            eng.close()
    if "rdflib" in engines:
        log(f"  [{label}] rdflib in-process (child)")
        out["engines"]["rdflib"] = rdflib_engine(nquads, queries, reps, cap, timeout=cap * (len(queries) + 2) + 1800)
    if "rdflib-endpoint" in engines:
        log(f"  [{label}] rdflib-endpoint")
        slow = {n for n, e in (out["engines"].get("rdflib") or {}).get("queries", {}).items() if e.get("timeout_s")}
        out["engines"]["rdflib-endpoint"] = rdflib_endpoint_engine(nquads, queries, reps, cap, work, skip=slow)
    out["ratios"] = ratios(out["engines"], queries)
    return out


def _p50(engines: dict, engine: str, name: str) -> float | None:
    return ((engines.get(engine) or {}).get("queries") or {}).get(name, {}).get("p50_ms")


def ratios(engines: dict, queries: list[dict]) -> dict:
    """Per query: gdigraph/oxigraph (overhead of the front) and rdflib-endpoint/gdigraph (how much
    slower the usual Python endpoint is); a timed-out rdflib-endpoint query gives a lower bound."""
    out = {}
    for q in queries:
        name = q["name"]
        g, o = _p50(engines, "gdigraph", name), _p50(engines, "oxigraph", name)
        entry = {"kind": q["kind"], "gdigraph_over_oxigraph": ratio(g, o)}
        re_q = ((engines.get("rdflib-endpoint") or {}).get("queries") or {}).get(name, {})
        r = re_q.get("p50_ms")
        if r is None and re_q.get("timeout_s") and g:
            entry["rdflib_endpoint_over_gdigraph"] = None
            entry["rdflib_endpoint_over_gdigraph_at_least"] = round(re_q["timeout_s"] * 1000 / g, 1)
        else:
            entry["rdflib_endpoint_over_gdigraph"] = ratio(r, g)
        out[name] = entry
    return out
