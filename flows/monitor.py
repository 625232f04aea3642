"""The Prefect flows of gdigraph: thin orchestration of the plain functions in ``gdigraph``.

``yearly_monitor`` (the parent a schedule runs)
    -> ``ingest_edition`` per report (download with retries, ingest, cached on content)
    -> ``build_graph`` (named graphs, dumps, store; SHACL and Data Cube validation, failing the run)
    -> ``publish`` (trend tables, charts, static site, atomic switch of build/current, optional push)
    -> run summary (markdown artifact) and trend table of the changed series (table artifact).

Every run builds into ``build/releases/.staging-<version>-<pid>`` and publishes by renaming it to
``build/releases/<version>`` and switching the ``build/current`` symlink, only after validation
passed; see ``gdigraph.release`` for the layout and the rules. The logic lives in ``gdigraph``
and is tested there without Prefect.
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import task_run as runtime_task_run

from gdigraph import release
from gdigraph.settings import Settings

SUMMARY_KEY = "gdigraph-run-summary"
TABLE_KEY = "gdigraph-changed-series"


def settings_for(data_dir: str | None = None, build_dir: str | None = None) -> Settings:
    """The settings in force (GDIGRAPH_* variables), with the data and build folders a flow was given."""
    s = Settings()
    changes = {}
    if data_dir:
        changes["data_dir"] = Path(data_dir).resolve()
    if build_dir:
        changes["build_dir"] = Path(build_dir).resolve()
    return s.with_(**changes) if changes else s


def _retry_unless_permanent(task, task_run, state) -> bool:
    """Retry a download or push unless the failure says retrying cannot help."""
    try:
        exc = state.result(raise_on_failure=False)
    except Exception:  # noqa: BLE001 - no result to look at: assume a transient failure
        return True
    if isinstance(exc, release.FetchError):
        return False
    if getattr(exc, "transient", True) is False:
        return False
    return True


def _ingest_key(context, parameters) -> str:
    return release.ingest_key(Path(parameters["path"]), parameters["settings"])


def _ingest_name() -> str:
    return f"ingest-{Path(runtime_task_run.parameters['path']).name}"


# --------------------------------------------------------------------------------------------
# ingest_edition
# --------------------------------------------------------------------------------------------


@task(name="fetch report", retries=3, retry_delay_seconds=[2, 10, 30], retry_condition_fn=_retry_unless_permanent,
      cache_policy=NO_CACHE)
def fetch_report(url: str, settings: Settings) -> str:
    """Download a report into build/cache/downloads/ (revalidated when cached)."""
    path = release.fetch(url, settings.build_dir / "cache" / "downloads")
    get_run_logger().info("%s -> %s", url, path)
    return str(path)


@task(name="ingest report", task_run_name=_ingest_name, cache_key_fn=_ingest_key, persist_result=True)
def ingest_report(path: str, settings: Settings):
    """One report -> its observations and problems. Cached on the report's SHA-256, the manifest,
    the code lists and the code version: an unchanged report is not parsed again."""
    ex = release.ingest_report(Path(path), settings)
    logger = get_run_logger()
    warnings = sum(1 for p in ex.problems if p.level != "info")
    logger.info("%s: edition %s, %d figures, %d warnings, sha256 %s", ex.document.name, ex.edition.code,
                len(ex.observations), warnings, ex.document.sha256)
    if ex.edition.inferred:
        logger.warning("%s is not in the editions manifest: its edition (%s) was read from its own text",
                       ex.document.name, ex.edition.code)
    return ex


@flow(name="ingest-edition", flow_run_name="ingest {source}", validate_parameters=False)
def ingest_edition(source: str, data_dir: str | None = None, build_dir: str | None = None):
    """One report (a path or an http(s) URL) -> its observations, with the report's SHA-256
    (``result.document.sha256``)."""
    settings = settings_for(data_dir, build_dir)
    path = fetch_report(source, settings) if release.is_url(source) else str(Path(source).resolve())
    storage = settings.build_dir / "cache" / "ingest"
    storage.mkdir(parents=True, exist_ok=True)
    return ingest_report.with_options(result_storage=storage)(path, settings)


# --------------------------------------------------------------------------------------------
# build_graph
# --------------------------------------------------------------------------------------------


@task(name="build named graphs", cache_policy=NO_CACHE)
def build_named_graphs(settings: Settings, stage: str):
    """Reference data + all editions -> named graphs, dumps, series, the store (in the staged release)."""
    result = release.build_release(settings, Path(stage))
    get_run_logger().info("%d named graphs, %d triples, %d revisions", len(result.counts), result.triples,
                          len(result.cube.revisions))
    return result


@task(name="validate SHACL", cache_policy=NO_CACHE)
def validate_shacl(settings: Settings, graphs) -> tuple:
    conforms, results, text = release.validate_shacl(settings, graphs)
    get_run_logger().info("SHACL: %s", "conforms" if conforms else f"{len(results)} violations")
    return conforms, results, text


@task(name="validate Data Cube", cache_policy=NO_CACHE)
def validate_data_cube(nquads: str) -> tuple:
    violations, report = release.validate_cube(Path(nquads))
    get_run_logger().info("Data Cube: %s", "all integrity constraints hold" if not violations else
                          ", ".join(f"{v.ic} ({len(v.focus)})" for v in violations))
    return violations, report


@task(name="check validation", cache_policy=NO_CACHE)
def check_validation(stage: str, shacl: tuple, cube: tuple) -> dict:
    """Record the validation in the release; fail the run (nothing is published) when it failed."""
    v = release.Validation(shacl[0], shacl[1], cube[0], shacl[2], cube[1])
    release.record_validation(Path(stage), v)
    if not v.passed:
        raise release.ValidationFailed(f"validation failed, nothing was published: {v.summary()}")
    get_run_logger().info(v.summary())
    return v.as_dict()


@flow(name="build-graph", validate_parameters=False)
def build_graph(stage: str, data_dir: str | None = None, build_dir: str | None = None) -> dict:
    """The staged ingest output (observations.csv, editions.csv in ``stage``) + reference data ->
    the validated graph. Fails when SHACL or a Data Cube integrity constraint fails."""
    settings = settings_for(data_dir, build_dir)
    built = build_named_graphs(settings, stage)
    shacl = validate_shacl.submit(settings, built.graphs)
    cube = validate_data_cube.submit(str(built.graph_dir / "gdigraph.nq"))
    return check_validation(stage, shacl.result(), cube.result())


# --------------------------------------------------------------------------------------------
# publish
# --------------------------------------------------------------------------------------------


@task(name="write trend tables", cache_policy=NO_CACHE)
def write_trend_tables(settings: Settings, stage: str) -> str | None:
    """Trend tables and charts (gdigraph.publish.trends.write_trends) into <release>/trends/."""
    out = release.run_stage(settings, Path(stage), "publish.trends", "write_trends", "trends")
    if out is None:
        get_run_logger().warning("gdigraph.publish.trends.write_trends does not exist yet: no trend tables")
    return str(out) if out else None


@task(name="export static site", cache_policy=NO_CACHE)
def export_static_site(settings: Settings, stage: str) -> str | None:
    """The static site with the dumps (gdigraph.publish.static.export_static) into <release>/site/."""
    out = release.run_stage(settings, Path(stage), "publish.static", "export_static", "site")
    if out is None:
        get_run_logger().warning("gdigraph.publish.static.export_static does not exist yet: no static site")
    return str(out) if out else None


@task(name="activate release", cache_policy=NO_CACHE)
def activate_release(settings: Settings, version: str, stage: str | None, fingerprint: dict,
                     keep: int) -> str:
    """Seal the staged release, rename it to releases/<version> and switch build/current to it."""
    logger = get_run_logger()
    if stage:
        path = release.finalize(settings, Path(stage), version, fingerprint)
        logger.info("sealed %s", path)
    if release.current_version(settings) != version:
        release.switch_current(settings, version)
        logger.info("build/current -> releases/%s", version)
    for gone in release.prune_releases(settings, keep):
        logger.info("removed the old release %s", gone.name)
    return str(release.release_dir(settings, version))


@task(name="push to triple store", retries=2, retry_delay_seconds=[10, 60],
      retry_condition_fn=_retry_unless_permanent, cache_policy=NO_CACHE)
def push_to_store(graph_dir: str, store: str, prune: bool = False, namespace: str | None = None) -> dict:
    """PUT every named graph to a SPARQL 1.1 Graph Store Protocol endpoint (one atomic replace each);
    with ``prune``, then DELETE the store's graphs under ``namespace`` that the release does not have."""
    from gdigraph.publish.push import push

    logger = get_run_logger()
    result = push(Path(graph_dir), store, log=logger.info, prune=prune, namespace=namespace)
    logger.info(result.summary())
    return {"store": result.store, "graphs": len(result.graphs), "triples": result.triples,
            "removed": result.removed}


