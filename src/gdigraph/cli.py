"""The gdigraph command line: one entry point, a sub-command per job.

Exit codes: 0 success; 1 the input was read but nothing usable came out of it; 2 bad input or usage
(a file that cannot be read, a malformed manifest, an unknown option).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from decimal import Decimal
from pathlib import Path

from .settings import get_settings


def _json_default(o):
    if isinstance(o, Decimal):
        return int(o) if o == o.to_integral_value() else float(o)
    raise TypeError(type(o))


def cmd_extract(args: argparse.Namespace) -> int:
    from .extract import COLUMNS, extract_path
    from .sources.manifest import ManifestError
    from .sources.reader import SourceError

    try:
        ex = extract_path(args.path)
    except (SourceError, ManifestError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    out = sys.stdout
    if args.format == "json":
        rows = []
        for o in ex.observations:
            r = o.as_row()
            r["line"] = o.line
            r["year"] = o.year
            r["value"] = o.value
            r["flags"] = sorted(o.flags)
            rows.append(r)
        json.dump(rows, out, ensure_ascii=False, indent=1, default=_json_default)
        out.write("\n")
    else:
        w = csv.DictWriter(out, COLUMNS, lineterminator="\n")
        w.writeheader()
        for o in ex.observations:
            w.writerow(o.as_row())
    for p in ex.problems:
        if p.level != "info" or args.verbose:
            print(str(p), file=sys.stderr)
    if not ex.usable:
        print(f"error: {ex.document.name}: no usable figures found "
              f"({len(ex.observations)} rows, none with a value)", file=sys.stderr)
        return 1
    print(f"{ex.document.name}: {len(ex.observations)} figures "
          f"({sum(1 for o in ex.observations if o.origin == 'table')} from tables, "
          f"{sum(1 for o in ex.observations if o.origin == 'prose')} from prose); "
          f"{sum(1 for p in ex.problems if p.level != 'info')} warnings", file=sys.stderr)
    return 0


def cmd_extract_all(args: argparse.Namespace) -> int:
    from .ingest import extract_all

    settings = get_settings()
    out = Path(args.out) if args.out else settings.build_dir
    try:
        result = extract_all(settings.sources_dir, out)
    except Exception as e:  # a clear message, not a traceback, for bad input
        from .sources.manifest import ManifestError
        from .sources.reader import SourceError

        if isinstance(e, (SourceError, ManifestError)):
            print(f"error: {e}", file=sys.stderr)
            return 2
        raise
    for line in result.summary_lines():
        print(line)
    return 0 if result.usable else 1


def cmd_build(args: argparse.Namespace) -> int:
    """Graph from the ingested observations (build/observations.csv): named graphs, dumps, store."""
    from .graph.build import build

    settings = get_settings()
    if not (settings.build_dir / "observations.csv").exists():
        code = cmd_extract_all(argparse.Namespace(out=None))
        if code:
            return code
    result = build(settings, store=not args.no_store)
    for name, n in sorted(result.counts.items()):
        print(f"graph {name}: {n} triples")
    print(f"wrote {result.graph_dir} ({result.triples} triples)"
          + (f" and the store {result.store_dir}" if result.store_dir else ""))
    for p in result.problems:
        if p.level != "info":
            print(str(p), file=sys.stderr)
    return 0


def prefect_environment() -> None:
    """The environment ``gdigraph run`` starts Prefect in (set before Prefect is first imported, which
    reads it then): an own home under the project (unless PREFECT_HOME is set), a start-up timeout that
    covers the first start (it migrates a new SQLite database), no telemetry. The benchmark's trivial
    flow (``benchmarks/trivial_flow.py``) starts the same way."""
    import os

    from .settings import PROJECT_ROOT

    os.environ.setdefault("PREFECT_HOME", str(PROJECT_ROOT / ".prefect-home"))
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


def prefect_local_mode():
    """The settings ``gdigraph run`` runs its flow under (a context manager; enter it after
    ``prefect_environment``). In local mode (no PREFECT_API_URL: a temporary API server that lives as
    long as this process) flow-run heartbeats are off: they let a lasting server notice a crashed run,
    which a temporary one cannot outlive, and every flow run's end waits up to a second for the
    heartbeat thread (about 6 s of a run of 6 flow runs). Against a real server nothing changes."""
    import contextlib
    import os

    if os.environ.get("PREFECT_API_URL"):
        return contextlib.nullcontext()
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    return temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None})


def cmd_run(args: argparse.Namespace) -> int:
    """The main job: the Prefect flow ``yearly_monitor`` on the bundled sources, in Prefect's local
    mode (a temporary API server, nothing to install), publishing a new release under build/."""
    from .settings import PROJECT_ROOT

    if args.prune and not args.publish_to:
        print("error: --prune removes graphs from the store of --publish-to URL: give that too", file=sys.stderr)
        return 2
    prefect_environment()
    if not (PROJECT_ROOT / "flows" / "monitor.py").exists():
        print(f"error: the flows are not in {PROJECT_ROOT / 'flows'}; run from a clone of gdigraph", file=sys.stderr)
        return 2
    if str(PROJECT_ROOT) not in sys.path:
        sys.path.insert(0, str(PROJECT_ROOT))
    from flows.monitor import yearly_monitor

    import httpx

    from .publish.push import PushError
    from .release import ReleaseError

    try:
        with prefect_local_mode():
            result = yearly_monitor(sources=args.sources or None, publish_to=args.publish_to, prune_store=args.prune)
    except (ReleaseError, PushError, httpx.HTTPError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print()
    for line in result["report"]:
        print(line)
    return 0


def cmd_query(args: argparse.Namespace) -> int:
    from .queries import QueryError, find_query, list_queries, run_query

    if args.list or not args.name:
        for q in list_queries():
            print(f"{q.name}: {q.title}")
        return 0
    try:
        q = find_query(args.name)
        result = run_query(q.text)
    except QueryError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    out = {"table": result.as_table, "csv": result.as_csv, "json": result.as_json}[args.format]()
    sys.stdout.write(out)
    return 0


def cmd_push(args: argparse.Namespace) -> int:
    """Upload the named graphs of the published release to a Graph Store Protocol endpoint."""
    from .publish.push import PushError, push

    settings = get_settings()
    graph_dir = Path(args.graph_dir) if args.graph_dir else settings.current_dir / "graph"
    if not args.graph_dir and not graph_dir.exists():
        graph_dir = settings.build_dir / "graph"
    try:
        result = push(graph_dir, args.store, retries=args.retries,
                      log=None if args.quiet else (lambda m: print(m, file=sys.stderr)),
                      prune=args.prune, namespace=f"{settings.base_uri}/graph/", query_endpoint=args.query_endpoint,
                      dry_run=args.dry_run)
    except PushError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(result.summary())
    return 0


def cmd_settings(args: argparse.Namespace) -> int:
    for k, v in get_settings().as_dict().items():
        print(f"{k} = {v}")
    return 0


def cmd_impact(args: argparse.Namespace) -> int:
    """What depends on a registry or facility (fails with it), with paths and keys passed on."""
    from .graph.stelsel import StelselError, UnknownCode, impact, impact_lines, load_stelsel

    try:
        g = load_stelsel(get_settings())
        imp = impact(g, args.code)
    except (UnknownCode, StelselError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if args.format == "json":
        json.dump(imp.as_dict(g), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        for line in impact_lines(g, imp):
            print(line)
    return 0


def cmd_stelsel(args: argparse.Namespace) -> int:
    """The Stelselplaat: draw it (SVG, PNG) and/or print the centrality of the registries."""
    from .graph.stelsel import StelselError, centrality, centrality_lines, draw_png, draw_svg, load_stelsel

    try:
        g = load_stelsel(get_settings())
    except StelselError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    title = args.title or "Stelselplaat: basisregistraties en voorzieningen"
    for path, draw in ((args.svg, draw_svg), (args.png, draw_png)):
        if path:
            try:
                draw(g, path, title=title)
            except OSError as e:
                print(f"error: cannot write {path}: {e}", file=sys.stderr)
                return 2
            print(f"wrote {path}", file=sys.stderr)
    if args.centrality:
        metrics = centrality(g)
        if args.format == "json":
            json.dump(metrics, sys.stdout, ensure_ascii=False, indent=1)
            sys.stdout.write("\n")
        else:
            for line in centrality_lines(metrics):
                print(line)
    if not (args.svg or args.png or args.centrality):
        regs = [n for n, d in g.nodes(data=True) if d["kind"] == "basisregistratie"]
        links = sum(1 for *_, d in g.edges(data=True) if d["kind"] == "maaktGebruikVan")
        print(f"Stelselplaat: {len(regs)} registries, {links} 'maakt gebruik van' links, "
              f"{len(g) - len(regs)} facilities, {g.number_of_edges() - links} facility links; "
              f"use --svg FILE, --png FILE or --centrality")
    return 0


def cmd_trends(args: argparse.Namespace) -> int:
    """A facility's trend table in the terminal (or CSV/JSON), or --write the trend files."""
    from .publish.trends import SeriesError, load_labels, load_series, resolve_facility, write_trends
    from .publish.writer import TrendsError

    settings = get_settings()
    if args.write is not None:
        try:
            paths = write_trends(settings, Path(args.write) if args.write else None)
        except (TrendsError, SeriesError, OSError) as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
        print(f"wrote {len(paths)} files to {paths[-1].parent}")
        return 0
    if not args.code:
        print("error: give a facility code (gdigraph trends digid) or --write [DIR]", file=sys.stderr)
        return 2
    series_path = settings.build_dir / "series.csv"
    if not series_path.exists():
        print(f"error: {series_path} not found: run `gdigraph build` first", file=sys.stderr)
        return 2
    try:
        series = load_series(series_path)
    except SeriesError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    codelist, breakdowns, facilities = load_labels(settings)
    code = resolve_facility(args.code, facilities)
    if code is None or code not in set(series["facility_code"]):
        known = ", ".join(sorted(set(series["facility_code"])))
        print(f"error: no series for facility {args.code!r}; facilities with series: {known}", file=sys.stderr)
        return 2
    from .publish.terminal import print_trends

    return print_trends(series, code, args.format, args.width, codelist, breakdowns, facilities, settings)


