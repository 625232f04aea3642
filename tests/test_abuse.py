"""Abuse of the linked-data front: the real application (``create_app``) on a real uvicorn on 127.0.0.1,
over the session's real build (the ``built`` fixture's store), driven with raw HTTP/1.1 over a socket
(so nothing normalises or re-encodes what is sent).

Every case checks what the answer is *and* that the server keeps answering: after each test ``/``
must answer 200, and nothing may have been logged as an error (an exception in the application is
a 500). The engine runs with few workers, a short wait queue and a short query timeout, so the
flood of slow queries is bounded: some 503 with ``Retry-After``, the rest 504, none hanging.

A slowloris-style half request is out of scope (uvicorn's own timeouts handle it).
"""

from __future__ import annotations

import concurrent.futures as cf
import logging
import socket
import threading
import time
from urllib.parse import quote

import pytest

QUERY_TIMEOUT = 2.0
WORKERS = 2
QUEUE = 2
MAX_QUERY_BYTES = 4096
MAX_URL_BYTES = 8192
SECRET = "abuse-secret-7c1e0f"  # the content of a file just outside the build folder
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # a cartesian product: never ends


class Answer:
    def __init__(self, status: int, headers: list[tuple[str, str]], body: bytes, seconds: float):
        self.status, self.headers, self.body, self.seconds = status, headers, body, seconds

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def __repr__(self) -> str:
        return f"<{self.status} {self.headers} {self.body[:200]!r}>"


class ErrorLog(logging.Handler):
    def __init__(self):
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture(scope="module")
def server(built, tmp_path_factory):
    """The application on uvicorn on a free loopback port (in a thread of this process); yields a
    ``request(target, ...)`` function that speaks raw HTTP/1.1 to it."""
    import uvicorn

    from gdigraph.serve.app import create_app

    settings, result = built
    outside = tmp_path_factory.getbasetemp() / "abuse-secret.txt"  # beside the build folder
    outside.write_text(SECRET, encoding="utf-8")
    assert settings.build_dir.parent == outside.parent
    s = settings.with_(sparql_endpoint="", query_workers=WORKERS, query_queue=QUEUE, query_timeout=QUERY_TIMEOUT,
                       max_query_bytes=MAX_QUERY_BYTES, max_url_bytes=MAX_URL_BYTES)
    app = create_app(s, settings.build_dir / "store")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    errors = ErrorLog()
    logging.getLogger("uvicorn.error").addHandler(errors)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"

    def request(target: bytes | str, method: str = "GET", headers: dict[str, str] | None = None,
                body: bytes = b"", timeout: float = 60.0) -> Answer:
        if isinstance(target, str):
            target = target.encode("latin-1")
        head = [f"{method} ".encode() + target + b" HTTP/1.1", b"Host: 127.0.0.1", b"Connection: close"]
        head += [f"{k}: {v}".encode("latin-1") for k, v in (headers or {}).items()]
        if (body or method == "POST") and not any(k.lower() == "content-length" for k in headers or {}):
            head.append(f"Content-Length: {len(body)}".encode())
        t0 = time.monotonic()
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as c:
            c.sendall(b"\r\n".join(head) + b"\r\n\r\n" + body)
            data = bytearray()
            while chunk := c.recv(65536):
                data += chunk
        seconds = time.monotonic() - t0
        raw_head, _, rest = bytes(data).partition(b"\r\n\r\n")
        lines = raw_head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        pairs = [tuple(p.strip() for p in line.split(":", 1)) for line in lines[1:] if ":" in line]
        if any(k.lower() == "transfer-encoding" and "chunked" in v.lower() for k, v in pairs):
            rest = _unchunk(rest)
        return Answer(status, pairs, rest, seconds)

    request.port = port
    request.errors = errors
    request.settings = s
    try:
        yield request
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        logging.getLogger("uvicorn.error").removeHandler(errors)
        outside.unlink(missing_ok=True)


