"""``python -m benchmarks`` (``make bench``): the whole benchmark suite, one report.

Runs the pipeline stages, the named queries on five engines (real graph, and the 1M synthetic graph),
the load levels against ``gdigraph serve`` and the scale runs (1M, 10M synthetic triples), then writes
``report.json`` and ``report.md`` (machine, versions, medians, ratios, targets) into ``--out``
(default ``build/bench/``; the committed examples are in ``benchmarks/results/``).

``--smoke`` is the seconds-long version the test suite runs: 20k synthetic triples, one query per
engine, a few requests per load level; every section is still there.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

from . import load as load_mod
from . import pipeline, report, scale, sparql
from .common import ROOT, free_port, machine, rmtree, versions


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0])
    ap.add_argument("--smoke", action="store_true", help="seconds-long version (tests): tiny data, one query")
    ap.add_argument("--out", type=Path, default=None, help="where report.json / report.md go (default build/bench)")
    ap.add_argument("--work", type=Path, default=None, help="scratch directory (default OUT/work)")
    ap.add_argument("--sections", default="pipeline,sparql,load,scale",
                    help="comma-separated subset of pipeline,sparql,load,scale")
    ap.add_argument("--sizes", default=None, help="synthetic sizes in triples (default 1e6,1e7; smoke 2e4)")
    ap.add_argument("--reps", type=int, default=None, help="runs per query after a warm-up (default 20; smoke 2)")
    ap.add_argument("--cap", type=float, default=None,
                    help="seconds one run of a query may take on the slow engines before it counts as a timeout "
                         "(default 120; smoke 30)")
    ap.add_argument("--sparql-at", default=None,
                    help="synthetic sizes also measured on all five engines (default 1e6; smoke 2e4)")
    ap.add_argument("--load-requests", type=int, default=None, help="requests per load level (default 3000)")
    ap.add_argument("--load-time-cap", type=float, default=None, help="seconds per load level (default 60)")
    ap.add_argument("--seed", type=int, default=20251123)
    ap.add_argument("--keep", action="store_true", help="keep the synthetic data and stores")
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    a = parse_args(argv)
    smoke = a.smoke
    out = a.out or (ROOT / "build" / "bench" / ("smoke" if smoke else ""))
    work = a.work or (out / "work")
    sections = set(filter(None, a.sections.split(",")))
    sizes = [int(float(x)) for x in (a.sizes or ("2e4" if smoke else "1e6,1e7")).split(",") if x]
    sparql_at = {int(float(x)) for x in (a.sparql_at or ("2e4" if smoke else "1e6")).split(",") if x}
    reps = a.reps or (2 if smoke else 20)
    cap = a.cap or (30.0 if smoke else 120.0)
    load_requests = a.load_requests or (40 if smoke else 3000)
    load_cap = a.load_time_cap or (10.0 if smoke else 60.0)
    out.mkdir(parents=True, exist_ok=True)
    work.mkdir(parents=True, exist_ok=True)
    t_start = time.perf_counter()

    def log(msg: str) -> None:
        print(f"[{time.perf_counter() - t_start:7.1f}s] {msg}", file=sys.stderr, flush=True)

    rep: dict = {"date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
                 "mode": "smoke" if smoke else "full",
                 "command": "python -m benchmarks " + " ".join(argv if argv is not None else sys.argv[1:]),
                 "machine": machine(), "versions": versions(),
                 "config": {"reps": reps, "cap_s": cap, "sizes": sizes, "sparql_at": sorted(sparql_at),
                            "load_requests": load_requests, "load_time_cap_s": load_cap, "seed": a.seed},
                 "notes": []}
    queries = sparql.named_queries()
    if smoke:  # one query per engine
        queries = [q for q in queries if q["name"] == "facilities-per-organisation"] or queries[:1]

    # ------------------------------------------------------------------------------ pipeline
    real_build = work / "build"
    if "pipeline" in sections:
        log("pipeline")
        stages = ("extract",) if smoke else ("extract", "build", "publish", "run")
        rep["pipeline"] = pipeline.run_pipeline(real_build, stages=stages, log=log)
        if smoke:
            rep["pipeline"]["note"] = "smoke: extract only"
    else:
        rep["pipeline"] = {"skipped": "not selected"}

    # ------------------------------------------------------------------------------ scale (data first)
    scale_results = []
    if "scale" in sections or ("sparql" in sections and sparql_at):
        for size in sizes:
            log(f"scale {scale.human(size)}")
            scale_results.append(scale.run_scale(size, work, reps=reps, cap=cap, seed=a.seed, log=log))
    rep["scale"] = {"sizes": scale_results} if "scale" in sections else {"skipped": "not selected"}

    # ------------------------------------------------------------------------------ sparql
    datasets = []
    if "sparql" in sections:
        real_store, real_nq = real_build / "store", real_build / "graph" / "gdigraph.nq"
        if not smoke and real_store.exists() and real_nq.exists():
            log("sparql on the real graph")
            ds = sparql.run_sparql(real_store, real_nq, work / "sparql-real", reps=reps, cap=cap, label="real",
                                   queries=queries, log=log)
            ds["triples"] = rep["pipeline"].get("triples")
            datasets.append(ds)
        for s in scale_results:
            if s["target_triples"] in sparql_at:
                label = f"synth-{s['label']}"
                log(f"sparql on {label}")
                ds = sparql.run_sparql(Path(s["paths"]["store"]), Path(s["paths"]["nquads"]), work / f"sparql-{label}",
                                       reps=reps, cap=cap, label=label, queries=queries, log=log)
                ds["triples"] = s["generate"]["stats"].get("triples")
                datasets.append(ds)
        rep["sparql"] = {"datasets": datasets}
    else:
        rep["sparql"] = {"skipped": "not selected"}

    # ------------------------------------------------------------------------------ load
    if "load" in sections:
        store = real_build / "store"
        if smoke or not store.exists():
            store = Path(scale_results[0]["paths"]["store"]) if scale_results else store
        if store.exists():
            log(f"load against {store}")
            from gdigraph.settings import get_settings

            st = get_settings()
            levels = []
            port = free_port()
            with sparql.gdigraph_server(store, port, work / "gdigraph-load.log") as srv:
                texts = [q["text"] for q in queries]
                for clients in (16, 64):
                    log(f"  {clients} clients")
                    levels.append(load_mod.run_load(srv.url, texts, clients=clients,
                                                    requests=max(load_requests, clients * 2), time_cap=load_cap))
                rss = srv.rss_mb()
            rep["load"] = {"server": srv.name, "store": str(store), "workers": st.query_workers,
                           "queue": st.query_queue, "requests": load_requests, "time_cap_s": load_cap,
                           "levels": levels, "server_rss_mb": rss}
        else:
            rep["load"] = {"skipped": "no store to serve (run the pipeline or a scale size)"}
    else:
        rep["load"] = {"skipped": "not selected"}

    if not a.keep:
        for s in scale_results:
            rmtree(Path(s["paths"]["nquads"]).parent.parent)
    rep["machine"]["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    if max(rep["machine"]["loadavg_start"][0], rep["machine"]["loadavg_end"][0]) > 1.0:
        rep["machine"]["note"] = ("The machine was not idle during this run (load average above 1 on "
                                  f"{rep['machine']['cores']} cores): other processes competed for the CPUs, so "
                                  "latencies and durations are upper bounds.")
    rep["seconds"] = round(time.perf_counter() - t_start, 1)
    rep["targets"] = report.evaluate_targets(rep)
    (out / "report.json").write_text(json.dumps(rep, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    (out / "report.md").write_text(report.render_markdown(rep), encoding="utf-8")
    log(f"wrote {out / 'report.md'} and {out / 'report.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
