"""The Stelselplaat graph: loading (CSV and RDF), impact, uses, centrality, drawing, CLI."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from decimal import Decimal

import networkx as nx
import pytest
from rdflib import RDF, RDFS, SKOS, BNode, Graph, Literal, URIRef

from gdigraph.cli import main
from gdigraph.graph import stelsel as st
from gdigraph.graph.stelsel import (
    CARRIES, HAS_PART, USES, UnknownCode, centrality, centrality_triples, draw_png, draw_svg, impact,
    load_stelsel, same_stelsel, stelsel_from_rdf, uses,
)
from gdigraph.settings import Settings
from gdigraph.uris import GraphUris

TEN = {"brp", "hr", "bag", "brt", "bgt", "brk", "brv", "woz", "bri", "bro"}
XSD_DECIMAL = URIRef("http://www.w3.org/2001/XMLSchema#decimal")
NOTATIONS = {"BRP", "HR", "BAG", "BRT", "BGT", "BRK", "BRV", "WOZ", "BRI", "BRO"}


@pytest.fixture(scope="module")
def g() -> nx.DiGraph:
    return load_stelsel(Settings())


# --------------------------------------------------------------------------------------------
# loading
# --------------------------------------------------------------------------------------------

def test_nodes_are_the_ten_registries_the_carrying_facilities_and_their_parents(g):
    regs = {n for n, d in g.nodes(data=True) if d["kind"] == "basisregistratie"}
    assert regs == TEN
    assert {g.nodes[n]["notation"] for n in regs} == NOTATIONS
    others = set(g) - regs
    assert others == {"digilevering", "digimelding", "bv-bsn", "mijnoverheid-persoonlijke-gegevens", "mijnoverheid"}
    assert g.nodes["digilevering"]["kind"] == "stelselvoorziening"
    assert g.nodes["mijnoverheid"]["kind"] == "voorziening"
    assert g.nodes["bv-bsn"]["notation"] == "BV BSN"
    for n, d in g.nodes(data=True):
        assert d["code"] == n and d["notation"] and d["label"]


def test_edges_follow_the_plate_and_the_carriers(g):
    links = {(u, v) for u, v, d in g.edges(data=True) if d["kind"] == USES}
    assert len(links) == 19  # the 19 rows of stelselplaat.csv
    assert g.edges["hr", "brp"]["keys"] == ("BSN",)
    assert g.edges["woz", "hr"]["keys"] == ("KvK-nummer", "RSIN", "vestigingsnummer")
    assert g.edges["brk", "bgt"]["keys"] == ()
    assert g.edges["digilevering", "brp"] == {"kind": CARRIES, "relations": ("levert-gebeurtenissen",)}
    assert g.edges["digimelding", "bgt"]["relations"] == ("terugmelden",)
    assert g.edges["bv-bsn", "brp"]["relations"] == ("ontsluit",)
    assert g.edges["mijnoverheid-persoonlijke-gegevens", "bri"]["relations"] == ("toont-gegevens",)
    assert g.edges["mijnoverheid", "mijnoverheid-persoonlijke-gegevens"]["kind"] == HAS_PART
    # registries only point to registries; nothing points to a facility except its whole
    for u, v, d in g.edges(data=True):
        if d["kind"] == USES:
            assert {u, v} <= TEN
        elif d["kind"] == CARRIES:
            assert u not in TEN and v in TEN


def _facts_as_rdf(settings: Settings, uris: GraphUris) -> Graph:
    """The CSV facts written the way the ontology says (as the graph builder does), straight from
    the CSV files, so that the RDF loader is checked against an independent reading."""
    import csv

    gdi = uris.term
    out = Graph()
    with open(settings.codelists_dir / "facilities.csv", encoding="utf-8") as f:
        facilities = {r["code"]: r for r in csv.DictReader(f)}
    cls = {"basisregistratie": "Basisregistratie", "stelselvoorziening": "Stelselvoorziening",
           "voorziening": "Voorziening"}
    for code, r in facilities.items():  # every facility of the code list, like the code-list graph
        s = uris.facility(code)
        out.add((s, RDF.type, gdi(cls[r["kind"]])))
        out.add((s, RDF.type, SKOS.Concept))
        out.add((s, SKOS.notation, Literal(r["notation"])))
        out.add((s, SKOS.prefLabel, Literal(r["label_nl"], lang="nl")))
        out.add((s, SKOS.prefLabel, Literal(r["label_en"], lang="en")))
        out.add((s, RDFS.label, Literal(r["label_nl"], lang="nl")))
        if r["parent"]:
            out.add((s, gdi("onderdeelVan"), uris.facility(r["parent"])))
    with open(settings.reference_dir / "stelselplaat.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            user, used = r["registry"].lower(), r["uses"].lower()
            out.add((uris.facility(user), gdi("maaktGebruikVan"), uris.facility(used)))
            k = uris.link(user, used)
            out.add((uris.facility(user), gdi("koppeling"), k))
            out.add((k, RDF.type, gdi("Koppeling")))
            out.add((k, gdi("afnemendeRegistratie"), uris.facility(user)))
            out.add((k, gdi("leverendeRegistratie"), uris.facility(used)))
            for key in r["keys_passed_on"].split(";"):
                if key.strip():
                    out.add((k, gdi("sleutel"), Literal(key.strip())))
    with open(settings.reference_dir / "carriers.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            out.add((uris.facility(r["facility"]), gdi("draagt"), uris.facility(r["registry"])))
    # noise the loader must ignore: a qualified role node, a blank node, another facility's parent
    out.add((uris.facility("digid-machtigen"), gdi("onderdeelVan"), uris.facility("digid")))
    out.add((uris.facility("brp"), gdi("rol"), BNode()))
    return out


def test_rdf_loader_gives_the_same_graph_as_the_csv_loader(g):
    settings = Settings()
    uris = GraphUris(settings)
    h = stelsel_from_rdf(_facts_as_rdf(settings, uris), uris)
    assert same_stelsel(g, h)
    assert not same_stelsel(g, h, relations=True)  # gdi:draagt does not say how
    assert all(d["relations"] == () for *_, d in h.edges(data=True) if d["kind"] == CARRIES)
    # so the analyses agree
    assert centrality(g) == centrality(h)
    assert [r.path.nodes for r in impact(g, "bag").reached] == [r.path.nodes for r in impact(h, "bag").reached]


def test_rdf_loader_agrees_with_the_graph_builder(g):
    """When the graph builder's reference module exists: its triples give the same graph."""
    reference = pytest.importorskip("gdigraph.graph.reference")
    settings = Settings()
    uris = GraphUris(settings)
    rdf = reference.build_codelists(settings, uris) + reference.build_reference(settings, uris)
    assert same_stelsel(g, stelsel_from_rdf(rdf, uris))


