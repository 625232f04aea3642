"""Shared helpers of the benchmark suite: the machine, versions, timed subprocesses, percentiles, servers."""

from __future__ import annotations

import contextlib
import os
import platform
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
LOOPBACK = "127.0.0.1"


def gdigraph_exe() -> str:
    exe = BIN / "gdigraph"
    return str(exe) if exe.exists() else "gdigraph"


def oxigraph_exe() -> str:
    from gdigraph.serve.engine import oxigraph_binary

    return oxigraph_binary()


# --------------------------------------------------------------------------------------------- machine

def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def machine() -> dict:
    cpu = ""
    for line in _read("/proc/cpuinfo").splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = 0
    for line in _read("/proc/meminfo").splitlines():
        if line.startswith("MemTotal:"):
            mem_kb = int(line.split()[1])
    os_name = platform.platform()
    for line in _read("/etc/os-release").splitlines():
        if line.startswith("PRETTY_NAME="):
            os_name = f"{line.split('=', 1)[1].strip(chr(34))} (kernel {platform.release()})"
    return {
        "cpu": cpu or platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "memory_gib": round(mem_kb / 1024 / 1024, 1),
        "os": os_name,
        "arch": platform.machine(),
        "loadavg_start": [round(x, 2) for x in os.getloadavg()],
    }


def _dist_version(name: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def versions() -> dict:
    out = {"python": platform.python_version()}
    for name in ("pyoxigraph", "oxigraph", "rdflib", "rdflib-endpoint", "prefect", "httpx", "uvicorn", "starlette"):
        out[name] = _dist_version(name)
    try:
        out["oxigraph_server"] = subprocess.run([oxigraph_exe(), "--version"], capture_output=True, text=True,
                                                timeout=10).stdout.strip()
    except Exception:  # noqa: BLE001 - reported as unknown
        out["oxigraph_server"] = None
    out["gdigraph"] = _dist_version("gdigraph")
    out["gdigraph_commit"] = git_commit()
    return out


def git_commit() -> str | None:
    try:
        sha = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True,
                             timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return (sha + ("+dirty" if dirty else "")) if sha else None
    except (OSError, subprocess.SubprocessError):
        return None


# ------------------------------------------------------------------------------------- measurement

@dataclass
class Run:
    """One command run in a child process: wall time, CPU time and the peak RSS of the child (and of
    the descendants it waited for), from ``wait4``."""

    cmd: list[str]
    seconds: float
    user_s: float
    sys_s: float
    peak_rss_mb: float
    returncode: int
    stdout_tail: str = ""
    stderr_tail: str = ""

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def as_dict(self) -> dict:
        return {"cmd": " ".join(self.cmd), "seconds": round(self.seconds, 3), "user_s": round(self.user_s, 2),
                "sys_s": round(self.sys_s, 2), "peak_rss_mb": round(self.peak_rss_mb, 1),
                "returncode": self.returncode, **({"stderr_tail": self.stderr_tail} if not self.ok else {})}


def run_measured(cmd: list[str], *, cwd: Path | None = None, env: dict | None = None,
                 timeout: float = 1800) -> Run:
    """Run ``cmd``; time and peak memory of that child alone (``os.wait4`` gives its own rusage, and
    ru_maxrss covers the descendants it waited for)."""
    import tempfile

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                start_new_session=True)
        deadline = t0 + timeout
        while True:
            pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                pid, status, ru = os.wait4(proc.pid, 0)
                break
            time.sleep(0.02)
        seconds = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        tail_out = out.read()[-2000:].decode("utf-8", "replace")
        tail_err = err.read()[-2000:].decode("utf-8", "replace")
    return Run(cmd, seconds, ru.ru_utime, ru.ru_stime, ru.ru_maxrss / 1024, proc.returncode, tail_out, tail_err)


def peak_rss_self_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile (p in 0..100) of the values; None for none."""
    if not values:
        return None
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100 * len(s) + 0.5)) - 1))
    return s[k]


def summary_ms(seconds: list[float]) -> dict:
    ms = [x * 1000 for x in seconds]
    return {"n": len(ms), "p50_ms": _r(percentile(ms, 50)), "p99_ms": _r(percentile(ms, 99)),
            "min_ms": _r(min(ms) if ms else None), "max_ms": _r(max(ms) if ms else None)}


def _r(x: float | None, nd: int = 2) -> float | None:
    return None if x is None else round(x, nd)


def ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return round(a / b, 2)


# ----------------------------------------------------------------------------------------- servers

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


class Server:
    """A server child process on 127.0.0.1, in its own process group; stopped (SIGTERM, then SIGKILL
    of the group) on exit."""

    def __init__(self, name: str, cmd: list[str], url: str, probe: str, *, env: dict | None = None,
                 cwd: Path | None = None, start_timeout: float = 120, log: Path | None = None):
        self.name, self.cmd, self.url, self.probe = name, cmd, url, probe
        self.env, self.cwd, self.start_timeout, self.log = env, cwd, start_timeout, log
        self.proc: subprocess.Popen | None = None
        self.start_seconds: float | None = None

    def __enter__(self) -> "Server":
        import httpx

        logf = open(self.log, "wb") if self.log else subprocess.DEVNULL
        t0 = time.perf_counter()
        self.proc = subprocess.Popen(self.cmd, env=self.env, cwd=self.cwd, stdout=logf, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        if self.log:
            logf.close()
        deadline = t0 + self.start_timeout
        last = None
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode} while starting: "
                                   f"{' '.join(self.cmd)}{self._log_tail()}")
            try:
                r = httpx.get(self.probe, timeout=5)
                if r.status_code < 500:
                    self.start_seconds = time.perf_counter() - t0
                    return self
                last = r.status_code
            except httpx.HTTPError as e:
                last = e
            time.sleep(0.1)
        self.__exit__(None, None, None)
        raise RuntimeError(f"{self.name} did not answer {self.probe} in {self.start_timeout}s ({last})"
                           f"{self._log_tail()}")

    def _log_tail(self) -> str:
        if self.log and self.log.exists():
            return "\n" + self.log.read_text(errors="replace")[-1500:]
        return ""

    def __exit__(self, *exc) -> None:
        p = self.proc
        if p is None or p.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(p.pid, signal.SIGTERM)
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGKILL)
            p.wait(timeout=10)

    def rss_mb(self) -> float | None:
        """Current RSS of the server's process group (sum over its processes), from /proc."""
        if self.proc is None:
            return None
        total = 0
        for d in Path("/proc").iterdir():
            if not d.name.isdigit():
                continue
            try:
                stat = (d / "stat").read_text().rsplit(")", 1)[1].split()
                if int(stat[2]) != self.proc.pid:  # pgrp
                    continue
                for line in (d / "status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            except (OSError, IndexError, ValueError):
                continue
        return round(total / 1024, 1)


def rmtree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