def cmd_serve(args: argparse.Namespace) -> int:
    """The linked-data front (pages, /id/ redirects, /def, /sparql, dumps, VoID, catalog) with uvicorn;
    Ctrl-C stops it and the query engine's worker processes."""
    import uvicorn

    from .serve.app import create_app

    settings = get_settings()
    if args.sparql_endpoint is not None:
        settings = settings.with_(sparql_endpoint=args.sparql_endpoint)
    store = Path(args.store) if args.store else settings.store_dir
    if not settings.sparql_endpoint and not store.is_dir():
        print(f"error: no Oxigraph store at {store}: run `gdigraph build` first "
              "(or give --store DIR or --sparql-endpoint URL)", file=sys.stderr)
        return 2
    app = create_app(settings, store)
    # switches between releases (and failed ones) are always reported; the rest with -v
    import logging

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.getLogger("gdigraph").addHandler(handler)
    logging.getLogger("gdigraph").setLevel(logging.INFO if args.verbose else logging.WARNING)
    logging.getLogger("gdigraph.serve.follow").setLevel(logging.INFO)
    host = f"[{args.host}]" if ":" in args.host else args.host
    graph = settings.sparql_endpoint or app.served.store
    if app.served.version:
        graph = f"{graph}, release {app.served.version}"
    if app.following:
        graph = f"{graph}; following {app.link.link} every {app.interval:g} s"
    print(f"gdigraph: http://{host}:{args.port}/ (SPARQL: http://{host}:{args.port}/sparql; the graph: {graph}); "
          "Ctrl-C stops", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="info" if args.verbose else "warning")
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    """Publish the linked-data site as plain files (--static DIR)."""
    from .publish.static import StaticError, export_static

    settings = get_settings()
    if not args.static:
        print("error: say where: gdigraph publish --static DIR", file=sys.stderr)
        return 2
    try:
        result = export_static(settings, Path(args.static), store_path=args.store, sparql_url=args.sparql_url,
                               root=args.root or "")
    except (StaticError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(result.summary())
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="gdigraph", description="The knowledge graph of the Dutch GDI.")
    sub = p.add_subparsers(dest="command", required=True)

    e = sub.add_parser("extract", help="extract every figure of one report (text or PDF) to stdout")
    e.add_argument("path", help="a report: .txt (extracted text) or .pdf")
    e.add_argument("--format", choices=["csv", "json"], default="csv")
    e.add_argument("-v", "--verbose", action="store_true", help="also print informational notes")
    e.set_defaults(func=cmd_extract)

    a = sub.add_parser("extract-all", help="extract all bundled sources into build/observations.csv")
    a.add_argument("--out", help="output directory (default: the build directory)")
    a.set_defaults(func=cmd_extract_all)

    b = sub.add_parser("build", help="build the graph (named graphs, dumps, the embedded store) into build/")
    b.add_argument("--no-store", action="store_true", help="write the dumps only, no Oxigraph store")
    b.set_defaults(func=cmd_build)

    r = sub.add_parser("run", help="the main job: run the whole pipeline (Prefect flow yearly_monitor) on the "
                                   "bundled sources and publish a new release")
    r.add_argument("sources", nargs="*", help="reports, folders or URLs to read (default: data/sources)")
    r.add_argument("--publish-to", metavar="URL", help="also push the graphs to this Graph Store Protocol endpoint")
    r.add_argument("--prune", action="store_true",
                   help="with --publish-to: also remove the store's graphs under {base}/graph/ the release does not have")
    r.set_defaults(func=cmd_run)

    q = sub.add_parser("query", help="run a named query (queries/*.rq) or a .rq file against the graph")
    q.add_argument("name", nargs="?", help="a query name (see --list) or a path to a .rq file")
    q.add_argument("--format", choices=["table", "csv", "json"], default="table")
    q.add_argument("--list", action="store_true", help="list the named queries")
    q.set_defaults(func=cmd_query)

    pu = sub.add_parser("push", help="upload the named graphs to a triple store (SPARQL 1.1 Graph Store Protocol)")
    pu.add_argument("--store", required=True, metavar="URL",
                    help="the Graph Store Protocol endpoint, e.g. http://localhost:7878/store (Oxigraph)")
    pu.add_argument("--graph-dir", metavar="DIR", help="the graphs to push (default: build/current/graph)")
    pu.add_argument("--retries", type=int, default=3, help="retries of a graph after a transient failure")
    pu.add_argument("--prune", action="store_true",
                    help="then remove the store's graphs under {base}/graph/ that the release does not have "
                         "(graphs outside that namespace are never touched)")
    pu.add_argument("--query-endpoint", metavar="URL",
                    help="the store's SPARQL query endpoint, to list its graphs for --prune (default: beside --store, "
                         "e.g. .../store -> .../query)")
    pu.add_argument("--dry-run", action="store_true", help="change nothing: say what would be stored and removed")
    pu.add_argument("-q", "--quiet", action="store_true", help="print only the summary")
    pu.set_defaults(func=cmd_push)

    s = sub.add_parser("settings", help="print the settings in force (from GDIGRAPH_* variables)")
    s.set_defaults(func=cmd_settings)

    im = sub.add_parser("impact", help="what depends on a registry or facility (Stelselplaat), with paths")
    im.add_argument("code", help="a registry or facility code or notation, any case: BRP, brp, digilevering")
    im.add_argument("--format", choices=["table", "json"], default="table")
    im.set_defaults(func=cmd_impact)

    st = sub.add_parser("stelsel", help="the Stelselplaat: draw it (--svg, --png) or print --centrality")
    st.add_argument("--svg", metavar="FILE", help="write the plate as SVG")
    st.add_argument("--png", metavar="FILE", help="write the plate as PNG")
    st.add_argument("--title", help="title of the drawing")
    st.add_argument("--centrality", action="store_true", help="print in/out degree, betweenness and impact per registry")
    st.add_argument("--format", choices=["table", "json"], default="table", help="format of --centrality")
    st.set_defaults(func=cmd_stelsel)

    tr = sub.add_parser("trends", help="a facility's trend table (years as columns, change, growth, caveats), "
                                       "or --write the trend files (CSV+CSVW, XLSX, charts) to build/trends")
    tr.add_argument("code", nargs="?", help="a facility code or name, any case: digid, DigiD, eherkenning")
    tr.add_argument("--format", choices=["table", "csv", "json"], default="table")
    tr.add_argument("--width", type=int, help="line width of the table (default: the terminal's)")
    tr.add_argument("--write", nargs="?", const="", metavar="DIR",
                    help="write every trend file into DIR (default: build/trends)")
    tr.set_defaults(func=cmd_trends)

    sv = sub.add_parser("serve", help="serve the linked-data pages, /sparql, /def and the dumps over HTTP")
    sv.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    sv.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    sv.add_argument("--store", metavar="DIR", help="the Oxigraph store (default: the published or last build's)")
    sv.add_argument("--sparql-endpoint", metavar="URL",
                    help="read the graph from this SPARQL 1.1 endpoint instead of the store")
    sv.add_argument("-v", "--verbose", action="store_true", help="log every request")
    sv.set_defaults(func=cmd_serve)

    pb = sub.add_parser("publish", help="publish the linked-data site as static files (--static DIR)")
    pb.add_argument("--static", metavar="DIR", help="write the site (pages, RDF, dumps, VoID, catalog) into DIR")
    pb.add_argument("--store", metavar="DIR", help="the Oxigraph store (default: the published or last build's)")
    pb.add_argument("--sparql-url", metavar="URL", help="a public SPARQL endpoint for the pages to link to")
    pb.add_argument("--root", metavar="PATH", help="the path the site is served under (default: /)")
    pb.set_defaults(func=cmd_publish)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