@flow(name="publish", validate_parameters=False)
def publish(version: str, fingerprint: dict, stage: str | None = None, publish_to: str | None = None,
            data_dir: str | None = None, build_dir: str | None = None, keep_releases: int = 2,
            prune_store: bool = False) -> dict:
    """Trend tables, charts, the static site (into the staged release), then the atomic switch of
    build/current, then the optional push of the named graphs to an external store (``prune_store``:
    and the removal there of the graphs under ``{base}/graph/`` the release does not have). ``stage``
    None: the release exists already (identical input) and is only (re)activated and pushed."""
    settings = settings_for(data_dir, build_dir)
    out: dict = {"trends": None, "site": None, "pushed": None}
    if stage:
        out["trends"] = write_trend_tables(settings, stage)
        out["site"] = export_static_site(settings, stage)
    path = activate_release(settings, version, stage, fingerprint, keep_releases)
    for key, sub in (("trends", "trends"), ("site", "site")):
        if (Path(path) / sub).exists():
            out[key] = str(Path(path) / sub)
    out["release"] = path
    if publish_to:
        out["pushed"] = push_to_store(str(Path(path) / "graph"), publish_to, prune_store,
                                      f"{settings.base_uri}/graph/")
    return out


# --------------------------------------------------------------------------------------------
# yearly_monitor
# --------------------------------------------------------------------------------------------


