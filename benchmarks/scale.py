"""Scale: synthetic data (``synth.py``) at 1M and 10M triples -- generate, load, query, memory.

Each step runs in its own child process (``python -m benchmarks.scale STEP ...``), measured from the
parent with ``wait4`` (wall time, CPU, peak RSS):

* ``generate OUT.nq TRIPLES SEED``: the N-Quads (curated part by rdflib + streamed synthetic part);
* ``load NQ STORE``: a fresh on-disk Oxigraph store with pyoxigraph ``bulk_load`` + ``optimize`` -- the
  same calls as ``gdigraph build``'s ``load_store``;
* ``queries STORE REPS CAP``: every named query in-process on the store (read-only), warm-up + REPS runs.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from .common import ROOT, rmtree, run_measured, summary_ms


def step_generate(out: str, triples: str, seed: str) -> dict:
    from .synth import generate

    return generate(Path(out), int(float(triples)), int(seed)).as_dict()


def step_load(nq: str, store: str) -> dict:
    import pyoxigraph

    rmtree(Path(store))
    t0 = time.perf_counter()
    st = pyoxigraph.Store(store)
    st.bulk_load(path=nq, format=pyoxigraph.RdfFormat.N_QUADS)
    t1 = time.perf_counter()
    st.flush()
    st.optimize()
    t2 = time.perf_counter()
    n = len(st)
    del st
    size = sum(p.stat().st_size for p in Path(store).rglob("*") if p.is_file())
    return {"bulk_load_s": round(t1 - t0, 2), "optimize_s": round(t2 - t1, 2), "quads": n,
            "store_mb": round(size / 1e6, 1)}


def step_queries(store: str, reps: str, cap: str) -> dict:
    import pyoxigraph

    from .sparql import PyoxigraphEngine, named_queries

    eng = PyoxigraphEngine.__new__(PyoxigraphEngine)
    eng.store = pyoxigraph.Store.read_only(store)
    from .sparql import time_queries

    return time_queries(eng, named_queries(), int(reps), float(cap))


STEPS = {"generate": step_generate, "load": step_load, "queries": step_queries}


def _child(step: str, *args: str, timeout: float) -> tuple[dict, dict]:
    """Run one step in a child process; (its JSON answer, the measurement)."""
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        out = Path(d) / "out.json"
        cmd = [sys.executable, "-m", "benchmarks.scale", step, str(out), *map(str, args)]
        run = run_measured(cmd, cwd=ROOT, timeout=timeout)
        answer = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
    m = run.as_dict()
    m.pop("cmd", None)
    return answer, m


def run_scale(size: int, work: Path, *, reps: int, cap: float, seed: int, keep: bool = False,
              log=print) -> dict:
    label = human(size)
    d = work / f"synth-{label}"
    nq, store = d / "graph" / "gdigraph.nq", d / "store"
    out: dict = {"label": label, "target_triples": size}
    log(f"  [{label}] generate")
    gen, m = _child("generate", nq, size, seed, timeout=3600)
    out["generate"] = {**m, "stats": gen}
    log(f"  [{label}] load (bulk_load + optimize)")
    loaded, m = _child("load", nq, store, timeout=3600)
    out["load"] = {**m, **loaded}
    out["generate_plus_load_s"] = round(out["generate"]["seconds"] + out["load"]["seconds"], 2)
    log(f"  [{label}] named queries")
    qs, m = _child("queries", store, reps, cap, timeout=cap * 40 + 600)
    out["queries"] = qs
    out["queries_process"] = m
    out["paths"] = {"nquads": str(nq), "store": str(store)}
    out["kept"] = keep
    return out


def human(n: int) -> str:
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n >= 1000 and n % 1000 == 0:
        return f"{n // 1000}k"
    return str(n)


def main(argv: list[str]) -> int:
    step, out, args = argv[0], argv[1], argv[2:]
    result = STEPS[step](*args)
    Path(out).write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
