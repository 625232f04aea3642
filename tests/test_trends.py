"""Trend tables, CSVW, workbook, charts, CLI and /trends routes (gdigraph.publish, gdigraph.serve.trends).

A small hand-made series checks the computations against hand-computed frames; the real series is
built from the bundled sources into a temporary build directory (extract, cube, series.csv) and its
trend files are written once per session, so the tests never depend on the state of build/.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import socket
import threading
import time
import zipfile
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal
from rdflib import Graph, Literal, URIRef
from rdflib import namespace as ns

from gdigraph.cli import main
from gdigraph.harmonise.breakdowns import Breakdown, Breakdowns
from gdigraph.harmonise.facilities import facility_index
from gdigraph.harmonise.indicators import CodeList, Indicator
from gdigraph.publish.csvw import (
    Column,
    csv_bytes,
    csvw_to_rdf,
    expand_template,
    metadata_bytes,
    table_metadata,
    validate_csvw,
)
from gdigraph.publish.trends import (
    LONG_COLUMNS,
    SeriesError,
    UnknownFacility,
    facility_table,
    load_series,
    long_table,
    write_trends,
)
from gdigraph.publish.writer import TrendsError
from gdigraph.settings import Settings, get_settings
from gdigraph.uris import GraphUris

ROOT = Path(__file__).resolve().parents[1]
QB = "http://purl.org/linked-data/cube#"

FIXTURE = """\
facility_code,indicator_code,breakdown,year,value,unit,edition,revised,flags,origin,source,line,editions
digid,digid.a,totaal,2014,100,count,2018,false,,table,s1.txt,10,2018=100
digid,digid.a,totaal,2015,110,count,2018,false,,table,s1.txt,10,2018=110
digid,digid.a,totaal,2016,121,count,2018,false,,table,s1.txt,10,2018=121
digid,digid.a.verandering,totaal,2016,10,percent,2018,false,,table,s1.txt,10,2018=10
digid,digid.b,totaal,2015,200,count,2018,false,,table,s1.txt,11,2018=200
digid,digid.b,totaal,2016,150,count,2024,true,revised,table,s2.txt,5,2018=140;2024=150
digid,digid.b,totaal,2017,300,count,2018,false,approx,table,s1.txt,11,2018=300
digid,digid.b,totaal,2019,600,count,2024,false,method_change;footnote,table,s2.txt,5,2024=600
digid,digid.p,totaal,2015,40.5,percent,2018,false,,table,s1.txt,12,2018=40.5
digid,digid.p,totaal,2016,45,percent,2018,false,,table,s1.txt,12,2018=45
digid,digid.p,gemeenten,2016,50,percent,2018,false,,table,s1.txt,13,2018=50
digid,digid.z,totaal,2014,0,count,2018,false,,table,s1.txt,14,2018=0
digid,digid.z,totaal,2015,10,count,2018,false,,table,s1.txt,14,2018=10
digid,digid.m,totaal,2016,2.5,mean,2018,false,,table,s1.txt,15,2018=2.5
eherkenning,eherkenning.x,totaal,2014,5,count,2018,false,,table,s1.txt,20,2018=5
"""


def _indicator(code, label, unit):
    return Indicator(code, code.split(".")[0], label, label, unit)


@pytest.fixture
def codelist():
    # code-list order on purpose not alphabetical: b before a
    return CodeList([_indicator("digid.b", "B", "count"), _indicator("digid.a", "A", "count"),
                     _indicator("digid.p", "P", "percent"), _indicator("digid.z", "Z", "count"),
                     _indicator("digid.m", "M", "mean"), _indicator("eherkenning.x", "X", "count")], {})


@pytest.fixture
def breakdowns():
    return Breakdowns([Breakdown("totaal", "Totaal", "Total", "totaal"),
                       Breakdown("gemeenten", "Gemeenten", "Municipalities", "afzender")], {})


@pytest.fixture
def fixture_series(tmp_path):
    p = tmp_path / "series.csv"
    p.write_text(FIXTURE, encoding="utf-8")
    return load_series(p)


# ---------------------------------------------------------------------------------------------
# The real series, built from the bundled sources into a temporary build directory
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def real_build(tmp_path_factory):
    """(settings, cube) for a build directory with observations, editions and series.csv."""
    from gdigraph.graph.build import read_csv, write_series
    from gdigraph.graph.cube import build_cube
    from gdigraph.harmonise.breakdowns import load_breakdowns
    from gdigraph.harmonise.indicators import load_codelist
    from gdigraph.ingest import extract_all

    build = tmp_path_factory.mktemp("build")
    settings = get_settings().with_(build_dir=build)
    extract_all(settings.sources_dir, build)
    cube = build_cube(read_csv(build / "observations.csv"), read_csv(build / "editions.csv"), GraphUris(settings),
                      load_codelist(settings.codelists_dir), load_breakdowns(settings.codelists_dir),
                      lambda line: Graph())
    write_series(cube, build / "series.csv")
    return settings, cube


@pytest.fixture(scope="session")
def real_series(real_build):
    return load_series(real_build[0].build_dir / "series.csv")


@pytest.fixture(scope="session")
def trends_dir(real_build):
    settings, _ = real_build
    paths = write_trends(settings)
    out = settings.build_dir / "trends"
    assert all(p.is_relative_to(out) for p in paths)
    return out


@pytest.fixture(scope="session")
def labels():
    from gdigraph.publish.trends import load_labels

    return load_labels(get_settings())


# ---------------------------------------------------------------------------------------------
# load_series
# ---------------------------------------------------------------------------------------------

def test_load_series_types_and_exact_values(fixture_series):
    s = fixture_series
    assert list(s.columns) == ["facility_code", "indicator_code", "breakdown", "year", "value", "value_exact", "unit",
                               "edition", "revised", "flags", "origin", "source", "line", "editions"]
    assert s["year"].dtype == np.int64 and s["value"].dtype == np.float64 and s["revised"].dtype == bool
    assert s["line"].dtype == np.int64
    row = s[(s["indicator_code"] == "digid.p") & (s["year"] == 2015)].iloc[0]
    assert row["value"] == 40.5 and row["value_exact"] == "40.5"
    assert s["revised"].sum() == 1
    assert list(s["facility_code"]) == sorted(s["facility_code"])  # sorted


@pytest.mark.parametrize("edit, message", [
    (lambda t: t.replace("flags,origin", "flagz,origin"), "missing columns flags"),
    (lambda t: t.replace("digid.a,totaal,2014,100", "digid.a,totaal,14,100"), "four-digit year"),
    (lambda t: t.replace("digid.a,totaal,2014,100", "digid.a,totaal,2014,1.0.0"), "not a decimal"),
    (lambda t: t.replace("digid.a,totaal,2014,100,count,2018,false", "digid.a,totaal,2014,100,count,2018,ja"),
     "true/false"),
    (lambda t: t.replace("digid.a,totaal,2015,", "digid.a,totaal,2014,"), "twice"),
    (lambda t: t.replace("2.5,mean", "2.5,stuks"), "unit"),
])
def test_load_series_rejects_malformed_input(tmp_path, edit, message):
    p = tmp_path / "series.csv"
    p.write_text(edit(FIXTURE), encoding="utf-8")
    with pytest.raises(SeriesError, match=message):
        load_series(p)


# ---------------------------------------------------------------------------------------------
# facility_table and long_table on the fixture: hand-computed expectations
# ---------------------------------------------------------------------------------------------

def test_facility_table_matches_hand_computed_frame(fixture_series, codelist, breakdowns):
    nan = math.nan
    expected = pd.DataFrame({
        "indicator_code": ["digid.b", "digid.a", "digid.p", "digid.p", "digid.z", "digid.m"],
        "indicator": ["B", "A", "P", "P", "Z", "M"],
        "breakdown": ["totaal", "totaal", "totaal", "gemeenten", "totaal", "totaal"],
        "breakdown_label": ["Totaal", "Totaal", "Totaal", "Gemeenten", "Totaal", "Totaal"],
        "unit": ["count", "count", "percent", "percent", "count", "mean"],
        "2014": [nan, 100.0, nan, nan, 0.0, nan],
        "2015": [200.0, 110.0, 40.5, nan, 10.0, nan],
        "2016": [150.0, 121.0, 45.0, 50.0, nan, 2.5],
        "2017": [300.0, nan, nan, nan, nan, nan],
        "2018": [nan] * 6,  # no series has 2018: the column stays, so the gap shows
        "2019": [600.0, nan, nan, nan, nan, nan],
        "first_year": [2015, 2014, 2015, 2016, 2014, 2016],
        "last_year": [2019, 2016, 2016, 2016, 2015, 2016],
        # b: 2018 missing, so no year-on-year change for 2019; a: 121/110 - 1; z: from 0, undefined
        "yoy_pct": [nan, 10.0, nan, nan, nan, nan],
        # p is a percentage: the change is in percentage points (45 - 40.5)
        "yoy_pp": [nan, nan, 4.5, nan, nan, nan],
        "printed_change": [nan, 10.0, nan, nan, nan, nan],
        # b: (600/200)^(1/4) - 1; a: (121/100)^(1/2) - 1; percentages, a zero start, one year: none
        "cagr_pct": [(3 ** 0.25 - 1) * 100, 10.0, nan, nan, nan, nan],
        "revised": [True, False, False, False, False, False],
        "method_change": [True, False, False, False, False, False],
        "approx": [True, False, False, False, False, False],
        "missing_years": ["2018", "", "", "", "", ""],
        "flags": ["approx;footnote;method_change;revised", "", "", "", "", ""],
    })
    got = facility_table(fixture_series, "digid", codelist, breakdowns)
    assert_frame_equal(got, expected, check_exact=False, rtol=1e-12)
    assert math.isclose(got.loc[0, "cagr_pct"], 31.6074012952, rel_tol=1e-10)


def test_facility_table_of_a_facility_without_series(fixture_series, codelist, breakdowns):
    with pytest.raises(UnknownFacility, match="digid, eherkenning"):
        facility_table(fixture_series, "brp", codelist, breakdowns)


def test_long_table_is_tidy_with_labels_and_graph_uris(fixture_series, codelist, breakdowns):
    uris = GraphUris(Settings(base_uri="https://example.org/gdi"),
                     facility_kinds={"digid": "voorziening", "eherkenning": "voorziening"})
    lt = long_table(fixture_series, codelist, breakdowns=breakdowns, facilities=facility_index(), uris=uris)
    assert list(lt.columns) == list(LONG_COLUMNS)
    assert len(lt) == len(fixture_series)  # every observation, printed changes included
    order = list(zip(lt["indicator_code"], lt["breakdown"], lt["year"]))
    assert order[:6] == [("digid.b", "totaal", 2015), ("digid.b", "totaal", 2016), ("digid.b", "totaal", 2017),
                         ("digid.b", "totaal", 2019), ("digid.a", "totaal", 2014), ("digid.a", "totaal", 2015)]
    assert order[7] == ("digid.a.verandering", "totaal", 2016)  # right after its indicator
    assert order[-1] == ("eherkenning.x", "totaal", 2014)  # facilities in code-list order
    row = lt[(lt["indicator_code"] == "digid.p") & (lt["breakdown"] == "gemeenten")].iloc[0]
    assert row["observation_uri"] == str(uris.series_observation("digid.p", 2016, "gemeenten")) == \
        "https://example.org/gdi/id/reeks/digid.p/gemeenten/2016"
    assert row["series_uri"] == str(uris.series("digid.p", "gemeenten"))
    assert row["indicator_uri"] == str(uris.indicator("digid.p"))
    assert row["facility_uri"] == "https://example.org/gdi/id/voorziening/digid"
    assert row["unit_uri"] == str(uris.concept("eenheid", "procent"))
    assert (row["facility"], row["indicator"], row["breakdown_label"]) == ("DigiD", "P", "Gemeenten")
    change = lt[lt["indicator_code"] == "digid.a.verandering"].iloc[0]
    assert change["indicator"] == "A (verandering t.o.v. vorig jaar)"


# ---------------------------------------------------------------------------------------------
# Real values, checked against the source documents
# ---------------------------------------------------------------------------------------------

def _source_line(settings, source: str, line: int) -> str:
    return (settings.sources_dir / source).read_text(encoding="utf-8").splitlines()[line - 1]


@pytest.mark.parametrize("indicator, year, value, edition, printed", [
    ("digid.authenticaties", 2023, 480078039, "2024", "480.078.039"),  # Monitor Digitale Overheid 2024
    ("eherkenning.aangesloten-dienstverleners", 2014, 126, "2018", "126"),  # Monitor GDI 2018
])
def test_real_values_are_those_of_the_source_documents(real_build, real_series, indicator, year, value, edition,
                                                       printed):
    settings, _ = real_build
    row = real_series[(real_series["indicator_code"] == indicator) & (real_series["year"] == year)
                      & (real_series["breakdown"] == "totaal")].iloc[0]
    assert row["value_exact"] == str(value) and row["value"] == value and row["edition"] == edition
    editions = pd.read_csv(settings.sources_dir / "editions.csv", dtype=str)
    assert editions.set_index("edition").loc[edition, "file"] == row["source"]
    assert printed in _source_line(settings, row["source"], row["line"]).split()


def test_real_digid_table(real_series, labels):
    codelist, breakdowns, _ = labels
    t = facility_table(real_series, "digid", codelist, breakdowns).set_index(["indicator_code", "breakdown"])
    auth = t.loc[("digid.authenticaties", "totaal")]
    # 2018 only in the 2019 covering letter: 'Het gebruik van DigiD is in 2018 weer licht gestegen tot 307 miljoen
    # authenticaties' (000:21, a prose figure)
    assert auth["2023"] == 480078039 and auth["2022"] == 514038315 and auth["2018"] == 307000000
    assert math.isclose(auth["yoy_pct"], (480078039 / 514038315 - 1) * 100)
    assert auth["printed_change"] == -6.6 and abs(auth["yoy_pct"] - auth["printed_change"]) < 0.05
    assert math.isclose(auth["cagr_pct"], ((480078039 / 158300000) ** (1 / 9) - 1) * 100)
    assert (auth["first_year"], auth["last_year"], auth["missing_years"]) == (2014, 2023, "")
    accounts = t.loc[("digid.actieve-accounts", "totaal")]  # no edition gives 2018
    assert math.isnan(accounts["2018"]) and accounts["missing_years"] == "2018"
    assert list(t.index.get_level_values(0))[:3] == ["digid.aangesloten-organisaties",
                                                     "digid.aangesloten-webdiensten", "digid.actieve-accounts"]
    assert not any(c.endswith(".verandering") for c in t.index.get_level_values(0))


def test_real_eherkenning_method_change_and_percent_units(real_series, labels):
    codelist, breakdowns, _ = labels
    t = facility_table(real_series, "eherkenning", codelist, breakdowns).set_index("indicator_code")
    assert t.loc["eherkenning.aangesloten-dienstverleners", "2014"] == 126
    assert t.loc["eherkenning.bedrijven-met-eherkenning", "method_change"]
    bb = facility_table(real_series, "mijnoverheid-berichtenbox", codelist, breakdowns)
    pct = bb[bb["unit"] == "percent"]
    assert pct["cagr_pct"].isna().all() and pct["yoy_pct"].isna().all()
    total = pct[(pct["indicator_code"] == "mijnoverheid-berichtenbox.geopend-binnen-3-weken")
                & (pct["breakdown"] == "totaal")].iloc[0]
    assert total["yoy_pp"] == total["2023"] - total["2022"]


# ---------------------------------------------------------------------------------------------
# Written files: CSVW validity, linked data, index, determinism
# ---------------------------------------------------------------------------------------------

def test_every_written_table_is_valid_csvw(trends_dir):
    metas = sorted(trends_dir.glob("*.csv-metadata.json"))
    assert len(metas) == len(list(trends_dir.glob("*.csv"))) > 30
    for m in metas:
        assert validate_csvw(m) == [], m.name


def test_facility_csv_is_linked_data(trends_dir):
    uris = GraphUris()
    g = csvw_to_rdf(trends_dir / "digid.csv-metadata.json", base="https://gdigraph.nl/trends/digid.csv-metadata.json")
    waarde = uris.term("waarde")
    obs = uris.series_observation("digid.authenticaties", 2023)
    assert (obs, waarde, Literal("480078039", datatype=ns.XSD.decimal)) in g
    series = uris.series("digid.authenticaties")
    assert (series, ns.RDF.type, uris.term("Reeks")) in g
    assert (series, uris.term("indicator"), uris.indicator("digid.authenticaties")) in g
    assert (series, uris.term("voorziening"), uris.facility("digid")) in g
    assert (series, uris.term("uitsplitsing"), uris.concept("uitsplitsing", "totaal")) in g
    # computed columns keep the CSVW default property <table-url>#<name>
    last_year = URIRef("https://gdigraph.nl/trends/digid.csv#last_year")
    assert (series, last_year, Literal("2023", datatype=ns.XSD.gYear)) in g
    eh = csvw_to_rdf(trends_dir / "eherkenning.csv-metadata.json")
    assert (uris.series_observation("eherkenning.aangesloten-dienstverleners", 2014), waarde,
            Literal("126", datatype=ns.XSD.decimal)) in eh


def _norm(triple):
    return tuple((o.datatype, o.toPython()) if isinstance(o, Literal) else o for o in triple)


def test_long_table_rdf_is_the_graphs_harmonised_series(real_build, trends_dir):
    """The RDF of observations.csv is part of the named graph 'reeksen' the graph builder writes, and
    gives every value of it: the CSV is the same linked data, not a look-alike."""
    _, cube = real_build
    series_graph = cube.graphs["reeksen"]
    g = csvw_to_rdf(trends_dir / "observations.csv-metadata.json")
    ours = {_norm(t) for t in g}
    theirs = {_norm(t) for t in series_graph}
    assert ours - theirs == set()
    waarde = GraphUris().term("waarde")
    assert {_norm(t) for t in g.triples((None, waarde, None))} == \
        {_norm(t) for t in series_graph.triples((None, waarde, None))}
    assert len(set(g.subjects(ns.RDF.type, URIRef(QB + "Observation")))) == len(cube.series)
    long = pd.read_csv(trends_dir / "observations.csv", dtype=str, keep_default_na=False)
    assert set(long["Herkomst (table: tabel, prose: lopende tekst)"]) <= {"table", "prose"}


def test_index_lists_every_file_with_title_and_checksum(trends_dir):
    index = json.loads((trends_dir / "index.json").read_text(encoding="utf-8"))
    assert index["series_sha256"] == hashlib.sha256((trends_dir.parent / "series.csv").read_bytes()).hexdigest()
    assert index["source"] == str(GraphUris().series_dataset())
    on_disk = sorted(str(p.relative_to(trends_dir)) for p in trends_dir.rglob("*") if p.is_file())
    listed = [f["path"] for f in index["files"]]
    assert listed == sorted(listed) and sorted(listed + ["index.json"]) == on_disk
    media = {".csv": "text/csv", ".json": "application/csvm+json", ".xlsx":
             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".svg": "image/svg+xml",
             ".png": "image/png"}
    for f in index["files"]:
        data = (trends_dir / f["path"]).read_bytes()
        assert f["title"] and f["sha256"] == hashlib.sha256(data).hexdigest() and f["bytes"] == len(data)
        assert f["media_type"] == media[Path(f["path"]).suffix]
    kinds = {f["kind"] for f in index["files"]}
    assert kinds == {"table", "metadata", "workbook", "chart"}
    assert "charts/digid.authenticaties.svg" in listed and "charts/digid.authenticaties.png" in listed
    assert not any(".verandering" in p for p in listed)


def _subset_build(real_build, tmp_path, facilities=("digid", "eherkenning", "mijnoverheid-berichtenbox")):
    """A build dir with part of the real series, one value marked revised (the real data has none)."""
    settings, _ = real_build
    build = tmp_path / "build"
    build.mkdir()
    lines = (settings.build_dir / "series.csv").read_text(encoding="utf-8").splitlines()
    keep = [lines[0]] + [ln for ln in lines[1:] if ln.split(",", 1)[0] in facilities]
    keep = [ln.replace("digid,digid.authenticaties,totaal,2019,340758404,count,2024,false,,",
                       "digid,digid.authenticaties,totaal,2019,340758404,count,2024,true,revised,") for ln in keep]
    (build / "series.csv").write_text("\n".join(keep) + "\n", encoding="utf-8")
    return settings.with_(build_dir=build)


def test_written_files_are_byte_identical_run_to_run(real_build, tmp_path):
    settings = _subset_build(real_build, tmp_path)
    first = write_trends(settings, tmp_path / "a")
    second = write_trends(settings, tmp_path / "b")
    rel = [p.relative_to(tmp_path / "a") for p in first]
    assert rel == [p.relative_to(tmp_path / "b") for p in second]
    assert {p.suffix for p in first} == {".csv", ".json", ".xlsx", ".svg", ".png"}
    for r in rel:
        assert (tmp_path / "a" / r).read_bytes() == (tmp_path / "b" / r).read_bytes(), r
    revised = (tmp_path / "a" / "digid.csv").read_text(encoding="utf-8")
    assert "digid.authenticaties,Authenticaties,totaal,Totaal,count" in revised
    assert "<svg" in (tmp_path / "a" / "charts" / "digid.authenticaties.svg").read_text(encoding="utf-8")


def test_write_refuses_a_directory_it_did_not_write(real_build, tmp_path):
    settings = _subset_build(real_build, tmp_path, facilities=("eidas",))
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    with pytest.raises(TrendsError, match="not written by gdigraph"):
        write_trends(settings, foreign)
    assert (foreign / "notes.txt").read_text() == "keep me"
    with pytest.raises(TrendsError, match="gdigraph build"):
        write_trends(settings.with_(build_dir=tmp_path / "empty"), tmp_path / "x")


def test_workbook_is_deterministic_and_complete(trends_dir):
    from openpyxl import load_workbook

    data = (trends_dir / "trends.xlsx").read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
        assert "2000-01-01T00:00:00Z" in core
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames[0] == "index" and wb.sheetnames[-1] == "long"
    assert "mijnoverheid-persoonlijke-gegev" in wb.sheetnames  # 31 characters at most
    assert all(len(n) <= 31 for n in wb.sheetnames)
    ws = wb["digid"]
    header = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2, values_only=True) if r[0] == "Authenticaties")
    assert row[header.index("2023")] == 480078039
    assert wb["index"]["A2"].hyperlink.location or wb["index"]["A2"].hyperlink.target
    assert wb["long"].max_row - 1 == len(pd.read_csv(trends_dir / "observations.csv"))


def test_charts_are_svg_and_png_with_dutch_labels(trends_dir, real_series):
    from xml.etree import ElementTree

    from gdigraph.serve.trends import chart_svg

    svg = (trends_dir / "charts" / "digid.authenticaties.svg").read_text(encoding="utf-8")
    ElementTree.fromstring(svg.encode("utf-8"))  # well-formed
    for text in ("Authenticaties — DigiD", "Jaar", "Aantal", "mln"):
        assert text in svg
    assert "<dc:date>" not in svg
    assert (trends_dir / "charts" / "digid.authenticaties.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    inline = chart_svg(real_series, "eherkenning.bedrijven-met-eherkenning")
    assert inline.startswith("<svg") and "<?xml" not in inline and "methodewijziging" in inline
    assert inline == chart_svg(real_series, "eherkenning.bedrijven-met-eherkenning")
    with pytest.raises(KeyError):
        chart_svg(real_series, "digid.bestaat-niet")


# ---------------------------------------------------------------------------------------------
# The CSVW validator and converter on small tables
# ---------------------------------------------------------------------------------------------

def _small_table(tmp_path, rows=None, columns=None, meta_edit=None) -> Path:
    columns = columns or [
        Column("code", "Code", required=True, property_url="http://example.org/code"),
        Column("jaar", "Jaar", "gYear", property_url="http://example.org/jaar"),
        Column("waarde", "Waarde", "decimal", property_url="http://example.org/waarde"),
        Column("aantal", "Aantal", "integer"),
        Column("ok", "OK", "boolean"),
        Column("uri", "URI", "anyURI", suppress=True),
        Column("soort", "", virtual=True, property_url="rdf:type", value_url="http://example.org/Ding"),
    ]
    frame = pd.DataFrame(rows or {"code": ["a b", "c"], "jaar": [2014, 2015], "waarde": [1.5, 480078039.0],
                                  "aantal": [1, 2], "ok": [True, False], "uri": ["http://x.org/a", "http://x.org/c"]})
    (tmp_path / "t.csv").write_bytes(csv_bytes(frame, columns))
    meta = table_metadata("t.csv", "Test", columns, about_url="http://example.org/ding/{code}", primary_key=["code"])
    if meta_edit:
        meta_edit(meta)
    (tmp_path / "t.csv-metadata.json").write_bytes(metadata_bytes(meta))
    return tmp_path / "t.csv-metadata.json"


def test_small_table_is_valid_and_converts(tmp_path):
    m = _small_table(tmp_path)
    assert validate_csvw(m) == []
    g = csvw_to_rdf(m, base="http://example.org/tabel/t.csv-metadata.json")
    s = URIRef("http://example.org/ding/a%20b")  # {code}: simple expansion percent-encodes the space
    assert (s, URIRef("http://example.org/code"), Literal("a b")) in g
    assert (s, URIRef("http://example.org/jaar"), Literal("2014", datatype=ns.XSD.gYear)) in g
    assert (s, URIRef("http://example.org/waarde"), Literal("1.5", datatype=ns.XSD.decimal)) in g
    assert (s, URIRef("http://example.org/tabel/t.csv#aantal"), Literal("1", datatype=ns.XSD.integer)) in g
    assert (s, URIRef("http://example.org/tabel/t.csv#ok"), Literal(True)) in g
    assert (s, ns.RDF.type, URIRef("http://example.org/Ding")) in g
    assert not list(g.triples((None, URIRef("http://example.org/tabel/t.csv#uri"), None)))  # suppressed
    assert len(g) == 12


@pytest.mark.parametrize("edit, message", [
    (lambda t: t.replace("2014,1.5", "2014,1,5"), "row 2 has 7 cells"),
    (lambda t: t.replace("2014,1.5", "2014,1.5e3"), "'1.5e3' is not a valid decimal"),
    (lambda t: t.replace("a b,2014", "a b,14"), "'14' is not a valid gYear"),
    (lambda t: t.replace(",true,", ",ja,"), "'ja' is not a valid boolean"),
    (lambda t: t.replace("\nc,", "\na b,"), "primary key"),
    (lambda t: t.replace("\nc,", "\n,"), "required cell is empty"),
    (lambda t: t.replace("Waarde", "Value"), "header cell 3 'Value'"),
])
def test_validator_finds_bad_cells_and_headers(tmp_path, edit, message):
    m = _small_table(tmp_path)
    csv_path = tmp_path / "t.csv"
    csv_path.write_text(edit(csv_path.read_text(encoding="utf-8")), encoding="utf-8")
    errors = validate_csvw(m)
    assert any(message in e for e in errors), errors


@pytest.mark.parametrize("edit, message", [
    (lambda m: m.update({"@context": "http://www.w3.org/ns/csvw#"}), "@context must be"),
    (lambda m: m.update({"@context": ["http://www.w3.org/ns/csvw", {"ex": "http://example.org/"}]}),
     "only set @language and @base"),
    (lambda m: m.update({"titel": "x"}), "'titel' is not a term"),
    (lambda m: m["tableSchema"]["columns"][0].update({"datatypes": "string"}), "'datatypes' is not a term"),
    (lambda m: m["tableSchema"]["columns"][1].update({"datatype": "date"}), "datatype 'date' not supported"),
    (lambda m: m["tableSchema"].update({"aboutUrl": "http://example.org/{kode}"}), "uses {kode}"),
    (lambda m: m["tableSchema"].update({"primaryKey": ["kode"]}), "primaryKey names 'kode'"),
    (lambda m: m["tableSchema"]["columns"][0].update({"name": "_code"}), "invalid name '_code'"),
    (lambda m: m.update({"url": "missing.csv"}), "cannot read"),
])
def test_validator_finds_bad_metadata(tmp_path, edit, message):
    m = _small_table(tmp_path, meta_edit=edit)
    errors = validate_csvw(m)
    assert any(message in e for e in errors), errors


@pytest.mark.parametrize("edit, message", [
    (lambda meta: meta.update({"dc:source": {"@id": 5}}), "@id must be a string"),
    (lambda meta: meta.update({"dc:title": {"@value": ["a"]}}), "@value must be"),
    (lambda meta: meta.update({"tableSchema": "schema.json"}), "tableSchema must be an object"),
    (lambda meta: meta["tableSchema"].update({"columns": {"name": "x"}}), "list of column objects"),
])
def test_validator_checks_json_ld_structure(tmp_path, edit, message):
    m = _small_table(tmp_path, meta_edit=edit)
    errors = validate_csvw(m)
    assert any(message in e for e in errors), errors


def test_validator_reports_what_rdflib_cannot_parse(tmp_path):
    m = _small_table(tmp_path, meta_edit=lambda meta: meta.update({"dc:title": {"@value": "x", "@language": 5}}))
    errors = validate_csvw(m)
    assert any(e.startswith("not valid JSON-LD") for e in errors), errors


def test_validator_on_unreadable_json(tmp_path):
    m = _small_table(tmp_path)
    m.write_text("{not json", encoding="utf-8")
    assert "cannot read as JSON" in validate_csvw(m)[0]


@pytest.mark.parametrize("template, expected", [  # RFC 6570 section 1.2, levels 1 and 2
    ("{var}", "value"),
    ("{hello}", "Hello%20World%21"),
    ("{+var}", "value"),
    ("{+hello}", "Hello%20World!"),
    ("{+path}/here", "/foo/bar/here"),
    ("here?ref={+path}", "here?ref=/foo/bar"),
    ("X{#var}", "X#value"),
    ("X{#hello}", "X#Hello%20World!"),
    ("{path}", "%2Ffoo%2Fbar"),
    ("{undef}x", "x"),
    ("{+pct}", "50%25%20a%2F"),
])
def test_uri_template_expansion(template, expected):
    variables = {"var": "value", "hello": "Hello World!", "path": "/foo/bar", "pct": "50%25 a%2F"}
    assert expand_template(template, variables) == expected


# ---------------------------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------------------------

@pytest.fixture
def cli_env(real_build, monkeypatch):
    settings, _ = real_build
    monkeypatch.setenv("GDIGRAPH_BUILD_DIR", str(settings.build_dir))
    return settings


def test_cli_prints_an_aligned_table_with_years_as_columns(cli_env, capsys):
    assert main(["trends", "DigiD", "--width", "250"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("DigiD (digid): 15 reeksen, 2014–2023")
    header = out[1]
    for y in range(2014, 2024):
        assert str(y) in header
    auth = next(line for line in out if line.startswith("Authenticaties  "))
    assert "480.078.039" in auth and "-6,6%" in auth and "158.300.000" in auth and "307.000.000" in auth
    assert "gat" not in auth  # 2018 from the prose of the 2019 covering letter (000:21)
    accounts = next(line for line in out if line.startswith("Actieve DigiD's  "))
    assert "gat 2018" in accounts
    # aligned: every value of the 2023 column ends where its header ends
    end = header.index("2023") + 4
    rows = [line for line in out[3:] if line[:1].isalpha() and not line.startswith(("Δ", "("))]
    assert all(line[end - 1].isdigit() or line[end - 1] == " " for line in rows)
    assert max(len(line) for line in out[:-1]) <= 250


def test_cli_narrow_terminal_leaves_out_early_years(cli_env, capsys):
    assert main(["trends", "digid", "--width", "90"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "2014" not in out[1] and "2023" in out[1]
    assert any("weggelaten" in line for line in out)
    assert all(len(line) <= 90 for line in out[1:-1])


def test_cli_csv_is_the_written_file_and_json_has_nulls(cli_env, trends_dir, capsys):
    assert main(["trends", "eherkenning", "--format", "csv"]) == 0
    assert capsys.readouterr().out.encode("utf-8") == (trends_dir / "eherkenning.csv").read_bytes()
    assert main(["trends", "eherkenning", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["facility"] == "eherkenning" and doc["years"][0] == 2014
    row = doc["rows"][0]
    assert row["indicator_code"] == "eherkenning.aangesloten-dienstverleners"
    assert row["2014"] == 126 and row["yoy_pp"] is None and isinstance(row["revised"], bool)
    services = next(r for r in doc["rows"] if r["indicator_code"] == "eherkenning.aangesloten-diensten")
    assert services["2014"] is None and services["2023"] == 2885  # reported from 2019 on


def test_cli_unknown_facility_and_missing_arguments(cli_env, capsys):
    assert main(["trends", "nope"]) == 2
    assert "no series for facility 'nope'" in capsys.readouterr().err
    assert main(["trends"]) == 2
    assert "--write" in capsys.readouterr().err


def test_cli_write(real_build, tmp_path, monkeypatch, capsys):
    settings = _subset_build(real_build, tmp_path, facilities=("eidas",))
    monkeypatch.setenv("GDIGRAPH_BUILD_DIR", str(settings.build_dir))
    assert main(["trends", "--write", str(tmp_path / "out")]) == 0
    assert "wrote" in capsys.readouterr().out
    assert validate_csvw(tmp_path / "out" / "eidas.csv-metadata.json") == []
    assert main(["trends", "--write"]) == 0
    assert (settings.build_dir / "trends" / "index.json").exists()
    (tmp_path / "foreign").mkdir()
    (tmp_path / "foreign" / "x.txt").write_text("x")
    assert main(["trends", "--write", str(tmp_path / "foreign")]) == 2


# ---------------------------------------------------------------------------------------------
# /trends routes
# ---------------------------------------------------------------------------------------------

@pytest.fixture
def client(trends_dir):
    from starlette.applications import Starlette
    from starlette.testclient import TestClient

    from gdigraph.serve.trends import trends_routes

    return TestClient(Starlette(routes=trends_routes(get_settings(), trends_dir)))


@pytest.mark.parametrize("url, media_type", [
    ("/trends/digid.csv", "text/csv; charset=utf-8"),
    ("/trends/digid.csv-metadata.json", "application/csvm+json"),
    ("/trends/observations.csv", "text/csv; charset=utf-8"),
    ("/trends/trends.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("/trends/charts/digid.authenticaties.svg", "image/svg+xml"),
    ("/trends/charts/digid.authenticaties.png", "image/png"),
    ("/trends/index.json", "application/json"),
])
def test_routes_serve_files_with_media_types_and_etags(client, trends_dir, url, media_type):
    r = client.get(url)
    assert r.status_code == 200 and r.headers["content-type"] == media_type
    rel = url[len("/trends/"):]
    assert r.content == (trends_dir / rel).read_bytes()
    assert r.headers["etag"] == '"' + hashlib.sha256(r.content).hexdigest()[:40] + '"'
    assert r.headers["access-control-allow-origin"] == "*"
    again = client.get(url, headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    head = client.head(url)
    assert head.status_code == 200 and head.content == b"" and head.headers["content-length"] == str(len(r.content))


def test_csv_points_to_its_metadata(client):
    r = client.get("/trends/digid.csv")
    assert r.headers["link"] == '<digid.csv-metadata.json>; rel="describedby"; type="application/csvm+json"'


def test_index_by_accept(client, trends_dir):
    r = client.get("/trends/")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert r.json() == json.loads((trends_dir / "index.json").read_text(encoding="utf-8"))
    assert r.headers["vary"] == "Accept"
    h = client.get("/trends/", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert h.headers["content-type"] == "text/html; charset=utf-8"
    assert '<a href="/trends/digid.csv">' in h.text and "<style" not in h.text
    assert client.get("/trends/?format=html").headers["content-type"].startswith("text/html")
    assert client.get("/trends/", headers={"Accept": "image/png"}).status_code == 406
    redirect = client.get("/trends", follow_redirects=False)
    assert redirect.status_code == 308 and redirect.headers["location"] == "/trends/"


@pytest.mark.parametrize("url", [
    "/trends/nope.csv", "/trends/digid.csv.bak", "/trends/..%2Fseries.csv", "/trends/..%2F..%2Fpyproject.toml",
    "/trends/charts/..%2F..%2Fseries.csv", "/trends/charts/..%2Fdigid.csv", "/trends/charts/digid.authenticaties.csv",
    "/trends/charts/nope.svg", "/trends/%2e%2e", "/trends/charts/%2e%2e%2fdigid.csv",
])
def test_unknown_names_and_traversal_are_404(client, url):
    r = client.get(url)
    assert r.status_code == 404


def test_no_trends_written_is_404(tmp_path):
    from starlette.applications import Starlette
    from starlette.testclient import TestClient

    from gdigraph.serve.trends import trends_routes

    c = TestClient(Starlette(routes=trends_routes(get_settings(), tmp_path / "none")))
    assert c.get("/trends/").status_code == 404
    assert c.get("/trends/digid.csv").status_code == 404


def _raw_get(port: int, target: str) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode("ascii"))
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_real_uvicorn_refuses_raw_dot_segments(trends_dir):
    """A raw request target is not normalised by any client here: dot segments reach the app."""
    import uvicorn
    from starlette.applications import Starlette

    from gdigraph.serve.trends import trends_routes

    app = Starlette(routes=trends_routes(get_settings(), trends_dir / "charts" / ".."))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        port = server.servers[0].sockets[0].getsockname()[1]
        assert _raw_get(port, "/trends/digid.csv").startswith(b"HTTP/1.1 200")
        for target in ("/trends/../series.csv", "/trends/charts/../../series.csv", "/trends/..%2Fseries.csv",
                       "/trends/charts/..%2F..%2Fseries.csv", "/trends/%2e%2e/series.csv", "/trends/.."):
            assert _raw_get(port, target).startswith(b"HTTP/1.1 404"), target
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_exact_values_survive_the_csv(trends_dir, real_series):
    """Every observed value in a facility CSV is the exact decimal of series.csv."""
    exact = {(i, b, str(y)): Decimal(v) for i, b, y, v in real_series[["indicator_code", "breakdown", "year",
                                                                      "value_exact"]].itertuples(index=False)}
    checked = 0
    for path in trends_dir.glob("*.csv"):
        if path.name == "observations.csv":
            continue
        t = pd.read_csv(path, dtype=str, keep_default_na=False)
        for _, row in t.iterrows():
            for col in t.columns:
                if col.isdigit() and row[col]:
                    assert Decimal(row[col]) == exact[(row["Indicatorcode"], row["Uitsplitsing (code)"], col)]
                    checked += 1
    assert checked == sum(1 for k in exact if not k[0].endswith(".verandering"))
