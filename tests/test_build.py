"""The build stage: files, counts, validation, and byte-for-byte determinism across processes."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys

import pyoxigraph
from rdflib import Dataset, Graph

from gdigraph.graph.validate import check_cube, check_shacl


def test_build_writes_every_dump_and_a_manifest(built):
    settings, result = built
    d = result.graph_dir
    for name in ("gdigraph.nq", "gdigraph.trig", "gdigraph.ttl", "gdigraph.jsonld", "manifest.json"):
        assert (d / name).stat().st_size > 0, name
    manifest = json.loads((d / "manifest.json").read_text())
    assert set(manifest["graphs"]) >= {"ontologie", "codelijsten", "referentie", "reeksen", "editie/2024",
                                        "editie/2018", "editie/2019-toelichting"}
    assert sum(g["triples"] for g in manifest["graphs"].values()) == result.triples
    for rel, digest in manifest["files"].items():
        assert hashlib.sha256((d / rel).read_bytes()).hexdigest() == digest


def test_every_dump_holds_the_same_graph(built):
    settings, result = built
    d = result.graph_dir
    ds = Dataset()
    ds.parse(d / "gdigraph.trig", format="trig")
    assert sum(len(g) for g in ds.graphs() if len(g)) == result.triples
    union = Graph().parse(d / "gdigraph.jsonld", format="json-ld")
    ttl = Graph().parse(d / "gdigraph.ttl", format="turtle")
    assert len(union) == len(ttl) <= result.triples


def test_the_store_holds_the_named_graphs(built):
    settings, result = built
    store = pyoxigraph.Store.read_only(str(result.store_dir))
    names = {g.value for g in store.named_graphs()}
    assert f"{settings.base_uri}/graph/reeksen" in names
    assert len(store) == result.triples


def test_the_built_graph_passes_shacl_and_all_data_cube_constraints(built):
    settings, result = built
    assert check_cube(result.graph_dir / "gdigraph.nq") == []
    shacl = check_shacl(result.graph_dir / "gdigraph.nq")
    assert shacl.conforms, shacl.report_text[:3000]


def test_every_row_of_observations_csv_is_an_observation_with_its_source_line(built, memory_store):
    """Issue 3: every extracted figure, table or prose, is in the graph as an observation of its edition with
    its indicator, year and breakdown and with its own source line (gdi:bron -> gdi:Bronregel). A figure
    printed twice in one edition (an overview table repeating a cell, a prose figure a table gives too) is
    one observation with both source lines; a cell printed without a value is a gdi:OntbrekendeWaarneming."""
    import csv

    from gdigraph.harmonise.breakdowns import load_breakdowns
    from gdigraph.uris import GraphUris

    settings, result = built
    rows = list(csv.DictReader(open(settings.build_dir / "observations.csv", encoding="utf-8")))
    assert {r["origin"] for r in rows} == {"table", "prose"}
    uris, bd = GraphUris(settings), load_breakdowns(settings.codelists_dir)
    q = """PREFIX gdi: <https://gdigraph.nl/def/gdi#> PREFIX qb: <http://purl.org/linked-data/cube#>
           SELECT ?t ?ed ?ind ?y ?b ?src WHERE { GRAPH ?g {
             ?o a ?t ; gdi:editie ?ed ; gdi:indicator ?ind ; gdi:jaar ?y ; gdi:uitsplitsing ?b ; gdi:bron ?src .
             ?src a gdi:Bronregel .
             FILTER(?t IN (qb:Observation, gdi:OntbrekendeWaarneming)) } }"""
    found = {tuple(s[v].value for v in ("ed", "ind", "y", "b", "src", "t")) for s in memory_store.query(q)}
    observation, missing = "http://purl.org/linked-data/cube#Observation", str(uris.DEF.OntbrekendeWaarneming)
    absent = []
    for r in rows:
        code, breakdown = r["indicator_code"], bd.code(r["breakdown"])
        if not code or breakdown is None or r["facility_code"] not in uris.facility_kinds:
            absent.append((r["source"], r["line"], r["indicator"], "no code"))
            continue
        key = (str(uris.edition(r["edition"])), str(uris.indicator(code)), r["year"],
               str(uris.concept("uitsplitsing", breakdown)), str(uris.source_line(r["edition"], int(r["line"]))))
        types = (observation,) if r["value"] else (observation, missing)
        if not any(key + (t,) in found for t in types):
            absent.append((r["source"], r["line"], r["indicator"], code))
    assert not absent, f"{len(absent)} of {len(rows)} figures are not in the graph: {absent[:10]}"


def test_no_figure_is_kept_out_of_the_graph(built):
    settings, result = built
    assert not [str(p) for p in result.problems if p.kind == "not_in_graph"]


def test_a_second_build_in_another_process_gives_the_same_bytes(built, tmp_path):
    settings, result = built
    out = tmp_path / "again"
    code = ("import sys; from pathlib import Path; from gdigraph.settings import Settings; "
            "from gdigraph.graph.build import build; s = Settings(build_dir=Path(sys.argv[1])); "
            "build(s, Path(sys.argv[2]), Path(sys.argv[1]), store=False)")
    env = dict(os.environ, PYTHONHASHSEED="4242")
    subprocess.run([sys.executable, "-c", code, str(out), str(settings.build_dir)], check=True, env=env,
                   timeout=300)
    for f in sorted(result.graph_dir.rglob("*")):
        if f.is_file():
            assert f.read_bytes() == (out / "graph" / f.relative_to(result.graph_dir)).read_bytes(), f.name
    assert (settings.build_dir / "series.csv").read_bytes() == (out / "series.csv").read_bytes()
