"""The static export (gdigraph.publish.static): layout, determinism, the same RDF as the app, and the
site served by ``python -m http.server`` on 127.0.0.1, crawled like the app (no broken links, /id/
redirects work, the right media types)."""

from __future__ import annotations

import hashlib
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from rdflib import Graph
from starlette.testclient import TestClient

from gdigraph.publish.static import MARKER, StaticError, export_static
from gdigraph.serve.app import create_app
from gdigraph.settings import Settings, get_settings

from .site_fixture import BASE, accessibility_problems, crawl, make_build, make_trends


@pytest.fixture(scope="module")
def build(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("build")
    make_build(root)
    make_trends(root)
    return root


@pytest.fixture(scope="module")
def settings(build) -> Settings:
    return Settings().with_(build_dir=build, sparql_endpoint="")


@pytest.fixture(scope="module")
def site(settings, build, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    export_static(settings, out, store_path=build / "store")
    return out


def digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_layout(site):
    for rel in ("index.html", "404.html", "static/site.css", "static/site.js", "stelselplaat.svg",
                "doc/voorziening/index.html", "doc/voorziening/digid/index.html", "doc/voorziening/digid.ttl",
                "doc/voorziening/digid.jsonld", "doc/voorziening/digid.nt",
                "doc/waarneming/2024/digid.authenticaties/2017/totaal/index.html",
                "doc/waarneming/2024/digid.authenticaties/2017/totaal.ttl",
                "doc/reeks/digid.authenticaties/totaal/index.html", "doc/reeks/digid.authenticaties/totaal/2017/index.html",
                "def/gdi/index.html", "def/gdi.ttl", "def/gdi/vlag/index.html", "def/gdi/vlag/missing.jsonld",
                ".well-known/void/index.html", ".well-known/void.ttl", "catalog/index.html", "catalog.jsonld",
                "dumps/gdigraph.nq", "dumps/graphs/editie-2018.nq", "dumps/manifest.json",
                "trends/index.html", "trends/digid.csv", "trends/index.json",
                "id/voorziening/digid/index.html", "_redirects", "nginx-id.map", "nginx.conf", "_headers", ".htaccess",
                MARKER):
        assert (site / rel).is_file(), rel
    page = (site / "doc/voorziening/digid/index.html").read_text()
    assert 'href="/doc/organisatie/logius/"' in page  # folder links for plain file servers
    assert 'href="/doc/voorziening/digid.ttl"' in page
    assert 'href="/sparql"' not in page  # a static site has no endpoint of its own
    redirect = (site / "id/voorziening/digid/index.html").read_text()
    assert '<meta http-equiv="refresh" content="0; url=/doc/voorziening/digid/">' in redirect
    assert f'<link rel="canonical" href="{BASE}/doc/voorziening/digid">' in redirect
    assert "/id/*  /doc/:splat  303" in (site / "_redirects").read_text()
    assert "    /id/voorziening/digid /doc/voorziening/digid/;" in (site / "nginx-id.map").read_text()


def test_deterministic(settings, build, site, tmp_path):
    again = tmp_path / "again"
    export_static(settings, again, store_path=build / "store")
    assert digest(again) == digest(site)


def test_same_rdf_as_the_app(settings, build, site):
    app = create_app(settings, build / "store")
    with TestClient(app) as client:
        for path in ("/doc/voorziening/digid", "/doc/basisregistratie/brp", "/doc/rol/digid/beheerder/logius",
                     "/doc/waarneming/2018/digid.authenticaties/2017/totaal", "/def/gdi", "/def/gdi/vlag"):
            for suffix in ("ttl", "jsonld", "nt"):
                r = client.get(f"{path}.{suffix}")
                assert r.status_code == 200
                assert (site / f"{path.lstrip('/')}.{suffix}").read_bytes() == r.content, (path, suffix)


def test_void_without_an_endpoint(site):
    text = (site / ".well-known/void.ttl").read_text()
    assert "void:sparqlEndpoint" not in text  # none of its own; --sparql-url names one
    assert f"void:dataDump <{BASE}/dumps/gdigraph.nq>" in text or f"<{BASE}/dumps/gdigraph.nq>" in text
    assert f"<{BASE}/trends/digid.csv>" in (site / "catalog.ttl").read_text()


def test_refuses_a_foreign_folder(settings, build, tmp_path):
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "thesis.tex").write_text("precious")
    with pytest.raises(StaticError):
        export_static(settings, foreign, store_path=build / "store")
    assert (foreign / "thesis.tex").read_text() == "precious"


def test_cli_publish_static(build, tmp_path, monkeypatch, capsys):
    from gdigraph.cli import main

    monkeypatch.setenv("GDIGRAPH_BUILD_DIR", str(build))
    out = tmp_path / "cli-site"
    assert main(["publish", "--static", str(out), "--store", str(build / "store")]) == 0
    assert (out / "doc/voorziening/digid/index.html").is_file()
    assert "wrote" in capsys.readouterr().out
    assert main(["publish", "--static", str(tmp_path / "x"), "--store", str(tmp_path / "nothing")]) == 2


# -- served by python -m http.server --------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(site):
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                             "--directory", str(site)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(base + "/", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def http_getter(base):
    client = httpx.Client(base_url=base, timeout=10)

    def fetch(url):
        r = client.get(url, headers={"Accept": "text/html"}, follow_redirects=False)
        return r.status_code, {k.lower(): v for k, v in r.headers.items()}, r.content
    return fetch


def test_crawl_the_static_site(server):
    result = crawl(http_getter(server), "/", limit=3000)
    assert not result.failures, result.failures[:20]
    problems = []
    for url, text in result.html.items():
        if not url.startswith("/id/"):
            problems += accessibility_problems(url, text)
    assert not problems, problems[:10]
    counts = result.counts()
    for kind in ("voorziening", "basisregistratie", "organisatie", "indicator", "editie", "waarneming", "reeks",
                 "aanbeveling", "toezegging", "bronregel", "rol", "koppeling", "domein", "dataset"):
        assert counts.get(kind, 0) > 0, (kind, counts)
    assert counts["basisregistratie"] == 3
    assert any(u.startswith("/trends/") for u in result.visited)
    # every resource page found has its three RDF files, served with the right media type
    for path in sorted(p for p in result.pages() if p.startswith("/doc/") and p.count("/") >= 3):
        for suffix, media_type in (("ttl", "text/turtle"), ("jsonld", "application/ld+json"),
                                   ("nt", "application/n-triples")):
            r = httpx.get(f"{server}{path}.{suffix}")
            assert r.status_code == 200, (path, suffix)
            assert r.headers["content-type"].startswith(media_type), (path, r.headers["content-type"])


def test_static_id_redirects_and_404(server):
    r = httpx.get(server + "/id/voorziening/digid", follow_redirects=True)
    assert r.status_code == 200 and 'url=/doc/voorziening/digid/"' in r.text
    doc = httpx.get(server + "/doc/voorziening/digid/")
    assert doc.status_code == 200 and "<h1>DigiD</h1>" in doc.text
    r = httpx.get(server + "/id/waarneming/2024/digid.authenticaties/2017/totaal/")
    assert 'url=/doc/waarneming/2024/digid.authenticaties/2017/totaal/"' in r.text
    g = Graph().parse(data=httpx.get(server + "/doc/voorziening/digid.ttl").text, format="turtle")
    assert len(g) > 20
    assert httpx.get(server + "/404.html").status_code == 200


# -- the real build ---------------------------------------------------------------------------------------

def _real():
    s = get_settings()
    return s if (s.store_dir.is_dir() and (s.store_dir.parent / "graph" / "manifest.json").is_file()) else None


@pytest.mark.slow
@pytest.mark.skipif(_real() is None, reason="no real build (run `gdigraph extract-all && gdigraph build`)")
def test_export_and_crawl_the_real_build(tmp_path):
    s = _real()
    out = tmp_path / "site"
    result = export_static(s, out)
    assert result.pages.get("voorziening", 0) > 10 and result.pages.get("waarneming", 0) > 100
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                             "--directory", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                httpx.get(base + "/", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        crawled = crawl(http_getter(base), "/", limit=20000,
                        per_kind={"waarneming": 40, "bronregel": 20, "rol": 20, "koppeling": 10, "dataset": 11,
                                  "reeks": 40})
        assert not crawled.failures, crawled.failures[:20]
        print("\ncrawled the static real build:", crawled.counts(), f"({len(crawled.visited)} URLs)")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
