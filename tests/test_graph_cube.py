"""The Data Cube builder: observations per edition, missing cells, duplicates, revisions, series."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rdflib import RDF, XSD, Graph, Literal
from rdflib.compare import to_isomorphic

from gdigraph.graph.cube import QB, agree, build_cube, precision, read_figures
from gdigraph.harmonise.breakdowns import load_breakdowns
from gdigraph.harmonise.indicators import load_codelist
from gdigraph.uris import GraphUris

COLS = ["source", "line", "facility", "facility_code", "indicator", "indicator_code", "year", "raw", "value",
        "unit", "flags", "origin", "edition", "table", "label_line", "breakdown", "measure", "note"]

EDITIONS = [
    {"file": "a.txt", "edition": "2018", "title": "Monitor GDI 2018", "kind": "monitor-tables", "publisher": "ICTU",
     "publisher_code": "ictu;bzk", "publication_year": "2018", "reference_date": "2017-12-31",
     "years_covered": "2016;2017", "sha256": "x"},
    {"file": "b.txt", "edition": "2019-toelichting", "title": "Toelichting 2019", "kind": "monitor-prose",
     "publisher": "BZK", "publisher_code": "bzk", "publication_year": "2019", "reference_date": "2018-12-31",
     "years_covered": "2017;2018", "sha256": "y"},
]


def row(**kw) -> dict:
    r = {c: "" for c in COLS}
    r.update(facility="DigiD", facility_code="digid", indicator="Totaal aantal authenticaties",
             indicator_code="digid.authenticaties", unit="count", origin="table", measure="level")
    r.update({k: str(v) for k, v in kw.items()})
    return r


ROWS = [
    row(source="a.txt", line=10, edition="2018", year=2016, raw="258.455.650", value=258455650),
    row(source="a.txt", line=10, edition="2018", year=2017, raw="280.199.084", value=280199084),
    # the overview table of the same edition repeats 2017, rounded
    row(source="a.txt", line=90, edition="2018", year=2017, raw="280 miljoen", value=280000000),
    row(source="a.txt", line=11, edition="2018", year=2016, raw="--", value="", flags="missing",
        indicator="Aantal accounts op Basis", indicator_code="digid.accounts-basis"),
    # the next edition restates 2017 differently, and gives 2018 in prose only
    row(source="b.txt", line=20, edition="2019-toelichting", year=2017, raw="281.000.000", value=281000000),
    row(source="b.txt", line=21, edition="2019-toelichting", year=2018, raw="307 miljoen", value=307000000,
        origin="prose", indicator="authenticaties"),
]


@pytest.fixture(scope="module")
def parts():
    uris = GraphUris()
    return uris, load_codelist(), load_breakdowns()


def build(rows, parts):
    uris, cl, bd = parts
    return build_cube(rows, EDITIONS, uris, cl, bd, lambda lines: Graph())


def test_rounding_units_of_printed_figures():
    assert precision("negen miljoen", Decimal(9000000)) == 1000000
    assert precision("2,1 miljard", Decimal(2100000000)) == 100000000
    assert precision("6,6%", Decimal("6.6")) == Decimal("0.1")
    assert precision("1.234", Decimal(1234)) == 1


def test_one_observation_per_cell_with_every_source_line(parts):
    res = build(ROWS, parts)
    uris = parts[0]
    g = res.graphs["editie/2018"]
    o = uris.observation("2018", "digid.authenticaties", 2017)
    assert (o, RDF.type, uris.DEF.Waarneming) in g
    assert g.value(o, uris.DEF.waarde) == Literal("280199084", datatype=XSD.decimal)
    assert set(g.objects(o, uris.DEF.bron)) == {uris.source_line("2018", 10), uris.source_line("2018", 90)}
    assert not [p for p in res.problems if p.kind == "conflicting_figures"]


def test_a_missing_cell_is_not_an_observation(parts):
    res = build(ROWS, parts)
    uris = parts[0]
    g = res.graphs["editie/2018"]
    m = uris.observation("2018", "digid.accounts-basis", 2016)
    assert (m, RDF.type, uris.DEF.OntbrekendeWaarneming) in g
    assert (m, RDF.type, QB.Observation) not in g
    assert g.value(m, uris.DEF.waarde) is None
    assert (m, uris.DEF.vlag, uris.concept("vlag", "missing")) in g


def test_a_later_edition_that_prints_another_value_revises_the_earlier(parts):
    res = build(ROWS, parts)
    uris = parts[0]
    later = uris.observation("2019-toelichting", "digid.authenticaties", 2017)
    earlier = uris.observation("2018", "digid.authenticaties", 2017)
    g = res.graphs["editie/2019-toelichting"]
    assert g.value(later, uris.DEF.herzieningVan) == earlier
    assert (later, uris.DEF.vlag, uris.concept("vlag", "revised")) in g
    assert len(res.revisions) == 1


def test_the_series_takes_the_latest_edition_and_marks_revised_values(parts):
    res = build(ROWS, parts)
    uris = parts[0]
    s = res.graphs["reeksen"]
    o17 = uris.series_observation("digid.authenticaties", 2017)
    assert s.value(o17, uris.DEF.waarde) == Literal("281000000", datatype=XSD.decimal)
    assert s.value(o17, uris.DEF.herzien) == Literal(True)
    assert set(s.objects(o17, uris.DEF.bronWaarneming)) == {
        uris.observation("2018", "digid.authenticaties", 2017),
        uris.observation("2019-toelichting", "digid.authenticaties", 2017)}
    o16 = uris.series_observation("digid.authenticaties", 2016)
    assert s.value(o16, uris.DEF.herzien) == Literal(False)
    # a figure given only in prose still makes the series, from the edition's text dataset
    o18 = uris.series_observation("digid.authenticaties", 2018)
    assert s.value(o18, uris.DEF.waarde) == Literal("307000000", datatype=XSD.decimal)
    assert s.value(o18, uris.DEF.bronWaarneming) == uris.observation("2019-toelichting-tekst", "digid.authenticaties", 2018)


def test_conflicting_prints_in_one_edition_are_reported(parts):
    rows = ROWS + [row(source="a.txt", line=95, edition="2018", year=2016, raw="300 miljoen", value=300000000)]
    res = build(rows, parts)
    conflicts = [p for p in res.problems if p.kind == "conflicting_figures"]
    assert len(conflicts) == 1 and conflicts[0].line == 95


def test_a_text_figure_is_merged_into_the_table_figure_it_agrees_with(parts):
    # 'ruim 258 miljoen' in the text of the 2018 edition: the table's 2016 figure, one more source line
    rows = ROWS + [row(source="a.txt", line=5, edition="2018", year=2016, raw="ruim 258 miljoen", value=258000000,
                       origin="prose", indicator="authenticaties")]
    res = build(rows, parts)
    uris = parts[0]
    g = res.graphs["editie/2018"]
    table = uris.observation("2018", "digid.authenticaties", 2016)
    assert set(g.objects(table, uris.DEF.bron)) == {uris.source_line("2018", 10), uris.source_line("2018", 5)}
    assert uris.observation("2018-tekst", "digid.authenticaties", 2016) not in set(g.subjects())
    assert not [p for p in res.problems if p.kind == "conflicting_figures"]


def test_a_text_figure_at_odds_with_its_table_is_its_own_observation(parts):
    # the text of the 2018 edition says 300 million for 2016, the table 258,455,650: both figures are in
    # the graph, the text's in the edition's prose data set with its own value and line; it is reported,
    # restates nothing and is not a source of the harmonised series
    rows = ROWS + [row(source="a.txt", line=5, edition="2018", year=2016, raw="300 miljoen", value=300000000,
                       origin="prose", indicator="authenticaties")]
    res = build(rows, parts)
    uris = parts[0]
    g = res.graphs["editie/2018"]
    text = uris.observation("2018-tekst", "digid.authenticaties", 2016)
    table = uris.observation("2018", "digid.authenticaties", 2016)
    assert g.value(text, uris.DEF.waarde) == Literal("300000000", datatype=XSD.decimal)
    assert set(g.objects(text, uris.DEF.bron)) == {uris.source_line("2018", 5)}
    assert g.value(text, QB.dataSet) == uris.edition_dataset("2018-tekst")
    assert set(g.objects(table, uris.DEF.bron)) == {uris.source_line("2018", 10)}
    assert g.value(text, uris.DEF.herzieningVan) is None
    (conflict,) = [p for p in res.problems if p.kind == "conflicting_figures"]
    assert conflict.line == 5 and "'300 miljoen'" in conflict.message and "'258.455.650'" in conflict.message
    s = res.graphs["reeksen"]
    o16 = uris.series_observation("digid.authenticaties", 2016)
    assert s.value(o16, uris.DEF.waarde) == Literal("258455650", datatype=XSD.decimal)
    assert set(s.objects(o16, uris.DEF.bronWaarneming)) == {table}
    assert s.value(o16, uris.DEF.herzien) == Literal(False)
    assert len(res.revisions) == 1  # only the 2019 restatement of 2017


def test_figures_without_codes_are_reported_not_graphed(parts):
    rows = ROWS + [row(source="a.txt", line=99, edition="2018", year=2017, indicator="Nieuw", indicator_code="",
                       raw="5", value=5)]
    res = build(rows, parts)
    assert any(p.kind == "not_in_graph" and "Nieuw" in p.text for p in res.problems)


def test_building_twice_gives_the_same_graphs(parts):
    a, b = build(ROWS, parts), build(list(reversed(ROWS)), parts)
    for name in a.graphs:
        assert to_isomorphic(a.graphs[name]) == to_isomorphic(b.graphs[name])


def test_prints_agree_within_one_unit_of_the_coarser_print():
    # '2,1 miljard' may be 2.1 billion rounded or cut off: anything within 0.1 billion agrees
    rows = read_figures([row(year=2017, raw="2,1 miljard", value=2100000000, line=1),
                         row(year=2017, raw="2.145.000.000", value=2145000000, line=2),
                         row(year=2017, raw="2.215.000.000", value=2215000000, line=3)],
                        load_breakdowns(), {"digid"}, load_codelist())[0]
    assert agree(rows[0], rows[1]) and not agree(rows[0], rows[2])


@pytest.mark.parametrize("text, value, unit, table, agrees", [
    # rounded in the text; for counts the rounding counts for at most 10 %
    ("1,6 miljoen", "1600000", "count", "1682022", True),       # cut off at its last digit
    ("negen miljoen", "9000000", "count", "9458300", True),     # in words, cut off
    ("300 miljoen", "300000000", "count", "258455650", False),  # not a rounding of 258 million
    ("ruim 800.000", "800000", "count", "874731", True),        # 'ruim': more, by up to a step
    ("ruim 800.000", "800000", "count", "790000", False),       # ... never less
    ("een kleine 25.000", "25000", "count", "23618", True),     # 'een kleine': less
    ("bijna 40%", "40", "percent", "43", False),                # 'bijna': never more
    # percentages: rounded to 5 or 10 in a sentence
    ("10%", "10", "percent", "12", True),
    ("15%", "15", "percent", "17", True),
    ("14%", "14", "percent", "15.6", False),
    ("5%", "5", "percent", "-5.9", False),                      # the sign counts:
    ("5%", "-5", "percent", "-5.9", True),                      # 'daalde met 5%' is -5
    ("40%", "40", "percent", "142", False),
    ("12", "12", "count", "42.9", False),                       # another unit: never the same figure
])
def test_a_text_figure_agrees_with_a_table_figure_within_what_its_words_allow(text, value, unit, table, agrees):
    def figure(**kw):
        return read_figures([row(year=2017, **kw)], load_breakdowns(), {"digid"}, load_codelist())[0][0]

    t = figure(raw=table, value=table, unit="percent" if text == "12" else unit, line=1)
    p = figure(raw=text, value=value, unit=unit, line=2, origin="prose", indicator="authenticaties")
    assert agree(p, t) is agrees and agree(t, p) is agrees
