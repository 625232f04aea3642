"""``gdigraph serve`` follows ``build/current`` (gdigraph.serve.follow): the real application on a real
uvicorn on 127.0.0.1, over two (three) releases fabricated from the small site build
(``site_fixture.make_build``: a tenth of a second each) and published with the project's own
``release.finalize`` / ``release.switch_current``.

Release B differs from A in its store (a marker triple on DigiD) and its manifest (so its ETags
differ). Requests run from several threads right through the switch: none may fail, each thread sees
A and then only B, B's answers carry the marker and A's do not; A's workers are gone afterwards,
and deleting A's directory (as the third run's pruning does) changes nothing.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import socket
import threading
import time
from pathlib import Path
from urllib.parse import quote

import httpx
import pyoxigraph as ox
import pytest

from gdigraph import release
from gdigraph.serve.app import create_app
from gdigraph.serve.follow import RELEASE_HEADER
from gdigraph.settings import Settings

from .site_fixture import BASE, make_build, make_trends
from .test_engine import alive, wait_dead

CHECK = 0.3  # GDIGRAPH_RELEASE_CHECK_SECONDS in these tests
DIGID = f"{BASE}/id/voorziening/digid"
MARKER = "marker of release B"
ASK_MARKER = f'ASK {{ <{DIGID}> <http://www.w3.org/2000/01/rdf-schema#comment> "{MARKER}" }}'
PATHS = ["/", "/doc/voorziening/digid", "/doc/voorziening/digid.ttl", "/.well-known/void",
         "/sparql?query=" + quote(ASK_MARKER, safe=""), "/dumps/gdigraph.nq", "/trends/"]


def make_release(settings: Settings, version: str, *, marker: bool = False, store: bool = True) -> Path:
    stage = release.new_staging(settings, version)
    make_build(stage)
    make_trends(stage)
    if marker:
        s = ox.Store(str(stage / "store"))
        s.add(ox.Quad(ox.NamedNode(DIGID), ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment"),
                      ox.Literal(MARKER), ox.NamedNode(f"{BASE}/graph/referentie")))
        s.flush()
        del s
        manifest = json.loads((stage / "graph" / "manifest.json").read_text())
        manifest["graphs"]["referentie"]["triples"] += 1
        (stage / "graph" / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    if not store:  # a broken release: an empty store directory
        shutil.rmtree(stage / "store")
        (stage / "store").mkdir()
    return release.finalize(settings, stage, version, {"test": version})


@pytest.fixture
def build(tmp_path) -> Settings:
    settings = Settings(build_dir=tmp_path / "build", sparql_endpoint="", query_workers=2, query_timeout=5.0,
                        release_check_seconds=CHECK)
    make_release(settings, "aaaa")
    release.switch_current(settings, "aaaa")
    return settings


class Server:
    def __init__(self, app):
        import uvicorn

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.app = app
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> "Server":
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started and self.thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert self.server.started, "uvicorn did not start"
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(timeout=30)

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, trust_env=False, timeout=30)


def release_of(r: httpx.Response) -> str | None:
    return r.headers.get(RELEASE_HEADER)


def has_marker(path: str, r: httpx.Response) -> bool | None:
    if path.startswith("/sparql"):
        return r.json()["boolean"]
    if path.endswith(".ttl"):
        return MARKER in r.text
    return None


def worker_stores(pids) -> set[str]:
    """The ``--location`` of each worker process."""
    out = set()
    for pid in pids:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        out.add(args[args.index(b"--location") + 1].decode())
    return out


def workers_on(store: Path) -> list[int]:
    """Running processes whose ``--location`` is ``store``."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            args = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"--location" in args and args[args.index(b"--location") + 1] == str(store).encode() and alive(int(proc.name)):
            found.append(int(proc.name))
    return found


