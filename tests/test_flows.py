"""The Prefect flows end to end, under ONE temporary Prefect server for the session
(``prefect_harness`` in conftest.py): ``yearly_monitor`` on a copy of the bundled data publishes a
validated release and pushes it to a real Oxigraph server; a second run on the same input changes
no byte and says 'no changes'; a run whose validation fails leaves the publication as it was; the
ingest task is cached on the report's content. The deployments file is checked with Prefect's own
loader and its entrypoints import."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import httpx
import pytest
import yaml

from gdigraph import release
from gdigraph.settings import Settings

from .test_push import free_port, start_oxigraph, stop, wait_ready

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # flows/ is a top-level folder, not part of the installed package
    sys.path.insert(0, str(ROOT))

from flows import monitor  # noqa: E402

pytestmark = pytest.mark.slow


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def artifact(key: str):
    from prefect.artifacts import Artifact

    return Artifact.get(key)


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory):
    port = free_port()
    proc = start_oxigraph(tmp_path_factory.mktemp("oxigraph-flows"), port)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base)
        yield base
    finally:
        stop(proc)


@pytest.fixture(scope="module")
def first_run(prefect_harness, tmp_path_factory, oxigraph):
    """yearly_monitor on a copy of the bundled data, into a fresh build folder, pushing to Oxigraph."""
    tmp = tmp_path_factory.mktemp("flows")
    data = tmp / "data"
    shutil.copytree(ROOT / "data", data)
    settings = Settings(data_dir=data, build_dir=tmp / "build")
    result = monitor.yearly_monitor(data_dir=str(data), build_dir=str(settings.build_dir),
                                    publish_to=f"{oxigraph}/store")
    yield settings, result
    shutil.rmtree(tmp, ignore_errors=True)  # a release with its static site is big: not kept by pytest


def test_yearly_monitor_publishes_a_validated_release_and_pushes_it(first_run, oxigraph):
    settings, result = first_run
    version = result["version"]
    rel = release.release_dir(settings, version)
    assert result["previous"] is None and not result["reused"]
    assert release.current_version(settings) == version and settings.current_dir.resolve() == rel.resolve()
    for name in ("observations.csv", "problems.csv", "editions.csv", "series.csv", "revisions.csv",
                 "graph/gdigraph.nq", "graph/manifest.json", "store", "validation/validation.json", "release.json"):
        assert (rel / name).exists(), name
    # build/observations.csv stays where the extraction issue wants it, through the current release
    obs = settings.build_dir / "observations.csv"
    assert obs.is_symlink() and obs.read_bytes() == (rel / "observations.csv").read_bytes()
    info = release.read_release(rel)
    assert info["validation"]["passed"] and info["inputs"]["reports"][0]["file"] == "000_488dae424ea7cc3b.txt"
    assert not list(release.releases_dir(settings).glob(".staging-*"))
    # every named graph is in the external store
    graphs = sorted((rel / "graph" / "graphs").glob("*.nq"))
    assert result["pushed"]["graphs"] == len(graphs)
    r = httpx.post(f"{oxigraph}/query", data={"query": "SELECT (COUNT(DISTINCT ?g) AS ?n) { GRAPH ?g { ?s ?p ?o } }"},
                   headers={"Accept": "application/sparql-results+json"})
    assert int(r.json()["results"]["bindings"][0]["n"]["value"]) == len(graphs)
    # the run's artifacts: the summary and the trend table of the changed series
    md = artifact(monitor.SUMMARY_KEY).data
    assert f"release `{version}`" in md and "the first publication" in md and "## Editions" in md
    assert "validation: passed" in md and "labels not mapped" in md
    table = artifact(monitor.TABLE_KEY).data
    assert "digid" in table  # every series is new in a first publication
    assert (settings.build_dir / "last-run.md").read_text(encoding="utf-8") == md
    assert any("published release" in line for line in result["report"])


def test_the_release_has_the_bytes_of_a_plain_build_of_the_same_input(first_run, built):
    """Deterministic output: the flow's release equals the ingest and build stages run directly by
    plain code into another folder (the session's real build), file for file (the store aside)."""
    settings, result = first_run
    plain, _ = built
    ours = tree_bytes(release.release_dir(settings, result["version"]))
    theirs = tree_bytes(plain.build_dir)
    # the files of the ingest and build stages (other tests may add more to the session's build folder)
    stages = ("observations.csv", "problems.csv", "editions.csv", "series.csv", "graph/")
    common = sorted(k for k in set(ours) & set(theirs) if k.startswith(stages))
    assert {"observations.csv", "problems.csv", "editions.csv", "series.csv", "graph/gdigraph.nq",
            "graph/gdigraph.trig", "graph/gdigraph.jsonld", "graph/manifest.json"} <= set(common)
    assert [k for k in common if ours[k] != theirs[k]] == []


def test_a_second_run_on_the_same_input_changes_no_byte(first_run, oxigraph):
    settings, first = first_run
    before = tree_bytes(settings.current_dir)
    links = {n: os.readlink(settings.build_dir / n) for n in ("current", *release.LINKED_FILES)}
    # a graph an earlier release had, and someone else's: this push prunes the first only
    stale, other = "https://gdigraph.nl/graph/editie/1999", "https://example.org/graph/not-ours"
    for g in (stale, other):
        httpx.put(f"{oxigraph}/store", params={"graph": g}, content=b"<urn:a> <urn:b> <urn:c> .\n",
                  headers={"Content-Type": "application/n-triples"}).raise_for_status()
    again = monitor.yearly_monitor(data_dir=str(settings.data_dir), build_dir=str(settings.build_dir),
                                   publish_to=f"{oxigraph}/store", prune_store=True)
    assert again["pushed"]["removed"] == [stale]
    assert any(line.startswith("  removed:") and stale in line for line in again["report"])
    r = httpx.post(f"{oxigraph}/query", data={"query": "SELECT DISTINCT ?g { GRAPH ?g {} }"},
                   headers={"Accept": "application/sparql-results+json"})
    left = {b["g"]["value"] for b in r.json()["results"]["bindings"]}
    assert other in left and stale not in left
    httpx.delete(f"{oxigraph}/store", params={"graph": other}).raise_for_status()
    assert again["version"] == first["version"] and again["reused"] and again["previous"] == first["version"]
    assert tree_bytes(settings.current_dir) == before  # every file, the store included
    assert {n: os.readlink(settings.build_dir / n) for n in links} == links
    assert again["summary"]["none"] and any(line == "no changes" for line in again["report"])
    assert "**No changes**" in artifact(monitor.SUMMARY_KEY).data
    assert [p.name for p in release.releases_dir(settings).iterdir() if not p.name.startswith(".")] == \
        [first["version"]]


FAILING_SHAPE = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix gdi: <https://gdigraph.nl/def/gdi#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<urn:test:EditieHasLicence> a sh:NodeShape ; sh:targetClass gdi:Editie ;
    sh:property [ sh:path dcterms:license ; sh:minCount 1 ; sh:message "forced to fail: no licence" ] .
"""


def test_a_run_that_fails_validation_leaves_the_publication_as_it_was(first_run, tmp_path, monkeypatch):
    settings, first = first_run
    before = tree_bytes(settings.current_dir)
    ontology = tmp_path / "ontology"
    shutil.copytree(settings.ontology_dir, ontology)
    (ontology / "shapes.ttl").write_text(FAILING_SHAPE, encoding="utf-8")
    monkeypatch.setenv("GDIGRAPH_ONTOLOGY_DIR", str(ontology))
    with pytest.raises(release.ValidationFailed, match="SHACL"):  # one small report: a quicker build
        monitor.yearly_monitor(sources=[str(settings.sources_dir / "000_488dae424ea7cc3b.txt")],
                               data_dir=str(settings.data_dir), build_dir=str(settings.build_dir))
    assert release.current_version(settings) == first["version"]
    assert tree_bytes(settings.current_dir) == before
    assert not list(release.releases_dir(settings).glob(".staging-*"))
    rejected = list((settings.build_dir / "rejected").iterdir())
    assert len(rejected) == 1 and "forced to fail" in (rejected[0] / "validation" / "shacl.txt").read_text()
    assert not release.is_complete(rejected[0])
    md = artifact(monitor.SUMMARY_KEY).data
    assert "ValidationFailed" in md and f"still points to `{first['version']}`" in md


def test_gdigraph_run_runs_the_flow_and_says_where_the_outputs_are(first_run, monkeypatch, capsys, tmp_path):
    from gdigraph.cli import main as cli_main

    settings, first = first_run
    monkeypatch.setenv("GDIGRAPH_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("GDIGRAPH_BUILD_DIR", str(settings.build_dir))
    assert cli_main(["run"]) == 0
    out = capsys.readouterr().out
    assert f"published release {first['version']}" in out and "no changes" in out
    for what in ("observations:", "graph dumps:", "store:", "trends:", "site:", "summary:", "validation: passed"):
        assert what in out, what
    assert str(settings.build_dir / "observations.csv") in out
    assert cli_main(["run", str(tmp_path / "missing.txt")]) == 1
    assert "missing.txt: no such file" in capsys.readouterr().err
    assert release.current_version(settings) == first["version"]


def test_an_unchanged_report_is_not_parsed_again(prefect_harness, tmp_path):
    from prefect import flow

    settings = Settings(build_dir=tmp_path / "build")
    report = str(ROOT / "data" / "sources" / "000_488dae424ea7cc3b.txt")
    storage = tmp_path / "cache"

    @flow
    def twice():
        task = monitor.ingest_report.with_options(result_storage=storage)
        return task(report, settings, return_state=True), task(report, settings, return_state=True)

    first, second = twice()
    assert first.is_completed() and first.name == "Completed"
    assert second.name == "Cached"
    assert second.result().document.sha256 == first.result().document.sha256
    assert len(list(storage.iterdir())) == 1  # one result, stored under the content key


def test_ingest_edition_reads_a_downloaded_report(prefect_harness, tmp_path):
    import http.server
    import threading
    from functools import partial

    www = tmp_path / "www"
    www.mkdir()
    shutil.copy(ROOT / "data" / "sources" / "000_488dae424ea7cc3b.txt", www)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             partial(http.server.SimpleHTTPRequestHandler, directory=str(www)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/000_488dae424ea7cc3b.txt"
        ex = monitor.ingest_edition(url, build_dir=str(tmp_path / "build"))
    finally:
        server.shutdown()
        server.server_close()
    assert ex.edition.code == "2019-toelichting" and not ex.edition.inferred  # found in the manifest by name
    assert ex.document.sha256 == release.file_sha256(ROOT / "data" / "sources" / "000_488dae424ea7cc3b.txt")
    assert list((tmp_path / "build" / "cache" / "downloads").glob("*/000_488dae424ea7cc3b.txt"))


# --------------------------------------------------------------------------------------------
# deployments
# --------------------------------------------------------------------------------------------


def test_the_deployments_file_is_valid_and_its_entrypoints_import():
    from prefect.cli.deploy._models import PrefectYamlModel
    from prefect.client.schemas.schedules import CronSchedule
    from prefect.flows import load_flow_from_entrypoint

    path = ROOT / "deployments" / "prefect.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    model = PrefectYamlModel.model_validate(raw)  # the model `prefect deploy` validates the file with
    deployments = {d.name: d for d in model.deployments}
    assert {"yearly", "manual"} <= set(deployments)
    yearly = deployments["yearly"]
    schedules = yearly.schedules or [yearly.schedule]
    cron = [s for s in schedules if s and s.cron]
    assert cron and cron[0].timezone == "Europe/Amsterdam"
    CronSchedule(cron=cron[0].cron, timezone=cron[0].timezone)  # a valid cron expression
    assert cron[0].cron.split()[2:4] == ["1", "6"]  # 1 June
    assert not (deployments["manual"].schedules or deployments["manual"].schedule)
    assert set(deployments["manual"].parameters) >= {"sources", "publish_to"}
    cwd = os.getcwd()
    os.chdir(ROOT)  # entrypoints are relative to the project root, where `prefect deploy` runs
    try:
        for d in model.deployments:
            f = load_flow_from_entrypoint(d.entrypoint)
            assert f.name == "yearly-monitor"
            assert set(d.parameters) <= set(f.parameters.properties)
    finally:
        os.chdir(cwd)


def test_local_mode_runs_without_flow_heartbeats_and_a_real_server_keeps_them(monkeypatch):
    from prefect.settings import get_current_settings

    from gdigraph.cli import prefect_local_mode

    before = get_current_settings().flows.heartbeat_frequency
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    with prefect_local_mode():
        assert get_current_settings().flows.heartbeat_frequency is None
    assert get_current_settings().flows.heartbeat_frequency == before
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:4200/api")
    with prefect_local_mode():
        assert get_current_settings().flows.heartbeat_frequency == before