def _unchunk(data: bytes) -> bytes:
    out = bytearray()
    while data:
        size_line, _, data = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0] or b"0", 16)
        if size == 0:
            break
        out += data[:size]
        data = data[size + 2:]
    return bytes(out)


@pytest.fixture(autouse=True)
def still_answering(server):
    """After every case: ``/`` answers 200 and the application logged no error (no 500)."""
    before = len(server.errors.records)
    yield
    assert server("/").status == 200
    new = [r.getMessage() for r in server.errors.records[before:]]
    assert new == [], new


def sparql_get(server, query: str, **headers) -> Answer:
    return server("/sparql?query=" + quote(query, safe=""), headers=headers)


def sparql_post(server, query: str, **headers) -> Answer:
    body = ("query=" + quote(query, safe="")).encode()
    return server("/sparql", "POST", {"Content-Type": "application/x-www-form-urlencoded", **headers}, body)


# -- sizes -----------------------------------------------------------------------------------------------


def test_a_query_over_the_size_limit_is_413(server):
    big = "ASK {} #" + "x" * MAX_QUERY_BYTES
    r = server("/sparql", "POST", {"Content-Type": "application/sparql-query"}, big.encode())
    assert r.status == 413 and str(MAX_QUERY_BYTES) in r.text
    assert sparql_post(server, big).status == 413
    assert sparql_get(server, big).status == 413  # the URL (~4 kB) is under the URL limit: the query is not
    # a body that only says it is huge is refused before it is read
    r = server("/sparql", "POST", {"Content-Type": "application/sparql-query", "Content-Length": "999999999"})
    assert r.status == 413
    just = "ASK {} #" + "x" * (MAX_QUERY_BYTES - 8)
    assert server("/sparql", "POST", {"Content-Type": "application/sparql-query"}, just.encode()).status == 200


def test_a_get_url_too_long_is_414(server):
    long_query = "ASK {} #" + "x" * MAX_URL_BYTES
    r = sparql_get(server, long_query)
    assert r.status == 414 and "POST" in r.text
    for path in ("/doc/voorziening/", "/id/voorziening/", "/def/gdi/", "/dumps/", "/search?q=", "/trends/"):
        r = server(path + "a" * MAX_URL_BYTES)
        assert r.status == 414, (path, r)
    # far beyond: refused by the HTTP parser or by the application, but answered
    for size in (20_000, 100_000):
        r = server("/id/voorziening/" + "a" * size)
        assert r.status in (400, 414), r


def test_very_long_id_paths_are_answered_quickly(server):
    """A long code is a valid code: 303 to /doc, which is a 404 whose suggestions search only the
    first characters (searching all of them took 20 s on the event loop)."""
    for target in ("/id/voorziening/" + "a" * 7000, "/id/voorziening/" + "a/" * 3000,
                   "/id/waarneming/" + "2024/" * 1500, "/id/voorziening/" + "digid-" * 1300):
        r = server(target)
        assert r.status in (303, 404) and r.seconds < 5, (target[:40], r.status, r.seconds)
        if r.status == 303:
            loc = r.header("location")
            assert loc.startswith("/doc/") and "\r" not in loc and "\n" not in loc
            followed = server(loc)
            assert followed.status == 404 and followed.seconds < 5, (target[:40], followed.seconds)


def test_long_searches_do_not_stall_the_server(server):
    """The fuzzy search runs beside the event loop: a static file answers while searches run."""
    q = quote("digid " * 33)  # just under the 200 characters a search looks at
    with cf.ThreadPoolExecutor(8) as pool:
        t0 = time.monotonic()
        searches = [pool.submit(server, f"/search?q={q}") for _ in range(8)]
        time.sleep(0.05)
        css = server("/static/site.css")
        results = [f.result() for f in searches]
        flood = time.monotonic() - t0
    assert all(r.status == 200 for r in results)
    assert css.status == 200 and css.seconds < max(1.0, flood / 2), (css.seconds, flood)


# -- queries ---------------------------------------------------------------------------------------------