def wait_for(predicate, within: float) -> float | None:
    """Seconds until ``predicate()`` held, None when it did not within ``within``."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < within:
        if predicate():
            return time.monotonic() - t0
        time.sleep(0.05)
    return None


def test_serve_follows_a_switch_of_build_current_without_a_failed_request(build):
    settings = build
    a_dir = release.release_dir(settings, "aaaa")
    app = create_app(settings)  # the default store: build/current/store
    assert app.following and app.served.store == (a_dir / "store").resolve()
    with Server(app) as server, server.client() as c:
        first = c.get("/")
        assert first.status_code == 200 and release_of(first) == "aaaa"
        etag_a = c.get("/doc/voorziening/digid").headers["etag"]
        old_pids = set(app.state.engine.pids)
        # pinned to the release directory, never the link
        assert worker_stores(old_pids) == {str(a_dir.resolve() / "store")}
        make_release(settings, "bbbb", marker=True)
        assert c.get(PATHS[4]).json()["boolean"] is False  # built, not published: still A

        seen: list[list[tuple[float, str, int, str | None, bool | None]]] = [[] for _ in range(4)]
        stop = threading.Event()

        def load(i: int):
            with server.client() as cc:
                k = i
                while not stop.is_set():
                    path = PATHS[k % len(PATHS)]
                    k += 1
                    try:
                        r = cc.get(path)
                        seen[i].append((time.monotonic(), path, r.status_code, release_of(r),
                                        has_marker(path, r) if r.status_code == 200 else None))
                    except httpx.HTTPError as e:
                        seen[i].append((time.monotonic(), path, -1, repr(e), None))

        threads = [threading.Thread(target=load, args=(i,)) for i in range(len(seen))]
        for t in threads:
            t.start()
        try:
            time.sleep(1.0)
            t_switch = time.monotonic()
            release.switch_current(settings, "bbbb")
            took = wait_for(lambda: any(s and s[-1][3] == "bbbb" for s in seen), 15)
            assert took is not None, "no answer from the new release within 15 s"
            time.sleep(1.0)
        finally:
            stop.set()
            for t in threads:
                t.join(timeout=60)
        answers = [a for s in seen for a in s]
        failed = [a for a in answers if a[2] != 200]
        assert not failed, failed[:10]
        for s in seen:  # per thread: A, then B only, never back
            releases = [a[3] for a in s]
            assert releases and releases[0] == "aaaa" and releases[-1] == "bbbb", releases
            switched = releases.index("bbbb")
            assert set(releases[:switched]) == {"aaaa"} and set(releases[switched:]) == {"bbbb"}, releases
        for a in answers:  # the data of each answer is of the release it says
            if a[4] is not None:
                assert a[4] == (a[3] == "bbbb"), a
        first_b = min(a[0] for a in answers if a[3] == "bbbb")
        print(f"\n{len(answers)} requests through the switch, none failed; the first answer from the new release "
              f"{first_b - t_switch:.2f} s after the switch (check every {CHECK} s)")
        assert first_b - t_switch < CHECK + 10
        # after the switch: the old workers are gone, the new ones read B's directory
        assert wait_dead(old_pids, 10), "the workers of the old release are still running"
        b_dir = release.release_dir(settings, "bbbb").resolve()
        new_pids = set(app.state.engine.pids)
        assert new_pids and not new_pids & old_pids and worker_stores(new_pids) == {str(b_dir / "store")}
        status = app.status()
        assert status["switches"] == 1 and status["release"] == "bbbb" and status["retiring"] == 0
        assert status["failures"] == 0 and status["last_error"] is None
        # the pages are B's: its ETags, its VoID
        r = c.get("/doc/voorziening/digid", headers={"If-None-Match": etag_a})
        assert r.status_code == 200 and r.headers["etag"] != etag_a
        assert "bbbb" in c.get("/.well-known/void.ttl").text
        # the old release deleted (as the pruning of a later run does): nothing breaks, and a worker
        # that is respawned (here: killed) reads B again
        shutil.rmtree(a_dir)
        victim = sorted(new_pids)[0]
        os.kill(victim, signal.SIGKILL)
        assert wait_dead([victim], 5)
        for _ in range(3):
            for path in PATHS:
                r = c.get(path)
                assert r.status_code == 200 and release_of(r) == "bbbb", (path, r.status_code, r.text[:300])
                if has_marker(path, r) is not None:
                    assert has_marker(path, r) is True, path
        assert wait_for(lambda: len(app.state.engine.pids) == 2, 10) is not None
        assert worker_stores(app.state.engine.pids) == {str(b_dir / "store")}
    assert not any(alive(p) for p in app.state.engine.pids)


class Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


def test_a_release_that_does_not_start_leaves_the_old_one_serving(build):
    settings = build
    records = Records()
    logger = logging.getLogger("gdigraph.serve.follow")
    logger.addHandler(records)
    old_level = logger.level
    logger.setLevel(logging.INFO)
    try:
        app = create_app(settings)
        with Server(app) as server, server.client() as c:
            pids = set(app.state.engine.pids)
            make_release(settings, "cccc", store=False)  # an empty store directory
            release.switch_current(settings, "cccc")
            assert wait_for(lambda: app.status()["failures"] >= 2, 15) is not None, app.status()
            for path in PATHS:
                r = c.get(path)
                assert r.status_code == 200 and release_of(r) == "aaaa", (path, r.status_code)
            assert set(app.state.engine.pids) == pids and all(alive(p) for p in pids)
            status = app.status()
            assert status["release"] == "aaaa" and "cccc" in status["last_error"], status
            errors = [r.getMessage() for r in records.records if r.levelno >= logging.ERROR]
            assert errors and "could not switch" in errors[0] and "still serving aaaa" in errors[0], errors
            # no stray workers of the broken release (a worker that failed to start is stopped) ...
            c_store = release.release_dir(settings, "cccc").resolve() / "store"
            assert workers_on(c_store) == []
            # ... and it is tried again later: once the store is there, the switch happens
            c_store.rmdir()
            make_build(c_store.parent / "rebuilt")
            os.rename(c_store.parent / "rebuilt" / "store", c_store)
            assert wait_for(lambda: release_of(c.get("/")) == "cccc", 20) is not None, app.status()
            assert wait_dead(pids, 10)
            assert app.status()["failures"] == 0 and app.status()["switches"] == 1
    finally:
        logger.removeHandler(records)
        logger.setLevel(old_level)


def test_a_plain_store_or_a_remote_endpoint_is_not_followed(build, tmp_path):
    settings = build
    current_store = settings.current_dir / "store"
    pinned = release.release_dir(settings, "aaaa").resolve() / "store"
    # a plain store: served as it is, no release
    plain = make_build(tmp_path / "plain")["store"]
    app = create_app(settings, plain)
    assert app.link is None and not app.following and app.served.store == plain and app.served.version is None
    # the remote endpoint: nothing to follow
    app = create_app(settings.with_(sparql_endpoint="http://127.0.0.1:9/query"), current_store)
    assert app.link is None and not app.following and app.served.version is None
    # following off (0): pinned to the release of the start all the same
    app = create_app(settings.with_(release_check_seconds=0), current_store)
    assert not app.following and app.served.store == pinned and app.served.version == "aaaa"


def test_a_release_answers_with_its_own_drawing_and_exposes_its_version_to_other_origins(build):
    """The Stelselplaat drawing comes from the release served (its ``site/stelselplaat.svg``), not from
    whatever ``build/`` holds now; the release header is readable by scripts of other origins."""
    settings = build
    site = release.release_dir(settings, "aaaa") / "site"
    site.mkdir(exist_ok=True)
    (site / "stelselplaat.svg").write_bytes(b'<svg xmlns="http://www.w3.org/2000/svg"><title>A</title></svg>')
    settings.build_dir.mkdir(parents=True, exist_ok=True)
    (settings.build_dir / "stelsel.svg").write_bytes(b'<svg xmlns="http://www.w3.org/2000/svg"><title>now</title></svg>')
    app = create_app(settings, settings.current_dir / "store")
    with Server(app) as server, server.client() as c:
        r = c.get("/stelselplaat.svg")
        assert r.status_code == 200 and b"<title>A</title>" in r.content, r.content[:200]
        r = c.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://wiki.example"})
        assert r.status_code == 200 and release_of(r) == "aaaa"
        exposed = [h.strip().lower() for h in r.headers.get("access-control-expose-headers", "").split(",")]
        assert RELEASE_HEADER.lower() in exposed
        for path in ("/doc/voorziening/digid", "/stelselplaat.svg", "/.well-known/void"):
            r = c.get(path)
            assert release_of(r) == "aaaa"
            exposed = r.headers.get("access-control-expose-headers", "")
            if "access-control-allow-origin" in r.headers:  # open to other origins: the version too
                assert RELEASE_HEADER.lower() in exposed.lower(), path
            else:
                assert not exposed, path


@pytest.mark.parametrize("headers, exposed", [
    ([], None),
    ([(b"access-control-allow-origin", b"*")], b"Gdigraph-Release"),
    ([(b"access-control-allow-origin", b"*"), (b"access-control-expose-headers", b"ETag")], b"ETag, Gdigraph-Release"),
    ([(b"Access-Control-Allow-Origin", b"*"), (b"Access-Control-Expose-Headers", b"gdigraph-release")], b"gdigraph-release"),
])
def test_the_release_header_is_exposed_once_where_cors_is_open(headers, exposed):
    from gdigraph.serve.follow import _with_release

    out = _with_release(headers, (b"gdigraph-release", b"v1"))
    assert (b"gdigraph-release", b"v1") in out
    got = [v for k, v in out if k.lower() == b"access-control-expose-headers"]
    assert got == ([exposed] if exposed else [])
