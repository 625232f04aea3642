"""Pushing named graphs over the SPARQL 1.1 Graph Store Protocol, against a real Oxigraph server
started on loopback: every graph replaced by one PUT, other graphs left alone, retries on transient
failures, clear errors for the rest, credentials never printed, the CLI."""

from __future__ import annotations

import http.server
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from gdigraph.cli import main as cli_main
from gdigraph.publish.push import PushError, graph_payloads, push

OXIGRAPH = Path(sys.executable).with_name("oxigraph")
G1 = "https://gdigraph.nl/graph/editie/2024"
G2 = "https://gdigraph.nl/graph/reeksen"
OTHER = "https://example.org/graph/someone-else"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_oxigraph(location: Path, port: int) -> subprocess.Popen:
    return subprocess.Popen([str(OXIGRAPH), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_ready(base: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/query", params={"query": "ASK {}"}, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"oxigraph at {base} did not start")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:  # pragma: no cover
        proc.kill()
        proc.wait()


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory):
    """A real Oxigraph server on loopback; yields its base URL."""
    port = free_port()
    proc = start_oxigraph(tmp_path_factory.mktemp("oxigraph"), port)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base)
        yield base
    finally:
        stop(proc)


def nq(triples: list[tuple[str, str, str]], graph: str) -> str:
    return "".join(f"<{s}> <{p}> {o} <{graph}> .\n" for s, p, o in triples)


def graph_dir(tmp_path: Path, files: dict[str, str]) -> Path:
    d = tmp_path / "graph"
    (d / "graphs").mkdir(parents=True)
    for name, text in files.items():
        (d / "graphs" / name).write_text(text, encoding="utf-8")
    return d


def triples_in(base: str, graph: str) -> set[str]:
    r = httpx.get(f"{base}/store", params={"graph": graph}, headers={"Accept": "application/n-triples"})
    if r.status_code == 404:
        return set()
    r.raise_for_status()
    return {line.strip() for line in r.text.splitlines() if line.strip()}


EX = "https://gdigraph.nl/id/waarneming/"
P = "https://gdigraph.nl/def/gdi#waarde"


def test_every_named_graph_is_stored_and_a_second_push_replaces_it(oxigraph, tmp_path):
    store = f"{oxigraph}/store"
    # someone else's graph in the same store stays as it is
    httpx.put(store, params={"graph": OTHER}, content=b"<urn:a> <urn:b> <urn:c> .\n",
              headers={"Content-Type": "application/n-triples"}).raise_for_status()
    first = graph_dir(tmp_path / "1", {
        "editie-2024.nq": nq([(EX + "a", P, '"1"'), (EX + "b", P, '"2"'), (EX + "c", P, '"3"')], G1),
        "reeksen.nq": nq([(EX + "s", P, '"éé"@nl')], G2),
    })
    result = push(first, store)
    assert [(g.graph, g.triples, g.attempts) for g in result.graphs] == [(G1, 3, 1), (G2, 1, 1)]
    assert result.triples == 4 and "2 named graphs (4 triples)" in result.summary()
    assert len(triples_in(oxigraph, G1)) == 3
    assert triples_in(oxigraph, G2) == {f'<{EX}s> <{P}> "éé"@nl .'}
    # the next release drops a figure and changes one: the graph is replaced, not merged
    second = graph_dir(tmp_path / "2", {
        "editie-2024.nq": nq([(EX + "a", P, '"1"'), (EX + "b", P, '"20"')], G1),
        "reeksen.nq": nq([(EX + "s", P, '"éé"@nl')], G2),
    })
    push(second, store)
    assert triples_in(oxigraph, G1) == {f'<{EX}a> <{P}> "1" .', f'<{EX}b> <{P}> "20" .'}
    assert triples_in(oxigraph, OTHER) == {"<urn:a> <urn:b> <urn:c> ."}


def test_a_wrong_endpoint_fails_at_once_with_the_status_and_a_hint(oxigraph, tmp_path):
    d = graph_dir(tmp_path, {"g.nq": nq([(EX + "a", P, '"1"')], G1)})
    t = time.monotonic()
    with pytest.raises(PushError) as e:
        push(d, f"{oxigraph}/no-such-endpoint", retries=3, backoff=5)
    assert time.monotonic() - t < 4  # no retries for a 4xx
    assert "HTTP 404" in str(e.value) and G1 in str(e.value) and "Graph Store Protocol endpoint" in str(e.value)
    assert e.value.transient is False


def test_an_unreachable_store_is_retried_then_reported_without_credentials(tmp_path):
    d = graph_dir(tmp_path, {"g.nq": nq([(EX + "a", P, '"1"')], G1)})
    port = free_port()  # nothing listens here
    with pytest.raises(PushError) as e:
        push(d, f"http://editor:s3cret@127.0.0.1:{port}/store", retries=2, backoff=0.05)
    msg = str(e.value)
    assert "after 3 attempts" in msg and "ConnectError" in msg and e.value.transient
    assert "s3cret" not in msg and "editor" not in msg


def test_a_store_that_comes_up_late_is_reached_by_retrying(tmp_path):
    d = graph_dir(tmp_path, {"g.nq": nq([(EX + "a", P, '"1"')], G1)})
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    procs: list[subprocess.Popen] = []
    starter = threading.Timer(0.3, lambda: procs.append(start_oxigraph(tmp_path / "late", port)))
    starter.start()
    try:
        result = push(d, f"{base}/store", retries=8, backoff=0.25)
        assert result.graphs[0].attempts > 1
        assert triples_in(base, G1) == {f'<{EX}a> <{P}> "1" .'}
    finally:
        starter.join()
        for p in procs:
            stop(p)


class _BusyOnce(http.server.BaseHTTPRequestHandler):
    """A proxy in front of the real store that answers 503 (Retry-After: 0) to the first PUT."""

    target = ""
    seen = 0

    def do_PUT(self):  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        type(self).seen += 1
        if type(self).seen == 1:
            self.send_response(503)
            self.send_header("Retry-After", "0")
            self.send_header("Content-Length", "4")
            self.end_headers()
            self.wfile.write(b"busy")
            return
        r = httpx.put(self.target + self.path, content=body,
                      headers={"Content-Type": self.headers["Content-Type"]})
        self.send_response(r.status_code)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_a_busy_store_503_is_retried(oxigraph, tmp_path):
    d = graph_dir(tmp_path, {"g.nq": nq([(EX + "z", P, '"9"')], "https://gdigraph.nl/graph/busy")})
    _BusyOnce.target, _BusyOnce.seen = oxigraph, 0
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _BusyOnce)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        result = push(d, f"http://127.0.0.1:{server.server_address[1]}/store", retries=2, backoff=5)
    finally:
        server.shutdown()
        server.server_close()
    assert result.graphs[0].attempts == 2 and _BusyOnce.seen == 2
    assert triples_in(oxigraph, "https://gdigraph.nl/graph/busy") == {f'<{EX}z> <{P}> "9" .'}