@task(name="plan release", cache_policy=NO_CACHE)
def plan_release(settings: Settings, reports: list[tuple[str, str]]) -> tuple[str, dict, bool]:
    """The version of the release the input maps to, and whether it exists already."""
    fingerprint = release.input_fingerprint(settings, reports)
    version = release.release_version(fingerprint)
    exists = release.is_complete(release.release_dir(settings, version))
    get_run_logger().info("release %s%s", version, " exists already: reusing it" if exists else "")
    return version, fingerprint, exists


@task(name="stage observations", cache_policy=NO_CACHE)
def stage_observations(settings: Settings, version: str, extractions: list) -> str:
    """A fresh staging directory with observations.csv, problems.csv, editions.csv."""
    stage = release.new_staging(settings, version)
    release.write_ingest(extractions, stage)
    return str(stage)


@task(name="summarise run", cache_policy=NO_CACHE)
def summarise_run(settings: Settings, version: str, previous: str | None) -> dict:
    """The run summary (markdown artifact) and the trend table of the changed series (table artifact)."""
    new = release.release_dir(settings, version)
    old = release.release_dir(settings, previous) if previous else None
    changes = release.compare(new, old if old is not None and old.exists() else None)
    markdown = release.summary_markdown(changes)
    table = release.changed_series_table(changes, new)
    create_markdown_artifact(key=SUMMARY_KEY, markdown=markdown,
                             description=f"gdigraph release {version}: " +
                             ("no changes" if changes.none else "what changed"))
    create_table_artifact(key=TABLE_KEY, table=table or [{"facility": "", "indicator": "", "breakdown": "",
                                                          "unit": "", "note": "no series changed"}],
                          description=f"gdigraph release {version}: trend table of the changed series")
    (settings.build_dir / "last-run.md").write_text(markdown, encoding="utf-8")
    get_run_logger().info("no changes" if changes.none else
                          f"{changes.figures_added} figures added, {len(changes.revisions)} revised, "
                          f"{len(changes.added)} new and {len(changes.changed)} changed series values")
    return {"none": changes.none, "figures_added": changes.figures_added, "revisions": len(changes.revisions),
            "added": len(changes.added), "changed": len(changes.changed), "unmapped": len(changes.unmapped),
            "files_changed": len(changes.files_changed),
            "validation": release.validation_text(changes.validation), "markdown": markdown,
            "table": table}


