"""Figures as an RDF Data Cube: one dataset per edition, and the harmonised series.

Per edition (named graph ``graph/editie/{code}``): the ``gdi:Editie``, a dataset of its table figures
and one of its prose figures (``gdi:dsd-waarnemingen``), one ``gdi:Waarneming`` per cell with a value
and a ``gdi:OntbrekendeWaarneming`` per cell printed without one, each with its source line
(``gdi:bron`` -> ``gdi:Bronregel``). A figure a later edition prints differently points to the
earlier one with ``gdi:herzieningVan`` and carries ``vlag:revised``.

The harmonised series (named graph ``graph/reeksen``): one ``gdi:ReeksWaarneming`` per facility x
indicator x year x breakdown, the value of the latest edition that gives it (table figures before
prose figures), ``gdi:herzien`` true when the editions disagree, every contributing observation
reachable through ``gdi:bronWaarneming``; one ``gdi:Reeks`` slice per series, with its first and latest
year (``gdi:eersteJaar``, ``gdi:laatsteJaar``) and its current figure (``gdi:laatsteWaarneming``); the
data set states the latest year of all series (``gdi:laatsteJaar``), so that "the last five years" is
one lookup, not a scan of every figure.

When one edition prints the same cell twice (an overview table repeating a registry's own figure),
the most precise figure is the observation and the other print is kept as a further source line; if
they disagree beyond rounding, that is reported.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS

from ..harmonise.breakdowns import Breakdowns
from ..harmonise.indicators import CodeList
from ..records import Problem
from ..uris import GraphUris

QB = Namespace("http://purl.org/linked-data/cube#")
UNIT_CODES = {"count": "aantal", "percent": "procent", "mean": "gemiddelde"}
APPROXIMATE = {"approx"}


@dataclass
class Figure:
    """One row of observations.csv, typed."""

    row: dict
    edition: str
    facility: str
    indicator: str
    year: int
    breakdown: str
    value: Decimal | None
    flags: set[str]
    origin: str
    line: int

    @property
    def key(self) -> tuple[str, str, int, str]:
        return (self.edition, self.indicator, self.year, self.breakdown)

    @property
    def cell(self) -> tuple[str, int, str]:
        return (self.indicator, self.year, self.breakdown)

    @property
    def approximate(self) -> bool:
        return bool(self.flags & APPROXIMATE) or self.origin == "prose"


@dataclass
class Cell:
    """One cell of one edition: its figure and any other print of it in the same edition."""

    primary: Figure
    others: list[Figure] = field(default_factory=list)
    uri: URIRef | None = None
    revises: "Cell | None" = None

    @property
    def has_value(self) -> bool:
        return self.primary.value is not None


@dataclass
class CubeResult:
    graphs: dict[str, Graph]  # named-graph name ('editie/2024', 'reeksen') -> graph
    problems: list[Problem]
    cells: dict[tuple, Cell]
    revisions: list[tuple[Cell, Cell]]  # (later, earlier)
    series: dict[tuple, dict]


def precision(raw: str, value: Decimal | None) -> Decimal:
    """The rounding unit of a printed figure: '2,1 miljard' -> 100000000; '1.234' -> 1; '6,6%' -> 0.1."""
    m = re.search(r"(\d+(?:[.,]\d+)*)\s*(mln|miljoen|mlrd|miljard|duizend)?", raw.replace("\u202f", " "),
                  re.IGNORECASE)
    if value is None:
        return Decimal(1)
    if not m:  # a number in words: 'negen miljoen' is given to the million
        w = re.search(r"(duizend|miljoen|miljard)\b", raw, re.IGNORECASE)
        return Decimal({"duizend": 10**3, "miljoen": 10**6, "miljard": 10**9}[w.group(1).lower()]) if w else Decimal(1)
    lit, scale = m.group(1), (m.group(2) or "").lower()
    factor = Decimal({"": 1, "duizend": 10**3, "mln": 10**6, "miljoen": 10**6, "mlrd": 10**9,
                      "miljard": 10**9}[scale])
    decimals = 0
    if "," in lit:
        decimals = len(lit.rsplit(",", 1)[1])
    elif "." in lit and (len(lit.rsplit(".", 1)[1]) != 3 or (scale and lit.count(".") == 1)):
        decimals = len(lit.rsplit(".", 1)[1])
    return factor / (Decimal(10) ** decimals)


def agree(a: Figure, b: Figure) -> bool:
    """Do two prints of a figure agree, allowing for the rounding of the coarser one?

    An exact print stands for its value give or take one unit of its last digit. An approximate one
    (a figure from the text, or flagged ``approx``) stands for the range its words allow
    (``approximate_range``). They agree when their ranges overlap; figures in different units never do.
    """
    if a.value is None or b.value is None:
        return a.value is None and b.value is None
    if a.row.get("unit") != b.row.get("unit"):
        return False
    if a.value == b.value:
        return True
    if not (a.approximate or b.approximate):
        tol = max(precision(a.row["raw"], a.value), precision(b.row["raw"], b.value))
        return abs(a.value - b.value) <= tol
    lo_a, hi_a = _range(a)
    lo_b, hi_b = _range(b)
    return lo_a <= hi_b and lo_b <= hi_a


# words in a text figure that bound the true value: 'ruim 800.000' is more, 'bijna 40%' less
_MORE = re.compile(r"\b(ruim|ruimschoots|meer dan|boven de|boven|over|more than|over|well over)\b", re.IGNORECASE)
_LESS = re.compile(r"\b(bijna|een kleine|kleine|nog geen|minder dan|onder de|almost|nearly|less than)\b",
                   re.IGNORECASE)


def roundness(value: Decimal) -> Decimal:
    """The rounding a round figure suggests: 800000 -> 100000, 25000 -> 1000, 15 -> 5, 10 -> 10, 14 -> 1."""
    v = abs(value)
    if v == 0 or v != v.to_integral_value():
        return Decimal(0)
    v = int(v)
    unit = 1
    while v % (unit * 10) == 0:
        unit *= 10
    if (v // unit) % 5 == 0 and v // unit > 5:
        unit *= 5
    return Decimal(unit)


def _range(f: Figure) -> tuple[Decimal, Decimal]:
    """The values a printed figure allows. Exact: within one unit of its last digit. Approximate (text):
    within one unit of its last digit (a figure cut off), half its rounding (``roundness``) or 5 %,
    whichever is widest -- for counts the rounding counts for at most 10 % ('300 miljoen' is not 258
    million), for percentages fully ('10%' for +12) --; after 'ruim'/'meer dan' only upwards, after
    'bijna'/'een kleine' only downwards, then by up to a whole rounding step or 10 %; mirrored for
    decreases."""
    v, raw = f.value, f.row["raw"]
    unit = precision(raw, v)
    if not f.approximate:
        return v - unit, v + unit
    mag = abs(v)
    rounding = roundness(v)
    if f.row.get("unit") != "percent":
        rounding = min(rounding, mag * Decimal("0.10"))
    if _MORE.search(raw):
        lo, hi = mag, mag + max(unit, rounding, mag * Decimal("0.10"))
    elif _LESS.search(raw):
        lo, hi = mag - max(unit, rounding, mag * Decimal("0.10")), mag
    else:
        half = max(unit, rounding / 2, mag * Decimal("0.05"))
        lo, hi = mag - half, mag + half
    return (lo, hi) if v >= 0 else (-hi, -lo)


def _significance(f: Figure) -> tuple:
    """Prefer a figure with a value, exact before approximate, tables before prose, finer rounding."""
    if f.value is None:
        return (0,)
    return (1, 0 if f.approximate else 1, 1 if f.origin == "table" else 0,
            -precision(f.row["raw"], f.value), f.line)


def read_figures(rows: list[dict], breakdowns: Breakdowns, known_facilities: set[str],
                 codelist: CodeList) -> tuple[list[Figure], list[Problem]]:
    figures: list[Figure] = []
    problems: list[Problem] = []
    skipped: dict[tuple, int] = defaultdict(int)
    for r in rows:
        src, line = r["source"], int(r["line"] or 0)
        if not r["facility_code"] or r["facility_code"] not in known_facilities:
            skipped[(src, "facility", r["facility_code"] or "?")] += 1
            continue
        base = r["indicator_code"].removesuffix(".verandering")
        if not r["indicator_code"] or base not in codelist.indicators:
            skipped[(src, "indicator", r["indicator"][:60])] += 1
            continue
        bd = breakdowns.code(r.get("breakdown", ""))
        if bd is None:
            skipped[(src, "breakdown", r["breakdown"])] += 1
            continue
        value = Decimal(r["value"]) if r["value"] != "" else None
        flags = set(filter(None, r["flags"].split(";")))
        figures.append(Figure(r, r["edition"], r["facility_code"], r["indicator_code"], int(r["year"]), bd,
                              value, flags, r["origin"], line))
    for (src, what, label), n in sorted(skipped.items()):
        problems.append(Problem(src, 0, "warning", "not_in_graph",
                                f"{n} figure(s) with an unknown {what} are kept in observations.csv but not "
                                f"put in the graph until the code list knows them", label))
    return figures, problems


def edition_order(editions: list[dict]) -> list[str]:
    def key(e: dict):
        ref = e.get("reference_date") or f"{int(e.get('publication_year') or 0) - 1}-12-31"
        return (ref, int(e.get("publication_year") or 0), e["edition"])

    return [e["edition"] for e in sorted(editions, key=key)]


def build_cube(rows: list[dict], editions: list[dict], uris: GraphUris, codelist: CodeList,
               breakdowns: Breakdowns, source_lines) -> CubeResult:
    """``source_lines(lines: set[(file, line)]) -> Graph`` builds the gdi:Bronregel resources."""
    figures, problems = read_figures(rows, breakdowns, set(uris.facility_kinds), codelist)
    order = edition_order(editions)
    rank = {code: i for i, code in enumerate(order)}
    ed_by_code = {e["edition"]: e for e in editions}
    # 1. one cell per (edition, origin, indicator, year, breakdown)
    grouped: dict[tuple, list[Figure]] = defaultdict(list)
    for f in figures:
        grouped[(f.origin,) + f.key].append(f)
    cells: dict[tuple, Cell] = {}
    for gkey in sorted(grouped, key=lambda k: (rank.get(k[1], 0), k)):
        group = grouped[gkey]
        ordered = sorted(group, key=_significance, reverse=True)
        cell = Cell(ordered[0], ordered[1:])
        for other in cell.others:
            if other.value is not None and not agree(cell.primary, other):
                problems.append(Problem(
                    other.row["source"], other.line, "warning", "conflicting_figures",
                    f"{other.indicator} {other.year}: printed {other.row['raw']!r} here and "
                    f"{cell.primary.row['raw']!r} on line {cell.primary.line} of the same edition; the "
                    f"graph keeps the more precise {cell.primary.row['raw']!r}"))
        cells[gkey] = cell
    # a prose figure of a cell that a table of the same edition gives is not a separate figure when the
    # two agree (the table's observation gets the prose line as a further source); one that disagrees
    # stays an observation of the edition's prose data set with its own value, and is reported
    in_conflict: set[tuple] = set()
    for gkey in [k for k in cells if k[0] == "prose"]:
        tkey = ("table",) + gkey[1:]
        if tkey in cells and cells[tkey].has_value:
            table, prose = cells[tkey].primary, cells[gkey].primary
            if prose.value is None or agree(table, prose):
                cells[tkey].others.extend([prose] + cells[gkey].others)
                del cells[gkey]
            else:
                in_conflict.add(gkey)
                problems.append(Problem(
                    prose.row["source"], prose.line, "warning", "conflicting_figures",
                    f"{prose.indicator} {prose.year}: the text says {prose.row['raw']!r}, the table on line "
                    f"{table.line} {table.row['raw']!r}; both are in the graph (the text's figure in the prose "
                    f"data set), the harmonised series takes the table's"))
    # 2. revisions: a figure compared with the same cell in the nearest earlier edition that gives it
    # (a text figure at odds with its own edition's table restates nothing and is no source of the series)
    by_cell: dict[tuple, list[Cell]] = defaultdict(list)
    for gkey, c in cells.items():
        if c.has_value and gkey not in in_conflict:
            by_cell[c.primary.cell].append(c)
    revisions: list[tuple[Cell, Cell]] = []
    for cell_key, cs in by_cell.items():
        cs.sort(key=lambda c: (rank.get(c.primary.edition, 0), c.primary.origin == "table"))
        for i, later in enumerate(cs):
            earlier = next((c for c in reversed(cs[:i]) if rank[c.primary.edition] < rank[later.primary.edition]), None)
            if earlier is not None and not agree(later.primary, earlier.primary):
                later.revises = earlier
                revisions.append((later, earlier))
    # 3. graphs
    graphs: dict[str, Graph] = {}
    lines_used: dict[str, set] = defaultdict(set)
    for c in cells.values():
        for f in [c.primary] + c.others:
            lines_used[f.edition].add((f.row["source"], f.line))
    for code in order:
        ed = ed_by_code[code]
        g = Graph()
        _edition(g, uris, ed)
        g += source_lines(lines_used.get(code, set()))
        graphs[f"editie/{code}"] = g
    for gkey, c in sorted(cells.items(), key=lambda kv: kv[0]):
        c.uri = _observation_uri(uris, c)
    for gkey, c in sorted(cells.items(), key=lambda kv: kv[0]):
        _observation(graphs[f"editie/{c.primary.edition}"], uris, c, ed_by_code[c.primary.edition])
    series = _series(by_cell, uris, rank)
    graphs["reeksen"] = series["graph"]
    return CubeResult(graphs, problems, cells, revisions, series["cells"])


def _observation_uri(uris: GraphUris, c: Cell) -> URIRef:
    f = c.primary
    edition = f.edition if f.origin == "table" else f"{f.edition}-tekst"
    return uris.observation(edition, f.indicator, f.year, f.breakdown)


def _dataset_uri(uris: GraphUris, edition: str, origin: str) -> URIRef:
    return uris.edition_dataset(edition if origin == "table" else f"{edition}-tekst")


def _edition(g: Graph, uris: GraphUris, ed: dict) -> None:
    GDI = uris.DEF
    e = uris.edition(ed["edition"])
    title = ed["title"]
    g.add((e, RDF.type, GDI.Editie))
    g.add((e, RDF.type, PROV.Entity))
    g.add((e, DCTERMS.title, Literal(title, lang="nl")))
    g.add((e, SKOS.prefLabel, Literal(title, lang="nl")))
    g.add((e, RDFS.label, Literal(title, lang="nl")))
    g.add((e, SKOS.notation, Literal(ed["edition"])))
    g.add((e, DCTERMS.identifier, Literal(ed["edition"])))
    if ed.get("publication_year"):
        g.add((e, GDI.publicatiejaar, Literal(str(ed["publication_year"]), datatype=XSD.gYear)))
    if ed.get("reference_date"):
        g.add((e, GDI.peildatum, Literal(date.fromisoformat(ed["reference_date"]), datatype=XSD.date)))
    for org in filter(None, ed.get("publisher_code", "").split(";")):
        g.add((e, PROV.wasAttributedTo, uris.organisation(org)))
    if ed.get("publisher"):
        g.add((e, DCTERMS.publisher, Literal(ed["publisher"], lang="nl")))
    g.add((e, DCTERMS.source, Literal(ed["file"])))
    if ed.get("sha256"):
        g.add((e, GDI.sha256, Literal(ed["sha256"])))
    for y in filter(None, ed.get("years_covered", "").split(";")):
        g.add((e, DCTERMS.temporal, Literal(y, datatype=XSD.gYear)))
    for origin, what_nl, what_en in (("table", "tabellen", "tables"), ("prose", "tekst", "text")):
        ds = _dataset_uri(uris, ed["edition"], origin)
        g.add((ds, RDF.type, QB.DataSet))
        g.add((ds, QB.structure, GDI["dsd-waarnemingen"]))
        g.add((ds, DCTERMS.title, Literal(f"Cijfers uit de {what_nl} van {title}", lang="nl")))
        g.add((ds, DCTERMS.title, Literal(f"Figures from the {what_en} of {title}", lang="en")))
        g.add((ds, SKOS.prefLabel, Literal(f"Cijfers uit de {what_nl} van {title}", lang="nl")))
        g.add((ds, RDFS.label, Literal(f"Cijfers uit de {what_nl} van {title}", lang="nl")))
        g.add((ds, PROV.wasDerivedFrom, e))


def _observation(g: Graph, uris: GraphUris, c: Cell, ed: dict) -> None:
    GDI = uris.DEF
    f = c.primary
    o = c.uri
    ds = _dataset_uri(uris, f.edition, f.origin)
    flags = set(f.flags)
    if c.revises is not None:
        flags.add("revised")
    label = f"{f.row['facility']} — {f.row['indicator']} — {f.year}"
    if f.breakdown != "totaal":
        label += f" — {f.row['breakdown']}"
    label += f" ({ed['title']})"
    if f.value is not None:
        g.add((o, RDF.type, QB.Observation))
        g.add((o, RDF.type, GDI.Waarneming))
        g.add((o, QB.dataSet, ds))
        g.add((o, GDI.waarde, Literal(format(f.value, "f"), datatype=XSD.decimal)))
    else:
        g.add((o, RDF.type, GDI.OntbrekendeWaarneming))
        g.add((o, GDI.ontbreektIn, ds))
        flags.add("missing")
    g.add((o, SKOS.prefLabel, Literal(label, lang="nl")))
    g.add((o, RDFS.label, Literal(label, lang="nl")))
    g.add((o, GDI.editie, uris.edition(f.edition)))
    g.add((o, GDI.voorziening, uris.facility(f.facility)))
    g.add((o, GDI.indicator, uris.indicator(f.indicator)))
    g.add((o, GDI.jaar, Literal(str(f.year), datatype=XSD.gYear)))
    g.add((o, GDI.uitsplitsing, uris.concept("uitsplitsing", f.breakdown)))
    g.add((o, GDI.eenheid, uris.concept("eenheid", UNIT_CODES.get(f.row["unit"], "aantal"))))
    for flag in sorted(flags):
        g.add((o, GDI.vlag, uris.concept("vlag", flag)))
    if f.row["raw"]:
        g.add((o, GDI.ruweWaarde, Literal(f.row["raw"])))
    if f.row.get("note"):
        g.add((o, GDI.voetnoot, Literal(f.row["note"])))
    g.add((o, GDI.bron, uris.source_line(f.edition, f.line)))
    for other in c.others:
        g.add((o, GDI.bron, uris.source_line(other.edition, other.line)))
    if c.revises is not None:
        g.add((o, GDI.herzieningVan, c.revises.uri))


def _series(by_cell: dict[tuple, list[Cell]], uris: GraphUris, rank: dict[str, int]) -> dict:
    GDI = uris.DEF
    g = Graph()
    ds = uris.series_dataset()
    g.add((ds, RDF.type, QB.DataSet))
    g.add((ds, QB.structure, GDI["dsd-reeksen"]))
    for lang, text in (("nl", "Geharmoniseerde reeksen van de monitorcijfers (de laatste editie telt)"),
                       ("en", "Harmonised series of the monitor figures (the latest edition wins)")):
        g.add((ds, DCTERMS.title, Literal(text, lang=lang)))
        g.add((ds, SKOS.prefLabel, Literal(text, lang=lang)))
        g.add((ds, RDFS.label, Literal(text, lang=lang)))
    out: dict[tuple, dict] = {}
    slices: dict[tuple, list[URIRef]] = defaultdict(list)
    years_of: dict[URIRef, int] = {}
    for (indicator, year, breakdown), cs in sorted(by_cell.items()):
        tables = [c for c in cs if c.primary.origin == "table"]
        sources = tables or cs
        sources = sorted(sources, key=lambda c: rank[c.primary.edition])
        winner = sources[-1]
        f = winner.primary
        values = {c.primary.value for c in sources}
        revised = any(c.revises is not None and c.revises in sources for c in sources) or len(values) > 1
        o = uris.series_observation(indicator, year, breakdown)
        g.add((o, RDF.type, QB.Observation))
        g.add((o, RDF.type, GDI.ReeksWaarneming))
        g.add((o, QB.dataSet, ds))
        label = f"{f.row['facility']} — {f.row['indicator']} — {year}"
        if breakdown != "totaal":
            label += f" — {f.row['breakdown']}"
        g.add((o, SKOS.prefLabel, Literal(label, lang="nl")))
        g.add((o, RDFS.label, Literal(label, lang="nl")))
        g.add((o, GDI.voorziening, uris.facility(f.facility)))
        g.add((o, GDI.indicator, uris.indicator(indicator)))
        g.add((o, GDI.jaar, Literal(str(year), datatype=XSD.gYear)))
        g.add((o, GDI.uitsplitsing, uris.concept("uitsplitsing", breakdown)))
        g.add((o, GDI.waarde, Literal(format(f.value, "f"), datatype=XSD.decimal)))
        g.add((o, GDI.eenheid, uris.concept("eenheid", UNIT_CODES.get(f.row["unit"], "aantal"))))
        g.add((o, GDI.herzien, Literal(revised)))
        flags = set(f.flags) | ({"revised"} if revised else set())
        for flag in sorted(flags - {"missing"}):
            g.add((o, GDI.vlag, uris.concept("vlag", flag)))
        for c in sources:
            g.add((o, GDI.bronWaarneming, c.uri))
        skey = (indicator, breakdown)
        slices[skey].append(o)
        years_of[o] = year
        out[(indicator, year, breakdown)] = {
            "facility_code": f.facility, "indicator_code": indicator, "year": year, "breakdown": breakdown,
            "value": f.value, "unit": f.row["unit"], "edition": f.edition, "revised": revised,
            "flags": sorted(flags), "origin": f.origin, "source": f.row["source"], "line": f.line,
            "sources": [(c.primary.edition, c.primary.value) for c in sources]}
    latest_year = None
    for (indicator, breakdown), obs in sorted(slices.items()):
        s = uris.series(indicator, breakdown)
        years = sorted(years_of[o] for o in obs)
        latest_year = max(latest_year or years[-1], years[-1])
        g.add((s, GDI.eersteJaar, Literal(str(years[0]), datatype=XSD.gYear)))
        g.add((s, GDI.laatsteJaar, Literal(str(years[-1]), datatype=XSD.gYear)))
        g.add((s, GDI.laatsteWaarneming, next(o for o in obs if years_of[o] == years[-1])))
        first = by_cell[next(k for k in by_cell if k[0] == indicator and k[2] == breakdown)][0].primary
        g.add((ds, QB.slice, s))
        g.add((s, RDF.type, QB.Slice))
        g.add((s, RDF.type, GDI.Reeks))
        g.add((s, QB.sliceStructure, GDI["sleutel-reeks"]))
        g.add((s, GDI.voorziening, uris.facility(first.facility)))
        g.add((s, GDI.indicator, uris.indicator(indicator)))
        g.add((s, GDI.uitsplitsing, uris.concept("uitsplitsing", breakdown)))
        label = f"Reeks {first.row['facility']} — {first.row['indicator']}"
        if breakdown != "totaal":
            label += f" — {first.row['breakdown']}"
        g.add((s, SKOS.prefLabel, Literal(label, lang="nl")))
        g.add((s, RDFS.label, Literal(label, lang="nl")))
        for o in obs:
            g.add((s, QB.observation, o))
    if latest_year is not None:
        g.add((ds, GDI.laatsteJaar, Literal(str(latest_year), datatype=XSD.gYear)))
    return {"graph": g, "cells": out}
