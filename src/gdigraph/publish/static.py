"""The linked-data site as plain files: ``export_static(settings, out_dir)`` / ``gdigraph publish --static DIR``.

The same pages and formats as the app (``gdigraph.serve.app``), rendered in-process from the store
(read-only pyoxigraph, through the same page code and templates), laid out so that any plain file
server (``python -m http.server``, nginx, S3, GitHub Pages) serves them with the right media types:

===========================================  =================================================================
``index.html``, ``404.html``                 home page; not-found page
``doc/{type}/index.html``                    the list of one type (voorziening, organisatie, ...)
``doc/{type}/{code}/index.html``             a resource's page, at ``/doc/{type}/{code}/``
``doc/{type}/{code}.ttl|.jsonld|.nt``        its RDF (Turtle, JSON-LD, N-Triples) beside the folder
``def/gdi/index.html`` + ``def/gdi.ttl`` …   the ontology (anchors per term), code lists and concepts alike
``.well-known/void/index.html`` + ``.ttl`` …  VoID
``catalog/index.html`` + ``catalog.ttl`` …   DCAT catalog
``dumps/…``                                  the files of ``build/graph`` (N-Quads, TriG, Turtle, JSON-LD)
``trends/…``                                 a copy of ``build/trends`` when there is one (+ ``index.html``)
``id/{type}/{code}/index.html``              the /id/ URI: a meta refresh to ``/doc/{type}/{code}/`` with a
                                             canonical link, for servers without redirects
``_redirects``                               ``/id/* /doc/:splat 303`` (Netlify, Cloudflare Pages)
``nginx-id.map``, ``nginx.conf``             an nginx ``map`` of every /id/ URI to its page (303), types
``_headers``, ``.htaccess``                  media types of .ttl/.jsonld/.nt/.nq/.trig, CORS
``stelselplaat.svg``, ``static/``            the Stelselplaat drawing; CSS and JS
===========================================  =================================================================

Links in the pages are site-absolute (``/doc/voorziening/digid/``), so the site is served at the root of
its host (``root=`` prefixes another path). The output is deterministic: the same store and files give
the same bytes (sorted everything, no dates).
"""

from __future__ import annotations

import asyncio
import html
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ..serve.buildinfo import BuildInfo, graph_dir_for, stelsel_svg
from ..serve.conneg import JSONLD, NTRIPLES, TURTLE
from ..serve.describe import StoreSource, catalog_triples, ontology_triples, serialize, void_triples
from ..serve.pages import (
    LISTINGS,
    Linker,
    Page,
    Section,
    Site,
    Table,
    V,
    build_catalog_page,
    build_home,
    build_listing,
    build_ontology,
    build_resource,
    build_void_page,
    fmt_number,
)
from ..settings import Settings, get_settings
from ..uris import TYPES, UriError, Uris, check_code

__all__ = ["export_static", "StaticResult", "MARKER"]

MARKER = ".gdigraph-static"
RDF = (TURTLE, JSONLD, NTRIPLES)
MEDIA_TYPES = {".ttl": "text/turtle; charset=utf-8", ".jsonld": "application/ld+json", ".nt": "application/n-triples",
               ".nq": "application/n-quads", ".trig": "application/trig", ".svg": "image/svg+xml",
               ".csv": "text/csv; charset=utf-8", ".json": "application/json",
               ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


class StaticError(RuntimeError):
    pass


@dataclass
class StaticResult:
    out_dir: Path
    pages: dict[str, int] = field(default_factory=dict)  # type -> number of resource pages
    files: int = 0
    redirects: int = 0

    def summary(self) -> str:
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(self.pages.items()))
        return f"wrote {self.files} files to {self.out_dir} ({kinds}; {self.redirects} /id/ redirects)"


