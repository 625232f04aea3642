"""Releases: every run builds into a new versioned directory and publishes it atomically.

The plain functions behind the Prefect flows (``flows/monitor.py``); they need no Prefect.

Layout under the build directory::

    build/
      current -> releases/<version>     the published release (a relative symlink, switched with os.replace)
      observations.csv -> current/observations.csv   (also problems.csv, editions.csv)
      releases/
        <version>/                      one complete, validated release (never written again)
          observations.csv problems.csv editions.csv   the ingest stage
          graph/                        named graphs and dumps (graph/graphs/*.nq, gdigraph.nq, ...)
          series.csv revisions.csv graph_problems.csv
          store/                        the Oxigraph store
          trends/ site/                 trend tables and charts, the static site (when those stages exist)
          validation/validation.json    SHACL and Data Cube results
          release.json                  version, the input fingerprint, checksums of every file (store/ excepted)
        .staging-<version>-<pid>/       a release being built (removed when the run fails or at the next run)
        .lock                           held by the running run
      rejected/<version>/               the last release that failed validation, with its reports
      cache/downloads/ cache/ingest/    downloaded reports, cached ingest results

A release is a directory with the layout of a build directory, so every stage reads and writes it
through ``settings.with_(build_dir=release_dir)``.

The *version* is a hash of everything the output depends on: the reports (name and SHA-256), the
editions manifest, the code lists, the reference data, the ontology and shapes, the base URI and
the code of the ``gdigraph`` package. Identical input maps to the identical release, which is then
reused as it is: a second run on the same input rewrites nothing and reports "no changes".
"""

from __future__ import annotations

import csv
import errno
import fcntl
import hashlib
import json
import os
import re
import shutil
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator
from urllib.parse import unquote, urlsplit

from .settings import Settings

PACKAGE_DIR = Path(__file__).resolve().parent
RELEASE_FILE = "release.json"
LINKED_FILES = ("observations.csv", "problems.csv", "editions.csv")  # build/<file> -> current/<file>
UNHASHED_DIRS = ("store",)  # binary store files are not byte-stable; their source (graph/gdigraph.nq) is
SERIES_KEY = ("facility_code", "indicator_code", "breakdown", "year")
REVISION_COLUMNS = ["edition", "facility_code", "indicator_code", "breakdown", "year", "value", "raw", "source",
                    "line", "observation", "revises_edition", "old_value", "old_raw", "old_source", "old_line",
                    "revises"]
GRAPH_PROBLEM_COLUMNS = ["source", "line", "level", "kind", "message", "text"]
UNMAPPED_KINDS = ("unmapped_label", "unknown_facility")


class ReleaseError(RuntimeError):
    """A release cannot be made or published (the message says why and what to do)."""


class ReleaseBusy(ReleaseError):
    """Another run holds the lock of this build directory."""


class ValidationFailed(ReleaseError):
    """The built graph does not pass SHACL or the Data Cube integrity constraints."""


# --------------------------------------------------------------------------------------------
# content hashes
# --------------------------------------------------------------------------------------------


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _skip(rel: Path) -> bool:
    return any(part.startswith(".") or part == "__pycache__" for part in rel.parts) or rel.suffix == ".pyc"


def tree_sha256(root: Path) -> str:
    """One hash of a directory tree: every file's relative path and content (dot files and caches
    excepted); an absent directory hashes as empty."""
    h = hashlib.sha256()
    if root.is_dir():
        for p in sorted(root.rglob("*")):
            rel = p.relative_to(root)
            if p.is_file() and not _skip(rel):
                h.update(f"{rel.as_posix()}\0{file_sha256(p)}\n".encode())
    return h.hexdigest()