def test_rdf_loader_rejects_a_node_without_notation():
    settings = Settings()
    uris = GraphUris(settings)
    rdf = _facts_as_rdf(settings, uris)
    rdf.remove((uris.facility("bag"), SKOS.notation, None))
    with pytest.raises(st.StelselError, match="notation"):
        stelsel_from_rdf(rdf, uris)


# --------------------------------------------------------------------------------------------
# impact and uses
# --------------------------------------------------------------------------------------------

def test_impact_of_brp(g):
    imp = impact(g, "BRP")
    assert imp.code == "brp" and imp.direction == "impact"
    direct_regs = {r.code for r in imp.direct if r.is_registry}
    assert direct_regs == {"hr", "brk", "woz", "brv", "bri"}
    assert {r.code for r in imp.transitive if r.is_registry} == {"bro", "brt"}  # via HR, via BRK
    assert {r.code for r in imp.facilities} == {"digilevering", "digimelding", "bv-bsn",
                                               "mijnoverheid-persoonlijke-gegevens", "mijnoverheid"}
    assert imp.get("mijnoverheid-persoonlijke-gegevens").direct
    mo = imp.get("mijnoverheid")
    assert mo.depth == 2
    assert mo.path.text == "MijnOverheid contains MijnOverheid Persoonlijke Gegevens shows data of BRP"
    bro = imp.get("bro")
    assert bro.path.text == "BRO uses HR uses BRP"
    assert bro.path.keys == ((), ("BSN",))
    assert imp.get("bv-bsn").path.text == "BV BSN gives access to BRP"
    assert "bag" not in imp and "bgt" not in imp  # BRP uses them, not the other way round


