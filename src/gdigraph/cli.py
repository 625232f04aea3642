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


def cmd_run(args: argparse.Namespace) -> int:
    """The main job: ingest every bundled report into build/."""
    return cmd_extract_all(argparse.Namespace(out=None))


def cmd_settings(args: argparse.Namespace) -> int:
    for k, v in get_settings().as_dict().items():
        print(f"{k} = {v}")
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

    r = sub.add_parser("run", help="the main job: run the whole pipeline on the bundled sources")
    r.set_defaults(func=cmd_run)

    s = sub.add_parser("settings", help="print the settings in force (from GDIGRAPH_* variables)")
    s.set_defaults(func=cmd_settings)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