class _Writer:
    def __init__(self, out: Path):
        self.out = out
        self.count = 0

    def write(self, rel: str, data: bytes | str) -> None:
        path = self.out / rel.lstrip("/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        self.count += 1

    def page(self, app_path: str, html_text: str) -> None:
        """The HTML of the page at app path ``/doc/x`` goes to ``doc/x/index.html``."""
        rel = "index.html" if app_path == "/" else app_path.strip("/") + "/index.html"
        self.write(rel, html_text)

    def rdf(self, app_path: str, triples, uris: Uris, first: str | None) -> None:
        for offer in RDF:
            self.write(f"{app_path.strip('/')}.{offer.suffix}", serialize(triples, offer, uris, first=first))

    def copy(self, src: Path, rel: str) -> None:
        dest = self.out / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
        self.count += 1


def _prepare(out: Path) -> None:
    """An empty output folder: a new one, an empty one, or one this exporter wrote before."""
    if out.exists():
        if not out.is_dir():
            raise StaticError(f"{out} is not a folder")
        if any(out.iterdir()) and not (out / MARKER).exists():
            raise StaticError(f"{out} is not empty and was not written by gdigraph publish --static; "
                              "give a new or empty folder")
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / MARKER).write_text("written by gdigraph publish --static; the folder is replaced on every run\n")


def export_static(settings: Settings | None = None, out_dir: str | Path = "build/site", *,
                  store_path: str | Path | None = None, sparql_url: str | None = None, root: str = "",
                  progress=None) -> StaticResult:
    """Write the static site into ``out_dir`` (replaced); see the module docstring.

    ``sparql_url``: a public SPARQL endpoint to link to (a static site has none of its own);
    ``root``: the path the site is served under (default: the host's root); ``progress(done, total)``
    is called now and then."""
    settings = settings or get_settings()
    store = Path(store_path) if store_path is not None else settings.store_dir
    if not store.is_dir():
        raise StaticError(f"no Oxigraph store at {store} (run gdigraph build first)")
    out = Path(out_dir)
    _prepare(out)
    return asyncio.run(_export(settings, store, out, sparql_url, root, progress))


async def _export(settings: Settings, store: Path, out: Path, sparql_url: str | None, root: str,
                  progress) -> StaticResult:
    uris = Uris(settings)
    source = StoreSource(store, union_default_graph=settings.union_default_graph)
    linker = Linker(uris, static=True, root=root)
    graph_dir = graph_dir_for(settings, store)
    trends_src = store.parent / "trends" if (store.parent / "trends").is_dir() else settings.build_dir / "trends"
    build = BuildInfo(settings, graph_dir, trends_src)
    w = _Writer(out)
    result = StaticResult(out)

    # files first: what the pages link to must exist
    here = Path(__file__).resolve().parents[1] / "serve" / "static"
    for name in ("site.css", "site.js"):
        w.copy(here / name, f"static/{name}")
    for d in build.dumps():
        w.copy(graph_dir / d["name"], f"dumps/{d['name']}")
    if (graph_dir / "manifest.json").is_file():
        w.copy(graph_dir / "manifest.json", "dumps/manifest.json")
    trends_url = _copy_trends(w, build, linker)
    svg = stelsel_svg(settings)
    if svg:
        w.write("stelselplaat.svg", svg)

    site = Site(settings, source, uris, linker, sparql=sparql_url, trends=trends_url, search=False,
                dumps=[d["name"] for d in build.dumps()], trend_files=build.trend_files() if trends_url else [])
    if trends_url and not (out / "trends" / "index.html").exists():
        w.page("/trends", site.render("page.html", page=_trends_page(site, build)))

    home = await build_home(site, graphs=build.graphs, stelsel=linker.path("/stelselplaat.svg") if svg else None)
    w.page("/", site.render("home.html", page=home))
    not_found = Page(title="Niet gevonden", path="/404", status=404,
                     lead="Deze pagina bestaat niet (meer). Zoek verder via de lijsten hieronder.",
                     crumbs=[("Home", linker.page("/"))])
    w.write("404.html", site.render("error.html", page=not_found))
    for type_ in sorted(LISTINGS):
        page = await build_listing(site, type_)
        if page is not None:
            w.page(f"/doc/{type_}", site.render("page.html", page=page))

    # the ontology, VoID, catalog
    onto = await ontology_triples(source, uris, settings)
    w.page("/def/gdi", site.render("ontology.html", page=await build_ontology(site, onto)))
    w.rdf("/def/gdi", onto, uris, str(uris.ontology))
    for kind, path, make, builder in (("void", "/.well-known/void", void_triples, build_void_page),
                                      ("catalog", "/catalog", catalog_triples, build_catalog_page)):
        triples = make(uris, build, sparql=bool(sparql_url), trends=bool(trends_url))
        w.page(path, site.render("page.html", page=await builder(site, triples, build)))
        w.rdf(path, triples, uris, f"{uris.base}{path}")

    # every resource
    resources = _resources(source, uris)
    redirects: list[tuple[str, str]] = []
    for n, (uri, app_path) in enumerate(resources):
        built = await build_resource(site, uri, path=app_path)
        if built is None:
            continue
        page, triples = built
        w.page(app_path, site.render("page.html", page=page))
        w.rdf(app_path, triples, uris, uri)
        kind = app_path.split("/")[2] if app_path.startswith("/doc/") else "def"
        result.pages[kind] = result.pages.get(kind, 0) + 1
        if app_path.startswith("/doc/"):
            id_path = "/id/" + app_path[len("/doc/"):]
            redirects.append((id_path, linker.page(app_path)))
            w.page(id_path, _redirect_page(uri, linker.page(app_path), page.title))
        if progress is not None and (n % 200 == 0 or n == len(resources) - 1):
            progress(n + 1, len(resources))
    result.redirects = len(redirects)
    _server_files(w, redirects, linker, root)
    result.files = w.count
    return result