def test_many_slow_queries_at_once_are_bounded(server):
    n = 12
    with cf.ThreadPoolExecutor(n) as pool:
        t0 = time.monotonic()
        flood = [pool.submit(sparql_post, server, f"{SLOW} # {i}", Accept="application/sparql-results+json")
                 for i in range(n)]
        time.sleep(0.3)
        css = server("/static/site.css")  # the server is not blocked by them
        answers = [f.result(timeout=QUERY_TIMEOUT * 4 + 20) for f in flood]
        took = time.monotonic() - t0
    statuses = sorted(a.status for a in answers)
    assert set(statuses) <= {503, 504}, statuses
    assert statuses.count(504) >= 1 and statuses.count(503) >= n - WORKERS - QUEUE, statuses
    for a in answers:
        assert a.seconds < QUERY_TIMEOUT * 3 + 5, a.seconds  # none hangs: at most a wait plus a run
        if a.status == 503:
            assert int(a.header("retry-after")) >= 1
    assert took < QUERY_TIMEOUT * 4 + 20
    assert css.status == 200 and css.seconds < QUERY_TIMEOUT
    # the killed workers are replaced: queries answer again
    r = sparql_post(server, "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?t }", Accept="application/sparql-results+json")
    assert r.status == 200 and int(r.text.split('"value":"')[1].split('"')[0]) > 1000


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { ?s ?p }",
    "SELECT * WHERE { ?s ?p ?o ",
    "SELEKT * WHERE { ?s ?p ?o }",
    "SELECT * WHERE { ?s <http://example.org/p ?o }",
    "PREFIX x: <urn:x:> SELECT * WHERE { ?s y:p ?o }",
])
def test_malformed_sparql_is_400_with_the_parsers_message(server, query):
    for r in (sparql_get(server, query), sparql_post(server, query),
              server("/sparql", "POST", {"Content-Type": "application/sparql-query"}, query.encode())):
        assert r.status == 400, r
        assert "Malformed query" in r.text or "query" in r.text.lower()
    r = sparql_post(server, query, Accept="application/json")
    assert r.status == 400 and r.header("content-type").startswith("application/problem+json")
    import json

    detail = json.loads(r.body)["detail"]
    assert detail and len(detail) > len("Malformed query: ")  # the parser's own words, not only a status


def test_the_parser_message_says_where(server):
    r = sparql_post(server, "SELECT * WHERE { ?s ?p }")
    assert r.status == 400 and "Malformed query: error at 1:" in r.text, r.text


@pytest.mark.parametrize("target,accept", [
    ("/sparql?query=" + quote("SELECT * { ?s ?p ?o } LIMIT 1"), "application/x-nonsense"),
    ("/sparql?query=" + quote("SELECT * { ?s ?p ?o } LIMIT 1") + "&format=nonsense", None),
    ("/sparql?query=" + quote("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 1"), "application/sparql-results+json"),
    ("/doc/voorziening/digid", "image/png"),
    ("/doc/voorziening/digid", "application/x-nonsense"),
    ("/doc/voorziening/digid?format=nonsense", None),
    ("/doc/basisregistratie/brp", "text/nonsense;q=1, */*;q=0"),
    ("/def/gdi", "application/x-nonsense"),
    ("/.well-known/void", "application/x-nonsense"),
    ("/catalog", "video/mp4"),
])
def test_unknown_media_types_are_406(server, target, accept):
    r = server(target, headers={"Accept": accept} if accept else None)
    assert r.status == 406, r


