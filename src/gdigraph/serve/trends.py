"""``/trends``: the written trend files (``gdigraph trends --write``) at stable URLs.

Mount in the main application::

    app = Starlette(routes=[*trends_routes(settings), ...])

====================================  =========================================================
``/trends/``                          the index: JSON (``index.json``: every file with its title,
                                      media type, size and sha256) or, when ``Accept`` prefers it,
                                      a minimal HTML list of links (``?format=json|html`` wins)
``/trends/{code}.csv``                a facility's trend table, ``text/csv; charset=utf-8``, with
                                      ``Link: <{code}.csv-metadata.json>; rel="describedby"``
``/trends/{code}.csv-metadata.json``  its CSVW metadata, ``application/csvm+json``
``/trends/observations.csv`` (+meta)  the long table
``/trends/trends.xlsx``               the workbook
``/trends/charts/{indicator}.svg``    a chart (``image/svg+xml``; ``.png``: ``image/png``)
====================================  =========================================================

Only files listed in ``index.json`` are served (and ``index.json`` itself): any other name, and
anything with a path separator or dot segment in it, is 404. Answers carry a strong ``ETag`` (from the
file's SHA-256; ``If-None-Match`` gives 304), ``Cache-Control: public, no-cache`` (revalidate: a new
release changes the files behind the same URLs) and ``Access-Control-Allow-Origin: *``.

The directory is ``trends_dir`` when given, else that of the published release
(``build/current/trends``) when it exists, else ``build/trends``, looked up per request.

:func:`chart_svg` draws one indicator's chart as an ``<svg>`` element for inline use in a page.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from pathlib import Path

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from ..publish.charts import chart_svg as _chart_svg
from ..publish.writer import CSVW_MEDIA_TYPE, METADATA_SUFFIX, media_type
from ..settings import Settings
from .conneg import HTML, JSON, Negotiator, NotAcceptable

__all__ = ["TrendFiles", "chart_svg", "trends_routes"]

_NAME = re.compile(r"[a-z0-9][a-z0-9._~-]*")
CACHE_CONTROL = "public, no-cache"
_NEGOTIATOR = Negotiator([JSON, HTML])


def chart_svg(series_df, indicator_code: str, **labels) -> str:
    """The chart of one indicator as an ``<svg>`` element (no XML prolog), for inline use in HTML.
    ``series_df``: :func:`gdigraph.publish.trends.load_series`; ``labels``: optional ``codelist``,
    ``breakdowns``, ``facilities`` (default: the code lists of the settings)."""
    return _chart_svg(series_df, indicator_code, **labels)


def _content_type(name: str) -> str:
    if name.endswith(METADATA_SUFFIX):
        return CSVW_MEDIA_TYPE
    mt = media_type(name)
    return f"{mt}; charset=utf-8" if mt.startswith("text/") else mt


class TrendFiles:
    """The files of one trends directory, with their ETags (cached per file version)."""

    def __init__(self, root: Path):
        self.root = root
        self._cache: dict[str, tuple[tuple, bytes, str]] = {}

    def read(self, rel: str) -> tuple[bytes, str] | None:
        path = self.root / rel
        try:
            st = path.stat()
        except OSError:
            return None
        key = (st.st_ino, st.st_mtime_ns, st.st_size)
        hit = self._cache.get(rel)
        if hit and hit[0] == key:
            return hit[1], hit[2]
        try:
            data = path.read_bytes()
        except OSError:
            return None
        etag = '"' + hashlib.sha256(data).hexdigest()[:40] + '"'
        self._cache[rel] = (key, data, etag)
        return data, etag

    def index(self) -> dict | None:
        got = self.read("index.json")
        if got is None:
            return None
        try:
            doc = json.loads(got[0])
        except ValueError:
            return None
        return doc if isinstance(doc, dict) else None

    def listed(self, rel: str) -> bool:
        doc = self.index()
        if doc is None:
            return False
        return rel == "index.json" or any(f.get("path") == rel for f in doc.get("files", []))


def _not_modified(request: Request, etag: str) -> bool:
    header = request.headers.get("if-none-match")
    if not header:
        return False
    tags = [t.strip() for t in header.split(",")]
    return "*" in tags or etag in tags or f"W/{etag}" in tags


def _answer(request: Request, data: bytes, etag: str, content_type: str, extra: dict | None = None) -> Response:
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL, "Access-Control-Allow-Origin": "*", **(extra or {})}
    if _not_modified(request, etag):
        return Response(status_code=304, headers=headers)
    if request.method == "HEAD":
        headers["Content-Length"] = str(len(data))
        return Response(b"", headers=headers, media_type=content_type)
    return Response(data, headers=headers, media_type=content_type)


def _not_found(what: str) -> Response:
    return PlainTextResponse(f"Not found: {what}\n", status_code=404,
                             headers={"Access-Control-Allow-Origin": "*", "Cache-Control": "no-store"})


def _index_html(doc: dict, base: str) -> bytes:
    title = html.escape(str(doc.get("title", "Trends")))
    items = []
    for f in doc.get("files", []):
        href = html.escape(base + str(f.get("path", "")), quote=True)
        items.append(f'<li><a href="{href}">{html.escape(str(f.get("title", f.get("path"))))}</a> '
                     f'<span>({html.escape(str(f.get("media_type", "")))})</span></li>')
    body = "\n".join(items)
    page = (f'<!DOCTYPE html>\n<html lang="nl">\n<head><meta charset="utf-8"><title>{title}</title></head>\n'
            f'<body>\n<h1>{title}</h1>\n<p><a href="{html.escape(base)}index.json">index.json</a></p>\n'
            f'<ul>\n{body}\n</ul>\n</body>\n</html>\n')
    return page.encode("utf-8")


def trends_routes(settings: Settings, trends_dir: Path | str | None = None, path: str = "/trends") -> list[BaseRoute]:
    """The routes of ``/trends`` (see the module docstring)."""
    fixed = Path(trends_dir) if trends_dir is not None else None
    files: dict[Path, TrendFiles] = {}

    def current() -> TrendFiles:
        if fixed is not None:
            root = fixed
        else:
            published = settings.current_dir / "trends"
            root = published if published.exists() else settings.build_dir / "trends"
        if root not in files:
            files[root] = TrendFiles(root)
        return files[root]

    async def redirect(request: Request) -> Response:
        return RedirectResponse(path + "/", status_code=308)

    async def index(request: Request) -> Response:
        tf = current()
        doc = tf.index()
        if doc is None:
            return _not_found("no trend files have been written (gdigraph trends --write)")
        try:
            choice = _NEGOTIATOR.choose(accept=request.headers.get("accept"),
                                        format=request.query_params.getlist("format"))
        except NotAcceptable as e:
            return PlainTextResponse(str(e) + "\n", status_code=406, headers={"Vary": "Accept"})
        if choice.media_type == HTML.media_type:
            data = _index_html(doc, path + "/")
            etag = '"' + hashlib.sha256(data).hexdigest()[:40] + '"'
        else:
            data, etag = tf.read("index.json")
        return _answer(request, data, etag, choice.content_type, {"Vary": "Accept"})

    def serve(rel: str, request: Request) -> Response:
        name = rel.rsplit("/", 1)[-1]
        if not _NAME.fullmatch(name) or ".." in name:
            return _not_found(rel)
        tf = current()
        if not tf.listed(rel):
            return _not_found(rel)
        got = tf.read(rel)
        if got is None:
            return _not_found(rel)
        extra = {}
        if rel.endswith(".csv"):
            extra["Link"] = f'<{name}{METADATA_SUFFIX}>; rel="describedby"; type="{CSVW_MEDIA_TYPE}"'
        return _answer(request, got[0], got[1], _content_type(rel), extra)

    async def file(request: Request) -> Response:
        return serve(request.path_params["name"], request)

    async def chart(request: Request) -> Response:
        name = request.path_params["name"]
        if not (name.endswith(".svg") or name.endswith(".png")):
            return _not_found(f"charts/{name}")
        return serve(f"charts/{name}", request)

    methods = ["GET", "HEAD"]
    return [
        Route(path, redirect, methods=methods),
        Route(path + "/", index, methods=methods),
        Route(path + "/charts/{name}", chart, methods=methods),
        Route(path + "/{name}", file, methods=methods),
    ]
