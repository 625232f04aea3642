"""Smoke version of the benchmark suite (benchmarks/): seconds, no timing assertions.

The generator at ~20k triples (valid, deterministic N-Quads in the ontology's patterns), the loader,
one query per engine, and the report with all its sections."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import synth  # noqa: E402

GDI = "https://gdigraph.nl/def/gdi#"


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    d = tmp_path_factory.mktemp("synth")
    stats = synth.generate(d / "a.nq", 20_000, seed=7)
    return d, stats


def test_literal_escaping_round_trips():
    tricky = 'een "quote", a back\\slash,\ta tab,\nnew line\r and é — ü'
    line = f"<http://x/s> <http://x/p> {synth.lit(tricky, 'nl')} <http://x/g> .\n"
    (q,) = list(pyoxigraph.parse(line.encode("utf-8"), format=pyoxigraph.RdfFormat.N_QUADS))
    assert q.object.value == tricky and q.object.language == "nl"


def test_generator_writes_valid_deterministic_nquads(small, tmp_path):
    d, stats = small
    quads = list(pyoxigraph.parse(path=str(d / "a.nq"), format=pyoxigraph.RdfFormat.N_QUADS))
    assert len(quads) == stats.triples >= 20_000
    assert stats.triples < 30_000 and stats.organisations >= 30 and stats.series >= 1
    again = synth.generate(tmp_path / "b.nq", 20_000, seed=7)
    assert again.triples == stats.triples
    assert hashlib.sha256((d / "a.nq").read_bytes()).digest() == hashlib.sha256((tmp_path / "b.nq").read_bytes()).digest()


def test_generated_data_follows_the_ontology_patterns(small, tmp_path):
    d, _ = small
    store = pyoxigraph.Store()
    store.bulk_load(path=str(d / "a.nq"), format=pyoxigraph.RdfFormat.N_QUADS)

    def ask(q):
        return bool(store.query("PREFIX gdi: <%s> PREFIX qb: <http://purl.org/linked-data/cube#> "
                                "PREFIX time: <http://www.w3.org/2006/time#> %s" % (GDI, q),
                                use_default_graph_as_union=True))

    # dated connections as qualified roles, the shortcut only for connections without an end
    assert ask("ASK { ?f gdi:rol ?r . ?r a gdi:Rol ; gdi:rolsoort gdi:afnemer ; gdi:organisatie ?o ; "
               "gdi:periode/time:hasBeginning/time:inXSDDate ?d }")
    assert not ask("ASK { ?f gdi:afnemer ?o ; gdi:rol ?r . ?r gdi:organisatie ?o ; gdi:periode/time:hasEnd ?e }")
    # per-edition observations with source lines, harmonised series pointing to them, monthly figures
    assert ask("ASK { ?o a gdi:Waarneming, qb:Observation ; gdi:editie ?e ; gdi:bron/gdi:regelnummer ?n ; "
               "gdi:waarde ?v ; gdi:uitsplitsing ?u }")
    assert ask("ASK { ?h a gdi:ReeksWaarneming ; gdi:bronWaarneming ?o . ?o a gdi:Waarneming }")
    assert ask("ASK { ?m gdi:maand ?mm ; qb:dataSet <https://gdigraph.nl/id/dataset/maandcijfers> }")
    # facility and indicator codes are the real code lists'
    assert ask("ASK { ?o a gdi:Waarneming ; gdi:indicator ?i . ?i a gdi:Indicator }")


def test_benchmark_smoke_writes_a_report_with_all_sections(tmp_path):
    env = dict(os.environ)
    r = subprocess.run([sys.executable, "-m", "benchmarks", "--smoke", "--out", str(tmp_path)], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    rep = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    for section in ("machine", "versions", "pipeline", "sparql", "load", "scale", "targets"):
        assert section in rep and "skipped" not in rep[section], section
    assert rep["machine"]["cores"] and rep["versions"]["pyoxigraph"] and rep["versions"]["rdflib"]
    assert rep["pipeline"]["stages"]["extract"]["returncode"] == 0
    (ds,) = rep["sparql"]["datasets"]
    assert set(ds["engines"]) == {"gdigraph", "oxigraph", "pyoxigraph", "rdflib", "rdflib-endpoint"}
    for name, engine in ds["engines"].items():
        (entry,) = engine["queries"].values()
        assert "error" not in entry and entry["rows"] > 0, (name, entry)
    assert [lv["clients"] for lv in rep["load"]["levels"]] == [16, 64]
    assert all(lv["ok"] > 0 and not lv["transport_errors"] for lv in rep["load"]["levels"])
    (sc,) = rep["scale"]["sizes"]
    assert sc["load"]["quads"] == sc["generate"]["stats"]["triples"]
    assert sc["load"]["peak_rss_mb"] > 0 and sc["queries"]
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    for heading in ("## Machine", "## Versions", "## Targets", "## Pipeline", "## SPARQL", "## Load", "## Scale"):
        assert heading in md


def test_the_trivial_flow_is_three_task_runs_of_one_flow(prefect_harness):
    """The floor ``gdigraph run`` is compared with: one flow run, three task runs, result 6."""
    import asyncio

    from prefect.client.orchestration import get_client

    from benchmarks import trivial_flow

    assert trivial_flow.main() == 0

    async def runs():
        from prefect.client.schemas.filters import FlowFilter, FlowFilterName, FlowRunFilter, FlowRunFilterId

        async with get_client() as client:
            flows = await client.read_flow_runs(flow_filter=FlowFilter(name=FlowFilterName(any_=["trivial-three-tasks"])))
            tasks = await client.read_task_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[f.id for f in flows]))) if flows else []
            return flows, tasks

    import time

    deadline = time.monotonic() + 60  # task runs reach the server as events, a little later
    while True:
        flows, tasks = asyncio.run(runs())
        names = sorted(t.name.split("-")[0] for t in tasks if flows and t.flow_run_id == flows[0].id)
        if names == ["one", "three", "two"] or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert len(flows) >= 1 and all(f.state.is_completed() for f in flows)
    assert names == ["one", "three", "two"]


def test_targets_compare_run_with_the_prefect_floor_and_sum_the_10m_build():
    from benchmarks.report import evaluate_targets, render_markdown

    rep = {"pipeline": {"stages": {
        "prefect-floor": {"cmd": "python -m benchmarks.trivial_flow", "seconds": 11.0, "user_s": 5, "sys_s": 1,
                          "peak_rss_mb": 200, "returncode": 0, "median_s": 11.0, "runs_s": [10.5, 11.0, 12.0],
                          "first_start_s": 40.0},
        "run": {"seconds": 44.0, "user_s": 30, "sys_s": 2, "peak_rss_mb": 500, "returncode": 0},
        "run-again": {"seconds": 15.4, "user_s": 8, "sys_s": 1, "peak_rss_mb": 300, "returncode": 0}}},
        "scale": {"sizes": [{"label": "10M", "target_triples": 10_000_000, "queries": {},
                             "generate": {"seconds": 30.0, "peak_rss_mb": 100},
                             "load": {"seconds": 95.0, "bulk_load_s": 70, "optimize_s": 25, "peak_rss_mb": 2000}}]}}
    targets = {t["target"]: t for t in evaluate_targets(rep)}
    cold = next(t for k, t in targets.items() if "Prefect" in k and "cold" in k)
    again = next(t for k, t in targets.items() if "Prefect" in k and "again" in k)
    assert not cold["met"] and "4.00x" in cold["measured"] and "33.0 s over" in cold["measured"]
    assert again["met"] and "1.40x" in again["measured"]
    built = targets["10M: built and loaded < 120 s"]
    assert not built["met"] and built["measured"].startswith("125.0 s")
    md = render_markdown({**rep, "targets": list(targets.values())})
    assert "prefect-floor" in md and "[10.5, 11.0, 12.0]" in md