@pytest.mark.parametrize("method,target,headers,body", [
    ("GET", "/sparql?update=" + quote("INSERT DATA { <urn:x:abuse> <urn:x:p> 1 }"), {}, b""),
    ("POST", "/sparql", {"Content-Type": "application/x-www-form-urlencoded"},
     ("update=" + quote("INSERT DATA { <urn:x:abuse> <urn:x:p> 1 }")).encode()),
    ("POST", "/sparql", {"Content-Type": "application/sparql-update"}, b"INSERT DATA { <urn:x:abuse> <urn:x:p> 1 }"),
    ("POST", "/sparql", {"Content-Type": "application/sparql-query"}, b"INSERT DATA { <urn:x:abuse> <urn:x:p> 1 }"),
    ("POST", "/sparql", {"Content-Type": "application/sparql-query"}, b"DELETE WHERE { ?s ?p ?o }"),
    ("POST", "/sparql", {"Content-Type": "application/sparql-query"}, b"CLEAR ALL"),
    ("POST", "/sparql", {"Content-Type": "application/sparql-query"}, b"LOAD <http://127.0.0.1:1/x.ttl>"),
    ("GET", "/sparql?query=" + quote("DROP ALL"), {}, b""),
    ("PUT", "/sparql", {"Content-Type": "text/turtle"}, b"<urn:x:abuse> <urn:x:p> 1 ."),
    ("DELETE", "/sparql", {}, b""),
    ("PATCH", "/sparql", {"Content-Type": "application/sparql-update"}, b"CLEAR ALL"),
])
def test_updates_are_refused(server, method, target, headers, body):
    r = server(target, method, headers, body)
    assert r.status in (403, 405), r
    r = sparql_post(server, "ASK { <urn:x:abuse> ?p ?o }", Accept="application/sparql-results+json")
    assert r.status == 200 and '"boolean":false' in r.text.replace(" ", "")
    r = sparql_post(server, "ASK { ?s a ?t }", Accept="application/sparql-results+json")
    assert '"boolean":true' in r.text.replace(" ", "")  # nothing was cleared


def test_service_is_refused(server):
    r = sparql_post(server, "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }")
    assert r.status == 403


# -- paths -----------------------------------------------------------------------------------------------

PREFIXES = ["/doc/", "/doc/voorziening/", "/id/voorziening/", "/def/", "/def/gdi/", "/dumps/", "/dumps/graphs/",
            "/trends/", "/trends/charts/", "/sparql/assets/", "/static/", "/.well-known/void", "/catalog",
            "/search/", "/stelselplaat.svg/"]
TRAVERSALS = [
    "..%2F..%2F..%2Fetc%2Fpasswd", "..%2F..%2Fetc/passwd", "..%2F", "..%2f..%2fabuse-secret.txt",
    "..%2F..%2Fabuse-secret.txt", "..%2F..%2F..%2Fabuse-secret.txt", "%2e%2e%2f%2e%2e%2fabuse-secret.txt",
    "%2e%2e/%2e%2e/abuse-secret.txt", "%2E%2E%2F%2E%2E%2F%2E%2E%2Fetc%2Fpasswd", ".%2e/.%2e/abuse-secret.txt",
    "..%252F..%252Fabuse-secret.txt", "%252e%252e%252f%252e%252e%252fetc%252fpasswd", "..%5C..%5Cabuse-secret.txt",
    "..%255c..%255cetc%255cpasswd", "../../abuse-secret.txt", "..", "%2e%2e", "%2e", "..%00/abuse-secret.txt",
    "%c0%ae%c0%ae%2f%c0%ae%c0%ae%2fabuse-secret.txt", "..%2F..%2Fobservations.csv", "..%2Fmanifest.json%00.nq",
]


@pytest.mark.parametrize("prefix", PREFIXES)
def test_percent_encoded_path_traversal_is_404_or_400(server, prefix):
    for payload in TRAVERSALS:
        r = server(prefix + payload)
        assert r.status in (400, 404), (prefix + payload, r)
        assert SECRET not in r.text and "root:x:0:0" not in r.text, prefix + payload
        assert r.header("location") is None, (prefix + payload, r.header("location"))


def test_the_file_routes_do_serve_files(server):
    """The routes the traversals aim at work (so their 404s above mean something)."""
    assert server("/dumps/gdigraph.nq").status == 200
    assert server("/static/site.css").status == 200
    assert server("/stelselplaat.svg").status == 200
    r = server("/sparql", headers={"Accept": "text/html"})
    assets = [a.split('"')[0] for a in r.text.split("/sparql/assets/")[1:]]
    assert assets and server("/sparql/assets/" + assets[0]).status == 200


