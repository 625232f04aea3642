"""What a build (or a release) wrote beside its Oxigraph store, as the linked-data front reads it.

``BuildInfo`` holds the manifest of ``graph/`` (graphs, triple counts, checksums), the dumps, the trend
tables and, for a release, its version; its ``build_id`` (a hash of the manifest, the page templates,
the trend index, the base URI and the release version) makes the ``ETag`` of every page.
``graph_dir_for`` finds the dumps that belong to a store, ``stelsel_svg`` the Stelselplaat drawing and
``trends_mount`` the routes of ``/trends``. Used by ``gdigraph.serve.app`` (one per served release) and
by the static export (``gdigraph.publish.static``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import mimetypes
import tempfile
from pathlib import Path

from starlette.routing import BaseRoute, Mount

from ..settings import Settings

log = logging.getLogger(__name__)

__all__ = ["BuildInfo", "DUMP_TYPES", "graph_dir_for", "release_version_of", "stelsel_svg", "trends_mount"]

DUMP_TYPES = {".nq": "application/n-quads", ".trig": "application/trig", ".ttl": "text/turtle; charset=utf-8",
              ".jsonld": "application/ld+json", ".nt": "application/n-triples",
              ".json": "application/json", ".csv": "text/csv; charset=utf-8"}


def graph_dir_for(settings: Settings, store_path: Path) -> Path:
    """The dumps that belong to a store: ``build/graph`` beside ``build/store`` (or the current release)."""
    beside = Path(store_path).parent / "graph"
    return beside if beside.is_dir() else settings.build_dir / "graph"


def release_version_of(store_path: Path) -> str | None:
    """The version of the release a store belongs to (``release.json`` beside it), else None."""
    try:
        info = json.loads((Path(store_path).parent / "release.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    version = info.get("version") if isinstance(info, dict) else None
    return str(version) if version else None


class BuildInfo:
    """What the build wrote beside the store: the manifest (graphs, triple counts, hashes), dumps,
    trend tables, the Stelselplaat drawing, the release version (``release``; None for a plain
    build); and the build id for ETags."""

    def __init__(self, settings: Settings, graph_dir: Path, trends_dir: Path | None = None, *,
                 release: str | None = None):
        self.settings = settings
        self.graph_dir = Path(graph_dir)
        self.release = release
        self.trends_dir = Path(trends_dir) if trends_dir else settings.build_dir / "trends"
        manifest_path = self.graph_dir / "manifest.json"
        self.manifest: dict = {}
        digest = hashlib.sha256()
        if manifest_path.is_file():
            raw = manifest_path.read_bytes()
            digest.update(raw)
            try:
                self.manifest = json.loads(raw)
            except ValueError:
                self.manifest = {}
        else:
            digest.update(b"no-manifest:" + str(self.graph_dir).encode())
        self.has_manifest = bool(self.manifest)
        # the pages change with the templates and code too
        here = Path(__file__).parent
        for path in sorted(list((here / "templates").glob("*.html")) + list((here / "static").glob("site.*"))
                           + [here / "pages.py", here / "describe.py"]):
            if path.is_file():
                digest.update(path.name.encode() + path.read_bytes())
        trends_index = self.trends_dir / "index.json"
        if trends_index.is_file():  # facility pages link the trend files
            digest.update(trends_index.read_bytes())
        digest.update(settings.base_uri.encode())
        if release:  # two releases never share an ETag, even with the same manifest
            digest.update(b"release:" + release.encode())
        self.build_id = digest.hexdigest()[:20]

    @property
    def graphs(self) -> dict[str, int]:
        return {name: int(info.get("triples", 0)) for name, info in sorted(self.manifest.get("graphs", {}).items())}

    def graph_uris(self) -> dict[str, str]:
        return {name: info.get("uri", "") for name, info in sorted(self.manifest.get("graphs", {}).items())}

    def dumps(self) -> list[dict]:
        """The files of the graph directory that are dumps: name, media type, size, sha256."""
        files = self.manifest.get("files", {})
        out = []
        if not self.graph_dir.is_dir():
            return out
        for path in sorted(self.graph_dir.rglob("*")):
            if not path.is_file() or path.suffix not in DUMP_TYPES or path.name == "manifest.json":
                continue
            rel = path.relative_to(self.graph_dir).as_posix()
            out.append({"name": rel, "media_type": DUMP_TYPES[path.suffix].split(";")[0], "size": path.stat().st_size,
                        "sha256": files.get(rel, "")})
        return out

    def trend_files(self) -> list[dict]:
        """Every file entry of ``build/trends/index.json`` whose file exists (as written there)."""
        index = self.trends_dir / "index.json"
        try:
            data = json.loads(index.read_text(encoding="utf-8")) if index.is_file() else {}
        except ValueError:
            return []
        files = data.get("files", []) if isinstance(data, dict) else data if isinstance(data, list) else []
        return [f for f in files if isinstance(f, dict) and isinstance(f.get("path"), str)
                and ".." not in f["path"].split("/") and (self.trends_dir / f["path"]).is_file()]

    def trend_tables(self) -> list[dict]:
        """The entries of ``build/trends/index.json`` (a list, or ``{"tables": [...]}``), normalised to
        ``{"path", "title", "description", "media_type"}``; files listed must exist."""
        index = self.trends_dir / "index.json"
        if not index.is_file():
            return []
        try:
            data = json.loads(index.read_text(encoding="utf-8"))
        except ValueError:
            return []
        entries = data.get("tables", data.get("files", [])) if isinstance(data, dict) else data
        out = []
        for e in entries if isinstance(entries, list) else []:
            if isinstance(e, str):
                e = {"path": e}
            if not isinstance(e, dict) or e.get("kind", "table") not in ("table", "workbook"):
                continue
            rel = next((e[k] for k in ("path", "file", "csv", "href", "name") if isinstance(e.get(k), str)), None)
            if not rel or rel.startswith("/") or ".." in rel.split("/"):
                continue
            if not (self.trends_dir / rel).is_file():
                continue
            media = e.get("media_type") or e.get("mediaType") or mimetypes.guess_type(rel)[0] or "application/octet-stream"
            out.append({"path": rel, "title": str(e.get("title") or e.get("label") or rel),
                        "description": str(e.get("description") or ""), "media_type": media,
                        "size": (self.trends_dir / rel).stat().st_size})
        return sorted(out, key=lambda e: e["path"])


def stelsel_svg(settings: Settings, release_dir: Path | None = None) -> bytes:
    """The Stelselplaat drawing: the one a release holds (``<release>/site/stelselplaat.svg``, drawn
    from the reference data it was built from) when ``release_dir`` is given and has one; else
    ``build/stelsel.svg`` when the build drew it; else drawn now from the reference data."""
    for built in ([Path(release_dir) / "site" / "stelselplaat.svg"] if release_dir else []) + [
            settings.build_dir / "stelsel.svg"]:
        if built.is_file():
            return built.read_bytes()
    try:
        from ..graph.stelsel import draw_svg, load_stelsel

        with tempfile.TemporaryDirectory() as tmp:
            path = draw_svg(load_stelsel(settings), Path(tmp) / "stelsel.svg")
            return path.read_bytes()
    except Exception as e:  # the page works without the drawing
        log.warning("could not draw the Stelselplaat: %s", e)
        return b""


def trends_mount(settings: Settings, trends_dir: Path) -> tuple[list[BaseRoute], str | None]:
    """Routes for ``/trends``: ``gdigraph.serve.trends.trends_routes(settings, trends_dir)`` (imported
    lazily: the module is written separately); without it, the files of ``trends_dir`` when there are
    any (the same files the static site copies); else nothing. Returns (routes, URL of the trends page)."""
    try:
        from . import trends as trends_module  # noqa: F401
    except ModuleNotFoundError as e:
        if e.name != f"{__package__}.trends":
            raise
        trends_module = None
    if trends_module is not None and hasattr(trends_module, "trends_routes"):
        made = trends_module.trends_routes(settings, trends_dir)
        url = "/trends/" if (trends_dir / "index.json").is_file() else None  # linked only when written
        if isinstance(made, (list, tuple)):
            routes = list(made)
            if routes and all(getattr(r, "path", "").startswith("/trends") for r in routes):
                return routes, url
            return [Mount("/trends", routes=routes)], url
        return [Mount("/trends", app=made)], url
    if trends_dir.is_dir() and any(trends_dir.iterdir()):
        from starlette.staticfiles import StaticFiles

        log.info("gdigraph.serve.trends is not there: serving the files of %s at /trends", trends_dir)
        index = (trends_dir / "index.html").is_file()
        return [Mount("/trends", app=StaticFiles(directory=str(trends_dir), html=True))], ("/trends/" if index else None)
    log.info("no trends: neither gdigraph.serve.trends nor %s", trends_dir)
    return [], None
