"""Build stage: ingested observations + reference data + ontology -> named graphs, files, store.

Named graphs (``{base}/graph/{name}``): ``ontologie`` (the ontology), ``codelijsten`` (facilities,
indicators, breakdowns, domains as code lists), ``referentie`` (organisations, roles, the
Stelselplaat, carriers, recommendations, commitments, their sources, Stelselplaat centrality),
``editie/{code}`` (one per report edition: its figures with provenance) and ``reeksen`` (the
harmonised series).

Written to ``build/graph/``: ``gdigraph.nq`` (all named graphs, N-Quads, lines sorted: the same
input gives the same bytes), ``gdigraph.trig``, ``gdigraph.ttl`` and ``gdigraph.jsonld`` (the union,
for people and tools without named-graph support), one ``.nq`` per named graph under ``graphs/``,
and ``manifest.json`` (graph names, triple counts, SHA-256 of every file). The embedded store
(``build/store/``, Oxigraph) is loaded from the N-Quads.
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset, Graph, URIRef

from ..harmonise.breakdowns import load_breakdowns
from ..harmonise.indicators import load_codelist
from ..records import Problem
from ..settings import Settings, get_settings
from ..uris import GraphUris
from .cube import CubeResult, build_cube


@dataclass
class BuildResult:
    graph_dir: Path
    store_dir: Path | None
    graphs: dict[str, Graph]
    cube: CubeResult
    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def triples(self) -> int:
        return sum(self.counts.values())


def read_csv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def build_graphs(settings: Settings, ingest_dir: Path) -> tuple[dict[str, Graph], CubeResult, list[Problem]]:
    """All named graphs from the ingest output in ``ingest_dir`` (observations.csv, editions.csv)."""
    from . import reference, stelsel

    uris = GraphUris(settings)
    rows = read_csv(ingest_dir / "observations.csv")
    editions = read_csv(ingest_dir / "editions.csv")
    codelist = load_codelist(settings.codelists_dir)
    breakdowns = load_breakdowns(settings.codelists_dir)

    def source_lines(lines):
        return reference.source_line_resources(lines, settings, uris)

    cube = build_cube(rows, editions, uris, codelist, breakdowns, source_lines)
    ontology = Graph()
    ontology.parse(settings.ontology_dir / "gdi.ttl", format="turtle")
    graphs: dict[str, Graph] = {"ontologie": ontology, "codelijsten": reference.build_codelists(settings, uris),
                                "referentie": reference.build_reference(settings, uris)}
    g = stelsel.load_stelsel(settings)
    graphs["referentie"] += stelsel.centrality_triples(stelsel.centrality(g), uris)
    graphs.update(cube.graphs)
    return graphs, cube, list(cube.problems)


def to_dataset(graphs: dict[str, Graph], uris: GraphUris) -> Dataset:
    ds = Dataset()
    for name, g in graphs.items():
        target = ds.graph(uris.graph(name))
        for t in g:
            target.add(t)
    return ds


def skolemize(g: Graph, base: str) -> Graph:
    """Replace blank nodes by stable IRIs (``{base}/.well-known/genid/{hash of the node's triples}``),
    so the dump is byte-stable and every node can be referred to."""
    from rdflib import BNode

    bnodes = {t for t in g.all_nodes() if isinstance(t, BNode)}
    if not bnodes:
        return g
    names: dict = {}
    for b in sorted(bnodes, key=lambda b: sorted((p.n3(), o.n3() if not isinstance(o, BNode) else "_")
                                                 for p, o in g.predicate_objects(b))):
        h = hashlib.sha256()
        for p, o in sorted((p.n3(), o.n3() if not isinstance(o, BNode) else "_") for p, o in g.predicate_objects(b)):
            h.update(f"{p} {o}\n".encode())
        for s_, p in sorted((s_.n3() if not isinstance(s_, BNode) else "_", p.n3()) for s_, p in g.subject_predicates(b)):
            h.update(f"<- {s_} {p}\n".encode())
        names[b] = URIRef(f"{base}/.well-known/genid/{h.hexdigest()[:24]}")
    out = Graph()
    for s_, p, o in g:
        out.add((names.get(s_, s_), p, names.get(o, o)))
    return out


def nquads_lines(graphs: dict[str, Graph], uris: GraphUris) -> list[str]:
    """Sorted N-Quads lines of all named graphs: the canonical, byte-stable dump."""
    lines: set[str] = set()
    for name, g in graphs.items():
        gname = uris.graph(name).n3()
        nt = skolemize(g, uris.base).serialize(format="nt", encoding="utf-8").decode("utf-8")
        for line in nt.splitlines():
            line = line.strip()
            if line:
                lines.add(line[:-1].rstrip() + f" {gname} .\n")
    return sorted(lines)


def write_graph_files(graphs: dict[str, Graph], uris: GraphUris, out: Path) -> dict[str, int]:
    if out.exists():
        shutil.rmtree(out)
    (out / "graphs").mkdir(parents=True)
    lines = nquads_lines(graphs, uris)
    (out / "gdigraph.nq").write_text("".join(lines), encoding="utf-8")
    counts: dict[str, int] = {}
    for name, g in sorted(graphs.items()):
        gname = uris.graph(name).n3()
        mine = [ln for ln in lines if ln.endswith(f" {gname} .\n")]
        counts[name] = len(mine)
        (out / "graphs" / (name.replace("/", "-") + ".nq")).write_text("".join(mine), encoding="utf-8")
    union = Graph()
    for g in graphs.values():
        union += g
    _bind(union)
    (out / "gdigraph.trig").write_text(trig(graphs, uris), encoding="utf-8")
    (out / "gdigraph.ttl").write_text(union.serialize(format="turtle"), encoding="utf-8")
    (out / "gdigraph.jsonld").write_text(canonical_jsonld(union.serialize(format="json-ld")), encoding="utf-8")
    manifest = {
        "graphs": {name: {"uri": str(uris.graph(name)), "triples": n} for name, n in counts.items()},
        "files": {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                  for p in sorted(out.rglob("*")) if p.is_file()},
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return counts


def trig(graphs: dict[str, Graph], uris: GraphUris) -> str:
    """TriG of the named graphs, byte-stable: one prefix block, then each graph (in name order) as
    rdflib's (sorted) Turtle."""
    prefixes: list[str] = []
    blocks: list[str] = []
    for name in sorted(graphs):
        g = Graph()
        for t in graphs[name]:
            g.add(t)
        _bind(g)
        text = g.serialize(format="turtle")
        body = []
        for line in text.splitlines():
            if line.startswith("@prefix"):
                if line not in prefixes:
                    prefixes.append(line)
            else:
                body.append(line)
        inner = "\n".join(("    " + b) if b.strip() else "" for b in body).strip("\n")
        blocks.append(f"{uris.graph(name).n3()} {{\n{inner}\n}}\n")
    return "\n".join(sorted(prefixes)) + "\n\n" + "\n".join(blocks)


def canonical_jsonld(text: str) -> str:
    """JSON-LD with nodes sorted by @id and every value list sorted: the same graph, the same bytes."""
    data = json.loads(text)

    def key(x) -> str:
        return json.dumps(x, sort_keys=True, ensure_ascii=False)

    def norm(x):
        if isinstance(x, dict):
            return {k: norm(v) for k, v in x.items()}
        if isinstance(x, list):
            return sorted((norm(v) for v in x), key=key)
        return x

    if isinstance(data, dict) and "@graph" in data:
        data["@graph"] = sorted((norm(n) for n in data["@graph"]), key=lambda n: (str(n.get("@id", "")), key(n)))
    else:
        data = norm(data)
    return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def _bind(g) -> None:
    from .vocab import bind_prefixes

    bind_prefixes(g)


def load_store(nquads: Path, store_dir: Path) -> None:
    """Load the N-Quads into a fresh on-disk Oxigraph store (replacing any previous one)."""
    import pyoxigraph

    if store_dir.exists():
        shutil.rmtree(store_dir)
    store_dir.parent.mkdir(parents=True, exist_ok=True)
    store = pyoxigraph.Store(str(store_dir))
    store.bulk_load(path=str(nquads), format=pyoxigraph.RdfFormat.N_QUADS)
    store.flush()
    store.optimize()
    del store


SERIES_COLUMNS = ["facility_code", "indicator_code", "breakdown", "year", "value", "unit", "edition", "revised",
                  "flags", "origin", "source", "line", "editions"]


def write_series(cube: CubeResult, path: Path) -> None:
    """The harmonised series as a tidy table (one row per facility x indicator x year x breakdown)."""
    from ..records import format_decimal

    rows = []
    for key in sorted(cube.series):
        c = cube.series[key]
        rows.append({
            "facility_code": c["facility_code"], "indicator_code": c["indicator_code"], "breakdown": c["breakdown"],
            "year": str(c["year"]), "value": format_decimal(c["value"]), "unit": c["unit"], "edition": c["edition"],
            "revised": "true" if c["revised"] else "false", "flags": ";".join(c["flags"]), "origin": c["origin"],
            "source": c["source"], "line": str(c["line"]),
            "editions": ";".join(f"{e}={format_decimal(v)}" for e, v in c["sources"]),
        })
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, SERIES_COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def build(settings: Settings | None = None, ingest_dir: Path | None = None, out_dir: Path | None = None,
          store: bool = True) -> BuildResult:
    settings = settings or get_settings()
    ingest_dir = ingest_dir or settings.build_dir
    out_dir = out_dir or settings.build_dir
    uris = GraphUris(settings)
    graphs, cube, problems = build_graphs(settings, ingest_dir)
    graphs = {name: skolemize(g, uris.base) for name, g in graphs.items()}
    graph_dir = out_dir / "graph"
    counts = write_graph_files(graphs, uris, graph_dir)
    write_series(cube, out_dir / "series.csv")
    store_dir = out_dir / "store" if store else None
    if store_dir is not None:
        load_store(graph_dir / "gdigraph.nq", store_dir)
    return BuildResult(graph_dir, store_dir, graphs, cube, problems, counts)
