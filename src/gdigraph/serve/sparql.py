"""The SPARQL 1.1 Protocol endpoint ``/sparql`` (read-only) and its query page.

Mount it in the main application with the routes (the engine is started by the application's lifespan)::

    engine = open_engine(settings, store_path)             # gdigraph.serve.engine
    app = Starlette(routes=[*sparql_routes(settings, engine), ...], lifespan=...)  # async with engine

or run it alone: ``create_sparql_app(settings, engine)`` (its lifespan starts and stops the engine).

Requests (https://www.w3.org/TR/sparql11-protocol/#query-operation):

* ``GET /sparql?query=...``; ``POST`` with ``application/sparql-query`` (the query is the body) or
  ``application/x-www-form-urlencoded`` (``query=``); ``default-graph-uri`` / ``named-graph-uri``
  (repeatable) are passed on to the engine; ``format=`` overrides ``Accept``.
* SELECT/ASK answer ``application/sparql-results+json`` (default), ``application/sparql-results+xml``,
  ``text/csv``, ``text/tab-separated-values``; CONSTRUCT/DESCRIBE answer ``text/turtle`` (default),
  ``application/ld+json``, ``application/n-triples``, ``application/n-quads``, ``application/rdf+xml``.
  A ``GET`` whose ``Accept`` prefers ``text/html`` gets the query page (with the query filled in).
  ``GET /sparql`` without a query: the query page, or a SPARQL service description in RDF.

Status codes:

====  =====================================================================================
200   the complete result (never a truncated one)
400   malformed query (the engine parser's message), no query, several queries, bad encoding
403   SPARQL Update in any form (``update=``, ``application/sparql-update``, an update text),
      and ``SERVICE`` (federated queries) unless ``GDIGRAPH_ALLOW_SERVICE``
405   other methods than GET, HEAD, POST, OPTIONS (with ``Allow``)
406   no offered media type fits ``Accept`` / ``format``
413   query text over ``GDIGRAPH_MAX_QUERY_BYTES``
414   ``GET`` request target over ``GDIGRAPH_MAX_URL_BYTES`` (use POST)
415   POST with another Content-Type
422   the result has more rows (triples) than ``GDIGRAPH_RESULT_LIMIT``, or more bytes than
      ``GDIGRAPH_MAX_RESULT_BYTES``: the query was stopped; add a LIMIT
502   the engine failed or answered something broken
503   all query workers busy and the wait queue full, or the engine not running (``Retry-After``)
504   the query ran longer than ``GDIGRAPH_QUERY_TIMEOUT`` and was stopped (its worker killed)
====  =====================================================================================

Errors are ``text/plain``, or ``application/problem+json`` (RFC 9457) when ``Accept`` asks for JSON.
Every answer carries ``Access-Control-Allow-Origin: *`` (``OPTIONS`` answers the CORS preflight);
successful ``GET`` answers are ``Cache-Control: public, max-age=GDIGRAPH_SPARQL_CACHE_SECONDS``,
everything else ``no-store``.
"""

from __future__ import annotations

import asyncio
import html
import json
import re
from contextlib import asynccontextmanager
from dataclasses import dataclass
from http import HTTPStatus
from importlib import resources
from pathlib import Path
from urllib.parse import parse_qsl, quote

import pyoxigraph as ox
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..settings import Settings
from . import results as R
from .conneg import HTML, JSONLD, NTRIPLES, PROBLEM_JSON, TEXT, TURTLE, Negotiator, NotAcceptable, media_type_of
from .engine import DEFAULT_ACCEPT, Engine, EngineError
from .querytext import analyse

__all__ = ["sparql_routes", "create_sparql_app", "SparqlEndpoint", "load_examples", "Example"]

ALLOW = "GET, HEAD, POST, OPTIONS"
_ERRORS = Negotiator([TEXT, PROBLEM_JSON])
_DESCRIPTION_OFFERS = Negotiator([HTML, TURTLE, JSONLD, NTRIPLES])
_ASSET = re.compile(r"^[a-z0-9][a-z0-9_-]*\.(css|js|svg)$")
_ASSET_TYPES = {"css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8", "svg": "image/svg+xml"}

# below these sizes the work is done on the event loop (cheaper than a thread hop; see the comments)
_INLINE_QUERY_BYTES = 16 * 1024
_INLINE_RESULT_BYTES = 64 * 1024

DEFAULT_QUERY = """# Named graphs and their sizes
SELECT ?graph (COUNT(*) AS ?triples)
WHERE { GRAPH ?graph { ?s ?p ?o } }
GROUP BY ?graph
ORDER BY ?graph
"""


