"""The linked-data front of gdigraph: one Starlette application for people and machines.

``create_app(settings, store_path=None)`` answers:

========================================  ==========================================================
``/``                                     home page: the domains with their facilities, editions, the
                                          Stelselplaat, links to everything below
``/id/{type}/{code}``                     303 See Other to ``/doc/{type}/{code}`` (suffix and query kept)
``/doc/{type}/{code}``                    the resource: HTML, Turtle, JSON-LD or N-Triples by ``Accept``,
                                          a suffix (``.html .ttl .jsonld .nt``) or ``?format=``
``/doc/{type}``                           a list of the resources of one type (HTML)
``/def/gdi``, ``/def/gdi/{list}[/{code}]`` the ontology (classes and properties with anchors: the
                                          ``gdi:Term`` hash URIs resolve there) and its code lists
``/.well-known/void``, ``/catalog``        VoID and DCAT descriptions of the dataset and its dumps
``/dumps/{file}``                         the files of ``build/graph/`` (N-Quads, TriG, Turtle, JSON-LD)
``/trends/...``                           the trend tables (``gdigraph.serve.trends`` when present,
                                          else the files of ``build/trends/``)
``/sparql``                               the SPARQL 1.1 endpoint and its query page (``sparql.py``)
``/search?q=``                            labels and notations close to ``q``
``/stelselplaat.svg``, ``/static/...``     the Stelselplaat drawing; CSS and JS of the pages
========================================  ==========================================================

Every page is read from the graph with SPARQL through the same engine as ``/sparql`` (so pointing
``GDIGRAPH_SPARQL_ENDPOINT`` at another store works unchanged). Answers carry ``Vary: Accept``,
``Link`` headers naming every format, and an ``ETag`` from the build (SHA-256 of
``build/graph/manifest.json``, of the page templates and the release version; ``buildinfo.py``);
``If-None-Match`` gives 304. Unknown resources get a 404 page with suggestions (resources whose label
or notation is close).

Releases: ``create_app`` returns a ``follow.ReleaseApp``. Everything above that belongs to one store
(engine, build info, site, routes: ``served_release``) is one ``Served``; on ``build/current/store``
(the default) it is pinned to the release the link points to, and when a release run switches the
link, the next release is started beside it and swapped in without a failed request (see
``follow.py``). Answers from a release carry ``Gdigraph-Release: <version>``; the VoID says it as
``owl:versionInfo``.

Before routing, ``RequestGuard`` refuses request targets no handler should see: longer than
``GDIGRAPH_MAX_URL_BYTES`` (414; ``/sparql`` answers that itself), control characters in the
percent-decoded path (400), and dot segments (``.``/``..``, however percent-encoded, also twice) in
it (404): no route ever gets a path that could climb out of its folder, and ``/id/`` only redirects
valid codes.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from urllib.parse import parse_qsl, unquote

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from ..settings import Settings, get_settings
from ..uris import TYPES, UriError, Uris, check_code
from .conneg import HTML, JSONLD, NTRIPLES, TURTLE, Negotiator, NotAcceptable, split_suffix
from .describe import (
    PAGE_OFFERS,
    EngineSource,
    Source,
    SourceError,
    catalog_triples,
    describe,
    ontology_triples,
    serialize,
    void_triples,
)
from .buildinfo import DUMP_TYPES, BuildInfo, graph_dir_for, release_version_of, stelsel_svg, trends_mount
from .engine import open_engine
from .follow import CurrentLink, ReleaseApp, Served
from .pages import (
    Linker,
    Page,
    SearchIndex,
    Site,
    build_catalog_page,
    build_home,
    build_listing,
    build_ontology,
    build_resource,
    build_search,
    build_void_page,
)
from .sparql import sparql_routes

log = logging.getLogger(__name__)

__all__ = ["create_app", "served_release", "Front", "BuildInfo", "RequestGuard", "graph_dir_for", "stelsel_svg",
           "trends_mount"]

NEGOTIATOR = Negotiator(list(PAGE_OFFERS))
_ASSET_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                ".svg": "image/svg+xml"}
SUGGEST_CHARS = 64  # the fuzzy search behind a 404 costs time in the length of what it looks for


class Front:
    """The request handlers (one instance per application)."""

    def __init__(self, settings: Settings, site: Site, build: BuildInfo):
        self.settings = settings
        self.site = site
        self.uris = site.uris
        self.build = build
        self._index: SearchIndex | None = None
        self._index_lock = asyncio.Lock()
        self._stelsel: bytes | None = None

    # -- helpers -------------------------------------------------------------------------------------
    def etag(self, suffix: str) -> str:
        return f'"{self.build.build_id}-{suffix}"'

    @staticmethod
    def not_modified(request: Request, etag: str) -> bool:
        header = request.headers.get("if-none-match")
        if not header:
            return False
        tags = [t.strip() for t in header.split(",")]
        return "*" in tags or etag in tags or f"W/{etag}" in tags

    def _headers(self, choice_offer, etag: str | None, links: str | None = None) -> dict[str, str]:
        h = {"Content-Type": choice_offer.content_type, "Vary": "Accept", "Access-Control-Allow-Origin": "*",
             "Cache-Control": "public, max-age=300"}
        if etag:
            h["ETag"] = etag
        if links:
            h["Link"] = links
        return h

    def _link_header(self, path: str) -> str:
        links = [f'<{path}>; rel="canonical"']
        for o in PAGE_OFFERS:
            links.append(f'<{self.site.linker.alternate(path, o)}>; rel="alternate"; type="{o.media_type}"; '
                         f'title="{o.label}"')
        return ", ".join(links)

    def html(self, template: str, page: Page, status: int | None = None, etag: str | None = None,
             links: str | None = None) -> Response:
        body = self.site.render(template, page=page)
        headers = self._headers(HTML, etag, links)
        if (status or page.status) >= 400:
            headers["Cache-Control"] = "no-cache"
            headers.pop("ETag", None)
        return Response(body, status_code=status or page.status, headers=headers)

    async def index(self) -> SearchIndex:
        async with self._index_lock:
            if self._index is None:
                self._index = await SearchIndex.load(self.site)
        return self._index

    async def not_found(self, request: Request, what: str, *, missing: str | None = None,
                        plain: bool = False) -> Response:
        if plain:
            return PlainTextResponse(f"404 Not Found\n\n{what}\n", status_code=404,
                                     headers={"Vary": "Accept", "Access-Control-Allow-Origin": "*"})
        query = (missing or request.url.path).rstrip("/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
        query = query.replace("-", " ").replace(".", " ").replace("_", " ")[:SUGGEST_CHARS]
        try:
            page = await build_search(self.site, await self.index(), query, title="Niet gevonden",
                                      path=request.url.path, status=404, missing=missing or request.url.path)
        except SourceError:
            page = Page(title="Niet gevonden", path=request.url.path, status=404)
        page.lead = what
        return self.html("error.html", page, 404)

    def negotiate(self, request: Request, path: str) -> tuple[str, object]:
        """(path without suffix, Choice); raises NotAcceptable."""
        bare, suffix = split_suffix(path, NEGOTIATOR)
        formats = [v for k, v in parse_qsl(request.url.query, keep_blank_values=True) if k == "format"]
        return bare, NEGOTIATOR.choose(accept=request.headers.get("accept"), format=formats, suffix=suffix)

    @staticmethod
    def not_acceptable(e: NotAcceptable) -> Response:
        return PlainTextResponse(f"406 Not Acceptable\n\n{e}\n", status_code=406,
                                 headers={"Vary": "Accept", "Access-Control-Allow-Origin": "*"})

    @staticmethod
    def unavailable(e: SourceError) -> Response:
        headers = {"Retry-After": str(e.retry_after)} if e.retry_after else {}
        return PlainTextResponse(f"{e.status} The graph could not be read\n\n{e.message}\n",
                                 status_code=e.status if e.status >= 500 else 502, headers=headers)

    # -- routes --------------------------------------------------------------------------------------
    async def home(self, request: Request) -> Response:
        etag = self.etag("home")
        if self.not_modified(request, etag):
            return Response(status_code=304, headers={"ETag": etag})
        try:
            page = await build_home(self.site, graphs=self.build.graphs, stelsel="/stelselplaat.svg")
        except SourceError as e:
            return self.unavailable(e)
        return self.html("home.html", page, etag=etag)

    async def id_redirect(self, request: Request) -> Response:
        type_ = request.path_params["type"]
        code = request.path_params["code"]
        if type_ not in TYPES:
            return await self.not_found(request, f"‘{type_}’ is geen soort bron van gdigraph "
                                                 f"(bekend: {', '.join(TYPES)}).")
        if code:  # empty: the list of the type
            try:
                check_code(code)
            except UriError:
                return await self.not_found(request, "Dit is geen geldige URI van gdigraph.")
        target = f"/doc/{type_}/{code}"
        if request.url.query:
            target += "?" + request.url.query
        return RedirectResponse(target, status_code=303, headers={"Access-Control-Allow-Origin": "*",
                                                                   "Cache-Control": "public, max-age=3600"})

    async def listing(self, request: Request) -> Response:
        type_ = request.path_params["type"]
        etag = self.etag(f"list-{type_}")
        if self.not_modified(request, etag):
            return Response(status_code=304, headers={"ETag": etag})
        try:
            page = await build_listing(self.site, type_)
        except SourceError as e:
            return self.unavailable(e)
        if page is None:
            return await self.not_found(request, f"Er is geen lijst van ‘{type_}’.")
        return self.html("page.html", page, etag=etag)

    async def doc(self, request: Request) -> Response:
        type_ = request.path_params["type"]
        raw = request.path_params["code"]
        if type_ not in TYPES:
            return await self.not_found(request, f"‘{type_}’ is geen soort bron van gdigraph.")
        if raw in ("", "/"):
            return await self.listing(request)
        try:
            bare, choice = self.negotiate(request, f"/doc/{type_}/{raw}")
        except NotAcceptable as e:
            return self.not_acceptable(e)
        code = bare[len(f"/doc/{type_}/"):]
        try:
            check_code(code)
        except UriError:
            return await self.not_found(request, f"‘{code}’ is geen geldige code.", plain=choice.offer != HTML)
        uri = f"{self.uris.base}/id/{type_}/{code}"
        return await self.resource(request, uri, bare, choice)

    async def resource(self, request: Request, uri: str, path: str, choice) -> Response:
        etag = self.etag(choice.suffix)
        links = self._link_header(path)
        if self.not_modified(request, etag):
            return Response(status_code=304, headers={"ETag": etag, "Vary": "Accept", "Link": links})
        try:
            if choice.offer == HTML:
                built = await build_resource(self.site, uri, path=path)
                if built is None:
                    return await self.not_found(request, f"Er is geen bron met de URI {uri}.", missing=uri)
                return self.html("page.html", built[0], etag=etag, links=links)
            triples = await describe(self.site.source, uri, self.uris)
        except SourceError as e:
            return self.unavailable(e)
        if not any(t.subject.value == uri for t in triples):
            return await self.not_found(request, f"There is no resource {uri} in the graph.", plain=True)
        body = serialize(triples, choice.offer, self.uris, first=uri)
        return Response(body, headers=self._headers(choice.offer, etag, links))

    async def definition(self, request: Request) -> Response:
        rest = request.path_params["rest"]
        try:
            bare, choice = self.negotiate(request, f"/def/{rest}")
        except NotAcceptable as e:
            return self.not_acceptable(e)
        if bare == "/def/gdi":
            etag = self.etag("def-" + choice.suffix)
            links = self._link_header(bare)
            if self.not_modified(request, etag):
                return Response(status_code=304, headers={"ETag": etag, "Vary": "Accept", "Link": links})
            try:
                triples = await ontology_triples(self.site.source, self.uris, self.settings)
            except SourceError as e:
                return self.unavailable(e)
            if choice.offer == HTML:
                page = await build_ontology(self.site, triples)
                return self.html("ontology.html", page, etag=etag, links=links)
            body = serialize(triples, choice.offer, self.uris, first=str(self.uris.ontology))
            return Response(body, headers=self._headers(choice.offer, etag, links))
        if bare.startswith("/def/gdi/"):
            tail = bare[len("/def/gdi/"):]
            try:
                for part in tail.split("/"):
                    check_code(part)
            except UriError:
                return await self.not_found(request, f"‘{tail}’ is geen codelijst of begrip van de ontologie.")
            return await self.resource(request, f"{self.uris.base}{bare}", bare, choice)
        return await self.not_found(request, "Onder /def/ staat alleen de ontologie /def/gdi.")

    async def described(self, request: Request, kind: str) -> Response:
        """``/.well-known/void`` and ``/catalog``."""
        path = "/.well-known/void" if kind == "void" else "/catalog"
        ext = request.path_params.get("ext", "")
        if ext not in ("", "/") and not (ext.startswith(".") and NEGOTIATOR.lookup(ext[1:]) is not None):
            return await self.not_found(request, "Deze pagina bestaat niet.")
        try:
            _, choice = self.negotiate(request, request.url.path.rstrip("/"))
        except NotAcceptable as e:
            return self.not_acceptable(e)
        etag = self.etag(f"{kind}-{choice.suffix}")
        links = self._link_header(path)
        if self.not_modified(request, etag):
            return Response(status_code=304, headers={"ETag": etag, "Vary": "Accept", "Link": links})
        make = void_triples if kind == "void" else catalog_triples
        triples = make(self.uris, self.build, sparql=True, trends=self.site.trends is not None)
        if choice.offer == HTML:
            builder = build_void_page if kind == "void" else build_catalog_page
            page = await builder(self.site, triples, self.build)
            return self.html("page.html", page, etag=etag, links=links)
        first = f"{self.uris.base}{path}"
        return Response(serialize(triples, choice.offer, self.uris, first=first),
                        headers=self._headers(choice.offer, etag, links))

    async def void(self, request: Request) -> Response:
        return await self.described(request, "void")

    async def catalog(self, request: Request) -> Response:
        return await self.described(request, "catalog")

    async def dump(self, request: Request) -> Response:
        rel = request.path_params["file"]
        if "\x00" in rel:
            return await self.not_found(request, "Er is geen download met die naam; zie de catalogus.")
        root = self.build.graph_dir.resolve()
        path = (root / rel).resolve()
        if not str(path).startswith(str(root) + "/") or not path.is_file() or (
                path.suffix not in DUMP_TYPES):
            return await self.not_found(request, f"Er is geen download ‘{rel}’; zie de catalogus.")
        return FileResponse(path, media_type=DUMP_TYPES[path.suffix],
                            headers={"Access-Control-Allow-Origin": "*", "Cache-Control": "public, max-age=300"})

    async def asset(self, request: Request) -> Response:
        name = request.path_params["name"]
        here = Path(__file__).with_name("static")
        path = here / name
        if "/" in name or not name.startswith("site.") or path.suffix not in _ASSET_TYPES or not path.is_file():
            return await self.not_found(request, f"Geen bestand ‘{name}’.")
        return Response(path.read_bytes(), headers={"Content-Type": _ASSET_TYPES[path.suffix],
                                                   "Cache-Control": "public, max-age=3600",
                                                   "ETag": self.etag("asset-" + name)})

    async def stelsel(self, request: Request) -> Response:
        if self._stelsel is None:
            release_dir = self.build.graph_dir.parent if self.build.release else None
            self._stelsel = await asyncio.to_thread(stelsel_svg, self.settings, release_dir)
        if not self._stelsel:
            return await self.not_found(request, "De Stelselplaat kon niet worden getekend.")
        return Response(self._stelsel, headers={"Content-Type": "image/svg+xml",
                                                "Cache-Control": "public, max-age=3600",
                                                "ETag": self.etag("stelsel")})

    async def search(self, request: Request) -> Response:
        q = request.query_params.get("q", "")[:200]
        try:
            page = await build_search(self.site, await self.index(), q)
        except SourceError as e:
            return self.unavailable(e)
        return self.html("search.html", page)

    async def http_404(self, request: Request, exc: Exception) -> Response:
        if getattr(exc, "status_code", 404) != 404:
            return PlainTextResponse(str(getattr(exc, "detail", "")), status_code=getattr(exc, "status_code", 500))
        return await self.not_found(request, "Deze pagina bestaat niet.")

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/", self.home, methods=["GET"]),
            Route("/id/{type}/{code:path}", self.id_redirect, methods=["GET"]),
            Route("/doc/{type}", self.listing, methods=["GET"]),
            Route("/doc/{type}/{code:path}", self.doc, methods=["GET"]),
            Route("/def/{rest:path}", self.definition, methods=["GET"]),
            Route("/.well-known/void{ext:path}", self.void, methods=["GET"]),
            Route("/catalog{ext:path}", self.catalog, methods=["GET"]),
            Route("/dumps/{file:path}", self.dump, methods=["GET"]),
            Route("/static/{name}", self.asset, methods=["GET"]),
            Route("/stelselplaat.svg", self.stelsel, methods=["GET"]),
            Route("/search", self.search, methods=["GET"]),
        ]


class RequestGuard:
    """ASGI middleware in front of the routes (see the module docstring): 414 for a request target
    over ``max_url_bytes`` (except ``/sparql``, which answers it in its own error format), 400 for
    control characters in the decoded path, 404 for dot segments in it, decoded once or twice."""

    def __init__(self, app, max_url_bytes: int, sparql_path: str = "/sparql"):
        self.app = app
        self.max_url_bytes = max_url_bytes
        self.sparql_path = sparql_path

    @staticmethod
    def _dot_segment(path: str) -> bool:
        return any(seg in (".", "..") for seg in path.split("/"))

    def problem(self, scope) -> tuple[int, str] | None:
        path = scope.get("path", "")
        raw = scope.get("raw_path") or path.encode("utf-8", "surrogateescape")
        query = scope.get("query_string", b"")
        size = len(raw) + (1 + len(query) if query else 0)
        if size > self.max_url_bytes and path != self.sparql_path:
            return 414, f"The request URL is {size} bytes; this server accepts at most {self.max_url_bytes}."
        twice = unquote(path)
        if any(ord(c) < 0x20 or ord(c) == 0x7F for c in path + twice):
            return 400, "The path contains control characters."
        if any(self._dot_segment(p.replace("\\", "/")) for p in (path, twice)):  # a backslash too
            return 404, "Deze pagina bestaat niet."
        return None

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            found = self.problem(scope)
            if found is not None:
                status, message = found
                response = PlainTextResponse(f"{status} {message}\n", status_code=status,
                                             headers={"Access-Control-Allow-Origin": "*", "Cache-Control": "no-store"})
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def served_release(settings: Settings, store: Path, source: Source | None = None) -> Served:
    """One release's (or plain store's) state, not started: the engine on ``store``, the build info
    beside it (manifest, dumps, trends, release version: the ETags), the pages site, the routes."""
    engine = open_engine(settings, store)
    version = None if settings.sparql_endpoint else release_version_of(store)
    uris = Uris(settings)
    build = BuildInfo(settings, graph_dir_for(settings, store), store.parent / "trends"
                      if (store.parent / "trends").is_dir() else settings.build_dir / "trends", release=version)
    trend_routes, trends_url = trends_mount(settings, build.trends_dir)
    site = Site(settings, source or EngineSource(engine, settings.query_timeout), uris, Linker(uris),
                sparql="/sparql", trends=trends_url, search=True, dumps=[d["name"] for d in build.dumps()],
                trend_files=build.trend_files() if trends_url else [])
    front = Front(settings, site, build)
    app = Starlette(routes=[*sparql_routes(settings, engine), *trend_routes, *front.routes()],
                    middleware=[Middleware(RequestGuard, max_url_bytes=settings.max_url_bytes)],
                    exception_handlers={404: front.http_404, HTTPException: front.http_404})
    app.state.engine = engine
    app.state.front = front
    app.state.settings = settings
    app.state.build = build
    return Served(app, engine, store, version)


def create_app(settings: Settings | None = None, store_path: str | Path | None = None, *,
               source: Source | None = None) -> ReleaseApp:
    """The application; its lifespan starts and stops the query engine (and so its child processes).

    A store under a symlink (``build/current/store``, the default) is pinned to the release the link
    points to, and followed when the link is switched (``gdigraph.serve.follow``; every
    ``GDIGRAPH_RELEASE_CHECK_SECONDS``, 0: never). ``source``: read the pages from this source instead
    of the engine (tests); ``/sparql`` still uses the engine."""
    settings = settings or get_settings()
    store = Path(store_path) if store_path is not None else settings.store_dir
    link = None if settings.sparql_endpoint else CurrentLink.of(store)
    return ReleaseApp(lambda path: served_release(settings, path, source), store, link=link,
                      interval=settings.release_check_seconds,
                      drain_seconds=max(30.0, 3 * settings.query_timeout))