@flow(name="yearly-monitor", validate_parameters=True)
def yearly_monitor(sources: list[str] | None = None, publish_to: str | None = None, data_dir: str | None = None,
                   build_dir: str | None = None, keep_releases: int = 2, prune_store: bool = False) -> dict:
    """Read every report, build and validate the graph, publish it as a new release.

    sources: reports, folders of reports or http(s) URLs (default: data/sources);
    publish_to: a SPARQL 1.1 Graph Store Protocol endpoint to push the named graphs to (optional);
    prune_store: with publish_to, also remove the graphs under {base}/graph/ of that store that the
    release does not have (the query endpoint beside it lists them: Oxigraph .../store -> .../query);
    data_dir / build_dir: override GDIGRAPH_DATA_DIR / GDIGRAPH_BUILD_DIR;
    keep_releases: how many releases to keep under build/releases (the published one always stays).
    """
    settings = settings_for(data_dir, build_dir)
    logger = get_run_logger()
    with release.run_lock(settings):
        for leftover in release.clean_staging(settings):
            logger.warning("removed %s, left by an interrupted run", leftover)
        previous = release.current_version(settings)
        paths = release.resolve_sources(sources, settings)
        extractions = [ingest_edition(s, str(settings.data_dir), str(settings.build_dir)) for s in paths]
        if not any(e.usable for e in extractions):
            raise release.ReleaseError("no report gave a usable figure: nothing to publish")
        reports = [(e.document.name, e.document.sha256) for e in extractions]
        version, fingerprint, exists = plan_release(settings, reports)
        stage = None
        try:
            if not exists:
                stage = stage_observations(settings, version, extractions)
                build_graph(stage, str(settings.data_dir), str(settings.build_dir))
            published = publish(version, fingerprint, stage, publish_to, str(settings.data_dir),
                                str(settings.build_dir), keep_releases, prune_store)
        except BaseException as e:
            kept = None
            if stage and Path(stage).exists():
                kept = release.discard_staging(settings, Path(stage),
                                               keep_as_rejected=isinstance(e, release.ValidationFailed))
            now = release.current_version(settings)
            if now == version != previous:
                logger.error("release %s is published in %s, but the run failed after that: %s", version,
                             settings.current_dir, e)
            else:
                logger.error("nothing new was published; build/current still points to %s", now or "nothing")
            if kept:
                logger.error("the rejected release is kept for inspection in %s", kept)
            if isinstance(e, Exception):
                create_markdown_artifact(key=SUMMARY_KEY, markdown=release.failure_markdown(e, version, now, kept),
                                         description=f"gdigraph release {version}: the run failed")
            raise
        summary = summarise_run(settings, version, previous)
    return {"version": version, "previous": previous, "reused": exists, **published, "summary": summary,
            "report": report_lines(settings, version, published, summary)}


def report_lines(settings: Settings, version: str, published: dict, summary: dict) -> list[str]:
    """What ``gdigraph run`` prints: where the outputs and the site are, what changed."""
    cur = settings.current_dir
    lines = [f"published release {version}: {cur} -> {published['release']}",
             f"  observations: {settings.build_dir / 'observations.csv'} (-> {cur / 'observations.csv'})",
             f"  graph dumps:  {cur / 'graph'}  (gdigraph.nq, .trig, .ttl, .jsonld; graphs/*.nq)",
             f"  series:       {cur / 'series.csv'}; revisions: {cur / 'revisions.csv'}",
             f"  store:        {cur / 'store'} (Oxigraph; gdigraph serve uses it)",
             f"  trends:       {cur / 'trends'}" if published.get("trends") else
             "  trends:       not written (gdigraph.publish.trends is not available)",
             f"  site:         {cur / 'site' / 'index.html'}" if published.get("site") else
             "  site:         not written (gdigraph.publish.static is not available)"]
    if published.get("pushed"):
        p = published["pushed"]
        lines.append(f"  pushed:       {p['graphs']} named graphs ({p['triples']} triples) to {p['store']}")
        if p.get("removed"):
            lines.append(f"  removed:      {len(p['removed'])} graphs the release does not have from {p['store']}: "
                         + ", ".join(p["removed"]))
    lines.append(f"  summary:      {settings.build_dir / 'last-run.md'}")
    lines.append("no changes" if summary["none"] else
                 f"changes: {summary['figures_added']} figures added, {summary['revisions']} revised, "
                 f"{summary['added']} new and {summary['changed']} changed series values, "
                 f"{summary['files_changed']} published files changed")
    lines.append(f"validation: {summary['validation']}")
    return lines
