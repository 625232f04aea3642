"""The SPARQL 1.1 Protocol endpoint /sparql (gdigraph.serve.sparql), served by a real uvicorn on
127.0.0.1 over a real pool of Oxigraph servers on a store built from hand-written quads."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
import urllib.error
from contextlib import contextmanager
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
import rdflib
import uvicorn
from SPARQLWrapper import CSV as SW_CSV
from SPARQLWrapper import JSON as SW_JSON
from SPARQLWrapper import JSONLD as SW_JSONLD
from SPARQLWrapper import POST as SW_POST
from SPARQLWrapper import TSV as SW_TSV
from SPARQLWrapper import SPARQLWrapper

from gdigraph.serve import create_sparql_app, open_engine
from gdigraph.serve.engine import _free_port
from gdigraph.serve.querytext import analyse
from gdigraph.serve.results import InvalidResult, TooManyResults, transcode
from gdigraph.serve.conneg import CSV, NTRIPLES, SPARQL_JSON, SPARQL_XML, TSV, TURTLE
from gdigraph.settings import Settings
from tests.test_engine import (  # noqa: F401  (store_path is a fixture)
    BASE,
    FILLER,
    G_FILL,
    G_HARM,
    G_REF,
    GDI,
    N_HARM,
    N_REF,
    RUNAWAY,
    alive,
    store_path,
    wait_dead,
)

LABELS = "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label } ORDER BY ?label"
ASK = f"ASK {{ <{BASE}/id/voorziening/digid> ?p ?o }}"
CONSTRUCT = (f"PREFIX gdi: <{GDI}>\nCONSTRUCT {{ ?v gdi:beheerder ?o }} WHERE {{ GRAPH <{G_HARM}> "
             "{ ?v gdi:beheerder ?o } }")
DESCRIBE = f"DESCRIBE <{BASE}/id/organisatie/logius>"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
MAX_QUERY_BYTES = 4000
MAX_URL_BYTES = 6000
RESULT_LIMIT = 50

EXAMPLES = {
    "01-voorzieningen.rq": "# Facilities\n# All facilities with their labels,\n# sorted by name.\n"
                           f"SELECT ?v ?label WHERE {{ ?v a <{GDI}Voorziening> ; "
                           "<http://www.w3.org/2000/01/rdf-schema#label> ?label } ORDER BY ?label\n",
    "02-beheer.rq": "# Who manages what <& why>\nSELECT * WHERE { ?v ?p ?o } LIMIT 5\n",
}


def settings_for(tmp: Path, **changes) -> Settings:
    queries = tmp / "queries"
    queries.mkdir(exist_ok=True)
    for name, text in EXAMPLES.items():
        (queries / name).write_text(text, encoding="utf-8")
    base = dict(query_timeout=1.5, result_limit=RESULT_LIMIT, query_workers=2, query_queue=1,
                max_query_bytes=MAX_QUERY_BYTES, max_url_bytes=MAX_URL_BYTES, queries_dir=queries,
                sparql_endpoint="", sparql_cache_seconds=300)
    base.update(changes)
    return Settings().with_(**base)


@contextmanager
def running(app):
    """``app`` served by uvicorn on 127.0.0.1 in a thread; yields the base URL."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(15)


@pytest.fixture(scope="module")
def served(store_path, tmp_path_factory):
    settings = settings_for(tmp_path_factory.mktemp("served"))
    app = create_sparql_app(settings, open_engine(settings, store_path))
    with running(app) as url:
        yield url, app


@pytest.fixture
def client(served):
    url, _ = served
    with httpx.Client(base_url=url, trust_env=False, timeout=30) as c:
        yield c


# -- protocol conformance ----------------------------------------------------------------------------

FORM = "application/x-www-form-urlencoded"
SQ = "application/sparql-query"


def _labels_json(r):
    rows = r.json()["results"]["bindings"]
    assert [row["label"]["value"] for row in rows] == ["DigiD", "Logius", "eHerkenning"]
    assert rows[0]["label"]["xml:lang"] == "nl"


def _graph(fmt):
    def check(r):
        g = rdflib.Graph().parse(data=r.content, format=fmt)
        assert len(g) == 2 and all(str(p) == f"{GDI}beheerder" for p in g.predicates())
    return check