def test_impact_of_bag(g):
    imp = impact(g, "bag")
    assert {r.code for r in imp.direct if r.is_registry} == {"brp", "hr", "brk", "woz", "bgt", "brt"}
    assert {r.code for r in imp.registries} == TEN - {"bag"}
    woz = imp.get("woz")
    assert woz.depth == 1 and woz.path.text == "WOZ uses BAG"
    texts = [p.text for p in woz.paths]
    assert "WOZ uses BRK uses BAG" in texts  # transitively too
    via_brk = woz.paths[texts.index("WOZ uses BRK uses BAG")]
    assert via_brk.keys == (("kadastraal object-id",), ("adres", "adresseerbaar object-id"))
    assert "BRK" in woz.via(g, "impact")
    # every path is a real chain of edges ending at BAG, shortest first, no repeats
    for r in imp.reached:
        assert r.paths[0].nodes[0] == r.code and len(r.paths[0].nodes) - 1 == r.depth
        assert len({p.nodes for p in r.paths}) == len(r.paths)
        for p in r.paths:
            assert p.nodes[-1] == "bag" and all(g.has_edge(u, v) for u, v in zip(p.nodes, p.nodes[1:]))
            assert len(set(p.nodes)) == len(p.nodes)
    bri = imp.get("bri")
    assert bri.depth == 2 and bri.path.text == "BRI uses BRP uses BAG"
    assert imp.get("mijnoverheid").depth == 3


def test_registry_with_no_dependants(g):
    imp = impact(g, "BRO")
    assert imp.reached == ()
    lines = st.impact_lines(g, imp)
    assert "no registry or facility depends on it" in lines[-1]
    # WOZ: no registry uses it, but facilities carry its data
    woz = impact(g, "woz")
    assert woz.registries == ()
    assert {r.code for r in woz.facilities} == {"digilevering", "mijnoverheid-persoonlijke-gegevens", "mijnoverheid"}


def test_impact_of_a_facility(g):
    assert {r.code for r in impact(g, "MijnOverheid Persoonlijke Gegevens").reached} == {"mijnoverheid"}
    assert impact(g, "Digilevering").reached == ()


def test_unknown_code_lists_the_known_codes(g):
    with pytest.raises(UnknownCode) as e:
        impact(g, "BLAU")
    msg = str(e.value)
    assert "'BLAU'" in msg
    for code in sorted(TEN) + ["digilevering", "mijnoverheid"]:
        assert code in msg
    with pytest.raises(UnknownCode):
        uses(g, "")


def test_codes_are_case_insensitive(g):
    assert impact(g, "brp").codes == impact(g, "BRP").codes == impact(g, " Brp ").codes
    assert impact(g, "bv bsn").code == "bv-bsn"
    assert impact(g, "Basisregistratie Personen").code == "brp"


def test_uses_of_woz_is_transitive(g):
    u = uses(g, "WOZ")
    assert u.direction == "uses"
    assert {r.code for r in u.direct} == {"bag", "brk", "brp", "hr"}
    assert {r.code for r in u.transitive} == {"bgt"}
    assert u.get("bgt").path.text == "WOZ uses BRK uses BGT"
    assert u.get("bgt").path.keys == (("kadastraal object-id",), ())
    assert uses(g, "bag").reached == ()
    # a facility uses what it shows, and what that uses
    assert {r.code for r in uses(g, "mijnoverheid").registries} == TEN - {"bro", "brt"}


def test_impact_as_dict_is_json(g):
    d = json.loads(json.dumps(impact(g, "hr").as_dict(g)))
    assert {x["code"] for x in d["direct"]} >= {"brk", "woz", "brv", "bro"}
    bro = next(x for x in d["direct"] if x["code"] == "bro")
    assert bro["path"] == "BRO uses HR" and bro["keys_passed_on"] == [[]]


# --------------------------------------------------------------------------------------------
# a 4-registry fixture: D uses C, C uses B, B uses A, D uses A; facility F (part of P) carries A
# --------------------------------------------------------------------------------------------

@pytest.fixture()
def small(tmp_path) -> Settings:
    (tmp_path / "codelists").mkdir()
    (tmp_path / "reference").mkdir()
    head = "code,notation,kind,domain,parent,label_nl,label_en,aliases,umbrella\n"
    rows = [f"{c},{c.upper()},basisregistratie,gegevens-registreren,,Registratie {c.upper()},Register {c.upper()},{c.upper()},"
            for c in "abcd"]
    rows.append("f,F,stelselvoorziening,gegevens-registreren,p,Voorziening F,Facility F,F,")
    rows.append("p,P,voorziening,gegevens-registreren,,Voorziening P,Facility P,P,")
    rows.append("x,X,voorziening,gegevens-registreren,,Voorziening X,Facility X,X,")  # carries nothing
    (tmp_path / "codelists" / "facilities.csv").write_text(head + "\n".join(rows) + "\n", encoding="utf-8")
    (tmp_path / "reference" / "stelselplaat.csv").write_text(
        "registry,uses,keys_passed_on,note,source,source_line,quote\n"
        "D,C,k1,,,,\nC,B,k2; k3,,,,\nB,A,k4,,,,\nD,A,,,,,\n", encoding="utf-8")
    (tmp_path / "reference" / "carriers.csv").write_text(
        "facility,relation,registry,since,until,as_of,note,source,source_line,quote\n"
        "f,levert-gebeurtenissen,a,,,2017-12-31,,,,\n"
        "f,levert-gebeurtenissen,a,,,2023-12-31,,,,\n"
        "f,terugmelden,b,,2020-01-01,2017-12-31,ended,,,\n", encoding="utf-8")
    return Settings(data_dir=tmp_path)


