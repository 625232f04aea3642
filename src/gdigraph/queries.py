"""Named queries: documented architect questions in ``queries/*.rq``, run against the graph.

Each file starts with ``#`` comment lines: the first is the title, the following ones the description.
``gdigraph query NAME_OR_FILE [--format table|csv|json]`` runs one against the embedded store
(read-only, in-process) or, when ``GDIGRAPH_SPARQL_ENDPOINT`` is set, against that endpoint.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

from .settings import Settings, get_settings


class QueryError(Exception):
    pass


@dataclass(frozen=True)
class NamedQuery:
    name: str
    path: Path
    title: str
    description: str
    text: str


def read_query(path: Path) -> NamedQuery:
    text = path.read_text(encoding="utf-8")
    comments = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        comments.append(line.lstrip("#").strip())
    title = comments[0] if comments else path.stem
    return NamedQuery(path.stem, path, title, " ".join(c for c in comments[1:] if c), text)


def list_queries(settings: Settings | None = None) -> list[NamedQuery]:
    d = (settings or get_settings()).queries_dir
    return [read_query(p) for p in sorted(d.glob("*.rq"))] if d.exists() else []


def find_query(name_or_file: str, settings: Settings | None = None) -> NamedQuery:
    p = Path(name_or_file)
    if p.suffix == ".rq" and p.exists():
        return read_query(p)
    known = {q.name: q for q in list_queries(settings)}
    if name_or_file in known:
        return known[name_or_file]
    raise QueryError(f"no named query {name_or_file!r}; known: {', '.join(sorted(known)) or '(none)'}")


@dataclass
class Result:
    variables: list[str]
    rows: list[dict[str, str]]  # variable -> lexical value ('' when unbound)

    def as_csv(self) -> str:
        out = io.StringIO()
        w = csv.DictWriter(out, self.variables, lineterminator="\n")
        w.writeheader()
        w.writerows(self.rows)
        return out.getvalue()

    def as_json(self) -> str:
        return json.dumps({"variables": self.variables, "rows": self.rows}, ensure_ascii=False, indent=1) + "\n"

    def as_table(self, max_width: int = 60) -> str:
        def cut(v: str) -> str:
            return v if len(v) <= max_width else v[: max_width - 1] + "…"

        cells = [[cut(r.get(v, "")) for v in self.variables] for r in self.rows]
        widths = [max([len(v)] + [len(c[i]) for c in cells]) for i, v in enumerate(self.variables)]
        lines = ["  ".join(v.ljust(w) for v, w in zip(self.variables, widths)).rstrip(),
                 "  ".join("-" * w for w in widths)]
        for c in cells:
            lines.append("  ".join(x.ljust(w) for x, w in zip(c, widths)).rstrip())
        lines.append(f"({len(self.rows)} rows)")
        return "\n".join(lines) + "\n"


def run_query(text: str, settings: Settings | None = None, store_dir: Path | None = None, store=None) -> Result:
    """Run a SELECT or ASK query: on ``store`` (a pyoxigraph Store) if given, else on the configured
    SPARQL endpoint, else on the embedded store on disk (read-only)."""
    settings = settings or get_settings()
    if store is None and settings.sparql_endpoint:
        return _run_remote(text, settings)
    if store is None:
        store_dir = store_dir or settings.store_dir
        if not store_dir.exists():
            raise QueryError(f"no store at {store_dir}: run `gdigraph build` (or `make run`) first")
        import pyoxigraph

        store = pyoxigraph.Store.read_only(str(store_dir))
    try:
        res = store.query(text, use_default_graph_as_union=True)
    except SyntaxError as e:
        raise QueryError(f"malformed query: {e}") from e
    if isinstance(res, bool) or res.__class__.__name__ == "QueryBoolean":
        return Result(["ask"], [{"ask": "true" if bool(res) else "false"}])
    if not hasattr(res, "variables"):
        raise QueryError("CONSTRUCT/DESCRIBE queries are answered by /sparql; `gdigraph query` runs SELECT and ASK")
    variables = [v.value for v in res.variables]
    rows = []
    for sol in res:
        row = {}
        for v in variables:
            term = sol[v]
            row[v] = "" if term is None else term.value
        rows.append(row)
    return Result(variables, rows)


def _run_remote(text: str, settings: Settings) -> Result:
    import httpx

    try:
        r = httpx.post(settings.sparql_endpoint, data={"query": text},
                       headers={"Accept": "application/sparql-results+json"}, timeout=settings.query_timeout + 5)
    except httpx.HTTPError as e:
        raise QueryError(f"{settings.sparql_endpoint}: {e}") from e
    if r.status_code != 200:
        raise QueryError(f"{settings.sparql_endpoint} answered {r.status_code}: {r.text[:300]}")
    data = r.json()
    if "boolean" in data:
        return Result(["ask"], [{"ask": "true" if data["boolean"] else "false"}])
    variables = data["head"]["vars"]
    rows = [{v: b.get(v, {}).get("value", "") for v in variables} for b in data["results"]["bindings"]]
    return Result(variables, rows)
