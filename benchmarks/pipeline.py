"""The pipeline, stage by stage, each in its own child process: wall time, CPU time and peak RSS.

Stages: ``gdigraph extract-all`` (every bundled document), ``gdigraph build`` (named graphs, dumps and
the Oxigraph store), ``gdigraph publish`` when the command exists, and ``gdigraph run`` (the whole job
through Prefect's local mode, what ``make run`` does) when it is the Prefect flow, twice: cold, and again
on the same input (what the yearly schedule does when no report changed: the release exists and is
reused). Beside it ``prefect-floor``: the trivial three-task flow of ``benchmarks/trivial_flow.py``
started the same way (after one unmeasured start, so that Prefect's database exists for both; median
of three), Prefect's own fixed cost that ``gdigraph run`` is compared with. Everything is written
under the benchmark's own build directory (``GDIGRAPH_BUILD_DIR``), never into the project's build/,
emptied first so that every stage runs cold (the flow's ingest cache included).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .common import ROOT, gdigraph_exe, rmtree, run_measured


def has_command(name: str) -> str | None:
    """The help text of ``gdigraph NAME``, or None when there is no such command."""
    try:
        r = subprocess.run([gdigraph_exe(), name, "--help"], capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.SubprocessError):
        return None
    return r.stdout if r.returncode == 0 else None


def prefect_floor(env: dict, *, runs: int = 3, log=print) -> dict:
    """The trivial three-task flow, started like ``gdigraph run``: one start unmeasured (it may create
    and migrate Prefect's database), then ``runs`` measured; the median run, with all the times."""
    cmd = [sys.executable, "-m", "benchmarks.trivial_flow"]
    warm = run_measured(cmd, cwd=ROOT, env=env, timeout=600)
    if not warm.ok:
        return {"cmd": " ".join(cmd), "error": warm.stderr_tail or f"exit {warm.returncode}"}
    measured = [run_measured(cmd, cwd=ROOT, env=env, timeout=600) for _ in range(runs)]
    failed = [r for r in measured if not r.ok]
    if failed:
        return {"cmd": " ".join(cmd), "error": failed[0].stderr_tail or f"exit {failed[0].returncode}"}
    median = sorted(measured, key=lambda r: r.seconds)[len(measured) // 2]
    out = median.as_dict()
    out["runs_s"] = [round(r.seconds, 2) for r in measured]
    out["median_s"] = out["seconds"]
    out["first_start_s"] = round(warm.seconds, 2)
    log(f"    trivial flow: {out['runs_s']} s")
    return out


def run_pipeline(build_dir: Path, *, stages: tuple[str, ...] = ("extract", "build", "publish", "run"),
                 log=print) -> dict:
    run_dir = build_dir.parent / (build_dir.name + "-run")
    for d in (build_dir, run_dir):  # cold runs: no earlier output, no flow cache
        rmtree(d)
    build_dir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, GDIGRAPH_BUILD_DIR=str(build_dir))
    out: dict = {"build_dir": str(build_dir), "stages": {}}
    exe = gdigraph_exe()
    if "extract" in stages:
        log("  extract-all")
        out["stages"]["extract"] = run_measured([exe, "extract-all", "--out", str(build_dir)], cwd=ROOT,
                                                env=env).as_dict()
    if "build" in stages:
        log("  build")
        out["stages"]["build"] = run_measured([exe, "build"], cwd=ROOT, env=env).as_dict()
        manifest = build_dir / "graph" / "manifest.json"
        if manifest.exists():
            import json

            graphs = json.loads(manifest.read_text(encoding="utf-8")).get("graphs", {})
            out["triples"] = sum(g.get("triples", 0) for g in graphs.values())
    if "publish" in stages:
        if has_command("publish") is not None:
            log("  publish (static site)")
            out["stages"]["publish"] = run_measured([exe, "publish", "--static", str(build_dir / "site"), "--store",
                                                     str(build_dir / "store")], cwd=ROOT, env=env).as_dict()
        else:
            out["stages"]["publish"] = {"skipped": "no `gdigraph publish` command in this tree"}
    if "run" in stages:
        top = subprocess.run([exe, "--help"], capture_output=True, text=True, timeout=120).stdout.lower()
        if has_command("run") is not None and ("prefect" in top or (ROOT / "flows" / "monitor.py").exists()):
            log("  prefect floor (trivial three-task flow)")
            out["stages"]["prefect-floor"] = prefect_floor(env, log=log)
            run_env = dict(env, GDIGRAPH_BUILD_DIR=str(run_dir))
            for name, what in (("run", "run (Prefect local mode), cold"), ("run-again", "run again (same input)")):
                log(f"  {what}")
                out["stages"][name] = run_measured([exe, "run"], cwd=ROOT, env=run_env, timeout=3600).as_dict()
                out["stages"][name]["build_dir"] = str(run_dir)
        else:
            out["stages"]["run"] = {"skipped": "`gdigraph run` is not the Prefect flow in this tree"}
    return out