def test_centrality_of_the_fixture_by_hand(small):
    g = load_stelsel(small)
    assert set(g) == {"a", "b", "c", "d", "f", "p"}
    assert not g.has_edge("f", "b")  # the ended carrier row is left out
    m = centrality(g)
    assert set(m) == {"a", "b", "c", "d"}
    assert {c: (m[c]["in_degree"], m[c]["out_degree"]) for c in m} == {"a": (2, 0), "b": (1, 1), "c": (1, 1), "d": (0, 2)}
    # shortest paths between ordered pairs: D->B goes through C, C->A through B; D->A is direct.
    # normalised by (n-1)(n-2) = 6
    assert m["b"]["betweenness"] == pytest.approx(1 / 6)
    assert m["c"]["betweenness"] == pytest.approx(1 / 6)
    assert m["a"]["betweenness"] == 0 and m["d"]["betweenness"] == 0
    assert {c: m[c]["impact"] for c in m} == {"a": 3, "b": 2, "c": 1, "d": 0}
    assert {c: m[c]["uses"] for c in m} == {"a": 0, "b": 1, "c": 2, "d": 3}
    assert {c: m[c]["impact_facilities"] for c in m} == {"a": 2, "b": 0, "c": 0, "d": 0}
    imp = impact(g, "A")
    assert [(r.code, r.depth) for r in imp.reached] == [("b", 1), ("d", 1), ("f", 1), ("c", 2), ("p", 2)]
    assert [p.text for p in imp.get("d").paths] == ["D uses A", "D uses C uses B uses A"]
    assert imp.get("d").paths[1].keys == (("k1",), ("k2", "k3"), ("k4",))
    assert imp.get("p").path.text == "P contains F delivers events of A"


def test_centrality_triples(small):
    g = load_stelsel(small)
    uris = GraphUris(small, facility_kinds={c: "basisregistratie" for c in "abcd"})
    t = centrality_triples(centrality(g), uris)
    a, b, d = uris.facility("a"), uris.facility("b"), uris.facility("d")
    assert len(t) == 12
    assert t.value(b, uris.term("betweenness")) == Literal("0.166667", datatype=XSD_DECIMAL)
    assert str(t.value(b, uris.term("betweenness"))) == "0.166667"
    assert str(t.value(a, uris.term("betweenness"))) == "0"
    assert t.value(a, uris.term("ingraad")) == Literal("2", datatype=XSD_DECIMAL)
    assert t.value(d, uris.term("uitgraad")) == Literal("2", datatype=XSD_DECIMAL)
    for _, _, o in t:
        assert o.datatype == XSD_DECIMAL
    # the same metrics give the same bytes
    again = centrality_triples(centrality(load_stelsel(small)), uris)
    assert sorted(t.serialize(format="nt").splitlines()) == sorted(again.serialize(format="nt").splitlines())


def test_decimal6_rounds_deterministically():
    assert st.decimal6(1 / 6) == Decimal("0.166667")
    assert st.decimal6(2 / 3) == Decimal("0.666667")
    assert st.decimal6(0.5) == Decimal("0.5")
    assert st.decimal6(0.0000004) == Decimal(0)
    assert st.decimal6(1.0) == Decimal(1)


def test_centrality_of_the_plate(g):
    m = centrality(g)
    assert set(m) == TEN
    assert m["bag"]["in_degree"] == 6 and m["bag"]["out_degree"] == 0 and m["bag"]["impact"] == 9
    assert m["brp"]["in_degree"] == 5 and m["brp"]["impact"] == 7
    # BRK lies on WOZ->BGT, BRT->HR and BRT->BRP: 3 of 9*8 ordered pairs
    assert m["brk"]["betweenness"] == pytest.approx(3 / 72)
    assert max(m, key=lambda c: m[c]["betweenness"]) == "brk"
    assert all(0 <= x["betweenness"] <= 1 for x in m.values())