@lru_cache(maxsize=1)
def code_version() -> str:
    """The version of the code: the package version and a hash of the package's files."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        v = version("gdigraph")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        v = "0"
    return f"{v}+{tree_sha256(PACKAGE_DIR)[:12]}"


# --------------------------------------------------------------------------------------------
# sources: paths, directories, URLs
# --------------------------------------------------------------------------------------------


def is_url(source: str | Path) -> bool:
    return isinstance(source, str) and source.split(":", 1)[0].lower() in ("http", "https")


def resolve_sources(sources: Iterable[str | Path] | None, settings: Settings) -> list[str]:
    """The reports to read: each entry a report file, a folder (its reports) or an http(s) URL;
    none: the bundled sources folder. Paths come back absolute, in a stable order."""
    from .ingest import REPORT_SUFFIXES, source_files

    entries = list(sources) if sources else [settings.sources_dir]
    out: list[str] = []
    for s in entries:
        if is_url(s):
            out.append(str(s))
            continue
        p = Path(s).expanduser().resolve()
        if p.is_dir():
            out += [str(f) for f in source_files(p)]
        elif p.is_file():
            if p.suffix.lower() not in REPORT_SUFFIXES:
                raise ReleaseError(f"{p}: not a report (expected {' or '.join(REPORT_SUFFIXES)})")
            out.append(str(p))
        else:
            raise ReleaseError(f"{s}: no such file or folder")
    return list(dict.fromkeys(out))


class FetchError(ReleaseError):
    """A report could not be downloaded and will not be by trying again (404, not a report)."""


def report_name(url: str, content_type: str = "") -> str:
    """The file name a downloaded report is stored under (and looked up in the manifest by)."""
    name = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "report"
    if Path(name).suffix.lower() not in (".txt", ".pdf"):
        ctype = content_type.split(";")[0].strip().lower()
        if ctype == "application/pdf":
            name += ".pdf"
        elif ctype.startswith("text/plain"):
            name += ".txt"
        else:
            raise FetchError(f"{url}: not a report (a .txt or .pdf file; the server says {ctype or 'nothing'})")
    return name


def fetch(url: str, cache_dir: Path, *, timeout: float = 60.0, client=None) -> Path:
    """Download a report into ``cache_dir/<hash of the URL>/<name>`` and return its path.

    A cached copy is revalidated (If-None-Match / If-Modified-Since) and kept on 304. Transient
    failures (connection errors, timeouts, 429 and 5xx) raise ``httpx.HTTPError`` for the caller to
    retry; a permanent one (another 4xx, not a report) raises ``FetchError``. The file is written
    to a temporary name and renamed, so a broken download never leaves a half file behind."""
    import httpx

    folder = cache_dir / hashlib.sha256(url.encode()).hexdigest()[:16]
    meta_path = folder / "download.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
    cached = folder / meta["name"] if meta.get("name") else None
    headers = {}
    if cached is not None and cached.exists():
        if meta.get("etag"):
            headers["If-None-Match"] = meta["etag"]
        if meta.get("last_modified"):
            headers["If-Modified-Since"] = meta["last_modified"]
    own = client is None
    client = client or httpx.Client(follow_redirects=True, timeout=timeout,
                                    headers={"User-Agent": "gdigraph (+https://gdigraph.nl)"})
    try:
        with client.stream("GET", url, headers=headers) as r:
            if r.status_code == 304 and cached is not None and cached.exists():
                return cached
            if r.status_code == 429 or r.status_code >= 500:
                r.raise_for_status()  # transient: retried by the caller
            if r.status_code != 200:
                raise FetchError(f"{url}: HTTP {r.status_code} {r.reason_phrase}")
            name = report_name(str(r.url), r.headers.get("content-type", ""))
            folder.mkdir(parents=True, exist_ok=True)
            tmp = folder / f".{name}.{os.getpid()}.part"
            try:
                with open(tmp, "wb") as f:
                    for chunk in r.iter_bytes():
                        f.write(chunk)
                expected = r.headers.get("content-length")
                if expected and expected.isdigit() and tmp.stat().st_size != int(expected):
                    raise httpx.ReadError(f"{url}: got {tmp.stat().st_size} of {expected} bytes")
                os.replace(tmp, folder / name)
            finally:
                tmp.unlink(missing_ok=True)
            new_meta = {"url": url, "name": name, "etag": r.headers.get("etag", ""),
                        "last_modified": r.headers.get("last-modified", "")}
            meta_path.write_text(json.dumps(new_meta, indent=1, sort_keys=True) + "\n", encoding="utf-8")
            return folder / name
    finally:
        if own:
            client.close()


# --------------------------------------------------------------------------------------------
# ingest
# --------------------------------------------------------------------------------------------


def manifest_path(settings: Settings) -> Path:
    return settings.sources_dir / "editions.csv"


def ingest_report(path: Path, settings: Settings):
    """``ingest.ingest`` with the code lists and manifest of ``settings``: one report -> Extraction."""
    from .extract import extract_path
    from .harmonise.facilities import facility_index
    from .harmonise.indicators import harmonise, load_codelist
    from .sources.manifest import load_manifest

    manifest = load_manifest(manifest_path(settings))
    ex = extract_path(Path(path), facility_index(settings.codelists_dir), manifest)
    ex.problems.extend(harmonise(ex.observations, load_codelist(settings.codelists_dir)))
    return ex


def ingest_key(path: Path, settings: Settings) -> str:
    """What an ingest result depends on: the report's name and content, the manifest, the code
    lists and the code. The key of the ingest cache."""
    path = Path(path)
    mp = manifest_path(settings)
    parts = ["ingest", path.name, file_sha256(path), file_sha256(mp) if mp.exists() else "-",
             tree_sha256(settings.codelists_dir), code_version()]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def write_ingest(extractions: list, out_dir: Path) -> None:
    """observations.csv, problems.csv, editions.csv of the reports, in file-name order (the bytes
    ``gdigraph extract-all`` writes for the same reports)."""
    from .ingest import IngestResult, write_outputs

    names = [e.document.name for e in extractions]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ReleaseError(f"two reports with the same file name: {', '.join(dupes)}; rename one")
    ordered = sorted(extractions, key=lambda e: e.document.name)
    write_outputs(IngestResult(out_dir, ordered), out_dir)


# --------------------------------------------------------------------------------------------
# versions and the release layout
# --------------------------------------------------------------------------------------------


def input_fingerprint(settings: Settings, reports: Iterable[tuple[str, str]]) -> dict:
    """Everything a release depends on; ``reports``: (file name, SHA-256) of every report."""
    mp = manifest_path(settings)
    return {
        "base_uri": settings.base_uri,
        "code": code_version(),
        "codelists": tree_sha256(settings.codelists_dir),
        "manifest": file_sha256(mp) if mp.exists() else "",
        "ontology": tree_sha256(settings.ontology_dir),
        "reference": tree_sha256(settings.reference_dir),
        "reports": [{"file": n, "sha256": h} for n, h in sorted(reports)],
    }


def release_version(fingerprint: dict) -> str:
    return hashlib.sha256(json.dumps(fingerprint, sort_keys=True).encode()).hexdigest()[:16]


def releases_dir(settings: Settings) -> Path:
    return settings.build_dir / "releases"


def release_dir(settings: Settings, version: str) -> Path:
    return releases_dir(settings) / version


def is_complete(path: Path) -> bool:
    return (path / RELEASE_FILE).is_file()


def current_version(settings: Settings) -> str | None:
    """The version ``build/current`` points to (None when nothing is published)."""
    cur = settings.current_dir
    if not cur.is_symlink():
        return None
    target = Path(os.readlink(cur))
    path = target if target.is_absolute() else cur.parent / target
    return path.name if is_complete(path) else None


def read_release(path: Path) -> dict:
    return json.loads((path / RELEASE_FILE).read_text(encoding="utf-8"))


@contextmanager
def run_lock(settings: Settings) -> Iterator[None]:
    """One run at a time per build directory (an exclusive lock on ``releases/.lock``)."""
    d = releases_dir(settings)
    d.mkdir(parents=True, exist_ok=True)
    with open(d / ".lock", "w") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as e:
            if e.errno in (errno.EAGAIN, errno.EACCES):
                raise ReleaseBusy(f"another run is publishing into {settings.build_dir}; try again when it has "
                                  "finished") from None
            raise
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def clean_staging(settings: Settings) -> list[Path]:
    """Remove what interrupted runs left behind (call while holding ``run_lock``)."""
    d = releases_dir(settings)
    gone = []
    if d.is_dir():
        for p in sorted(d.glob(".staging-*")):
            shutil.rmtree(p, ignore_errors=True)
            gone.append(p)
        for p in sorted(d.iterdir()):  # a release directory without release.json is not one
            if p.is_dir() and not p.name.startswith(".") and not is_complete(p):
                shutil.rmtree(p, ignore_errors=True)
                gone.append(p)
    for p in sorted(settings.build_dir.glob(".current-*")) if settings.build_dir.is_dir() else []:
        p.unlink(missing_ok=True)
        gone.append(p)
    return gone


def new_staging(settings: Settings, version: str) -> Path:
    path = releases_dir(settings) / f".staging-{version}-{os.getpid()}"
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def stage_settings(settings: Settings, stage: Path) -> Settings:
    """The settings under which a stage reads and writes a release directory."""
    return settings.with_(build_dir=Path(stage))


def discard_staging(settings: Settings, stage: Path, *, keep_as_rejected: bool = False) -> Path | None:
    """Throw a failed staging directory away; with ``keep_as_rejected`` it becomes
    ``build/rejected/<version>`` (replacing any earlier rejected release) so its reports can be read."""
    stage = Path(stage)
    if not stage.exists():
        return None
    if keep_as_rejected:
        version = stage.name.removeprefix(".staging-").rsplit("-", 1)[0]
        rejected = settings.build_dir / "rejected"
        for old in rejected.iterdir() if rejected.is_dir() else []:  # only the last one is kept
            if old.is_dir() and not old.is_symlink():
                shutil.rmtree(old)
            else:
                old.unlink()
        target = rejected / version
        target.parent.mkdir(parents=True, exist_ok=True)
        os.rename(stage, target)
        return target
    shutil.rmtree(stage, ignore_errors=True)
    return None


def checksums(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): file_sha256(p) for p in sorted(root.rglob("*"))
            if p.is_file() and p.relative_to(root).parts[0] not in UNHASHED_DIRS
            and p.name != RELEASE_FILE}


def finalize(settings: Settings, stage: Path, version: str, fingerprint: dict) -> Path:
    """Seal a staged release (``release.json`` with checksums) and move it to ``releases/<version>``."""
    stage = Path(stage)
    info = {"version": version, "inputs": fingerprint, "files": checksums(stage)}
    validation = stage / "validation" / "validation.json"
    if validation.exists():
        info["validation"] = json.loads(validation.read_text(encoding="utf-8"))
    (stage / RELEASE_FILE).write_text(json.dumps(info, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    target = release_dir(settings, version)
    if target.exists():  # an incomplete leftover (complete ones are reused, never rebuilt)
        if is_complete(target):
            raise ReleaseError(f"{target} exists already; it is reused, not rebuilt")
        shutil.rmtree(target)
    os.rename(stage, target)
    _fsync_dir(target.parent)
    return target


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def _atomic_symlink(target: str, link: Path) -> None:
    tmp = link.parent / f".current-{link.name}-{os.getpid()}"
    tmp.unlink(missing_ok=True)
    os.symlink(target, tmp)
    os.replace(tmp, link)


def switch_current(settings: Settings, version: str) -> Path:
    """Publish ``releases/<version>``: point ``build/current`` at it in one atomic step (a new symlink
    renamed over the old one), then ``build/observations.csv`` etc. at ``current/``."""
    target = release_dir(settings, version)
    if not is_complete(target):
        raise ReleaseError(f"{target} is not a complete release; not publishing it")
    cur = settings.current_dir
    if cur.exists() and not cur.is_symlink():
        raise ReleaseError(f"{cur} is a real directory, not the link to a release; move it away and run again")
    _atomic_symlink(os.path.relpath(target, cur.parent), cur)
    _fsync_dir(cur.parent)
    for name in LINKED_FILES:
        link = settings.build_dir / name
        if link.is_dir() and not link.is_symlink():
            continue
        _atomic_symlink(f"{cur.name}/{name}", link)
    return target


def prune_releases(settings: Settings, keep: int = 2) -> list[Path]:
    """Remove the oldest releases beyond ``keep`` (the published one is always kept)."""
    current = current_version(settings)
    d = releases_dir(settings)
    if not d.is_dir():
        return []
    done = [p for p in d.iterdir() if p.is_dir() and not p.name.startswith(".") and is_complete(p)]
    done.sort(key=lambda p: ((p / RELEASE_FILE).stat().st_mtime, p.name), reverse=True)
    gone = []
    for p in done[max(keep, 1):]:
        if p.name != current:
            shutil.rmtree(p)
            gone.append(p)
    return gone


# --------------------------------------------------------------------------------------------
# build and validation
# --------------------------------------------------------------------------------------------


def build_release(settings: Settings, stage: Path, *, store: bool = True):
    """The build stage into a staged release: named graphs, dumps, series.csv, the store, and the
    revisions (revisions.csv) and build problems (graph_problems.csv) the run summary reads."""
    from .graph.build import build

    stage = Path(stage)
    result = build(stage_settings(settings, stage), ingest_dir=stage, out_dir=stage, store=store)
    write_revisions(result.cube, stage / "revisions.csv")
    from .ingest import write_csv

    write_csv(stage / "graph_problems.csv", GRAPH_PROBLEM_COLUMNS,
              (p.as_row() for p in sorted(result.problems, key=lambda p: (p.source, p.line, p.kind, p.message))))
    return result


def write_revisions(cube, path: Path) -> None:
    """One row per figure a later edition prints differently (``gdi:herzieningVan``)."""
    from .ingest import write_csv
    from .records import format_decimal

    rows = []
    for later, earlier in cube.revisions:
        a, b = later.primary, earlier.primary
        rows.append({
            "edition": a.edition, "facility_code": a.facility, "indicator_code": a.indicator,
            "breakdown": a.breakdown, "year": str(a.year), "value": format_decimal(a.value), "raw": a.row["raw"],
            "source": a.row["source"], "line": str(a.line), "observation": str(later.uri or ""),
            "revises_edition": b.edition, "old_value": format_decimal(b.value), "old_raw": b.row["raw"],
            "old_source": b.row["source"], "old_line": str(b.line), "revises": str(earlier.uri or ""),
        })
    rows.sort(key=lambda r: (r["edition"], r["facility_code"], r["indicator_code"], r["breakdown"],
                             int(r["year"]), r["observation"]))
    write_csv(path, REVISION_COLUMNS, rows)


@dataclass
class Validation:
    shacl_conforms: bool
    shacl_results: list[tuple[str, str | None, str]]
    cube_violations: list  # validate.Violation
    shacl_text: str = ""
    cube_text: str = ""

    @property
    def passed(self) -> bool:
        return self.shacl_conforms and not self.cube_violations

    def as_dict(self) -> dict:
        from .graph.validate import IC_TITLES

        return {
            "passed": self.passed,
            "shacl": {"conforms": self.shacl_conforms, "results": len(self.shacl_results)},
            "data_cube": {"constraints": len(IC_TITLES),
                          "violated": {v.ic: len(v.focus) for v in self.cube_violations}},
        }

    def summary(self) -> str:
        shacl = "SHACL: conforms" if self.shacl_conforms else f"SHACL: {len(self.shacl_results)} violations"
        cube = ("Data Cube: all integrity constraints hold" if not self.cube_violations else
                "Data Cube: " + ", ".join(f"{v.ic} {v.title} ({len(v.focus)})" for v in self.cube_violations))
        return f"{shacl}; {cube}"


def validate_shacl(settings: Settings, graphs) -> tuple[bool, list, str]:
    """SHACL shapes (``<ontology>/shapes.ttl``) over the union of the built graphs."""
    from rdflib import Graph

    from .graph.validate import check_shacl

    union = Graph()
    for g in (graphs.values() if isinstance(graphs, dict) else [graphs]):
        union += g
    r = check_shacl(union, settings.ontology_dir / "shapes.ttl", settings.ontology_dir / "gdi.ttl")
    return r.conforms, r.results, r.report_text


def validate_cube(nquads: Path) -> tuple[list, str]:
    """The 21 Data Cube integrity constraints over the N-Quads dump."""
    from .graph.validate import check_cube, cube_report

    violations = check_cube(Path(nquads))
    return violations, cube_report(violations)


def record_validation(stage: Path, v: Validation) -> Path:
    """``validation/validation.json`` (and the full reports when something failed)."""
    out = Path(stage) / "validation"
    out.mkdir(parents=True, exist_ok=True)
    (out / "validation.json").write_text(json.dumps(v.as_dict(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    if not v.shacl_conforms:
        (out / "shacl.txt").write_text(v.shacl_text, encoding="utf-8")
    if v.cube_violations:
        (out / "data-cube.md").write_text(v.cube_text, encoding="utf-8")
    return out


# --------------------------------------------------------------------------------------------
# the publication stages of other modules (trend tables, charts, the static site)
# --------------------------------------------------------------------------------------------


def optional_stage(module: str, function: str):
    """``gdigraph.<module>.<function>`` if that stage exists in this version of the code, else None."""
    import importlib

    try:
        mod = importlib.import_module(f"gdigraph.{module}")
    except ModuleNotFoundError as e:
        if e.name and (e.name == f"gdigraph.{module}" or f"gdigraph.{module}".startswith(e.name + ".")):
            return None
        raise
    return getattr(mod, function, None)


def run_stage(settings: Settings, stage: Path, module: str, function: str, out: str) -> Path | None:
    """Run ``gdigraph.<module>.<function>(settings, out_dir)`` into ``<stage>/<out>``; None when the
    stage does not exist yet."""
    fn = optional_stage(module, function)
    if fn is None:
        return None
    out_dir = Path(stage) / out
    fn(stage_settings(settings, stage), out_dir)
    return out_dir


# --------------------------------------------------------------------------------------------
# what changed: the run summary
# --------------------------------------------------------------------------------------------


def read_rows(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _num(text: str):
    try:
        return Decimal(text) if text != "" else None
    except InvalidOperation:
        return None


@dataclass
class Changes:
    version: str
    previous: str | None
    editions: list[dict]  # editions.csv rows of the new release, with 'status': new, changed, unchanged
    removed_editions: list[str]
    added: list[dict]  # series rows new in this release
    changed: list[tuple[dict, dict]]  # (old, new) series rows whose value changed
    removed: list[dict]
    revisions: list[dict]  # revisions.csv rows made by editions new or changed in this run
    unmapped: list[dict]  # problems.csv rows: labels and facilities the code lists do not know
    validation: dict = field(default_factory=dict)
    same_release: bool = False
    files_changed: list[str] = field(default_factory=list)  # published files whose bytes differ (store/ aside)

    @property
    def figures_added(self) -> int:
        return sum(int(e.get("figures") or 0) for e in self.editions if e["status"] == "new")

    @property
    def none(self) -> bool:
        """Nothing published changed."""
        return self.same_release or not (self.added or self.changed or self.removed or self.removed_editions
                                         or self.files_changed
                                         or any(e["status"] != "unchanged" for e in self.editions))


def series_key(row: dict) -> tuple:
    return tuple(row[k] for k in SERIES_KEY)


def compare(new: Path, old: Path | None) -> Changes:
    """What the release ``new`` changes relative to the release ``old`` (None: nothing was published)."""
    new, old = Path(new), Path(old) if old else None
    new_eds = read_rows(new / "editions.csv")
    old_eds = {e["edition"]: e for e in read_rows(old / "editions.csv")} if old else {}
    editions = []
    for e in new_eds:
        before = old_eds.get(e["edition"])
        status = "new" if before is None else ("unchanged" if before.get("sha256") == e.get("sha256") else "changed")
        editions.append({**e, "status": status})
    removed_editions = sorted(set(old_eds) - {e["edition"] for e in new_eds})
    new_series = {series_key(r): r for r in read_rows(new / "series.csv")}
    old_series = {series_key(r): r for r in read_rows(old / "series.csv")} if old else {}
    added = [new_series[k] for k in sorted(set(new_series) - set(old_series))]
    removed = [old_series[k] for k in sorted(set(old_series) - set(new_series))]
    changed = [(old_series[k], new_series[k]) for k in sorted(set(new_series) & set(old_series))
               if _num(old_series[k]["value"]) != _num(new_series[k]["value"])
               or old_series[k]["unit"] != new_series[k]["unit"]]
    fresh = {e["edition"] for e in editions if e["status"] != "unchanged"}
    revisions = [r for r in read_rows(new / "revisions.csv") if r["edition"] in fresh]
    unmapped = [p for p in read_rows(new / "problems.csv") if p["kind"] in UNMAPPED_KINDS]
    info = read_release(new) if is_complete(new) else {}
    same = old is not None and old.resolve() == new.resolve()
    new_files = info.get("files") or checksums(new)
    old_files = ((read_release(old) if is_complete(old) else {}).get("files") or checksums(old)) if old else {}
    files_changed = sorted(k for k in set(new_files) | set(old_files) if new_files.get(k) != old_files.get(k))
    return Changes(new.name, old.name if old else None, editions, removed_editions, added, changed, removed,
                   revisions, unmapped, info.get("validation", {}), same, files_changed)


def _md(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def summary_markdown(ch: Changes, *, limit: int = 200) -> str:
    """The run summary: editions read, figures added, figures revised (old and new values), labels
    not mapped, the validation result."""
    lines = [f"# gdigraph run: release `{ch.version}`", ""]
    if ch.none:
        why = ("the input is identical to the published release, which was kept as it is"
               if ch.same_release else "every published file has the same bytes as in the previous release")
        lines += [f"**No changes**: {why}.", ""]
    else:
        lines += [f"Published release `{ch.version}`" + (f" (was `{ch.previous}`)." if ch.previous else
                                                         " (the first publication)."), ""]
    lines += [f"- editions read: {len(ch.editions)} "
              f"({sum(e['status'] == 'new' for e in ch.editions)} new, "
              f"{sum(e['status'] == 'changed' for e in ch.editions)} changed)",
              f"- figures added: {ch.figures_added} from new editions; "
              f"{len(ch.added)} new values in the harmonised series, {len(ch.changed)} changed, {len(ch.removed)} removed",
              f"- figures revised by the new editions: {len(ch.revisions)}",
              f"- labels not mapped to a code: {len(ch.unmapped)}",
              f"- files changed: {len(ch.files_changed)}" + (
                  f" ({', '.join(ch.files_changed[:8])}{', …' if len(ch.files_changed) > 8 else ''})"
                  if ch.files_changed else ""),
              f"- validation: {validation_text(ch.validation)}", ""]
    lines += ["## Editions", "", "| edition | file | figures | warnings | SHA-256 | status |", "|---|---|---:|---:|---|---|"]
    for e in ch.editions:
        lines.append(f"| {_md(e['edition'])} | {_md(e['file'])} | {e['figures']} | {e['warnings']} | "
                     f"`{e['sha256'][:12]}` | {e['status']}{' (edition read from the text)' if e.get('inferred') else ''} |")
    if ch.removed_editions:
        lines += ["", "Editions no longer published: " + ", ".join(ch.removed_editions)]
    if ch.revisions:
        lines += ["", "## Figures revised", "",
                  "| facility | indicator | breakdown | year | old value | old edition | new value | new edition |",
                  "|---|---|---|---:|---:|---|---:|---|"]
        for r in ch.revisions[:limit]:
            lines.append(f"| {_md(r['facility_code'])} | {_md(r['indicator_code'])} | {_md(r['breakdown'])} | "
                         f"{r['year']} | {r['old_value']} | {_md(r['revises_edition'])} | {r['value']} | "
                         f"{_md(r['edition'])} |")
        if len(ch.revisions) > limit:
            lines.append(f"\n… and {len(ch.revisions) - limit} more (see revisions.csv)")
    if ch.changed:
        lines += ["", "## Series values changed", "", "| facility | indicator | breakdown | year | old | new |",
                  "|---|---|---|---:|---:|---:|"]
        for old, new in ch.changed[:limit]:
            lines.append(f"| {_md(new['facility_code'])} | {_md(new['indicator_code'])} | {_md(new['breakdown'])} | "
                         f"{new['year']} | {old['value']} | {new['value']} |")
    if ch.unmapped:
        lines += ["", "## Labels not mapped", "", "| source | line | kind | label |", "|---|---:|---|---|"]
        for p in ch.unmapped[:limit]:
            lines.append(f"| {_md(p['source'])} | {p['line']} | {p['kind']} | {_md(p['text'] or p['message'])} |")
    return "\n".join(lines) + "\n"


def validation_text(v: dict) -> str:
    if not v:
        return "not recorded"
    shacl = v.get("shacl", {})
    cube = v.get("data_cube", {})
    parts = ["SHACL conforms" if shacl.get("conforms") else f"SHACL: {shacl.get('results')} violations"]
    violated = cube.get("violated") or {}
    parts.append(f"all {cube.get('constraints')} Data Cube integrity constraints hold" if not violated else
                 "Data Cube: " + ", ".join(f"{ic} ({n})" for ic, n in sorted(violated.items())))
    return ("passed: " if v.get("passed") else "FAILED: ") + "; ".join(parts)


def failure_markdown(error: BaseException, version: str, current: str | None, kept: Path | None) -> str:
    """The run summary of a failed run: what failed, what is still published, where the reports are."""
    if current == version:
        published = f"Release `{version}` is published; the run failed after the switch."
    elif current:
        published = f"`build/current` still points to `{current}`: the previous publication is untouched."
    else:
        published = "Nothing is published yet."
    lines = [f"# gdigraph run failed: release `{version}`", "", f"**{type(error).__name__}**: {_md(error)}", "",
             published, ""]
    if kept is not None:
        lines.append(f"The rejected release, with its validation reports, is kept in `{kept}`.")
        for name in ("shacl.txt", "data-cube.md"):
            report = Path(kept) / "validation" / name
            if report.exists():
                text = report.read_text(encoding="utf-8")[:20000].replace("`", "'")
                lines += ["", f"## {name}", "", "~~~", text, "~~~"]
    return "\n".join(lines) + "\n"


def changed_series_table(ch: Changes, release: Path, *, limit: int = 500) -> list[dict]:
    """The trend table of the series with a new or changed value: one row per facility x indicator x
    breakdown, a column per year (the published value)."""
    touched = {series_key(r)[:3] for r in ch.added} | {series_key(n)[:3] for _, n in ch.changed}
    rows = [r for r in read_rows(Path(release) / "series.csv") if series_key(r)[:3] in touched]
    years = sorted({r["year"] for r in rows})
    table: dict[tuple, dict] = {}
    for r in rows:
        k = series_key(r)[:3]
        t = table.setdefault(k, {"facility": r["facility_code"], "indicator": r["indicator_code"],
                                 "breakdown": r["breakdown"], "unit": r["unit"], **{y: "" for y in years}})
        t[r["year"]] = r["value"]
    return [table[k] for k in sorted(table)][:limit]
