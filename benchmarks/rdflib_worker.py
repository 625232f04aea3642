"""rdflib's own SPARQL engine on the same data, in a child process (so a slow query can be cut off).

``python -m benchmarks.rdflib_worker DATA.nq QUERIES.json REPS CAP_S`` loads the N-Quads into an rdflib
``Dataset(default_union=True)`` and runs each query (``[{"name", "text"}]``) once to warm up and then
REPS times (3 when one run takes over 5 s); a query whose run takes longer than CAP_S seconds is
stopped (SIGALRM: rdflib is pure Python) and reported as a timeout. One JSON object per line on
stdout: first ``{"load_s", "triples", "rss_mb"}``, then one per query.
"""

from __future__ import annotations

import json
import resource
import signal
import sys
import time


class Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise Timeout()


def run_one(ds, text: str, cap: float) -> tuple[float, int]:
    signal.setitimer(signal.ITIMER_REAL, cap)
    try:
        t0 = time.perf_counter()
        res = ds.query(text)
        n = 0
        for row in res:
            n += 1
            if hasattr(row, "__iter__"):
                for v in row:
                    if v is not None:
                        str(v)
        return time.perf_counter() - t0, n
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def main(argv: list[str]) -> int:
    from rdflib import Dataset

    data, qfile, reps, cap = argv[0], argv[1], int(argv[2]), float(argv[3])
    queries = json.load(open(qfile, encoding="utf-8"))
    signal.signal(signal.SIGALRM, _alarm)
    t0 = time.perf_counter()
    ds = Dataset(default_union=True)
    ds.parse(data, format="nquads")
    load_s = time.perf_counter() - t0
    print(json.dumps({"load_s": round(load_s, 3), "triples": len(ds),
                      "rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}), flush=True)
    for q in queries:
        out: dict = {"name": q["name"], "times": [], "rows": None}
        try:
            first, rows = run_one(ds, q["text"], cap)
            out["rows"] = rows
            n = reps if first <= 5 else min(reps, 3)
            for _ in range(n):
                t, _ = run_one(ds, q["text"], cap)
                out["times"].append(t)
        except Timeout:
            out["timeout_s"] = cap
        except Exception as e:  # noqa: BLE001 - reported per query
            out["error"] = f"{type(e).__name__}: {e}"[:300]
        print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
