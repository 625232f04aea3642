"""Pushing named graphs over the SPARQL 1.1 Graph Store Protocol, against a real Oxigraph server
started on loopback: every graph replaced by one PUT, other graphs left alone, retries on transient
failures, clear errors for the rest, credentials never printed, the CLI; ``--prune`` removes the
graphs of the namespace the release no longer has and nothing else (a dry run changes nothing)."""

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
from gdigraph.publish.push import PushError, graph_payloads, push, query_endpoint_for

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


# -- pruning ---------------------------------------------------------------------------------------------

NS = "https://gdigraph.nl/graph/"
G3 = NS + "editie/2023"
LOOKALIKE = "https://gdigraph.nl/graphs/not-ours"  # starts like the namespace, is not in it


@pytest.fixture
def fresh_oxigraph(tmp_path):
    """A real Oxigraph server of its own (read-write, union default graph as the scale-out runs it)."""
    port = free_port()
    proc = subprocess.Popen([str(OXIGRAPH), "serve", "--location", str(tmp_path / "fresh"), "--bind",
                             f"127.0.0.1:{port}", "--union-default-graph"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base)
        yield base
    finally:
        stop(proc)


def named_graphs(base: str) -> set[str]:
    r = httpx.post(f"{base}/query", data={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"},
                   headers={"Accept": "application/sparql-results+json"})
    r.raise_for_status()
    return {b["g"]["value"] for b in r.json()["results"]["bindings"]}


def test_prune_removes_only_the_graphs_of_the_namespace_the_release_no_longer_has(fresh_oxigraph, tmp_path):
    base = fresh_oxigraph
    store = f"{base}/store"
    for other in (OTHER, LOOKALIKE):  # someone else's data in the same store
        httpx.put(store, params={"graph": other}, content=b"<urn:a> <urn:b> <urn:c> .\n",
                  headers={"Content-Type": "application/n-triples"}).raise_for_status()
    first = graph_dir(tmp_path / "1", {
        "editie-2023.nq": nq([(EX + "old", P, '"0"')], G3),
        "editie-2024.nq": nq([(EX + "a", P, '"1"')], G1),
        "reeksen.nq": nq([(EX + "s", P, '"2"')], G2),
    })
    result = push(first, store, prune=True, namespace=NS)
    assert result.removed == [] and "removed 0 graphs" in result.summary()
    assert named_graphs(base) == {OTHER, LOOKALIKE, G1, G2, G3}
    # the next release has no editie/2023 any more, and another figure in editie/2024
    second = graph_dir(tmp_path / "2", {
        "editie-2024.nq": nq([(EX + "a", P, '"10"')], G1),
        "reeksen.nq": nq([(EX + "s", P, '"2"')], G2),
    })
    # without --prune the old graph stays
    push(second, store)
    assert named_graphs(base) == {OTHER, LOOKALIKE, G1, G2, G3}
    # a dry run says what would go, and changes nothing
    push(first, store)
    said = []
    dry = push(second, store, prune=True, namespace=NS, dry_run=True, log=said.append)
    assert dry.removed == [G3] and [g.status for g in dry.graphs] == [0, 0]
    assert "would have removed 1 graphs" in dry.summary() and "nothing was changed" in dry.summary()
    assert f"would remove {G3}: not in the release" in said and f"would store {G1}: 1 triples" in said
    assert named_graphs(base) == {OTHER, LOOKALIKE, G1, G2, G3}
    assert triples_in(base, G1) == {f'<{EX}a> <{P}> "1" .'}
    # the real thing: PUTs first, then the graph the release does not have is removed, nothing else
    said = []
    result = push(second, store, prune=True, namespace=NS, log=said.append)
    assert result.removed == [G3] and f"removed {G3}: not in the release" in said
    assert said.index(f"removed {G3}: not in the release") > max(i for i, m in enumerate(said) if m.startswith("stored"))
    assert f"removed 1 graphs the release does not have: {G3}" in result.summary()
    assert named_graphs(base) == {OTHER, LOOKALIKE, G1, G2}
    assert triples_in(base, G1) == {f'<{EX}a> <{P}> "10" .'}
    assert triples_in(base, OTHER) == triples_in(base, LOOKALIKE) == {"<urn:a> <urn:b> <urn:c> ."}
    assert push(second, store, prune=True, namespace=NS).removed == []  # once is enough


def test_prune_refuses_before_sending_anything_when_it_cannot_be_sure(fresh_oxigraph, tmp_path):
    base = fresh_oxigraph
    store = f"{base}/store"
    # a release with a graph outside the namespace: built with another base URI
    foreign = graph_dir(tmp_path / "f", {"a.nq": nq([(EX + "a", P, '"1"')], G1),
                                         "b.nq": nq([(EX + "b", P, '"1"')], "https://example.org/graph/x")})
    with pytest.raises(PushError, match="another base URI"):
        push(foreign, store, prune=True, namespace=NS)
    with pytest.raises(PushError, match="namespace"):
        push(foreign, store, prune=True)
    ok = graph_dir(tmp_path / "ok", {"a.nq": nq([(EX + "a", P, '"1"')], G1)})
    # a Graph Store endpoint whose query endpoint cannot be told
    with pytest.raises(PushError, match="--query-endpoint"):
        push(ok, f"{base}/somewhere", prune=True, namespace=NS)
    assert named_graphs(base) == set()
    # a wrong query endpoint: the PUTs are done, the listing fails with the status and a hint
    with pytest.raises(PushError) as e:
        push(ok, store, prune=True, namespace=NS, query_endpoint=f"{base}/no-such-query", retries=0)
    assert "HTTP 404" in str(e.value) and "--query-endpoint" in str(e.value)
    assert named_graphs(base) == {G1}
    # the query endpoint given explicitly
    assert push(ok, store, prune=True, namespace=NS, query_endpoint=f"{base}/query").removed == []


def test_the_query_endpoint_beside_a_graph_store_endpoint():
    assert query_endpoint_for("http://h:7878/store") == "http://h:7878/query"
    assert query_endpoint_for("https://u:p@h/fuseki/ds/data") == "https://u:p@h/fuseki/ds/query"
    assert query_endpoint_for("http://h/repositories/gdi/rdf-graphs/service") == "http://h/repositories/gdi"
    assert query_endpoint_for("http://h/graphs") is None


def test_cli_push_prune(fresh_oxigraph, tmp_path, capsys):
    base = fresh_oxigraph
    first = graph_dir(tmp_path / "1", {"a.nq": nq([(EX + "a", P, '"1"')], G1), "c.nq": nq([(EX + "c", P, '"3"')], G3)})
    second = graph_dir(tmp_path / "2", {"a.nq": nq([(EX + "a", P, '"1"')], G1)})
    assert cli_main(["push", "--store", f"{base}/store", "--graph-dir", str(first)]) == 0
    assert cli_main(["push", "--store", f"{base}/store", "--graph-dir", str(second), "--prune", "--dry-run"]) == 0
    out = capsys.readouterr()
    assert f"would remove {G3}" in out.err and "nothing was changed" in out.out
    assert named_graphs(base) == {G1, G3}
    assert cli_main(["push", "--store", f"{base}/store", "--graph-dir", str(second), "--prune", "-q"]) == 0
    out = capsys.readouterr()
    assert f"removed 1 graphs the release does not have: {G3}" in out.out and out.err == ""
    assert named_graphs(base) == {G1}


def test_cli_run_prune_needs_a_store(capsys):
    assert cli_main(["run", "--prune"]) == 2
    assert "--publish-to" in capsys.readouterr().err