def test_payloads_are_checked_before_anything_is_sent(tmp_path):
    with pytest.raises(PushError, match="no named graphs"):
        graph_payloads(graph_dir(tmp_path / "empty", {}))
    with pytest.raises(PushError, match="default graph"):
        graph_payloads(graph_dir(tmp_path / "dflt", {"g.nq": "<urn:a> <urn:b> <urn:c> .\n"}))
    with pytest.raises(PushError, match="not valid N-Quads"):
        graph_payloads(graph_dir(tmp_path / "bad", {"g.nq": "<urn:a> <urn:b> .\n"}))
    with pytest.raises(PushError, match="not an http"):
        push(graph_dir(tmp_path / "ok", {"g.nq": nq([(EX + "a", P, '"1"')], G1)}), "ftp://host/store")


def test_cli_push(oxigraph, tmp_path, capsys):
    d = graph_dir(tmp_path, {"g.nq": nq([(EX + "cli", P, '"7"')], "https://gdigraph.nl/graph/cli")})
    assert cli_main(["push", "--store", f"{oxigraph}/store", "--graph-dir", str(d)]) == 0
    out = capsys.readouterr()
    assert "pushed 1 named graphs (1 triples)" in out.out and "stored https://gdigraph.nl/graph/cli" in out.err
    assert triples_in(oxigraph, "https://gdigraph.nl/graph/cli") == {f'<{EX}cli> <{P}> "7" .'}
    assert cli_main(["push", "--store", f"{oxigraph}/nope", "--graph-dir", str(d), "--retries", "0"]) == 1
    assert "error:" in capsys.readouterr().err
