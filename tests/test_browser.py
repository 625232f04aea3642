"""The pages in a real browser: Debian's Chromium driven by Playwright for Python (never `playwright
install`: the browser is /usr/bin/chromium, which `make install` installs when it runs as root).

A person's path: the home page, a click through to DigiD, its indicator table and a chart; the query
page, an example query run, a results table. Screenshots go to build/screenshots/ for a human to look at.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from gdigraph.settings import PROJECT_ROOT, Settings

from .site_fixture import make_build

CHROMIUM = os.environ.get("GDIGRAPH_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SHOTS = PROJECT_ROOT / "build" / "screenshots"

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(sync_playwright is None, reason="playwright is not installed (make install installs it)"),
    pytest.mark.skipif(not (Path(CHROMIUM).is_file() or shutil.which("chromium")),
                       reason=f"no Chromium at {CHROMIUM} (make install runs `apt-get install chromium` as root)"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The app on a fixture build, under a real uvicorn on 127.0.0.1 (in a thread of this process)."""
    import uvicorn

    from gdigraph.serve.app import create_app

    root = tmp_path_factory.mktemp("build")
    make_build(root)
    settings = Settings().with_(build_dir=root, sparql_endpoint="")
    app = create_app(settings, root / "store")
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the app did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=30)


@pytest.fixture
def page(tmp_path):
    executable = CHROMIUM if Path(CHROMIUM).is_file() else shutil.which("chromium")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=executable, args=ARGS, headless=True,
            viewport={"width": 1280, "height": 900}, locale="nl-NL")
        try:
            pg = context.new_page()
            errors: list[str] = []
            pg.on("pageerror", lambda e: errors.append(str(e)))
            yield pg
            assert not errors, errors
        finally:
            context.close()


def shot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / name
    page.screenshot(path=str(path), full_page=True)
    return path


def test_home_to_digid_table_and_chart(server, page):
    page.goto(server + "/")
    expect(page).to_have_title("gdigraph · kennisgraaf van de Generieke Digitale Infrastructuur")
    expect(page.get_by_role("heading", level=1)).to_have_text("gdigraph")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    assert page.locator("main").count() == 1
    expect(page.locator("figure.stelsel img")).to_be_visible()
    shot(page, "home.png")
    page.get_by_role("link", name="DigiD", exact=True).first.click()
    page.wait_for_url(server + "/doc/voorziening/digid")
    expect(page.get_by_role("heading", level=1)).to_have_text("DigiD")
    table = page.get_by_role("table", name="Geharmoniseerde cijfers van DigiD: indicatoren per jaar")
    expect(table).to_be_visible()
    expect(table.get_by_role("columnheader", name="2023")).to_be_visible()
    expect(table.get_by_role("rowheader", name="Authenticaties")).to_be_visible()
    expect(table).to_contain_text("525.900.000")
    chart = page.locator("svg.chart").first
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    assert box and box["width"] > 200 and box["height"] > 100
    assert page.locator("svg.chart circle.point").count() >= 5
    shot(page, "digid.png")
    # a value in the table leads to the harmonised figure and from there to its sources
    table.get_by_role("link", name="525.900.000").click()
    page.wait_for_url(server + "/doc/reeks/digid.authenticaties/totaal/2023")
    expect(page.get_by_role("heading", level=2, name="Afgeleid van")).to_be_visible()


def test_registry_neighbourhood_and_keyboard(server, page):
    page.goto(server + "/doc/basisregistratie/brp")
    expect(page.locator("svg.neighbourhood")).to_be_visible()
    expect(page.get_by_role("table", name="Koppelingen van Basisregistratie Personen met andere basisregistraties "
                                          "en voorzieningen")).to_contain_text("BSN")
    # the skip link is the first thing the keyboard reaches and moves to the content
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Naar de inhoud"
    shot(page, "brp.png")


def test_query_page_runs_an_example(server, page):
    page.goto(server + "/")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="SPARQL").click()
    page.wait_for_url(server + "/sparql")
    expect(page.locator("#query")).to_be_visible()
    page.locator("a.example").first.click()
    results = page.locator("#results table")
    expect(results).to_be_visible(timeout=15000)
    assert results.locator("tbody tr").count() >= 1
    expect(results).to_contain_text("Logius")
    shot(page, "sparql.png")


def _real_store():
    from gdigraph.settings import get_settings

    s = get_settings()
    ok = s.store_dir.is_dir() and (s.store_dir.parent / "graph" / "manifest.json").is_file()
    return (s, s.store_dir) if ok else None


@pytest.mark.skipif(_real_store() is None, reason="no real build (run `gdigraph extract-all && gdigraph build`)")
def test_real_build_screenshots(page):
    """The real graph's DigiD and BRP pages, for a human to look at (build/screenshots/real-*.png)."""
    import uvicorn

    from gdigraph.serve.app import create_app

    s, store = _real_store()
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(s, store), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 60
        while not server.started and thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port}"
        page.goto(base + "/doc/voorziening/digid")
        expect(page.locator("#cijfers-tabel")).to_be_visible()
        assert page.locator("svg.chart").count() >= 3
        shot(page, "real-digid.png")
        page.goto(base + "/doc/basisregistratie/brp")
        expect(page.locator("svg.neighbourhood")).to_be_visible()
        shot(page, "real-brp.png")
        page.goto(base + "/")
        shot(page, "real-home.png")
    finally:
        server.should_exit = True
        thread.join(timeout=30)