def test_centrality_triples_of_the_plate_conform_to_the_shapes_datatypes(g):
    uris = GraphUris(Settings())
    t = centrality_triples(centrality(g), uris)
    assert len(t) == 30
    assert set(t.subjects()) == {uris.facility(c) for c in TEN}
    assert str(t.value(uris.facility("brk"), uris.term("betweenness"))) == "0.041667"


# --------------------------------------------------------------------------------------------
# drawing
# --------------------------------------------------------------------------------------------

def _svg_texts(path) -> list[str]:
    root = ET.parse(path).getroot()
    return ["".join(el.itertext()).strip() for el in root.iter("{http://www.w3.org/2000/svg}text")]


def test_svg_has_the_ten_notations_as_text_and_is_deterministic(g, tmp_path):
    one = draw_svg(g, tmp_path / "one.svg")
    two = draw_svg(load_stelsel(Settings()), tmp_path / "sub" / "two.svg")
    assert one.read_bytes() == two.read_bytes()
    texts = _svg_texts(one)
    assert NOTATIONS <= set(texts)
    assert "Stelselplaat: basisregistraties en voorzieningen" in texts
    assert "maakt gebruik van" in texts  # the legend
    assert any(t.startswith("Digilevering") for t in texts)
    data = one.read_text(encoding="utf-8")
    assert "<dc:date>" not in data
    root = ET.parse(one).getroot()
    ids = {el.get("id") for el in root.iter()}
    assert {f"stelsel-{c}" for c in TEN} <= ids


def test_svg_does_not_change_global_matplotlib_settings(g, tmp_path):
    import matplotlib

    before = dict(matplotlib.rcParams)
    draw_svg(g, tmp_path / "p.svg", title="Other title")
    assert dict(matplotlib.rcParams) == before
    assert "Other title" in _svg_texts(tmp_path / "p.svg")


def test_png_is_deterministic(g, tmp_path):
    a = draw_png(g, tmp_path / "a.png")
    b = draw_png(g, tmp_path / "b.png")
    assert a.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert a.read_bytes() == b.read_bytes()


def test_fixture_plate_uses_a_layered_layout(small, tmp_path):
    g = load_stelsel(small)
    pos = st.plate_layout(g)
    assert set(pos) == set(g)
    assert pos["a"][1] < pos["b"][1] < pos["c"][1] < pos["d"][1]  # users above what they use
    assert pos["p"][0] > pos["f"][0]  # a whole to the right of its part
    assert {"A", "B", "C", "D"} <= set(_svg_texts(draw_svg(g, tmp_path / "s.svg")))


# --------------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------------

def test_cli_impact_table(capsys):
    assert main(["impact", "BRP"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Impact of BRP (Basisregistratie Personen) if it fails: 7 registries, 5 facilities")
    for text in ("HR uses BRP", "BRK uses BRP", "WOZ uses BRP", "BRV uses BRP", "BRI uses BRP",
                 "BRO uses HR uses BRP", "Digilevering delivers events of BRP", "BV BSN gives access to BRP"):
        assert text in out
    assert out.index("Direct (") < out.index("Transitive (")


def test_cli_impact_lower_case_and_json(capsys):
    assert main(["impact", "brp", "--format", "json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["code"] == "brp"
    assert {x["code"] for x in d["direct"] if x["kind"] == "basisregistratie"} == {"hr", "brk", "woz", "brv", "bri"}
    assert {x["code"] for x in d["transitive"]} == {"bro", "brt", "mijnoverheid"}


def test_cli_impact_unknown_code(capsys):
    assert main(["impact", "xyz"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: unknown registry or facility code 'xyz'; known codes: bag, bgt, bri,")


def test_cli_stelsel_draws(tmp_path, capsys):
    svg, png = tmp_path / "plate.svg", tmp_path / "plate.png"
    assert main(["stelsel", "--svg", str(svg), "--png", str(png)]) == 0
    assert NOTATIONS <= set(_svg_texts(svg))
    assert png.read_bytes()[:4] == b"\x89PNG"
    assert "wrote" in capsys.readouterr().err


def test_cli_stelsel_centrality(capsys):
    assert main(["stelsel", "--centrality"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["code", "registry", "used"]
    assert lines[1].split() == ["bag", "BAG", "6", "0", "0.000000", "9", "5", "0"]
    assert len(lines) == 11
    assert main(["stelsel", "--centrality", "--format", "json"]) == 0
    assert set(json.loads(capsys.readouterr().out)) == TEN


def test_cli_stelsel_without_options_summarises(capsys):
    assert main(["stelsel"]) == 0
    assert "10 registries, 19 'maakt gebruik van' links" in capsys.readouterr().out
