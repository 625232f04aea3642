"""Releases without Prefect: content-derived versions, the ingest cache key, the atomic switch of
build/current, interrupted runs, the run lock, downloads, deterministic builds, what a new edition
changes (revisions with gdi:herzieningVan) and the run summary."""

from __future__ import annotations

import csv
import http.server
import json
import os
import re
import shutil
import threading
from functools import partial
from pathlib import Path

import httpx
import pytest

from gdigraph import release
from gdigraph.ingest import extract_all
from gdigraph.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
MONITOR_2024 = ROOT / "data" / "sources" / "002_07d1b1bb7c20ac1f.txt"

# --------------------------------------------------------------------------------------------
# a fabricated next edition that restates earlier years
# --------------------------------------------------------------------------------------------

NUM = re.compile(r"^(?:-|\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?$")
PCT = re.compile(r"^(?:-|-?\d+(?:,\d+)?%)$")
HEADER = re.compile(r"^\s*Indicator((?:\s+(?:19|20)\d\d)+)\s+%\s*$")
SECTION = re.compile(r"^\s*\d{1,2}\.\s+[A-Z]")
# two restated 2022 figures the 2025 edition prints differently from the 2024 edition (Digilevering)
REVISED_2022 = {("Totaal aantal aangesloten overheidsorganisaties", 2022): "118",
                ("Totaal aantal berichten", 2022): "180.000.000"}


def _retitle(line: str) -> str:
    line = re.sub(r"(?i)(monitor Digitale Overheid) 2024", r"\1 2025", line)
    return line.replace("31 december 2023", "31 december 2024").replace("31 december 2022", "31 december 2023")


def shift_section(lines: list[str], changes: dict, applied: set) -> list[str]:
    """One facility section of the 2024 text with its tables a year on: the first year dropped, the
    restated years as printed, a new last year (+5%, '5,0%' change) and ``changes`` {(row label,
    year): printed value} replacing restated values (each applied once)."""
    out, years, label = [], None, ""
    for line in lines:
        m = HEADER.match(line)
        if m:
            years = [int(y) + 1 for y in m.group(1).split()]
            out.append(line[:m.start(1)] + " " + " ".join(map(str, years)) + line[m.end(1):])
            label = ""
            continue
        toks = line.split()
        n = len(years or ())
        if n and len(toks) > n and PCT.match(toks[-1]) and all(NUM.match(t) for t in toks[-n - 1:-1]):
            vals, lab, last = toks[-n - 1:-1], " ".join(toks[:-n - 1]), toks[-2]
            if last == "-" or "," in last:
                vals, pct = vals[1:] + [last], toks[-1]
            else:
                vals, pct = vals[1:] + [f"{int(last.replace('.', '')) * 21 // 20:,}".replace(",", ".")], "5,0%"
            name = " ".join((label + " " + lab).split())
            for key, value in changes.items():
                if key not in applied and key[0] == name and key[1] in years:
                    vals[years.index(key[1])] = value
                    applied.add(key)
            out.append((lab + " " if lab else "") + " ".join(vals) + " " + pct + " ")
            label = ""
            continue
        label = (label + " " + " ".join(toks)).strip() if toks else label
        out.append(line)
    return out


def restating_edition(lines: list[str], sections: list[tuple[int, int]], changes: dict) -> list[str]:
    """A 'Monitor Digitale Overheid 2025' made of the 2024 title block and ``sections`` shifted."""
    out = [_retitle(x) for x in lines[:8]]
    applied: set = set()
    for a, b in sections:
        out += shift_section(lines[a:b], changes, applied)
    assert applied == set(changes), f"not applied: {set(changes) - applied}"
    return out


def _key(o) -> tuple:
    return (o.facility_code, o.indicator_code, o.breakdown, o.year, o.measure, o.origin)