@pytest.mark.parametrize("target", [
    "/id/voorziening/digid%0d%0aSet-Cookie:%20injected=1",
    "/id/voorziening/digid%0aSet-Cookie:%20injected=1",
    "/id/voorziening/digid%0dSet-Cookie:%20injected=1",
    "/id/voorziening/digid%0d%0a%0d%0a<html>injected",
    "/id/voorziening/digid%0D%0ASet-Cookie:injected=1",
    "/id/voorziening%0d%0aSet-Cookie:injected=1/digid",
    "/id/voorziening/digid%E5%98%8A%E5%98%8DSet-Cookie:injected=1",  # U+560A U+560D (truncated to LF CR by some)
    "/id/voorziening/digid%250d%250aSet-Cookie:injected=1",
    "/id/voorziening/digid%00Set-Cookie:injected=1",
    "/doc/voorziening/digid%0d%0aSet-Cookie:injected=1",
    "/trends%0d%0aSet-Cookie:injected=1",
])
def test_no_header_injection_in_redirects(server, target):
    r = server(target)
    assert r.status in (400, 404), r
    assert r.header("set-cookie") is None and r.header("location") is None
    assert not any("injected" in k.lower() or "injected" in v for k, v in r.headers), r.headers


def test_a_query_string_is_kept_encoded_in_the_redirect(server):
    r = server("/id/voorziening/digid?format=ttl&x=%0d%0aSet-Cookie:injected=1")
    assert r.status == 303 and r.header("set-cookie") is None
    assert r.header("location") == "/doc/voorziening/digid?format=ttl&x=%0d%0aSet-Cookie:injected=1"
    assert [k.lower() for k, _ in r.headers].count("location") == 1


@pytest.mark.parametrize("target,allowed", [
    (b"/doc/voorziening/\xff\xfe", {400}),  # raw bytes: the HTTP parser refuses them
    (b"/id/voorziening/\xe9", {400}),
    (b"/search?q=\xff", {400}),
    (b"/sparql?query=\xc3\x28", {400}),
    (b"/doc/voorziening/%ff%fe", {404}),
    (b"/doc/voorziening/digid%c3%28.ttl", {404}),
    (b"/id/voorziening/%ff", {404}),
    (b"/id/%ff/digid", {404}),
    (b"/def/gdi/%ff%fe", {404}),
    (b"/dumps/%ff.nq", {404}),
    (b"/trends/%ff.csv", {404}),
    (b"/static/site.%ff", {404}),
    (b"/sparql/assets/%ff.js", {404}),
    (b"/search?q=%ff%fe%c3%28", {200}),
    (b"/sparql?query=%ff", {400}),
    (b"/sparql?query=ASK%7B%7D&default-graph-uri=%ff", {400}),
    (b"/doc/voorziening/digid?format=%ff", {406}),
    (b"/doc/voorziening/digid?%ff=%fe", {200}),
    (b"/%ff%fe", {404}),
])
def test_non_utf8_bytes_in_paths_and_query_strings(server, target, allowed):
    r = server(target)
    assert r.status in allowed, (target, r)


def test_non_utf8_request_bodies(server):
    r = server("/sparql", "POST", {"Content-Type": "application/sparql-query"}, b"ASK { ?s ?p \xff }")
    assert r.status == 400
    r = server("/sparql", "POST", {"Content-Type": "application/x-www-form-urlencoded"}, b"query=ASK%7B%ff%7D")
    assert r.status == 400
    r = server("/sparql", "POST", {"Content-Type": "application/x-www-form-urlencoded"}, b"query=ASK{\xff}")
    assert r.status == 400


def test_the_server_answers_at_the_end(server):
    assert server("/").status == 200
    r = server("/doc/voorziening/digid")
    assert r.status == 200 and "DigiD" in r.text
    assert server.errors.records == []