class Problem(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


@dataclass(frozen=True)
class Example:
    name: str
    title: str
    description: str
    query: str


def load_examples(folder: Path) -> list[Example]:
    """The ``*.rq`` files of ``folder``: leading ``#`` lines are the title (first) and the description."""
    out: list[Example] = []
    if not folder.is_dir():
        return out
    for path in sorted(folder.glob("*.rq")):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        comments = []
        for line in text.splitlines():
            stripped = line.strip()
            if not stripped.startswith("#"):
                break
            comments.append(stripped.lstrip("#").strip())
        title = comments[0] if comments and comments[0] else path.stem.replace("-", " ").replace("_", " ")
        description = " ".join(c for c in comments[1:] if c)
        out.append(Example(path.stem, title, description, text))
    return out


def _static(name: str) -> bytes:
    return resources.files(__package__).joinpath("static", name).read_bytes()


class SparqlEndpoint:
    """The request handling of ``/sparql`` (one instance per application)."""

    def __init__(self, settings: Settings, engine: Engine, path: str = "/sparql"):
        self.settings = settings
        self.engine = engine
        self.path = path.rstrip("/") or "/sparql"

    # -- routes ------------------------------------------------------------------------------------
    def routes(self) -> list[BaseRoute]:
        return [
            Route(self.path, self.handle, methods=["GET", "HEAD", "POST", "OPTIONS", "PUT", "DELETE", "PATCH"]),
            Route(f"{self.path}/assets/{{name}}", self.asset, methods=["GET", "HEAD"]),
        ]

    async def handle(self, request: Request) -> Response:
        try:
            return await self._handle(request)
        except Problem as p:
            return self.error(request, p.status, p.message, p.headers)
        except NotAcceptable as e:
            return self.error(request, 406, str(e))

    async def asset(self, request: Request) -> Response:
        name = request.path_params["name"]
        if not _ASSET.match(name):
            return self.error(request, 404, f"No asset {name!r}.")
        try:
            data = _static(name)
        except (FileNotFoundError, IsADirectoryError):
            return self.error(request, 404, f"No asset {name!r}.")
        return Response(data, headers={"Content-Type": _ASSET_TYPES[name.rsplit(".", 1)[1]],
                                       "Cache-Control": "public, max-age=3600"})

    # -- the protocol ------------------------------------------------------------------------------
    async def _handle(self, request: Request) -> Response:
        method = request.method
        if method == "OPTIONS":
            return self._preflight(request)
        if method not in ("GET", "HEAD", "POST"):
            raise Problem(405, f"{method} is not supported: this is a read-only SPARQL query endpoint "
                               f"(use {ALLOW}).", {"Allow": ALLOW})
        params: list[tuple[str, str]] = []
        if method in ("GET", "HEAD"):
            target = len(request.scope.get("raw_path") or request.url.path.encode()) + 1 + len(
                request.scope.get("query_string", b""))
            if target > self.settings.max_url_bytes:
                raise Problem(414, f"The request URL is {target} bytes; this endpoint accepts at most "
                                   f"{self.settings.max_url_bytes}. Send long queries with POST.")
        params += self._parse_qs(request.scope.get("query_string", b""))
        body_query = None
        if method == "POST":
            body_query, form = await self._read_post(request)
            params += form
        values = lambda name: [v for k, v in params if k == name]  # noqa: E731
        if values("update") or media_type_of(request.headers.get("content-type")) == "application/sparql-update":
            raise self._read_only()
        queries = values("query") + ([body_query] if body_query is not None else [])
        formats = values("format")
        accept = request.headers.get("accept")
        if not queries:
            if method == "POST":
                raise Problem(400, "No query given: send it as the request body (application/sparql-query) "
                                   "or as the form field 'query'.")
            return self._describe(request, accept, formats)
        if len(queries) > 1:
            raise Problem(400, "Give exactly one query (the request has several 'query' values).")
        text = queries[0]
        size = len(text.encode("utf-8"))
        if size > self.settings.max_query_bytes:
            raise Problem(413, f"The query is {size} bytes; this endpoint accepts at most "
                               f"{self.settings.max_query_bytes} bytes.")
        if not text.strip():
            raise Problem(400, "The query is empty.")
        # analysing takes some 0.1 ms for a query of a few KB: inline (a thread hop costs more), in a
        # thread only for long texts
        info = analyse(text) if size <= _INLINE_QUERY_BYTES else await asyncio.to_thread(analyse, text)
        if info.kind == "update":
            raise self._read_only(info.keyword)
        if info.service and not self.settings.allow_service:
            raise Problem(403, "SERVICE (federated query) is not allowed on this endpoint: it would make the "
                               "server fetch other URLs. Query the other endpoint yourself.")
        offers = list(R.GRAPH_OFFERS if info.is_graph else R.RESULT_OFFERS)
        if method in ("GET", "HEAD"):
            offers.append(HTML)  # last: only chosen when Accept prefers it (a browser following a link)
        choice = Negotiator(offers).choose(accept=accept, format=formats)
        if choice.offer == HTML:
            return self._page(request, text, autorun=True)
        try:
            answer = await self.engine.query(
                text,
                DEFAULT_ACCEPT,
                self.settings.query_timeout,
                default_graph_uris=values("default-graph-uri"),
                named_graph_uris=values("named-graph-uri"),
            )
        except EngineError as e:
            extra = {"Retry-After": str(e.retry_after)} if e.retry_after else {}
            message = f"Malformed query: {e.message}" if e.status == 400 else e.message
            raise Problem(e.status, message, extra) from None
        args = (answer.media_type, answer.body, choice.offer, self.settings.result_limit, info.prefixes)
        try:
            # checking and re-encoding a small answer takes tens of microseconds: inline; a large one in a
            # thread, so that the event loop keeps serving other requests meanwhile
            if len(answer.body) <= _INLINE_RESULT_BYTES:
                result = R.transcode(*args, graph=info.is_graph)
            else:
                result = await asyncio.to_thread(R.transcode, *args, graph=info.is_graph)
        except R.ResultError as e:
            raise Problem(e.status, e.message) from None
        headers = {
            "Content-Type": choice.content_type,
            "Vary": "Accept",
            "Access-Control-Allow-Origin": "*",
            "Cache-Control": self._cache_control(method),
            "Server-Timing": f"engine;dur={answer.elapsed * 1000:.1f}",
        }
        if result.rows is not None:
            headers["X-Result-Rows"] = str(result.rows)
        return Response(result.body, headers=headers)

    def _cache_control(self, method: str) -> str:
        if method in ("GET", "HEAD") and self.settings.sparql_cache_seconds > 0:
            return f"public, max-age={self.settings.sparql_cache_seconds}"
        return "no-store"

    @staticmethod
    def _parse_qs(raw: bytes | str) -> list[tuple[str, str]]:
        if isinstance(raw, bytes):
            try:
                raw = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise Problem(400, "The query string is not valid UTF-8.") from None
        try:
            return parse_qsl(raw, keep_blank_values=True, strict_parsing=False, errors="strict")
        except UnicodeDecodeError:
            raise Problem(400, "The parameters are not valid UTF-8 once percent-decoded.") from None

    async def _read_post(self, request: Request) -> tuple[str | None, list[tuple[str, str]]]:
        ctype = media_type_of(request.headers.get("content-type"))
        if ctype == "application/sparql-update":
            raise self._read_only()
        if ctype == "application/sparql-query":
            limit = self.settings.max_query_bytes
        elif ctype == "application/x-www-form-urlencoded":
            limit = self.settings.max_query_bytes * 3 + 16384  # percent-encoding triples the size at worst
        elif not ctype:
            raise Problem(415, "A POST needs a Content-Type: application/sparql-query or "
                               "application/x-www-form-urlencoded.")
        else:
            raise Problem(415, f"Content-Type {ctype} is not supported: use application/sparql-query or "
                               "application/x-www-form-urlencoded.")
        declared = request.headers.get("content-length")
        too_big = Problem(413, f"The request body is larger than {limit} bytes; this endpoint accepts queries "
                               f"of at most {self.settings.max_query_bytes} bytes.")
        if declared and declared.isdigit() and int(declared) > limit:
            raise too_big
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise too_big
            chunks.append(chunk)
        raw = b"".join(chunks)
        if ctype == "application/sparql-query":
            try:
                return raw.decode("utf-8"), []
            except UnicodeDecodeError:
                raise Problem(400, "The query is not valid UTF-8.") from None
        return None, self._parse_qs(raw)

    @staticmethod
    def _read_only(keyword: str | None = None) -> Problem:
        what = f"SPARQL Update ({keyword})" if keyword else "SPARQL Update"
        return Problem(403, f"{what} is not accepted: this endpoint is read-only. "
                            "The graph is rebuilt from its sources; see the project for how to contribute.")

    def _preflight(self, request: Request) -> Response:
        headers = {
            "Access-Control-Allow-Origin": "*",
            "Access-Control-Allow-Methods": ALLOW,
            "Access-Control-Allow-Headers": request.headers.get("access-control-request-headers")
            or "Accept, Content-Type",
            "Access-Control-Max-Age": "86400",
            "Allow": ALLOW,
            "Vary": "Access-Control-Request-Headers",
        }
        return Response(status_code=204, headers=headers)

    # -- answers without a query -------------------------------------------------------------------
    def _describe(self, request: Request, accept: str | None, formats: list[str]) -> Response:
        choice = _DESCRIPTION_OFFERS.choose(accept=accept, format=formats)
        if choice.offer == HTML:
            return self._page(request, None, autorun=False)
        endpoint = str(request.url.replace(query="", fragment=""))
        formats_ns = "http://www.w3.org/ns/formats/"
        results = ", ".join(f"<{formats_ns}{f}>" for f in (
            "SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
            "Turtle", "JSON-LD", "N-Triples", "N-Quads", "RDF_XML"))
        features = ""
        if self.settings.union_default_graph and self.engine.kind == "oxigraph":
            features = " ; sd:feature sd:UnionDefaultGraph"
        ttl = (
            "@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .\n"
            f"<{endpoint}> a sd:Service ; sd:endpoint <{endpoint}> ;\n"
            "  sd:supportedLanguage sd:SPARQL11Query ;\n"
            f"  sd:resultFormat {results}{features} .\n"
        )
        out_fmt = {TURTLE: ox.RdfFormat.TURTLE, JSONLD: ox.RdfFormat.JSON_LD, NTRIPLES: ox.RdfFormat.N_TRIPLES}[choice.offer]
        triples = [q.triple for q in ox.parse(ttl.encode(), ox.RdfFormat.TURTLE)]
        prefixes = {"sd": "http://www.w3.org/ns/sparql-service-description#"} if out_fmt == ox.RdfFormat.TURTLE else None
        body = ox.serialize(triples, format=out_fmt, prefixes=prefixes) if prefixes else ox.serialize(triples, format=out_fmt)
        return Response(body, headers={"Content-Type": choice.content_type, "Vary": "Accept",
                                       "Access-Control-Allow-Origin": "*", "Cache-Control": self._cache_control("GET")})

    def _page(self, request: Request, query: str | None, *, autorun: bool) -> Response:
        base = request.scope.get("root_path", "") + self.path
        examples = load_examples(self.settings.queries_dir)
        items = []
        for ex in examples:
            href = f"{base}?query={quote(ex.query, safe='')}"
            desc = f'<p class="example-description">{html.escape(ex.description)}</p>' if ex.description else ""
            items.append(
                f'<li><a class="example" href="{html.escape(href)}" data-query="{html.escape(ex.query)}">'
                f"{html.escape(ex.title)}</a>{desc}</li>"
            )
        examples_html = (
            f'<ul class="examples">{"".join(items)}</ul>' if items else '<p class="no-examples">No example queries yet.</p>'
        )
        config = {
            "endpoint": base,
            "timeout": self.settings.query_timeout,
            "resultLimit": self.settings.result_limit,
            "autorun": bool(autorun and query),
        }
        page = _static("sparql.html").decode("utf-8")
        replacements = {
            "{{ASSETS}}": html.escape(f"{base}/assets"),
            "{{ENDPOINT}}": html.escape(base),
            "{{QUERY}}": html.escape(query if query is not None else (examples[0].query if examples else DEFAULT_QUERY)),
            "{{EXAMPLES}}": examples_html,
            "{{CONFIG}}": html.escape(json.dumps(config)),
            "{{TIMEOUT}}": f"{self.settings.query_timeout:g}",
            "{{LIMIT}}": str(self.settings.result_limit),
        }
        for key, value in replacements.items():
            page = page.replace(key, value)
        return Response(page, headers={
            "Content-Type": HTML.content_type,
            "Vary": "Accept",
            "Cache-Control": "no-cache",
            "Access-Control-Allow-Origin": "*",
        })

    # -- errors ------------------------------------------------------------------------------------
    def error(self, request: Request, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
        choice = _ERRORS.choose(accept=request.headers.get("accept"), strict=False)
        title = HTTPStatus(status).phrase
        if choice.offer == PROBLEM_JSON:
            body = json.dumps({"type": "about:blank", "title": title, "status": status, "detail": message},
                              ensure_ascii=False).encode("utf-8")
        else:
            body = f"{status} {title}\n\n{message}\n".encode("utf-8")
        h = {
            "Content-Type": choice.content_type,
            "Vary": "Accept",
            "Access-Control-Allow-Origin": "*",
            "Cache-Control": "no-store",
        }
        h.update(headers or {})
        return Response(body, status_code=status, headers=h)


def sparql_routes(settings: Settings, engine: Engine, path: str = "/sparql") -> list[BaseRoute]:
    """The routes of ``/sparql`` (and its assets) for the main application."""
    return SparqlEndpoint(settings, engine, path).routes()


def create_sparql_app(settings: Settings, engine: Engine, *, path: str = "/sparql",
                      manage_engine: bool = True) -> Starlette:
    """A Starlette app with only ``/sparql``; its lifespan starts and stops ``engine`` (``manage_engine``)."""

    @asynccontextmanager
    async def lifespan(app):
        if manage_engine:
            async with engine:
                yield
        else:
            yield

    app = Starlette(routes=sparql_routes(settings, engine, path), lifespan=lifespan)
    app.state.engine = engine
    return app