def fabricate_2025(folder: Path, settings: Settings, changes: dict = REVISED_2022) -> Path:
    """Write ``monitor-digitale-overheid-2025.txt`` (not in the manifest) into ``folder``: the facility
    sections of the 2024 text whose shifted tables the extractor reads back exactly (every restated
    2020-2023 figure as in 2024), with columns 2020-2024, and ``changes`` applied."""
    lines = MONITOR_2024.read_text(encoding="utf-8").split("\n")
    old: dict = {}
    for o in release.ingest_report(MONITOR_2024, settings).observations:
        old.setdefault(_key(o), []).append(o.value)
    starts = [i for i, x in enumerate(lines) if SECTION.match(x)]
    clean = []
    probe = folder / ".probe.txt"
    folder.mkdir(parents=True, exist_ok=True)
    for a, b in zip(starts, starts[1:] + [len(lines)]):
        probe.write_text("\n".join(restating_edition(lines, [(a, b)], {})), encoding="utf-8")
        figs = [o for o in release.ingest_report(probe, settings).observations
                if o.origin == "table" and o.measure == "level" and o.indicator_code and o.year < 2024]
        if figs and all(old.get(_key(o)) == [o.value] for o in figs):
            clean.append((a, b))
    probe.unlink()
    path = folder / "monitor-digitale-overheid-2025.txt"
    path.write_text("\n".join(restating_edition(lines, clean, changes)), encoding="utf-8")
    return path


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------


def data_copy(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    shutil.copytree(ROOT / "data", d)
    return d


def publish_plain(settings: Settings, *, store: bool = False, validate: bool = False) -> str:
    """The pipeline of the flow, without Prefect: ingest, version, stage, build, (validate), seal, switch."""
    extractions = [release.ingest_report(Path(p), settings) for p in release.resolve_sources(None, settings)]
    fp = release.input_fingerprint(settings, [(e.document.name, e.document.sha256) for e in extractions])
    version = release.release_version(fp)
    if release.is_complete(release.release_dir(settings, version)):
        release.switch_current(settings, version)
        return version
    with release.run_lock(settings):
        stage = release.new_staging(settings, version)
        release.write_ingest(extractions, stage)
        built = release.build_release(settings, stage, store=store)
        if validate:
            shacl = release.validate_shacl(settings, built.graphs)
            cube = release.validate_cube(built.graph_dir / "gdigraph.nq")
            v = release.Validation(shacl[0], shacl[1], cube[0], shacl[2], cube[1])
            release.record_validation(stage, v)
            assert v.passed, v.summary()
        release.finalize(settings, stage, version, fp)
        release.switch_current(settings, version)
    return version


def fake_release(settings: Settings, version: str, files: dict[str, str]) -> Path:
    stage = release.new_staging(settings, version)
    for name, text in files.items():
        (stage / name).parent.mkdir(parents=True, exist_ok=True)
        (stage / name).write_text(text, encoding="utf-8")
    return release.finalize(settings, stage, version, {"test": version})


def tree_bytes(root: Path, skip: tuple[str, ...] = ()) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.relative_to(root).parts[0] not in skip}