# (method, params, content type, body, accept) -> (status, media type, check of the response)
CASES = {
    "GET SELECT json": ("GET", {"query": LABELS}, None, None, "application/sparql-results+json",
                        200, "application/sparql-results+json", _labels_json),
    "GET SELECT default is json": ("GET", {"query": LABELS}, None, None, None,
                                   200, "application/sparql-results+json", _labels_json),
    "GET SELECT */*": ("GET", {"query": LABELS}, None, None, "*/*", 200, "application/sparql-results+json", None),
    "GET SELECT application/json": ("GET", {"query": LABELS}, None, None, "application/json",
                                    200, "application/sparql-results+json", _labels_json),
    "GET SELECT xml": ("GET", {"query": LABELS}, None, None, "application/sparql-results+xml",
                       200, "application/sparql-results+xml",
                       lambda r: len(list(ox.parse_query_results(r.content, ox.QueryResultsFormat.XML))) == 3),
    "GET SELECT csv": ("GET", {"query": LABELS}, None, None, "text/csv", 200, "text/csv",
                       lambda r: r.text.splitlines()[:2] == ["s,label", f"{BASE}/id/voorziening/digid,DigiD"]),
    "GET SELECT tsv": ("GET", {"query": LABELS}, None, None, "text/tab-separated-values",
                       200, "text/tab-separated-values",
                       lambda r: r.text.splitlines()[1] == f'<{BASE}/id/voorziening/digid>\t"DigiD"@nl'),
    "GET SELECT q-values": ("GET", {"query": LABELS}, None, None, "text/csv;q=0.2, text/tab-separated-values;q=0.4",
                            200, "text/tab-separated-values", None),
    "GET format= overrides Accept": ("GET", {"query": LABELS, "format": "csv"}, None, None,
                                     "application/sparql-results+json", 200, "text/csv", None),
    "GET ASK json": ("GET", {"query": ASK}, None, None, "application/sparql-results+json",
                     200, "application/sparql-results+json", lambda r: r.json() == {"head": {}, "boolean": True}),
    "GET ASK xml": ("GET", {"query": ASK}, None, None, "application/sparql-results+xml",
                    200, "application/sparql-results+xml", lambda r: "<boolean>true</boolean>" in r.text),
    "GET ASK csv": ("GET", {"query": ASK}, None, None, "text/csv", 200, "text/csv", lambda r: r.text == "true"),
    "GET CONSTRUCT default turtle": ("GET", {"query": CONSTRUCT}, None, None, None, 200, "text/turtle",
                                     _graph("turtle")),
    "GET CONSTRUCT turtle uses the query prefixes": ("GET", {"query": CONSTRUCT}, None, None, "text/turtle",
                                                     200, "text/turtle", lambda r: "gdi:beheerder" in r.text),
    "GET CONSTRUCT json-ld": ("GET", {"query": CONSTRUCT}, None, None, "application/ld+json",
                              200, "application/ld+json", _graph("json-ld")),
    "GET CONSTRUCT n-triples": ("GET", {"query": CONSTRUCT}, None, None, "application/n-triples",
                                200, "application/n-triples", _graph("nt")),
    "GET CONSTRUCT n-quads": ("GET", {"query": CONSTRUCT}, None, None, "application/n-quads",
                              200, "application/n-quads", _graph("nquads")),
    "GET CONSTRUCT rdf/xml": ("GET", {"query": CONSTRUCT}, None, None, "application/rdf+xml",
                              200, "application/rdf+xml", _graph("xml")),
    "GET DESCRIBE": ("GET", {"query": DESCRIBE}, None, None, "text/turtle", 200, "text/turtle",
                     lambda r: "Logius" in r.text),
    "POST sparql-query body": ("POST", {}, SQ, LABELS, "application/sparql-results+json",
                               200, "application/sparql-results+json", _labels_json),
    "POST sparql-query with charset": ("POST", {}, SQ + "; charset=utf-8", LABELS, None,
                                       200, "application/sparql-results+json", _labels_json),
    "POST form": ("POST", {}, FORM, {"query": LABELS}, "text/csv", 200, "text/csv", None),
    "POST form CONSTRUCT": ("POST", {}, FORM, {"query": CONSTRUCT}, "application/n-triples",
                            200, "application/n-triples", _graph("nt")),
    "POST form default-graph-uri": ("POST", {}, FORM, {"query": COUNT, "default-graph-uri": G_HARM}, None,
                                    200, "application/sparql-results+json",
                                    lambda r: r.json()["results"]["bindings"][0]["n"]["value"] == str(N_HARM)),
    "POST body + default-graph-uri in URL": ("POST", {"default-graph-uri": [G_REF, G_HARM]}, SQ, COUNT, None,
                                             200, "application/sparql-results+json",
                                             lambda r: r.json()["results"]["bindings"][0]["n"]["value"]
                                             == str(N_REF + N_HARM)),
    "GET named-graph-uri": ("GET", {"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
                                    "named-graph-uri": G_REF}, None, None, None,
                            200, "application/sparql-results+json",
                            lambda r: [b["g"]["value"] for b in r.json()["results"]["bindings"]] == [G_REF]),
    # refused
    "SELECT as turtle": ("GET", {"query": LABELS}, None, None, "text/turtle", 406, "text/plain",
                         lambda r: "application/sparql-results+json" in r.text),
    "CONSTRUCT as SPARQL JSON": ("GET", {"query": CONSTRUCT}, None, None, "application/sparql-results+json",
                                 406, "application/problem+json", lambda r: r.json()["status"] == 406),
    "unknown media type": ("GET", {"query": LABELS}, None, None, "image/png", 406, "text/plain", None),
    "unknown format": ("GET", {"query": LABELS, "format": "pdf"}, None, None, None, 406, "text/plain",
                       lambda r: "'pdf'" in r.text),
    "POST text/plain": ("POST", {}, "text/plain", LABELS, None, 415, "text/plain",
                        lambda r: "application/sparql-query" in r.text),
    "POST without content type": ("POST", {}, None, LABELS, None, 415, "text/plain", None),
    "POST form without query": ("POST", {}, FORM, {"default-graph-uri": G_REF}, None, 400, "text/plain",
                                lambda r: "No query" in r.text),
    "two queries": ("GET", {"query": [LABELS, ASK]}, None, None, None, 400, "text/plain",
                    lambda r: "exactly one" in r.text),
    "empty query": ("GET", {"query": "  \n"}, None, None, None, 400, "text/plain", None),
    "malformed query": ("GET", {"query": "SELECT * WHERE { ?s ?p }"}, None, None, None, 400, "text/plain",
                        lambda r: "Malformed query: error at 1:" in r.text),
    "malformed query, JSON error": ("GET", {"query": "SELECT * WHERE { ?s ?p }"}, None, None,
                                    "application/sparql-results+json", 400, "application/problem+json",
                                    lambda r: r.json()["title"] == "Bad Request" and "error at" in r.json()["detail"]),
    "not SPARQL at all": ("POST", {}, SQ, "hello world", None, 400, "text/plain", None),
    "SERVICE refused": ("GET", {"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"},
                        None, None, None, 403, "text/plain", lambda r: "SERVICE" in r.text),
    "PUT": ("PUT", {}, SQ, LABELS, None, 405, "text/plain", lambda r: r.headers["allow"] == "GET, HEAD, POST, OPTIONS"),
    "DELETE": ("DELETE", {"query": LABELS}, None, None, None, 405, "text/plain", None),
    # read-only: every way to send an update
    "update: application/sparql-update": ("POST", {}, "application/sparql-update",
                                          "INSERT DATA { <a:b> <a:c> <a:d> }", None, 403, "text/plain",
                                          lambda r: "read-only" in r.text),
    "update: form update=": ("POST", {}, FORM, {"update": "DELETE WHERE { ?s ?p ?o }"}, None, 403, "text/plain",
                             None),
    "update: GET update=": ("GET", {"update": "CLEAR ALL"}, None, None, None, 403, "text/plain", None),
    "update: INSERT DATA as query": ("GET", {"query": "INSERT DATA { <a:b> <a:c> <a:d> }"}, None, None, None,
                                     403, "text/plain", lambda r: "SPARQL Update (INSERT)" in r.text),
    "update: DELETE WHERE in body": ("POST", {}, SQ, "PREFIX x: <http://x/>\nDELETE WHERE { ?s x:p ?o }", None,
                                     403, "text/plain", lambda r: "(DELETE)" in r.text),
    "update: DROP in form": ("POST", {}, FORM, {"query": "DROP ALL"}, "application/json", 403,
                             "application/problem+json", lambda r: "read-only" in r.json()["detail"]),
    "update: LOAD": ("POST", {}, FORM, {"query": "# load\nLOAD <http://127.0.0.1:9/x.ttl>"}, None, 403,
                     "text/plain", None),
    "update: WITH ... DELETE/INSERT": ("POST", {}, SQ, f"WITH <{G_REF}> DELETE {{ ?s ?p ?o }} INSERT {{ ?s ?p 1 }} "
                                       "WHERE { ?s ?p ?o }", None, 403, "text/plain", None),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_protocol(client, case):
    method, params, ctype, body, accept, status, media_type, check = CASES[case]
    headers = {}
    if accept is not None:
        headers["Accept"] = accept
    if ctype is not None:
        headers["Content-Type"] = ctype
    kw = {}
    if isinstance(body, dict):
        kw["content"] = httpx.QueryParams(body).__str__().encode()
    elif body is not None:
        kw["content"] = body.encode("utf-8")
    r = client.request(method, "/sparql", params=params, headers=headers, **kw)
    assert r.status_code == status, r.text
    assert r.headers["content-type"].split(";")[0] == media_type
    assert r.headers["access-control-allow-origin"] == "*"
    assert r.headers["vary"] == "Accept"
    if status == 200:
        assert r.headers["cache-control"] == ("public, max-age=300" if method == "GET" else "no-store")
    else:
        assert r.headers["cache-control"] == "no-store"
    if check is not None:
        assert check(r) is not False


def test_the_store_really_was_not_changed_by_refused_updates(client):
    r = client.get("/sparql", params={"query": COUNT})
    assert r.json()["results"]["bindings"][0]["n"]["value"] == str(FILLER + N_REF + N_HARM)


def test_head_answers_headers_only(client):
    r = client.head("/sparql", params={"query": LABELS}, headers={"Accept": "text/csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv") and r.content == b""


def test_cors_preflight(client):
    r = client.options("/sparql", headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST",
                                           "Access-Control-Request-Headers": "content-type, accept"})
    assert r.status_code == 204
    assert r.headers["access-control-allow-origin"] == "*"
    assert "POST" in r.headers["access-control-allow-methods"]
    assert r.headers["access-control-allow-headers"] == "content-type, accept"
    got = client.get("/sparql", params={"query": ASK}, headers={"Origin": "https://example.org"})
    assert got.headers["access-control-allow-origin"] == "*"


def test_query_over_the_size_limit_is_413(client):
    big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * MAX_QUERY_BYTES
    r = client.post("/sparql", content=big.encode(), headers={"Content-Type": SQ})
    assert r.status_code == 413 and str(MAX_QUERY_BYTES) in r.text
    r = client.post("/sparql", data={"query": big})
    assert r.status_code == 413
    just = "ASK {} #" + "x" * (MAX_QUERY_BYTES - 8)
    assert len(just.encode()) == MAX_QUERY_BYTES
    assert client.post("/sparql", content=just.encode(), headers={"Content-Type": SQ}).status_code == 200


def test_get_url_over_the_limit_is_414(client):
    long_query = "ASK {} #" + "x" * (MAX_URL_BYTES + 10)
    r = client.get("/sparql", params={"query": long_query})
    assert r.status_code == 414 and "POST" in r.text


def test_result_over_the_row_limit_is_422_telling_to_add_a_limit(client):
    r = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert r.status_code == 422
    assert f"more than {RESULT_LIMIT} rows" in r.text and "LIMIT" in r.text
    r = client.get("/sparql", params={"query": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{G_FILL}> {{ ?s ?p ?o }} }}"})
    assert r.status_code == 422 and "triples" in r.text
    ok = client.get("/sparql", params={"query": f"SELECT * WHERE {{ ?s ?p ?o }} LIMIT {RESULT_LIMIT}"})
    assert ok.status_code == 200 and ok.headers["x-result-rows"] == str(RESULT_LIMIT)


@pytest.mark.slow
def test_timeout_answers_504_and_kills_the_worker(served, client):
    _, app = served
    engine = app.state.engine
    before = set(engine.pids)
    t0 = time.monotonic()
    r = client.get("/sparql", params={"query": RUNAWAY}, headers={"Accept": "application/json"})
    took = time.monotonic() - t0
    assert r.status_code == 504, r.text
    assert "did not finish within 1.5 s" in r.json()["detail"]
    assert took < 4
    deadline = time.monotonic() + 5
    while len(set(engine.pids) - before) < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    gone = before - set(engine.pids)
    assert len(gone) == 1 and wait_dead(gone, 3), "the worker that ran the query is still running"
    ok = client.get("/sparql", params={"query": ASK})
    assert ok.status_code == 200 and ok.json()["boolean"] is True


@pytest.mark.slow
def test_saturated_endpoint_answers_503_with_retry_after(store_path, tmp_path):
    settings = settings_for(tmp_path, query_workers=1, query_queue=0, query_timeout=1.0)
    app = create_sparql_app(settings, open_engine(settings, store_path))
    with running(app) as url:
        results = {}

        def runaway():
            with httpx.Client(base_url=url, trust_env=False, timeout=30) as c:
                results["runaway"] = c.get("/sparql", params={"query": RUNAWAY})

        t = threading.Thread(target=runaway)
        t.start()
        try:
            deadline = time.monotonic() + 5
            while app.state.engine.stats()["idle"] and time.monotonic() < deadline:
                time.sleep(0.02)
            with httpx.Client(base_url=url, trust_env=False, timeout=30) as c:
                t0 = time.monotonic()
                busy = c.get("/sparql", params={"query": ASK})
                assert time.monotonic() - t0 < 0.5
        finally:
            t.join(10)
        assert busy.status_code == 503
        assert busy.headers["retry-after"] == "1"
        assert "busy" in busy.text
        assert results["runaway"].status_code == 504


# -- the query page ----------------------------------------------------------------------------------


def test_query_page_for_people(client):
    r = client.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert r.status_code == 200 and r.headers["content-type"] == "text/html; charset=utf-8"
    page = r.text
    assert '<label for="query"' in page and '<textarea id="query" name="query"' in page
    assert '<label for="format"' in page
    assert "/sparql/assets/sparql.js" in page and "/sparql/assets/sparql.css" in page
    assert "http" not in page.split("<body>")[0].replace("http-equiv", "")  # no CDN in the head
    # examples from the queries folder: title, description, query text
    assert ">Facilities</a>" in page and "All facilities with their labels, sorted by name." in page
    assert "Who manages what &lt;&amp; why&gt;" in page
    assert 'data-query="# Facilities' in page
    # the editor starts with the first example
    assert "# Facilities\n# All facilities" in page.split('name="query"')[1]
    for asset, media_type in (("sparql.js", "text/javascript"), ("sparql.css", "text/css")):
        a = client.get(f"/sparql/assets/{asset}")
        assert a.status_code == 200 and a.headers["content-type"].startswith(media_type) and len(a.content) > 1000
    assert client.get("/sparql/assets/nothing.js").status_code == 404
    assert client.get("/sparql/assets/..%2Fsparql.py").status_code == 404


def test_a_browser_following_a_query_link_gets_the_page_with_the_query(client):
    nasty = 'SELECT * WHERE { ?s ?p "</textarea><script>alert(1)</script>" }'
    r = client.get("/sparql", params={"query": nasty}, headers={"Accept": "text/html"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "<script>alert(1)" not in r.text
    assert "&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in r.text
    assert "&quot;autorun&quot;: true" in r.text


def test_page_without_examples(store_path, tmp_path):
    settings = settings_for(tmp_path).with_(queries_dir=tmp_path / "does-not-exist")
    app = create_sparql_app(settings, open_engine(settings, store_path))
    with running(app) as url:
        page = httpx.get(f"{url}/sparql", headers={"Accept": "text/html"}, trust_env=False).text
    assert "No example queries yet." in page
    assert "GROUP BY ?graph" in page  # a useful default query instead


def test_service_description_without_a_query(client):
    r = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    endpoint = next(g.subjects(rdflib.RDF.type, sd.Service))
    assert str(endpoint).endswith("/sparql")
    assert (endpoint, sd.feature, sd.UnionDefaultGraph) in g
    assert client.post("/sparql", content=b"", headers={"Content-Type": FORM}).status_code == 400


# -- a real client -----------------------------------------------------------------------------------


@pytest.mark.slow
def test_sparqlwrapper_as_a_client(served):
    url, _ = served
    sw = SPARQLWrapper(f"{url}/sparql")
    sw.setQuery(LABELS)
    sw.setReturnFormat(SW_JSON)
    labels = [b["label"]["value"] for b in sw.query().convert()["results"]["bindings"]]
    assert labels == ["DigiD", "Logius", "eHerkenning"]

    sw.setQuery(ASK)
    assert sw.query().convert()["boolean"] is True

    sw.setQuery(LABELS)
    sw.setReturnFormat(SW_CSV)
    assert sw.query().convert().decode().splitlines()[0] == "s,label"
    sw.setReturnFormat(SW_TSV)
    assert sw.query().convert().decode().splitlines()[0] == "?s\t?label"

    sw.setMethod(SW_POST)
    sw.setReturnFormat(SW_JSON)
    assert len(sw.query().convert()["results"]["bindings"]) == 3

    sw.setQuery(CONSTRUCT)
    sw.setReturnFormat(SW_JSONLD)
    graph = sw.query().convert()
    assert len(graph) == 2

    sw.setQuery("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    sw.setReturnFormat(SW_JSON)
    with pytest.raises(urllib.error.HTTPError) as refused:
        sw.query()
    assert refused.value.code == 403


# -- life cycle of `gdigraph serve`-like processes ---------------------------------------------------


def _oxigraph_children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1: stat.rindex(")")]
        fields = stat.rsplit(")", 1)[1].split()
        if comm == "oxigraph" and int(fields[1]) == pid and fields[0] not in ("Z", "X"):
            found.append(int(entry))
    return found


@pytest.mark.slow
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL])
def test_no_orphans_when_the_server_stops(store_path, tmp_path, stop):
    port = _free_port()
    script = tmp_path / "serve.py"
    script.write_text(textwrap.dedent(f"""
        import uvicorn
        from gdigraph.serve import create_sparql_app, open_engine
        from gdigraph.settings import Settings
        settings = Settings().with_(query_workers=2, sparql_endpoint="")
        uvicorn.run(create_sparql_app(settings, open_engine(settings, {str(store_path)!r})),
                    host="127.0.0.1", port={port}, log_level="info")
    """))
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/sparql", params={"query": "ASK {}"}, trust_env=False)
                if r.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read().decode()
            time.sleep(0.05)
        workers = _oxigraph_children(proc.pid)
        assert len(workers) == 2
        proc.send_signal(stop)
        proc.wait(15)
        assert wait_dead(workers, 5), [w for w in workers if alive(w)]
        if stop != signal.SIGKILL:  # a graceful stop: the lifespan closed the engine (uvicorn re-raises the signal)
            log = proc.stderr.read().decode()
            assert proc.returncode in (0, -stop), log
            assert "Application shutdown complete" in log, log
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


# -- query analysis and result checking (units) ------------------------------------------------------

ANALYSIS = [
    ("SELECT * { ?s ?p ?o }", "query", "SELECT", False),
    ("PREFIX ex: <http://ex.org/> BASE <http://b/>\n# SELECT in a comment\nconstruct { ?s ex:p ?o } "
     "where { ?s ex:service ?o }", "query", "CONSTRUCT", False),
    ('PREFIX : <http://ex.org/> ASK { :a :b "SERVICE" }', "query", "ASK", False),
    ("select * { ?service ?p ?o . ?s ?p '''SERVICE\nINSERT''' }", "query", "SELECT", False),
    ("SELECT * { SERVICE <http://x/sparql> { ?s ?p ?o } }", "query", "SELECT", True),
    ("SELECT * { service silent <http://x/sparql> { ?s ?p ?o } }", "query", "SELECT", True),
    ("DESCRIBE <http://x>", "query", "DESCRIBE", False),
    ("SELECT * { FILTER(?a<?b) FILTER(?a < ?b) }", "query", "SELECT", False),
    ("INSERT DATA { <a:b> <a:c> <a:d> }", "update", None, False),
    ("PREFIX x: <y:> DELETE WHERE { ?s ?p ?o }", "update", None, False),
    ("DROP ALL", "update", None, False),
    ("INSERT DATA { <a:b> }", "update", None, False),  # malformed, but still an update attempt
    ("# only a comment\nWITH <g:x> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "update", None, False),
    ("CLEAR GRAPH <g:x> ; LOAD <http://x/y.ttl>", "update", None, False),
    ("garbage text", "unknown", None, False),
    ("PREFIX x: <y:>", "unknown", None, False),
    ("", "unknown", None, False),
]


@pytest.mark.parametrize("text, kind, form, service", ANALYSIS)
def test_query_analysis(text, kind, form, service):
    info = analyse(text)
    assert (info.kind, info.form, info.service) == (kind, form, service)


def test_analysis_reads_the_prologue():
    info = analyse("BASE <http://b/> PREFIX ex: <http://ex.org/> PREFIX : <http://d/> SELECT * {}")
    assert info.base == "http://b/" and info.prefixes == {"ex": "http://ex.org/", "": "http://d/"}


SOLUTIONS = (b'{"head":{"vars":["s"]},"results":{"bindings":[{"s":{"type":"uri","value":"http://x/1"}},'
             b'{"s":{"type":"uri","value":"http://x/2"}}]}}')


def test_results_are_checked_completely_before_they_are_answered():
    assert transcode(SPARQL_JSON.media_type, SOLUTIONS, SPARQL_JSON, 2).body == SOLUTIONS
    assert transcode(SPARQL_JSON.media_type, SOLUTIONS, CSV, 2).body == b"s\r\nhttp://x/1\r\nhttp://x/2\r\n"
    assert transcode(SPARQL_JSON.media_type, SOLUTIONS, TSV, 2).rows == 2
    assert b"<uri>http://x/2</uri>" in transcode(SPARQL_JSON.media_type, SOLUTIONS, SPARQL_XML, 2).body
    with pytest.raises(TooManyResults):
        transcode(SPARQL_JSON.media_type, SOLUTIONS, SPARQL_JSON, 1)
    # what Oxigraph's own --timeout-s produces: a 200 with a cut document and the error appended
    cut = b'{"head":{"vars":["n"]},"results":{"bindings":[The SPARQL operation has been cancelled'
    with pytest.raises(InvalidResult) as e:
        transcode(SPARQL_JSON.media_type, cut, SPARQL_JSON, 10)
    assert "cancelled" in e.value.message and e.value.status == 502
    with pytest.raises(InvalidResult):
        transcode(SPARQL_JSON.media_type, SOLUTIONS[:-3], CSV, 10)
    triples = b"<http://x/a> <http://x/p> <http://x/b> .\n<http://x/a> <http://x/p> <http://x/c> .\n"
    assert transcode(NTRIPLES.media_type, triples, TURTLE, 2, {"x": "http://x/"}).body.startswith(b"@prefix x:")
    with pytest.raises(TooManyResults):
        transcode(NTRIPLES.media_type, triples, TURTLE, 1)
    with pytest.raises(InvalidResult):
        transcode(NTRIPLES.media_type, triples + b"<http://x/a> <http://x/p> Query evaluation error", TURTLE, 10)


# -- the page's JavaScript (run with node when it is installed) --------------------------------------

_NODE_HARNESS = r"""
const fs = require("fs"), vm = require("vm");
const sandbox = {};
vm.createContext(sandbox);
vm.runInContext(fs.readFileSync(process.argv[2], "utf8"), sandbox);
const api = sandbox.GdigraphSparql;
const inputs = JSON.parse(fs.readFileSync(0, "utf8"));
const unescape = (h) => h.replace(/<[^>]*>/g, "").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
const out = inputs.map((q) => ({ html: api.highlight(q), text: unescape(api.highlight(q)) }));
const p = api.prefixesOf("PREFIX gdi: <https://gdigraph.nl/def/gdi#>\nSELECT * {}");
out.push({ compact: [api.compact("http://www.w3.org/2001/XMLSchema#integer", p),
                     api.compact("https://gdigraph.nl/def/gdi#Voorziening", p),
                     api.compact("https://gdigraph.nl/id/voorziening/digid", p)] });
process.stdout.write(JSON.stringify(out));
"""


def test_query_page_highlighter(tmp_path):
    import shutil

    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    js = Path(__import__("gdigraph.serve", fromlist=["x"]).__file__).parent / "static" / "sparql.js"
    harness = tmp_path / "harness.js"
    harness.write_text(_NODE_HARNESS)
    inputs = [
        'SELECT ?s WHERE { ?s a <http://x/C> ; <http://x/p> "SELECT inside" . FILTER(?o < 3) } # done',
        *[text for text in EXAMPLES.values()],
        "PREFIX gdi: <https://gdigraph.nl/def/gdi#>\nselect * { ?v gdi:beheerder ?o ; rdfs:label 'x'@nl }\n",
        "SELECT * { ?s ?p \"unterminated & <b>\n}",
        "ASK { <http://x/é> ?p '''long\nstring''' . FILTER(?a<?b && ?c>=1.5e3) }",
        "",
    ]
    done = subprocess.run([node, str(harness), str(js)], input=json.dumps(inputs), capture_output=True, text=True,
                          timeout=30)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    first = out[0]["html"]
    assert '<span class="tok-kw">SELECT</span>' in first and '<span class="tok-kw">WHERE</span>' in first
    assert '<span class="tok-var">?s</span>' in first
    assert '<span class="tok-iri">&lt;http://x/C&gt;</span>' in first
    assert '<span class="tok-str">"SELECT inside"</span>' in first  # a keyword inside a string stays a string
    assert "?o</span> &lt; <span" in first and '<span class="tok-num">3</span>' in first
    assert '<span class="tok-comment"># done</span>' in first
    assert '<span class="tok-pname">gdi:beheerder</span>' in out[len(EXAMPLES) + 1]["html"]
    assert "<b>" not in out[len(EXAMPLES) + 2]["html"]  # data never becomes markup
    # the overlay shows exactly the characters of the textarea (plus one space after a final newline)
    for text, got in zip(inputs, out):
        expected = text + (" " if text.endswith("\n") or text == "" else "")
        assert got["text"] == expected
    assert out[-1]["compact"] == ["xsd:integer", "gdi:Voorziening", "https://gdigraph.nl/id/voorziening/digid"]


_NODE_PAGE = r"""
const fs = require("fs"), vm = require("vm");
function El(tag) {
  this.tagName = tag; this.children = []; this.attrs = {}; this.listeners = {}; this.style = {}; this._text = "";
  this.value = ""; this.classList = { list: [], add(c) { this.list.push(c); } };
}
El.prototype.setAttribute = function (k, v) { this.attrs[k] = String(v); };
El.prototype.getAttribute = function (k) { return k in this.attrs ? this.attrs[k] : null; };
El.prototype.appendChild = function (c) { this.children.push(c); return c; };
El.prototype.addEventListener = function (t, f) { (this.listeners[t] = this.listeners[t] || []).push(f); };
El.prototype.focus = function () {};
Object.defineProperty(El.prototype, "textContent", {
  get() { return this._text + this.children.map((c) => c.textContent).join(""); },
  set(v) { this._text = String(v); this.children = []; },
});
Object.defineProperty(El.prototype, "className", { get() { return this.attrs["class"] || ""; },
                                                   set(v) { this.attrs["class"] = v; } });
const ids = {};
for (const id of ["query-form", "query", "editor", "highlight", "format", "run", "status", "results"]) ids[id] = new El(id);
ids["highlight"].parentNode = new El("pre");
ids["query-form"].setAttribute("data-config", JSON.stringify({ endpoint: "/sparql", timeout: 1.5, autorun: true }));
ids["query"].value = "PREFIX gdi: <https://gdigraph.nl/def/gdi#>\nSELECT * WHERE { ?s ?p ?o }";
const answers = JSON.parse(fs.readFileSync(0, "utf8"));
const calls = [];
const sandbox = {
  document: {
    getElementById: (id) => ids[id] || null,
    querySelectorAll: () => [],
    createElement: (tag) => new El(tag),
    createTextNode: (t) => ({ textContent: t }),
    createDocumentFragment: () => new El("#fragment"),
  },
  history: { replaceState() {} },
  AbortController: class { constructor() { this.signal = {}; } abort() {} },
  fetch: (url, options) => {
    calls.push({ url, options });
    const a = answers.shift();
    return Promise.resolve({
      ok: a.status === 200, status: a.status,
      headers: { get: (n) => ({ "content-type": a.type, "retry-after": null, "x-result-rows": null })[n.toLowerCase()] },
      json: () => Promise.resolve(JSON.parse(a.body)), text: () => Promise.resolve(a.body),
    });
  },
};
sandbox.window = sandbox;
vm.createContext(sandbox);
vm.runInContext(fs.readFileSync(process.argv[2], "utf8"), sandbox);
function walk(node, out) { if (node.tagName === "a") out.push(node.attrs.href); (node.children || []).forEach((c) => walk(c, out)); return out; }
setTimeout(() => {
  const first = { calls: calls.slice(), status: ids["status"].textContent, links: walk(ids["results"], []),
                  cells: ids["results"].textContent, hl: ids["editor"].classList.list };
  ids["query-form"].listeners.submit[0]({ preventDefault() {} });
  setTimeout(() => {
    process.stdout.write(JSON.stringify({ first, second: { status: ids["status"].textContent,
                                                           cls: ids["status"].className } }));
  }, 50);
}, 50);
"""


def test_query_page_runs_a_query_and_renders_the_table(tmp_path):
    import shutil

    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    js = Path(__import__("gdigraph.serve", fromlist=["x"]).__file__).parent / "static" / "sparql.js"
    harness = tmp_path / "page.js"
    harness.write_text(_NODE_PAGE)
    solutions = {"head": {"vars": ["s", "o"]}, "results": {"bindings": [
        {"s": {"type": "uri", "value": f"{BASE}/id/voorziening/digid"},
         "o": {"type": "literal", "value": "DigiD", "xml:lang": "nl"}},
        {"s": {"type": "uri", "value": "javascript:alert(1)"},
         "o": {"type": "literal", "value": "42", "datatype": "http://www.w3.org/2001/XMLSchema#integer"}},
    ]}}
    answers = [
        {"status": 200, "type": "application/sparql-results+json", "body": json.dumps(solutions)},
        {"status": 504, "type": "application/problem+json",
         "body": json.dumps({"status": 504, "detail": "The query did not finish within 1.5 s and was stopped."})},
    ]
    done = subprocess.run([node, str(harness), str(js)], input=json.dumps(answers), capture_output=True, text=True,
                          timeout=30)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    first = out["first"]
    assert first["hl"] == ["hl"]
    call = first["calls"][0]
    assert call["url"].startswith("/sparql?query=PREFIX%20gdi") and call["options"]["method"] == "GET"
    assert call["options"]["headers"]["Accept"].startswith("application/sparql-results+json")
    assert first["status"].startswith("2 rows in ")
    assert f"{BASE}/id/voorziening/digid" in first["links"]
    assert not any(link.startswith("javascript:") for link in first["links"])  # only http(s) IRIs are links
    assert "javascript:alert(1)" in first["cells"]  # ... shown as text
    assert "DigiD @nl" in first["cells"] and "42 ^^xsd:integer" in first["cells"]
    assert out["second"] == {"status": "Error 504: The query did not finish within 1.5 s and was stopped.",
                             "cls": "status error"}


def test_ambiguous_engine_media_types_are_read_by_the_query_form():
    # some endpoints label SPARQL JSON results application/json, which is also JSON-LD's generic type
    assert transcode("application/json", SOLUTIONS, CSV, 5, graph=False).rows == 2
    jsonld = b'[{"@id":"http://x/a","http://x/p":[{"@id":"http://x/b"}]}]'
    assert transcode("application/json", jsonld, NTRIPLES, 5, graph=True).body == (
        b"<http://x/a> <http://x/p> <http://x/b> .\n")
    with pytest.raises(InvalidResult):
        transcode("application/octet-stream", b"x", TURTLE, 5, graph=True)