def _resources(source: StoreSource, uris: Uris) -> list[tuple[str, str]]:
    """(URI, app path) of every /id/ resource and every /def/gdi/… concept and code list, sorted."""
    base = uris.base
    rows = source.select_sync(
        f'SELECT DISTINCT ?s WHERE {{ ?s ?p ?o . FILTER(isIRI(?s) && (STRSTARTS(STR(?s), "{base}/id/") '
        f'|| STRSTARTS(STR(?s), "{base}/def/gdi/"))) }}')
    out = []
    for r in rows:
        uri = r["s"].value
        if "#" in uri:
            continue  # hash nodes are part of their resource's page
        rest = uri[len(base):]
        if rest.startswith("/id/"):
            type_, _, code = rest[len("/id/"):].partition("/")
            if type_ not in TYPES:
                continue
            path = f"/doc/{type_}/{code}"
        else:
            code = rest[len("/def/gdi/"):]
            path = f"/def/gdi/{code}"
        try:
            for part in code.split("/"):
                check_code(part)
        except UriError:
            continue
        out.append((uri, path))
    return sorted(out)


def _redirect_page(uri: str, target: str, title: str) -> str:
    t, u, e = html.escape(target), html.escape(uri), html.escape(title)
    doc = uri.replace("/id/", "/doc/", 1)
    return (f'<!doctype html>\n<html lang="nl">\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="refresh" content="0; url={t}">\n<link rel="canonical" href="{html.escape(doc)}">\n'
            f'<meta name="robots" content="noindex">\n<title>{e} · gdigraph</title>\n</head>\n<body>\n<main>\n'
            f'<h1>{e}</h1>\n<p>{u} is een ding; de beschrijving ervan staat op <a href="{t}">{t}</a>.</p>\n'
            f'</main>\n</body>\n</html>\n')


def _copy_trends(w: _Writer, build: BuildInfo, linker: Linker) -> str | None:
    src = build.trends_dir
    if not src.is_dir() or not (src / "index.json").is_file():
        return None
    for path in sorted(src.rglob("*")):
        if path.is_file() and not path.name.startswith("."):
            w.copy(path, "trends/" + path.relative_to(src).as_posix())
    return linker.page("/trends")