def rows(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


# --------------------------------------------------------------------------------------------
# versions, ingest
# --------------------------------------------------------------------------------------------


def test_ingesting_report_by_report_writes_the_bytes_of_the_ingest_stage(tmp_path):
    settings = Settings()
    paths = release.resolve_sources(None, settings)
    assert [Path(p).name for p in paths] == sorted(p.name for p in settings.sources_dir.glob("*.txt"))
    extractions = [release.ingest_report(Path(p), settings) for p in reversed(paths)]  # order does not matter
    release.write_ingest(extractions, tmp_path / "a")
    extract_all(settings.sources_dir, tmp_path / "b")
    for name in release.LINKED_FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_the_version_is_derived_from_the_input_content(tmp_path):
    data = data_copy(tmp_path)
    settings = Settings(data_dir=data, build_dir=tmp_path / "build")
    reports = [(Path(p).name, release.file_sha256(Path(p))) for p in release.resolve_sources(None, settings)]
    v1 = release.release_version(release.input_fingerprint(settings, reports))
    assert v1 == release.release_version(release.input_fingerprint(settings, list(reversed(reports))))
    assert re.fullmatch(r"[0-9a-f]{16}", v1)
    # another build folder, the same input: the same version
    assert v1 == release.release_version(release.input_fingerprint(settings.with_(build_dir=tmp_path / "b2"), reports))
    # a changed report, code list, reference file or base URI: another version
    changed = [(n, h if n != reports[0][0] else "0" * 64) for n, h in reports]
    assert release.release_version(release.input_fingerprint(settings, changed)) != v1
    with open(data / "codelists" / "indicator_labels.csv", "a", encoding="utf-8") as f:
        f.write("\n")
    v2 = release.release_version(release.input_fingerprint(settings, reports))
    assert v2 != v1
    (data / "reference" / "organisations.csv").write_text("changed", encoding="utf-8")
    assert release.release_version(release.input_fingerprint(settings, reports)) not in (v1, v2)
    assert release.release_version(release.input_fingerprint(settings.with_(base_uri="https://example.org"),
                                                             reports)) != v1


def test_the_ingest_cache_key_follows_the_report_content_not_its_folder(tmp_path):
    settings = Settings()
    a = tmp_path / "a" / MONITOR_2024.name
    a.parent.mkdir()
    shutil.copy(MONITOR_2024, a)
    key = release.ingest_key(MONITOR_2024, settings)
    assert release.ingest_key(a, settings) == key
    a.write_text(MONITOR_2024.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert release.ingest_key(a, settings) != key
    data = data_copy(tmp_path)
    other = Settings(data_dir=data)
    assert release.ingest_key(MONITOR_2024, other) == key
    (data / "sources" / "editions.csv").write_text(
        (data / "sources" / "editions.csv").read_text(encoding="utf-8").replace("Monitor GDI 2018", "Monitor GDI '18"),
        encoding="utf-8")
    assert release.ingest_key(MONITOR_2024, other) != key  # the manifest says which edition a file is


def test_sources_are_files_folders_or_urls(tmp_path):
    settings = Settings()
    one = str(MONITOR_2024)
    got = release.resolve_sources([one, settings.sources_dir, "https://example.org/m.pdf"], settings)
    assert got[0] == one and got.count(one) == 1 and got[-1] == "https://example.org/m.pdf"
    with pytest.raises(release.ReleaseError, match="no such file"):
        release.resolve_sources([tmp_path / "nope.txt"], settings)
    (tmp_path / "x.docx").write_text("x")
    with pytest.raises(release.ReleaseError, match="not a report"):
        release.resolve_sources([tmp_path / "x.docx"], settings)


# --------------------------------------------------------------------------------------------
# downloads
# --------------------------------------------------------------------------------------------


class _Reports(http.server.SimpleHTTPRequestHandler):
    hits: list[tuple[str, int]] = []

    def send_response(self, code, message=None):
        type(self).hits.append((self.path, code))
        super().send_response(code, message)

    def do_GET(self):  # noqa: N802
        if self.path.startswith("/busy"):
            self.send_error(503)
            return
        if self.path.startswith("/page"):
            body = b"<html>no</html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def log_message(self, *args):
        pass


@pytest.fixture
def report_server(tmp_path):
    root = tmp_path / "www"
    root.mkdir()
    shutil.copy(MONITOR_2024, root / "monitor 2024.txt")
    _Reports.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(_Reports, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_report_is_downloaded_once_and_revalidated(report_server, tmp_path):
    cache = tmp_path / "cache"
    path = release.fetch(f"{report_server}/monitor%202024.txt", cache)
    assert path.name == "monitor_2024.txt" and path.read_bytes() == MONITOR_2024.read_bytes()
    assert path.parent.parent == cache and not list(path.parent.glob(".*.part"))
    again = release.fetch(f"{report_server}/monitor%202024.txt", cache)
    assert again == path
    assert [code for _, code in _Reports.hits] == [200, 304]  # If-Modified-Since: not sent twice


def test_download_errors_say_whether_retrying_can_help(report_server, tmp_path):
    with pytest.raises(release.FetchError, match="HTTP 404"):
        release.fetch(f"{report_server}/missing.txt", tmp_path)
    with pytest.raises(release.FetchError, match="not a report"):
        release.fetch(f"{report_server}/page", tmp_path)
    with pytest.raises(httpx.HTTPStatusError):  # transient: the flow's task retries it
        release.fetch(f"{report_server}/busy.txt", tmp_path)
    with pytest.raises(httpx.ConnectError):
        release.fetch("http://127.0.0.1:9/monitor.txt", tmp_path, timeout=2)


# --------------------------------------------------------------------------------------------
# the release layout, the switch, interrupted runs
# --------------------------------------------------------------------------------------------


def test_build_current_is_switched_atomically_to_complete_releases_only(tmp_path):
    settings = Settings(build_dir=tmp_path / "build")
    fake_release(settings, "aaaa", {"observations.csv": "a\n", "problems.csv": "", "editions.csv": ""})
    fake_release(settings, "bbbb", {"observations.csv": "b\n", "problems.csv": "", "editions.csv": ""})
    release.switch_current(settings, "aaaa")
    cur = settings.current_dir
    assert cur.is_symlink() and os.readlink(cur) == os.path.join("releases", "aaaa")  # relative: the build dir may move
    assert (settings.build_dir / "observations.csv").read_text() == "a\n"
    assert os.readlink(settings.build_dir / "observations.csv") == "current/observations.csv"
    assert release.current_version(settings) == "aaaa"
    release.switch_current(settings, "bbbb")
    assert (settings.build_dir / "observations.csv").read_text() == "b\n" and release.current_version(settings) == "bbbb"
    assert not list(settings.build_dir.glob(".current-*"))
    info = release.read_release(release.release_dir(settings, "bbbb"))
    assert info["version"] == "bbbb" and info["files"]["observations.csv"] == release.file_sha256(
        release.release_dir(settings, "bbbb") / "observations.csv")
    # a staging directory is not a release
    stage = release.new_staging(settings, "cccc")
    with pytest.raises(release.ReleaseError, match="not a complete release"):
        release.switch_current(settings, stage.name)
    assert release.current_version(settings) == "bbbb"
    # a real directory where the link should be is not silently replaced
    other = Settings(build_dir=tmp_path / "other")
    fake_release(other, "aaaa", {"observations.csv": "a\n"})
    other.current_dir.mkdir()
    with pytest.raises(release.ReleaseError, match="real directory"):
        release.switch_current(other, "aaaa")


def test_an_interrupted_run_leaves_the_publication_alone_and_is_cleaned_up_next_time(tmp_path):
    settings = Settings(build_dir=tmp_path / "build")
    fake_release(settings, "aaaa", {"observations.csv": "a\n", "graph/gdigraph.nq": "<a> <b> <c> <g> .\n"})
    release.switch_current(settings, "aaaa")
    before = tree_bytes(settings.current_dir)
    # a run killed while building: a half-written staging directory and a half-made link
    stage = release.new_staging(settings, "bbbb")
    (stage / "observations.csv").write_text("half", encoding="utf-8")
    os.symlink("releases/bbbb", settings.build_dir / ".current-current-99999")
    assert release.current_version(settings) == "aaaa" and tree_bytes(settings.current_dir) == before
    with release.run_lock(settings):
        gone = release.clean_staging(settings)
    assert stage in gone and not stage.exists() and not list(settings.build_dir.glob(".current-*"))
    assert release.current_version(settings) == "aaaa" and tree_bytes(settings.current_dir) == before
    # a rejected release is kept apart, for its reports, and never published
    stage = release.new_staging(settings, "cccc")
    (stage / "validation").mkdir()
    (stage / "validation" / "shacl.txt").write_text("Conforms: False", encoding="utf-8")
    (settings.build_dir / "rejected" / "0000").mkdir(parents=True)  # an older rejected release
    kept = release.discard_staging(settings, stage, keep_as_rejected=True)
    assert kept == settings.build_dir / "rejected" / "cccc" and (kept / "validation" / "shacl.txt").exists()
    assert [p.name for p in (settings.build_dir / "rejected").iterdir()] == ["cccc"]  # only the last one
    assert not release.is_complete(kept) and release.current_version(settings) == "aaaa"
    md = release.failure_markdown(release.ValidationFailed("validation failed"), "cccc", "aaaa", kept)
    assert "still points to `aaaa`" in md and "Conforms: False" in md


def test_one_run_at_a_time(tmp_path):
    settings = Settings(build_dir=tmp_path / "build")
    with release.run_lock(settings):
        with pytest.raises(release.ReleaseBusy, match="another run"):
            with release.run_lock(settings):
                pass
    with release.run_lock(settings):  # released again
        pass


def test_old_releases_are_pruned_but_never_the_published_one(tmp_path):
    settings = Settings(build_dir=tmp_path / "build")
    for i, v in enumerate(["r1", "r2", "r3", "r4"]):
        p = fake_release(settings, v, {"observations.csv": v})
        os.utime(p / release.RELEASE_FILE, (1000 + i, 1000 + i))
    release.switch_current(settings, "r1")  # the oldest is the published one (a roll-back)
    gone = release.prune_releases(settings, keep=2)
    assert sorted(p.name for p in gone) == ["r2"]
    assert sorted(p.name for p in release.releases_dir(settings).iterdir() if not p.name.startswith(".")) == \
        ["r1", "r3", "r4"]


# --------------------------------------------------------------------------------------------
# what changed
# --------------------------------------------------------------------------------------------

SERIES_HEAD = ",".join(["facility_code", "indicator_code", "breakdown", "year", "value", "unit", "edition", "revised",
                        "flags", "origin", "source", "line", "editions"]) + "\n"
EDITIONS_HEAD = ",".join(["file", "edition", "title", "kind", "publisher", "publisher_code", "publication_year",
                          "reference_date", "years_covered", "inferred", "sha256", "figures", "warnings"]) + "\n"


def test_the_summary_lists_new_figures_revisions_unmapped_labels_and_validation(tmp_path):
    settings = Settings(build_dir=tmp_path / "build")
    validation = json.dumps({"passed": True, "shacl": {"conforms": True, "results": 0},
                             "data_cube": {"constraints": 21, "violated": {}}})
    old = fake_release(settings, "old", {
        "editions.csv": EDITIONS_HEAD + "a.txt,2024,M 2024,monitor-tables,,bzk,2024,2023-12-31,2022;2023,,aaa,3,0\n",
        "series.csv": SERIES_HEAD + "digid,digid.accounts,totaal,2022,10,count,2024,false,,table,a.txt,5,2024=10\n"
                                    "digid,digid.accounts,totaal,2023,11,count,2024,false,,table,a.txt,5,2024=11\n",
        "problems.csv": "source,line,level,kind,message,text\n",
    })
    new = fake_release(settings, "new", {
        "editions.csv": EDITIONS_HEAD + "a.txt,2024,M 2024,monitor-tables,,bzk,2024,2023-12-31,2022;2023,,aaa,3,0\n"
                                        "b.txt,2025,M 2025,monitor-tables,,bzk,2025,2024-12-31,2023;2024,yes,bbb,4,1\n",
        "series.csv": SERIES_HEAD + "digid,digid.accounts,totaal,2022,10,count,2024,false,,table,a.txt,5,2024=10\n"
                                    "digid,digid.accounts,totaal,2023,12,count,2025,true,,table,b.txt,7,2024=11;2025=12\n"
                                    "digid,digid.accounts,totaal,2024,13,count,2025,false,,table,b.txt,7,2025=13\n",
        "revisions.csv": ",".join(release.REVISION_COLUMNS) + "\n"
                         "2025,digid,digid.accounts,totaal,2023,12,12,b.txt,7,https://x/o/2025,2024,11,11,a.txt,5,"
                         "https://x/o/2024\n",
        "problems.csv": "source,line,level,kind,message,text\n"
                        "b.txt,9,warning,unmapped_label,not mapped,Aantal nieuwe dingen\n",
        "validation/validation.json": validation,
    })
    ch = release.compare(new, old)
    assert [e["status"] for e in ch.editions] == ["unchanged", "new"] and ch.figures_added == 4
    assert [r["year"] for r in ch.added] == ["2024"]
    assert [(o["value"], n["value"]) for o, n in ch.changed] == [("11", "12")]
    assert not ch.none and len(ch.revisions) == 1 and len(ch.unmapped) == 1
    md = release.summary_markdown(ch)
    assert "| digid | digid.accounts | totaal | 2023 | 11 | 2024 | 12 | 2025 |" in md
    assert "Aantal nieuwe dingen" in md and "passed: SHACL conforms" in md and "figures added: 4" in md
    table = release.changed_series_table(ch, new)
    assert table == [{"facility": "digid", "indicator": "digid.accounts", "breakdown": "totaal", "unit": "count",
                      "2022": "10", "2023": "12", "2024": "13"}]
    # the same release again: no changes
    same = release.compare(new, new)
    assert same.none and "**No changes**" in release.summary_markdown(same)
    first = release.compare(old, None)
    assert first.previous is None and "the first publication" in release.summary_markdown(first)


# --------------------------------------------------------------------------------------------
# real builds: deterministic, and what a new edition changes
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def published(built, tmp_path_factory):
    """The session's real build of the bundled sources (conftest ``built``) published as the first
    release of a copy of the data folder (no second build of the same input)."""
    plain, result = built
    tmp = tmp_path_factory.mktemp("published")
    settings = Settings(data_dir=data_copy(tmp), build_dir=tmp / "build")
    paths = [Path(p) for p in release.resolve_sources(None, settings)]
    fp = release.input_fingerprint(settings, [(p.name, release.file_sha256(p)) for p in paths])
    version = release.release_version(fp)
    stage = release.new_staging(settings, version)
    for name in (*release.LINKED_FILES, "series.csv"):
        shutil.copy(plain.build_dir / name, stage / name)
    shutil.copytree(result.graph_dir, stage / "graph")
    release.write_revisions(result.cube, stage / "revisions.csv")
    release.finalize(settings, stage, version, fp)
    release.switch_current(settings, version)
    return settings, version


def test_a_new_edition_adds_its_figures_and_records_what_it_revised(published, tmp_path):
    settings, first = published
    before = tree_bytes(release.release_dir(settings, first))
    new_report = fabricate_2025(settings.sources_dir, settings)
    second = publish_plain(settings)
    assert second != first and release.current_version(settings) == second
    old_dir, new_dir = release.release_dir(settings, first), release.release_dir(settings, second)
    assert tree_bytes(old_dir) == before  # the earlier release is untouched
    # the new edition (not in the manifest: read from its own text) and its figures
    eds = {e["edition"]: e for e in rows(new_dir / "editions.csv")}
    assert eds["2025"]["file"] == new_report.name and eds["2025"]["inferred"] == "yes"
    assert eds["2025"]["years_covered"] == "2020;2021;2022;2023;2024"
    # exactly the two changed 2022 figures are revisions, each pointing at the 2024 figure
    revs = rows(new_dir / "revisions.csv")
    assert sorted((r["indicator_code"], r["year"], r["old_value"], r["value"], r["revises_edition"]) for r in revs) == [
        ("digilevering.aangesloten-overheidsorganisaties", "2022", "111", "118", "2024"),
        ("digilevering.berichten", "2022", "177871508", "180000000", "2024"),
    ]
    nq = (new_dir / "graph" / "graphs" / "editie-2025.nq").read_text(encoding="utf-8")
    links = [ln for ln in nq.splitlines() if "/def/gdi#herzieningVan>" in ln]
    assert len(links) == 2 and all("/id/waarneming/2024/" in ln for ln in links)
    for r in revs:
        assert f"<{r['observation']}> <{settings.base_uri}/def/gdi#herzieningVan> <{r['revises']}>" in nq
    # everything else is as it was: the other graphs, the other editions' figures
    for name in ("ontologie.nq", "codelijsten.nq", "referentie.nq", "editie-2024.nq", "editie-2018.nq"):
        assert (new_dir / "graph" / "graphs" / name).read_bytes() == (old_dir / "graph" / "graphs" / name).read_bytes()
    old_series = {release.series_key(r): r for r in rows(old_dir / "series.csv")}
    new_series = {release.series_key(r): r for r in rows(new_dir / "series.csv")}
    changed = {k for k in old_series if new_series.get(k, {}).get("value") != old_series[k]["value"]}
    assert {(k[1], k[3]) for k in changed} == {("digilevering.aangesloten-overheidsorganisaties", "2022"),
                                               ("digilevering.berichten", "2022")}
    assert any(k[3] == "2024" for k in set(new_series) - set(old_series))
    # the run summary
    ch = release.compare(new_dir, old_dir)
    assert [e["edition"] for e in ch.editions if e["status"] == "new"] == ["2025"] and ch.figures_added > 100
    md = release.summary_markdown(ch)
    assert "figures revised by the new editions: 2" in md
    assert "| digilevering | digilevering.berichten | totaal | 2022 | 177871508 | 2024 | 180000000 | 2025 |" in md
