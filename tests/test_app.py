"""The linked-data front (gdigraph.serve.app) on a small fixture build, and on the real build when there is one.

The app runs with its real engine (a pool of Oxigraph worker processes on the fixture store), driven
through Starlette's TestClient (which runs the lifespan, so the workers start and stop).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.compare import isomorphic
from starlette.testclient import TestClient

from gdigraph.serve.app import create_app
from gdigraph.settings import Settings, get_settings

from .site_fixture import BASE, accessibility_problems, crawl, make_build, make_trends

GDI = Namespace(f"{BASE}/def/gdi#")
VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
RDF_FORMATS = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/n-triples": "nt"}


@pytest.fixture(scope="module")
def build(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("build")
    make_build(root)
    make_trends(root)
    return root


@pytest.fixture(scope="module")
def settings(build) -> Settings:
    return Settings().with_(build_dir=build, sparql_endpoint="", query_workers=2)


@pytest.fixture(scope="module")
def client(settings, build):
    app = create_app(settings, build / "store")
    with TestClient(app) as c:
        yield c


def get(client, url, **headers):
    return client.get(url, headers=headers, follow_redirects=False)


# -- content negotiation -------------------------------------------------------------------------------

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
DIGID = "/doc/voorziening/digid"
OBS = "/doc/waarneming/2024/digid.authenticaties/2017/totaal"
IND = "/doc/indicator/digid.authenticaties"

NEGOTIATION = [
    # (path, Accept, expected status, expected media type)
    (DIGID, None, 200, "text/html"),
    (DIGID, "*/*", 200, "text/html"),
    (DIGID, BROWSER, 200, "text/html"),
    (DIGID, "text/html", 200, "text/html"),
    (DIGID, "application/xhtml+xml", 200, "text/html"),
    (DIGID, "text/turtle", 200, "text/turtle"),
    (DIGID, "text/n3", 200, "text/turtle"),
    (DIGID, "application/x-turtle", 200, "text/turtle"),
    (DIGID, "application/ld+json", 200, "application/ld+json"),
    (DIGID, "application/n-triples", 200, "application/n-triples"),
    (DIGID, "text/turtle;q=0.9, application/ld+json", 200, "application/ld+json"),
    (DIGID, "text/html;q=0.1, text/turtle;q=0.5", 200, "text/turtle"),
    (DIGID, "application/ld+json;q=0, */*;q=0.1", 200, "text/html"),
    (DIGID, "text/html;q=0, */*", 200, "text/turtle"),
    (DIGID, "application/*", 200, "application/ld+json"),
    (DIGID, "text/*", 200, "text/html"),
    (DIGID, "image/png", 406, None),
    (DIGID, "application/sparql-results+json", 406, None),
    (DIGID + ".ttl", "text/html", 200, "text/turtle"),
    (DIGID + ".jsonld", None, 200, "application/ld+json"),
    (DIGID + ".nt", "text/turtle", 200, "application/n-triples"),
    (DIGID + ".html", "text/turtle", 200, "text/html"),
    (DIGID + "?format=ttl", "text/html", 200, "text/turtle"),
    (DIGID + "?format=json-ld", None, 200, "application/ld+json"),
    (DIGID + "?format=application/n-triples", None, 200, "application/n-triples"),
    (DIGID + "?format=html", "text/turtle", 200, "text/html"),
    (DIGID + "?format=xml", None, 406, None),
    (DIGID + ".ttl?format=jsonld", None, 200, "text/turtle"),  # the suffix wins
    (IND, None, 200, "text/html"),  # a code with a dot is not a suffix
    (IND + ".ttl", None, 200, "text/turtle"),
    (OBS, "application/n-triples", 200, "application/n-triples"),
    (OBS + ".jsonld", None, 200, "application/ld+json"),
    ("/def/gdi", "text/turtle", 200, "text/turtle"),
    ("/def/gdi.jsonld", None, 200, "application/ld+json"),
    ("/def/gdi/vlag/missing.nt", None, 200, "application/n-triples"),
    ("/def/gdi", "image/png", 406, None),
    ("/.well-known/void", "text/turtle", 200, "text/turtle"),
    ("/.well-known/void.jsonld", None, 200, "application/ld+json"),
    ("/catalog", "application/ld+json", 200, "application/ld+json"),
    ("/catalog.ttl", None, 200, "text/turtle"),
    ("/catalog", None, 200, "text/html"),
]


@pytest.mark.parametrize("path,accept,status,media_type", NEGOTIATION)
def test_negotiation(client, path, accept, status, media_type):
    r = get(client, path, **({"Accept": accept} if accept is not None else {}))
    assert r.status_code == status, r.text[:500]
    if media_type is not None:
        assert r.headers["content-type"].split(";")[0] == media_type
        assert r.headers["vary"] == "Accept"
    if status == 406:
        assert "text/turtle" in r.text and "format=ttl" in r.text  # says what is available


@pytest.mark.parametrize("path,location", [
    ("/id/voorziening/digid", "/doc/voorziening/digid"),
    ("/id/voorziening/digid.ttl", "/doc/voorziening/digid.ttl"),
    ("/id/voorziening/digid?format=jsonld", "/doc/voorziening/digid?format=jsonld"),
    ("/id/waarneming/2024/digid.authenticaties/2017/totaal", OBS),
    ("/id/basisregistratie/brp", "/doc/basisregistratie/brp"),
])
def test_id_redirects_303(client, path, location):
    r = get(client, path, Accept="text/turtle")
    assert r.status_code == 303
    assert r.headers["location"] == location
    followed = client.get(path, headers={"Accept": "text/turtle"})
    assert followed.status_code == 200
    assert followed.headers["content-type"].startswith("text/turtle") or "format" in path or "." in path


def test_unknown_type_is_404(client):
    assert get(client, "/id/ding/digid").status_code == 404
    assert get(client, "/doc/ding/digid").status_code == 404


def test_link_headers_name_every_format(client):
    r = get(client, DIGID, Accept="text/turtle")
    link = r.headers["link"]
    for suffix, media_type in (("html", "text/html"), ("ttl", "text/turtle"), ("jsonld", "application/ld+json"),
                               ("nt", "application/n-triples")):
        assert f'<{DIGID}.{suffix}>; rel="alternate"; type="{media_type}"' in link
    assert f'<{DIGID}>; rel="canonical"' in link
    html_page = get(client, DIGID).text
    assert f'<link rel="alternate" type="text/turtle" href="{DIGID}.ttl"' in html_page


def test_etag_and_304(client):
    r = get(client, DIGID, Accept="text/turtle")
    etag = r.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"')
    again = get(client, DIGID, Accept="text/turtle", **{"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert get(client, DIGID, Accept="text/turtle", **{"If-None-Match": f"W/{etag}"}).status_code == 304
    assert get(client, DIGID, Accept="text/turtle", **{"If-None-Match": '"other", ' + etag}).status_code == 304
    # another representation has another tag
    html_tag = get(client, DIGID).headers["etag"]
    assert html_tag != etag
    assert get(client, DIGID, Accept="text/turtle", **{"If-None-Match": html_tag}).status_code == 200
    assert get(client, "/", **{"If-None-Match": get(client, "/").headers["etag"]}).status_code == 304


def test_etag_follows_the_build(settings, build, tmp_path):
    from gdigraph.serve.app import BuildInfo

    a = BuildInfo(settings, build / "graph").build_id
    copy = tmp_path / "graph"
    copy.mkdir()
    manifest = json.loads((build / "graph" / "manifest.json").read_text())
    manifest["graphs"]["extra"] = {"uri": f"{BASE}/graph/extra", "triples": 1}
    (copy / "manifest.json").write_text(json.dumps(manifest))
    assert BuildInfo(settings, copy).build_id != a
    assert BuildInfo(settings, build / "graph").build_id == a


# -- the RDF of a resource --------------------------------------------------------------------------------

def parse(r) -> Graph:
    fmt = RDF_FORMATS[r.headers["content-type"].split(";")[0]]
    return Graph().parse(data=r.content, format=fmt, publicID=BASE)


def test_the_formats_say_the_same(client):
    graphs = [parse(get(client, DIGID + "." + s)) for s in ("ttl", "jsonld", "nt")]
    assert len(graphs[0]) > 20
    assert isomorphic(graphs[0], graphs[1]) and isomorphic(graphs[0], graphs[2])


def test_description_is_cbd_with_labels_and_inbound_links(client):
    g = parse(get(client, DIGID + ".ttl"))
    digid = URIRef(f"{BASE}/id/voorziening/digid")
    logius = URIRef(f"{BASE}/id/organisatie/logius")
    assert (digid, GDI.beheerder, logius) in g
    assert (logius, URIRef("http://www.w3.org/2004/02/skos/core#prefLabel"), None) in g  # label of an object
    machtigen = URIRef(f"{BASE}/id/voorziening/digid-machtigen")
    assert (machtigen, GDI.onderdeelVan, digid) in g  # inbound
    # a role's hash nodes (its period and the instants) are part of its description
    role = parse(get(client, "/doc/rol/brp/beheerder/bprbzk/2010-01-01.ttl"))
    begin = URIRef(f"{BASE}/id/rol/brp/beheerder/bprbzk/2010-01-01#begin")
    assert (begin, URIRef("http://www.w3.org/2006/time#inXSDDate"), None) in role
    body = [ln for ln in get(client, DIGID + ".ttl").text.splitlines() if ln and not ln.startswith("@prefix")]
    assert body[0].startswith("vz:digid ")  # the resource first


def test_rdf_is_deterministic(client):
    for suffix in ("ttl", "jsonld", "nt"):
        assert get(client, f"{DIGID}.{suffix}").content == get(client, f"{DIGID}.{suffix}").content


def test_jsonld_is_compact_and_valid(client):
    doc = json.loads(get(client, DIGID + ".jsonld").content)
    assert doc["@context"]["skos"] == "http://www.w3.org/2004/02/skos/core#"
    node = next(n for n in doc["@graph"] if n["@id"] == f"{BASE}/id/voorziening/digid")
    assert "gdi:Voorziening" in node["@type"]
    assert {"@language": "nl", "@value": "DigiD"} in node["skos:prefLabel"]
    assert doc["@graph"][0]["@id"] == f"{BASE}/id/voorziening/digid"  # the resource first


# -- 404 -----------------------------------------------------------------------------------------------

def test_unknown_uri_gets_a_helpful_404(client):
    r = get(client, "/doc/voorziening/digi")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    assert "Niet gevonden" in r.text and f"{BASE}/id/voorziening/digi" in r.text
    assert 'href="/doc/voorziening/digid"' in r.text  # a suggestion
    assert not accessibility_problems("/doc/voorziening/digi", r.text)
    r = get(client, "/doc/organisatie/logiu", Accept="text/turtle")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/plain")
    r = get(client, "/nergens/iets")
    assert r.status_code == 404 and "Niet gevonden" in r.text
    r = get(client, "/id/voorziening/brp-x")
    assert r.status_code == 303  # the redirect does not know; the document 404s
    assert client.get("/id/voorziening/brp-x").status_code == 404


def test_search(client):
    r = get(client, "/search?q=Logius")
    assert r.status_code == 200 and 'href="/doc/organisatie/logius"' in r.text
    r = get(client, "/search?q=personen")
    assert 'href="/doc/basisregistratie/brp"' in r.text


# -- the pages -----------------------------------------------------------------------------------------

def test_home(client):
    r = get(client, "/")
    text = r.text
    for domain in ("Identificeren en authenticeren", "Dienstverlening en informatie verstrekken",
                   "Gegevens en registreren", "Dienstverlening en verbinden"):
        assert domain in text
    for href in ("/doc/voorziening/digid", "/doc/basisregistratie/brp", "/doc/editie/2018", "/sparql", "/def/gdi",
                 "/catalog", "/.well-known/void", "/stelselplaat.svg"):
        assert f'"{href}"' in text, href
    assert get(client, "/stelselplaat.svg").headers["content-type"] == "image/svg+xml"


def test_facility_page_has_indicator_table_and_charts(client):
    text = get(client, DIGID).text
    table = re.search(r'<table id="cijfers-tabel">.*?</table>', text, re.S).group(0)
    for year in ("2015", "2016", "2017", "2022", "2023"):
        assert f'<th scope="col" class="num">{year}</th>' in table
    assert "Authenticaties" in table and "525.900.000" in table
    assert "+23,6%" in table  # 2015 -> 2016 year-on-year
    assert "+9,5%" in table  # 2022 -> 2023
    assert "herzien" in table  # 2017 was revised
    assert "+0,6 pp" in table  # percentages change in points
    assert text.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') == 3
    assert "Logius" in text and "sinds 1 januari 2006" in text  # the roles
    assert "Toezegging bzk-2017-1" in text  # what concerns it


def test_registry_page_has_the_stelselplaat_neighbourhood(client):
    text = get(client, "/doc/basisregistratie/brp").text
    section = re.search(r'<section id="stelselplaat".*?</section>', text, re.S).group(0)
    assert 'class="neighbourhood"' in section
    assert "Handelsregister" in section and "BSN" in section  # HR uses the BRP with the BSN
    assert "Basisregistratie Adressen en Gebouwen" in section and "nummeraanduiding-id" in section
    assert "Digilevering" in section  # carries its data
    assert "Berichten naar afnemers" in text  # its figures
    assert "1 januari 2010 – 30 september 2014" in text  # a role that ended


def test_observation_page(client):
    text = get(client, OBS).text
    assert "198.300.000" in text and "198,3 mln" in text
    assert "benaderd" in text and "herzien" in text  # flags with their meaning
    assert "bij benadering gegeven" in text
    assert "Authenticaties  2017: 198,3 mln" in text  # the source line's text
    assert 'href="/doc/waarneming/2018/digid.authenticaties/2017/totaal"' in text  # what it revises
    older = get(client, "/doc/waarneming/2018/digid.authenticaties/2017/totaal").text
    assert "herziet dit cijfer (later)" in older and f'href="{OBS}"' in older  # and the other way
    assert "inclusief inlogpogingen via de app" in older  # footnote
    missing = get(client, "/doc/waarneming/2018/digid.aangesloten-organisaties/2017/totaal").text
    assert "ontbreekt" in missing


def test_organisation_edition_recommendation_pages(client):
    text = get(client, "/doc/organisatie/logius").text
    assert 'href="/doc/voorziening/digid"' in text and "beheerder" in text
    text = get(client, "/doc/editie/2018").text
    assert "Cijfers uit de tabellen van Monitor GDI 2018" in text
    assert re.search(r'<data value="7">7</data>', text)  # 7 observations in the table data set
    text = get(client, "/doc/toezegging/bzk-2017-1").text
    assert "voortaan jaarlijks uitgevoerd" in text and "lopend" in text and "2018" in text
    assert 'href="/doc/aanbeveling/no-2017-2"' in text and 'href="/doc/voorziening/mijnoverheid"' in text
    assert "BRP berichten naar afnemers" in text  # its source line


def test_ontology_page(client):
    text = get(client, "/def/gdi").text
    assert 'id="Voorziening"' in text and 'id="maaktGebruikVan"' in text
    assert "facility" in text and "voorziening" in text
    g = parse(get(client, "/def/gdi.ttl"))
    assert (GDI.Voorziening, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            URIRef("http://www.w3.org/2002/07/owl#Class")) in g
    # gdi: terms in pages link to the anchors
    assert 'href="/def/gdi#beheerder"' in get(client, DIGID).text
    text = get(client, "/def/gdi/vlag").text
    assert 'href="/def/gdi/vlag/missing"' in text and "pct_mismatch" in text


# -- VoID and DCAT -------------------------------------------------------------------------------------

def test_void_and_catalog_mention_every_dump(client, build):
    dumps = sorted(p.relative_to(build / "graph").as_posix() for p in (build / "graph").rglob("*")
                   if p.is_file() and p.name != "manifest.json")
    manifest = json.loads((build / "graph" / "manifest.json").read_text())
    for accept in ("text/turtle", "application/ld+json"):
        void = parse(get(client, "/.well-known/void", Accept=accept))
        dataset = URIRef(f"{BASE}/.well-known/void#gdigraph")
        assert (dataset, VOID.sparqlEndpoint, URIRef(f"{BASE}/sparql")) in void
        assert (dataset, VOID.uriSpace, None) in void
        for name in ("gdigraph.nq", "gdigraph.trig", "gdigraph.ttl", "gdigraph.jsonld"):
            assert (dataset, VOID.dataDump, URIRef(f"{BASE}/dumps/{name}")) in void
        for name, info in manifest["graphs"].items():
            assert int(void.value(URIRef(info["uri"]), VOID.triples)) == info["triples"]
        assert (dataset, VOID.exampleResource, URIRef(f"{BASE}/id/voorziening/digid")) in void
        cat = parse(get(client, "/catalog", Accept=accept))
        for name in dumps:
            url = URIRef(f"{BASE}/dumps/{name}")
            assert (None, DCAT.distribution, url) in cat, name
            assert int(cat.value(url, DCAT.byteSize)) == (build / "graph" / name).stat().st_size
            assert cat.value(url, DCAT.mediaType) is not None
    # the dumps themselves
    for name in dumps:
        r = get(client, f"/dumps/{name}")
        assert r.status_code == 200 and r.content == (build / "graph" / name).read_bytes()
    assert get(client, "/dumps/gdigraph.nq").headers["content-type"].startswith("application/n-quads")
    assert get(client, "/dumps/../store/CURRENT").status_code == 404


def test_trends_are_mounted_and_linked(client):
    assert 'href="/trends/"' in get(client, "/").text
    page = get(client, DIGID).text
    assert 'href="/trends/digid.csv"' in page and 'href="/trends/digid.csv-metadata.json"' in page
    r = get(client, "/trends/digid.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert get(client, "/trends/", Accept="application/json").json()["files"][0]["path"] == "digid.csv"
    cat = parse(get(client, "/catalog.ttl"))
    assert (None, DCAT.distribution, URIRef(f"{BASE}/trends/digid.csv")) in cat


def test_catalog_lists_trend_tables(settings, tmp_path, build):
    from gdigraph.serve.app import BuildInfo
    from gdigraph.serve.describe import catalog_triples
    from gdigraph.uris import Uris

    trends = tmp_path / "trends"
    trends.mkdir()
    (trends / "digid.csv").write_text("a,b\n1,2\n")
    (trends / "index.json").write_text(json.dumps({"files": [
        {"path": "digid.csv", "title": "DigiD", "media_type": "text/csv", "kind": "table"},
        {"path": "gone.csv", "title": "not there", "kind": "table"}]}))
    info = BuildInfo(settings, build / "graph", trends)
    triples = catalog_triples(Uris(settings), info)
    urls = {t.object.value for t in triples if t.predicate.value == str(DCAT.distribution)}
    assert f"{BASE}/trends/digid.csv" in urls and f"{BASE}/trends/gone.csv" not in urls


def test_the_same_pages_through_a_remote_endpoint(client, settings, build, tmp_path):
    """GDIGRAPH_SPARQL_ENDPOINT: an Oxigraph server on the same store stands for any SPARQL 1.1 endpoint
    (whose default graph is the union of the named graphs)."""
    import socket
    import subprocess
    import time

    import httpx

    from gdigraph.serve.engine import oxigraph_binary

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen([oxigraph_binary(), "serve-read-only", "--location", str(build / "store"),
                             "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        endpoint = f"http://127.0.0.1:{port}/query"
        for _ in range(200):
            try:
                httpx.post(endpoint, data={"query": "ASK {}"}, timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        remote = settings.with_(sparql_endpoint=endpoint)
        with TestClient(create_app(remote, tmp_path / "no-store-needed")) as other:
            for path in (DIGID + ".ttl", OBS + ".jsonld", "/def/gdi/vlag.nt"):
                assert other.get(path).content == client.get(path).content, path
            text = other.get(DIGID).text
            assert 'id="cijfers-tabel"' in text and "525.900.000" in text
            assert other.get("/doc/voorziening/digi").status_code == 404
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


@pytest.mark.slow
def test_cli_serve_prints_the_url_and_ctrl_c_stops_everything(build):
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time

    import httpx

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "GDIGRAPH_BUILD_DIR": str(build), "GDIGRAPH_SPARQL_ENDPOINT": ""}
    proc = subprocess.Popen([sys.executable, "-m", "gdigraph.cli", "serve", "--port", str(port), "--store",
                             str(build / "store")], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    try:
        line = proc.stdout.readline()
        assert f"http://127.0.0.1:{port}/" in line
        for _ in range(200):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/doc/voorziening/digid", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        workers = [p for p in _children(proc.pid) if "oxigraph" in Path(f"/proc/{p}/cmdline").read_text()]
        assert len(workers) >= 1
        proc.send_signal(signal.SIGINT)  # Ctrl-C
        assert proc.wait(timeout=30) == 0
        time.sleep(0.5)
        assert not [p for p in workers if Path(f"/proc/{p}").exists()
                    and "oxigraph" in Path(f"/proc/{p}/cmdline").read_text()]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_cli_serve_without_a_store(tmp_path, capsys, monkeypatch):
    from gdigraph.cli import main

    monkeypatch.setenv("GDIGRAPH_SPARQL_ENDPOINT", "")
    assert main(["serve", "--store", str(tmp_path / "none")]) == 2
    assert "gdigraph build" in capsys.readouterr().err


# -- the crawler -----------------------------------------------------------------------------------------

def app_getter(client):
    def fetch(url):
        r = client.get(url, headers={"Accept": "text/html"}, follow_redirects=False)
        return r.status_code, {k.lower(): v for k, v in r.headers.items()}, r.content
    return fetch


def check_crawl(result, expect_kinds):
    assert not result.failures, result.failures[:20]
    problems = []
    for url, text in result.html.items():
        if url.startswith("/sparql") or url.startswith("/trends"):
            continue
        problems += accessibility_problems(url, text)
    assert not problems, problems[:20]
    counts = result.counts()
    for kind in expect_kinds:
        assert counts.get(kind, 0) > 0, (kind, counts)
    return counts


def test_crawl_from_home_finds_no_broken_links(client):
    result = crawl(app_getter(client), "/", limit=3000)
    counts = check_crawl(result, ["voorziening", "basisregistratie", "organisatie", "indicator", "editie",
                                  "waarneming", "reeks", "aanbeveling", "toezegging", "bronregel", "rol",
                                  "koppeling", "domein", "dataset"])
    # every facility, registry and organisation of the fixture
    assert counts["voorziening"] >= 5 and counts["basisregistratie"] == 3 and counts["organisatie"] >= 8
    # every /doc/ page the crawl saw answers in all four formats, and its /id/ redirects to it
    for path in sorted(p for p in result.pages() if p.startswith("/doc/") and p.count("/") >= 3):
        for suffix in ("ttl", "jsonld", "nt"):
            r = get(client, f"{path}.{suffix}")
            assert r.status_code == 200, (path, suffix)
        assert get(client, "/id/" + path[len("/doc/"):]).headers["location"] == path


# -- the real build ----------------------------------------------------------------------------------------

REAL_KINDS = ("voorziening", "basisregistratie", "organisatie", "indicator", "editie")


def _real_build():
    s = get_settings()
    store = s.store_dir
    graph = store.parent / "graph" / "manifest.json"
    if not (store.is_dir() and graph.is_file()):
        return None
    return s, store


@pytest.mark.slow
@pytest.mark.skipif(_real_build() is None, reason="no real build (run `gdigraph extract-all && gdigraph build`)")
def test_crawl_the_real_build():
    s, store = _real_build()
    app = create_app(s, store)
    with TestClient(app) as client:
        result = crawl(app_getter(client), "/", limit=20000,
                       per_kind={"waarneming": 60, "bronregel": 40, "rol": 40, "koppeling": 20, "dataset": 15,
                                 "reeks": 60, "aanbeveling": 1000, "toezegging": 1000})
        counts = check_crawl(result, REAL_KINDS + ("waarneming",))
        print("\ncrawled the real build:", counts, f"({len(result.visited)} URLs)")
        # every /id/ URI of the main kinds in the graph was visited and answers in all four formats
        store_ = ox.Store.read_only(str(store))
        for kind in REAL_KINDS:
            prefix = f"{s.base_uri}/id/{kind}/"
            uris = {str(r["s"].value) for r in store_.query(
                f'SELECT DISTINCT ?s WHERE {{ ?s a ?t . FILTER(STRSTARTS(STR(?s), "{prefix}")) }}',
                use_default_graph_as_union=True)}
            uris = {u for u in uris if "#" not in u}
            visited = {u.rstrip("/") for u in result.visited}
            missing = [u for u in uris if "/doc/" + u[len(s.base_uri) + 4:] not in visited]
            assert not missing, (kind, missing[:10])
            for u in sorted(uris):
                path = "/doc/" + u[len(s.base_uri) + 4:]
                for suffix in ("html", "ttl", "jsonld", "nt"):
                    r = client.get(f"{path}.{suffix}")
                    assert r.status_code == 200, (path, suffix, r.status_code)
                assert client.get("/id/" + path[5:], follow_redirects=False).status_code == 303