def _trends_page(site: Site, build: BuildInfo) -> Page:
    try:
        doc = json.loads((build.trends_dir / "index.json").read_text(encoding="utf-8"))
    except ValueError:
        doc = {}
    files = doc.get("files", []) if isinstance(doc, dict) else []
    rows = []
    for f in sorted((f for f in files if isinstance(f, dict) and isinstance(f.get("path"), str)),
                    key=lambda f: f["path"]):
        if not (build.trends_dir / f["path"]).is_file():
            continue
        rows.append([V(str(f.get("title") or f["path"]), href=site.linker.path("/trends/" + f["path"])),
                     V(str(f.get("media_type", "")), code=True),
                     V(fmt_number(int(f.get("size") or (build.trends_dir / f["path"]).stat().st_size)))])
    title = str(doc.get("title") or "Trends") if isinstance(doc, dict) else "Trends"
    page = Page(title=title, path="/trends", crumbs=[("Home", site.linker.page("/"))],
                lead=str(doc.get("description", "")) if isinstance(doc, dict) else "")
    page.sections.append(Section("bestanden", "Bestanden", "table", Table(
        "Trendtabellen, metadata, werkboek en grafieken", ["Bestand", "Mediatype", "Bytes"], rows,
        id="bestanden-tabel", numeric={2})))
    page.alternates = []
    return page


def _server_files(w: _Writer, redirects: list[tuple[str, str]], linker: Linker, root: str) -> None:
    """Redirects and media types for servers that read such files."""
    prefix = root.rstrip("/")
    w.write("_redirects", f"# /id/ URIs are things; their descriptions are under /doc/ (303 See Other)\n"
                          f"{prefix}/id/*  {prefix}/doc/:splat  303\n")
    lines = ["# nginx: include inside http { }; see nginx.conf",
             "map $uri $gdigraph_doc {", '    default "";']
    for id_path, target in redirects:
        lines.append(f"    {prefix}{id_path} {target};")
        lines.append(f"    {prefix}{id_path}/ {target};")
    lines.append(f"    ~^{prefix}/id/(?<gdigraph_rest>.+)\\.(?<gdigraph_ext>ttl|jsonld|nt|html)$ "
                 f"{prefix}/doc/$gdigraph_rest.$gdigraph_ext;")
    lines.append("}")
    w.write("nginx-id.map", "\n".join(lines) + "\n")
    types = {"text/turtle": "ttl", "application/ld+json": "jsonld", "application/n-triples": "nt",
             "application/n-quads": "nq", "application/trig": "trig"}
    w.write("nginx.conf", "\n".join([
        "# gdigraph static site behind nginx (inside http { }):",
        "#   include /path/to/site/nginx-id.map;",
        "#   server { root /path/to/site; include /path/to/site/nginx.conf; }",
        "types {",
        *[f"    {mt} {ext};" for mt, ext in types.items()],
        "}",
        "error_page 404 /404.html;",
        "location /id/ {",
        "    if ($gdigraph_doc) { return 303 $gdigraph_doc; }",
        "    try_files $uri $uri/ =404;",
        "}",
        "location / {",
        "    add_header Access-Control-Allow-Origin *;",
        "    try_files $uri $uri/ =404;",
        "}",
    ]) + "\n")
    headers = ["/*", "  Access-Control-Allow-Origin: *"]
    for ext in ("ttl", "jsonld", "nt", "nq", "trig"):
        headers += [f"/*.{ext}", f"  Content-Type: {MEDIA_TYPES['.' + ext]}"]
    w.write("_headers", "\n".join(headers) + "\n")
    w.write(".htaccess", "\n".join([
        "# Apache: media types, 303 for /id/, the 404 page",
        "AddType 'text/turtle; charset=utf-8' .ttl",
        "AddType application/ld+json .jsonld",
        "AddType application/n-triples .nt",
        "AddType application/n-quads .nq",
        "AddType application/trig .trig",
        "ErrorDocument 404 /404.html",
        "RedirectMatch 303 ^/id/(.*)$ /doc/$1",
        "Header set Access-Control-Allow-Origin *",
    ]) + "\n")
