"""Synthetic but realistic gdigraph data at scale (1M, 10M triples), written as N-Quads in a stream.

``generate(path, target_triples, seed)`` writes one N-Quads file:

* the **curated part**, exactly as ``gdigraph build`` makes it (rdflib): the ontology, the code lists
  and the reference graph (real organisations, dated roles, Stelselplaat, recommendations...);
* **organisations**: about 3,000 (342 gemeenten ``gm0014``.., 12 provincies ``pv20``.., 21 waterschappen,
  zbo's, agentschappen, gemeenschappelijke regelingen, zorg- en onderwijsinstellingen, other bodies
  with a public task), ``org:Organization`` with a TOOI class and ``owl:sameAs`` where TOOI has one,
  ``org:classification``, ``skos:notation``;
* **connections** (aansluitingen) of those organisations to the real facilities, as the ontology's
  qualified-role pattern: a ``gdi:Rol`` with ``gdi:rolsoort gdi:afnemer``, ``gdi:organisatie`` and a
  dated ``gdi:periode`` (``time:Interval`` with ``time:hasBeginning``/``time:hasEnd`` instants); the
  unqualified shortcut ``facility gdi:afnemer org`` for connections that still hold (no end);
* **figures** per series = real indicator (``data/codelists/indicators.csv``) x breakdown
  (``breakdowns.csv``: totaal first for every indicator, then the organisation breakdowns): 20 yearly
  editions ``synth-2006`` .. ``synth-2025`` (named graph ``editie/{code}``), each printing the last
  five years as ``gdi:Waarneming`` with its source line (``gdi:Bronregel``); a later edition restates
  about 5 % of the figures it reprints (``gdi:herzieningVan`` + ``vlag:revised``); the harmonised
  series (``gdi:ReeksWaarneming`` + ``gdi:Reeks`` slice, named graph ``reeksen``) with ``gdi:herzien``
  and ``gdi:bronWaarneming``; and monthly figures over the same 20 years (``qb:Observation`` in the
  dataset ``maandcijfers``, dimension ``gdi:maand``);
* the few benchmark-only terms (``gdi:afnemer``, ``gdi:maand``, the monthly DSD, organisation kinds)
  in the named graph ``synth/vocabulaire``.

Series are added until the file holds at least ``target_triples`` lines. Plain string formatting with
N-Triples escaping, written in chunks: no rdflib objects for the generated part, so 10M triples take
seconds and little memory. Deterministic: the same seed and target give the same bytes (every series
draws from its own RNG seeded by (seed, indicator, breakdown), so a smaller target is a prefix of the
series of a larger one).
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

BASE = "https://gdigraph.nl"
GDI = f"{BASE}/def/gdi#"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
XSD = "http://www.w3.org/2001/XMLSchema#"
QB = "http://purl.org/linked-data/cube#"
DCT = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
ORG = "http://www.w3.org/ns/org#"
OWL = "http://www.w3.org/2002/07/owl#"
TIME = "http://www.w3.org/2006/time#"
TOOIONT = "https://identifier.overheid.nl/tooi/def/ont/"
TOOIID = "https://identifier.overheid.nl/tooi/id/"

FIRST_YEAR, LAST_YEAR = 2005, 2024          # 20 years of figures
EDITIONS = list(range(2006, 2026))          # edition synth-Y prints the years Y-5 .. Y-1
YEARS_PER_EDITION = 5
REVISION_RATE = 0.05
DEFAULT_SEED = 20251123
CHUNK = 1 << 16                             # lines per write


def iri(s: str) -> str:
    return f"<{s}>"


_ESC = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def lit(value: str, lang: str | None = None, dt: str | None = None) -> str:
    """An N-Triples literal with the escapes of the N-Triples grammar (ECHAR)."""
    s = '"' + str(value).translate(_ESC) + '"'
    if lang:
        return f"{s}@{lang}"
    if dt:
        return f"{s}^^<{dt}>"
    return s


def g_(name: str) -> str:
    return f"<{BASE}/graph/{name}>"


def idr(type_: str, code: str) -> str:
    return f"<{BASE}/id/{type_}/{code}>"


P = {name: iri(GDI + name) for name in (
    "Rol", "rol", "rolsoort", "organisatie", "periode", "afnemer", "Waarneming", "ReeksWaarneming", "Reeks",
    "editie", "voorziening", "indicator", "jaar", "maand", "uitsplitsing", "waarde", "eenheid", "bron", "ruweWaarde",
    "vlag", "herzieningVan", "herzien", "bronWaarneming", "Bronregel", "regelnummer", "regeltekst", "Editie",
    "peildatum", "publicatiejaar", "sha256", "dsd-waarnemingen", "dsd-reeksen", "sleutel-reeks", "dsd-maandcijfers",
    "eersteJaar", "laatsteJaar", "laatsteWaarneming")}
LABEL, PREF, NOTATION = iri(RDFS + "label"), iri(SKOS + "prefLabel"), iri(SKOS + "notation")
QB_OBS, QB_DATASET, QB_DS, QB_STRUCT = iri(QB + "Observation"), iri(QB + "dataSet"), iri(QB + "DataSet"), iri(QB + "structure")
T_GYEAR, T_DEC, T_DATE, T_GYM = XSD + "gYear", XSD + "decimal", XSD + "date", XSD + "gYearMonth"
UNIT = {"count": "aantal", "percent": "procent", "mean": "gemiddelde"}

# organisation kinds: (code prefix, count, classification, TOOI class or None, TOOI id type or None, label)
ORG_KINDS = [
    ("gm", 342, "gemeente", "Gemeente", "gemeente", "Gemeente"),
    ("pv", 12, "provincie", "Provincie", "provincie", "Provincie"),
    ("ws", 21, "waterschap", "Waterschap", "waterschap", "Waterschap"),
    ("ag", 40, "agentschap", None, None, "Agentschap"),
    ("zb", 120, "zbo", "Zbo", "zbo", "Zelfstandig bestuursorgaan"),
    ("gr", 220, "gemeenschappelijke-regeling", None, None, "Gemeenschappelijke regeling"),
    ("zi", 1400, "zorginstelling", None, None, "Zorginstelling"),
    ("oi", 500, "onderwijsinstelling", None, None, "Onderwijsinstelling"),
    ("ov", 345, "publieke-taak", None, None, "Organisatie met een publieke taak"),
]
# which facilities each kind connects to, with the share of organisations that do
CONNECTS = {
    "gemeente": {"digid": 1.0, "eherkenning": .95, "mijnoverheid-berichtenbox": .9, "mijnoverheid-lopende-zaken": .3,
                 "digipoort": .8, "brp": 1.0, "bag": 1.0, "bgt": 1.0, "brk": .95, "hr": .9, "woz": 1.0,
                 "digilevering": .8, "digimelding": .7, "pkioverheid": .9, "efactureren": .8,
                 "samenwerkende-catalogi": .9, "digikoppeling": .9, "diginetwerk": .5, "bv-bsn": .3},
    "provincie": {"digid": .9, "eherkenning": 1.0, "digipoort": .8, "brk": .9, "bgt": 1.0, "brt": .8, "bag": .7,
                  "hr": .6, "pkioverheid": 1.0, "efactureren": .9, "digikoppeling": .8},
    "waterschap": {"digid": 1.0, "eherkenning": 1.0, "mijnoverheid-berichtenbox": .8, "woz": 1.0, "brp": .9,
                   "bag": .9, "brk": 1.0, "digipoort": .8, "hr": .7, "efactureren": .7},
    "agentschap": {"digid": .6, "eherkenning": .7, "mijnoverheid-berichtenbox": .4, "digipoort": .6, "brp": .5,
                   "hr": .6, "bag": .3, "digikoppeling": .8, "pkioverheid": .8, "efactureren": .6, "digilevering": .3},
    "zbo": {"digid": .6, "eherkenning": .7, "mijnoverheid-berichtenbox": .4, "digipoort": .6, "brp": .5, "hr": .6,
            "bag": .3, "digikoppeling": .8, "pkioverheid": .8, "efactureren": .6, "digilevering": .3},
    "gemeenschappelijke-regeling": {"digid": .7, "eherkenning": .6, "brp": .4, "digikoppeling": .5,
                                    "mijnoverheid-berichtenbox": .3},
    "zorginstelling": {"digid": .9, "eherkenning": .2, "pkioverheid": .3},
    "onderwijsinstelling": {"digid": .6, "eherkenning": .3, "pkioverheid": .2},
    "publieke-taak": {"digid": .5, "eherkenning": .5, "mijnoverheid-berichtenbox": .2, "digipoort": .3},
}
MINISTRIES = ["bzk", "fin", "ienw", "jenv", "ocw", "szw", "vws", "ezk", "bz", "defensie"]  # real codes
_SYL1 = ["Aal", "Bor", "Dren", "Eem", "Gel", "Hout", "Kamp", "Lin", "Maas", "Noord", "Oost", "Rijn", "Sche",
         "Ter", "Uit", "Veen", "Wes", "Zuid", "Ber", "Hol", "Lei", "Mid", "Ste", "Wou"]
_SYL2 = ["dam", "dijk", "hoven", "wijk", "veen", "horst", "broek", "meer", "land", "zijl", "berg", "vliet",
         "rode", "sum", "ingen", "loo", "hem", "burg", "kerk", "haven"]


@dataclass
class Stats:
    triples: int = 0
    curated: int = 0
    organisations: int = 0
    connections: int = 0
    series: int = 0
    edition_observations: int = 0
    revisions: int = 0
    series_observations: int = 0
    monthly_observations: int = 0
    latest_series_year: int = 0
    seconds: float = 0.0
    bytes: int = 0
    sections: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


class Writer:
    """Buffers N-Quads lines and writes them in chunks; counts lines."""

    def __init__(self, f):
        self.f, self.buf, self.n, self.bytes = f, [], 0, 0

    def q(self, s: str, p: str, o: str, g: str) -> None:
        self.buf.append(f"{s} {p} {o} {g} .\n")
        if len(self.buf) >= CHUNK:
            self.flush()

    def raw(self, lines) -> None:
        for ln in lines:
            self.buf.append(ln)
            if len(self.buf) >= CHUNK:
                self.flush()

    def flush(self) -> None:
        if self.buf:
            data = "".join(self.buf).encode("utf-8")
            self.f.write(data)
            self.n += len(self.buf)
            self.bytes += len(data)
            self.buf = []

    @property
    def count(self) -> int:
        return self.n + len(self.buf)


def curated_lines(settings=None) -> list[str]:
    """The curated graphs (ontology, code lists, reference) as gdigraph build writes them: rdflib."""
    from rdflib import Graph

    from gdigraph.graph import reference, stelsel
    from gdigraph.graph.build import nquads_lines, skolemize
    from gdigraph.settings import get_settings
    from gdigraph.uris import GraphUris

    settings = settings or get_settings()
    uris = GraphUris(settings)
    ontology = Graph()
    ontology.parse(settings.ontology_dir / "gdi.ttl", format="turtle")
    graphs = {"ontologie": ontology, "codelijsten": reference.build_codelists(settings, uris),
              "referentie": reference.build_reference(settings, uris)}
    graphs["referentie"] += stelsel.centrality_triples(stelsel.centrality(stelsel.load_stelsel(settings)), uris)
    graphs = {name: skolemize(g, uris.base) for name, g in graphs.items()}
    return nquads_lines(graphs, uris)


def read_codelists(codelists_dir: Path):
    with open(codelists_dir / "facilities.csv", newline="", encoding="utf-8") as f:
        facilities = {r["code"]: r for r in csv.DictReader(f)}
    with open(codelists_dir / "indicators.csv", newline="", encoding="utf-8") as f:
        indicators = [r for r in csv.DictReader(f) if r["facility"] in facilities]
    with open(codelists_dir / "breakdowns.csv", newline="", encoding="utf-8") as f:
        breakdowns = [r for r in csv.DictReader(f)]
    return facilities, indicators, breakdowns


def facility_iri(fac: dict) -> str:
    kind = "basisregistratie" if fac["kind"] == "basisregistratie" else "voorziening"
    return idr(kind, fac["code"])


def dutch_number(v: float, unit: str) -> str:
    if unit == "count":
        return f"{int(v):,}".replace(",", ".")
    return f"{v:.1f}".replace(".", ",") + ("%" if unit == "percent" else "")


def write_vocab(w: Writer) -> None:
    g = g_("synth/vocabulaire")
    note = "Benchmark-only term of the synthetic data (benchmarks/synth.py), not part of the gdigraph ontology."
    w.q(P["afnemer"], RDF_TYPE, iri(OWL + "ObjectProperty"), g)
    w.q(P["afnemer"], LABEL, lit("afnemer", "nl"), g)
    w.q(P["afnemer"], LABEL, lit("connected organisation", "en"), g)
    w.q(P["afnemer"], iri(RDFS + "comment"), lit(note, "en"), g)
    w.q(P["maand"], RDF_TYPE, iri(QB + "DimensionProperty"), g)
    w.q(P["maand"], RDF_TYPE, iri(OWL + "DatatypeProperty"), g)
    w.q(P["maand"], iri(RDFS + "range"), iri(T_GYM), g)
    w.q(P["maand"], LABEL, lit("maand", "nl"), g)
    w.q(P["maand"], iri(RDFS + "comment"), lit(note, "en"), g)
    dsd = P["dsd-maandcijfers"]
    w.q(dsd, RDF_TYPE, iri(QB + "DataStructureDefinition"), g)
    w.q(dsd, LABEL, lit("structuur van de maandcijfers", "nl"), g)
    comps = [("dimension", "voorziening"), ("dimension", "indicator"), ("dimension", "jaar"), ("dimension", "maand"),
             ("dimension", "uitsplitsing"), ("measure", "waarde"), ("attribute", "eenheid")]
    for i, (kind, prop) in enumerate(comps, 1):
        c = iri(f"{BASE}/.well-known/genid/synth-maandcijfers-{i}")
        w.q(dsd, iri(QB + "component"), c, g)
        w.q(c, iri(QB + kind), P[prop], g)
        w.q(c, iri(QB + "order"), lit(str(i), dt=XSD + "integer"), g)
    scheme = iri(f"{BASE}/def/gdi/organisatiesoort")
    for _, _, cls, _, _, label in ORG_KINDS:
        c = iri(f"{BASE}/def/gdi/organisatiesoort/{cls}")
        w.q(c, RDF_TYPE, iri(SKOS + "Concept"), g)
        w.q(c, iri(SKOS + "inScheme"), scheme, g)
        w.q(c, PREF, lit(label, "nl"), g)


def org_name(rng: random.Random, used: set) -> str:
    while True:
        name = rng.choice(_SYL1) + rng.choice(_SYL2)
        if name not in used:
            used.add(name)
            return name
        name = f"{name} {rng.choice(['aan Zee', 'aan de Maas', 'Noord', 'Zuid', 'West', 'Oost'])}"
        if name not in used:
            used.add(name)
            return name


def write_organisations(w: Writer, n_orgs: int, facilities: dict, seed: int, stats: Stats) -> None:
    g = g_("synth/organisaties")
    rng = random.Random(f"{seed}:organisaties")
    total = sum(k[1] for k in ORG_KINDS)
    used: set[str] = set()
    start_year = {code: rng.randint(FIRST_YEAR, 2016) for code in facilities}
    start_year.update({"digid": 2005, "eherkenning": 2010, "mijnoverheid-berichtenbox": 2008, "digipoort": 2007})
    for prefix, count, cls, tooi_cls, tooi_type, kind_label in ORG_KINDS:
        count = max(1, round(count * n_orgs / total))
        for i in range(count):
            code = f"{prefix}{(14 + 3 * i) if prefix in ('gm', 'ws') else (20 + i if prefix == 'pv' else i + 1):04d}"
            name = org_name(rng, used)
            label = {"gemeente": f"Gemeente {name}", "provincie": f"Provincie {name}",
                     "waterschap": f"Waterschap {name}"}.get(cls, f"{kind_label} {name}")
            o = idr("organisatie", code)
            w.q(o, RDF_TYPE, iri(ORG + "Organization"), g)
            if tooi_cls:
                w.q(o, RDF_TYPE, iri(TOOIONT + tooi_cls), g)
                w.q(o, iri(OWL + "sameAs"), iri(f"{TOOIID}{tooi_type}/{code}"), g)
            w.q(o, LABEL, lit(label, "nl"), g)
            w.q(o, PREF, lit(label, "nl"), g)
            w.q(o, NOTATION, lit(code.upper()), g)
            w.q(o, iri(ORG + "classification"), iri(f"{BASE}/def/gdi/organisatiesoort/{cls}"), g)
            if cls in ("agentschap", "zbo"):
                w.q(o, iri(ORG + "subOrganizationOf"), idr("organisatie", rng.choice(MINISTRIES)), g)
            stats.organisations += 1
            for fac_code, share in CONNECTS[cls].items():
                if fac_code not in facilities or rng.random() >= share:
                    continue
                fac = facility_iri(facilities[fac_code])
                rol_uri = f"{BASE}/id/rol/{fac_code}/afnemer/{code}"
                rol, periode = iri(rol_uri), iri(rol_uri + "#periode")
                w.q(fac, P["rol"], rol, g)
                w.q(rol, RDF_TYPE, P["Rol"], g)
                w.q(rol, P["rolsoort"], P["afnemer"], g)
                w.q(rol, P["organisatie"], o, g)
                w.q(rol, P["periode"], periode, g)
                rl = f"{label} als afnemer van {facilities[fac_code]['notation']}"
                w.q(rol, LABEL, lit(rl, "nl"), g)
                w.q(rol, PREF, lit(rl, "nl"), g)
                w.q(periode, RDF_TYPE, iri(TIME + "Interval"), g)
                begin_y = rng.randint(start_year.get(fac_code, FIRST_YEAR), LAST_YEAR)
                begin = f"{begin_y}-{rng.randint(1, 12):02d}-01"
                w.q(periode, iri(TIME + "hasBeginning"), iri(rol_uri + "#begin"), g)
                w.q(iri(rol_uri + "#begin"), RDF_TYPE, iri(TIME + "Instant"), g)
                w.q(iri(rol_uri + "#begin"), iri(TIME + "inXSDDate"), lit(begin, dt=T_DATE), g)
                if begin_y < LAST_YEAR and rng.random() < 0.1:
                    end = f"{rng.randint(begin_y + 1, LAST_YEAR + 1)}-01-01"
                    w.q(periode, iri(TIME + "hasEnd"), iri(rol_uri + "#einde"), g)
                    w.q(iri(rol_uri + "#einde"), RDF_TYPE, iri(TIME + "Instant"), g)
                    w.q(iri(rol_uri + "#einde"), iri(TIME + "inXSDDate"), lit(end, dt=T_DATE), g)
                else:
                    w.q(fac, P["afnemer"], o, g)
                stats.connections += 1


def edition_title(year: int) -> str:
    return f"{'Monitor GDI' if year < 2020 else 'Monitor Digitale Overheid'} {year} (synthetisch)"


def write_editions(w: Writer, seed: int) -> None:
    import hashlib

    for y in EDITIONS:
        code = f"synth-{y}"
        g, e, ds = g_(f"editie/{code}"), idr("editie", code), idr("dataset", f"editie-{code}")
        title = edition_title(y)
        w.q(e, RDF_TYPE, P["Editie"], g)
        w.q(e, RDF_TYPE, iri(PROV + "Entity"), g)
        w.q(e, iri(DCT + "identifier"), lit(code), g)
        w.q(e, NOTATION, lit(code), g)
        w.q(e, iri(DCT + "title"), lit(title, "nl"), g)
        w.q(e, LABEL, lit(title, "nl"), g)
        w.q(e, PREF, lit(title, "nl"), g)
        w.q(e, iri(DCT + "publisher"), lit("Ministerie van Binnenlandse Zaken en Koninkrijksrelaties", "nl"), g)
        w.q(e, iri(PROV + "wasAttributedTo"), idr("organisatie", "bzk"), g)
        w.q(e, P["peildatum"], lit(f"{y - 1}-12-31", dt=T_DATE), g)
        w.q(e, P["publicatiejaar"], lit(str(y), dt=T_GYEAR), g)
        w.q(e, P["sha256"], lit(hashlib.sha256(f"{seed}:{code}".encode()).hexdigest()), g)
        for yr in range(max(FIRST_YEAR, y - YEARS_PER_EDITION), y):
            w.q(e, iri(DCT + "temporal"), lit(str(yr), dt=T_GYEAR), g)
        w.q(ds, RDF_TYPE, QB_DS, g)
        w.q(ds, QB_STRUCT, P["dsd-waarnemingen"], g)
        w.q(ds, iri(DCT + "title"), lit(f"Cijfers uit de tabellen van {title}", "nl"), g)
        w.q(ds, LABEL, lit(f"Cijfers uit de tabellen van {title}", "nl"), g)
        w.q(ds, iri(PROV + "wasDerivedFrom"), e, g)
    g = g_("reeksen")
    ds = idr("dataset", "reeksen")
    w.q(ds, RDF_TYPE, QB_DS, g)
    w.q(ds, QB_STRUCT, P["dsd-reeksen"], g)
    w.q(ds, LABEL, lit("Geharmoniseerde reeksen (synthetisch)", "nl"), g)
    g = g_("synth/maandcijfers")
    ds = idr("dataset", "maandcijfers")
    w.q(ds, RDF_TYPE, QB_DS, g)
    w.q(ds, QB_STRUCT, P["dsd-maandcijfers"], g)
    w.q(ds, LABEL, lit("Maandcijfers (synthetisch)", "nl"), g)


SEASON = [1.02, 0.95, 1.05, 1.0, 0.97, 0.93, 0.8, 0.85, 1.05, 1.1, 1.08, 1.2]
SEASON = [s / sum(SEASON) for s in SEASON]


def series_order(indicators: list[dict], breakdowns: list[dict], seed: int) -> list[tuple[dict, str]]:
    """Every indicator x totaal first, then indicator x breakdown pairs in a seeded order."""
    rng = random.Random(f"{seed}:series")
    first = [(ind, "totaal") for ind in indicators]
    rest = [(ind, b["code"]) for ind in indicators for b in breakdowns if b["code"] != "totaal"]
    rng.shuffle(rest)
    return first + rest


def write_series(w: Writer, ind: dict, bd: str, fac: dict, edition_lines: dict, seed: int, stats: Stats) -> None:
    rng = random.Random(f"{seed}:{ind['code']}:{bd}")
    unit = ind.get("unit") if ind.get("unit") in UNIT else "count"
    code, fcode = ind["code"], fac["code"]
    f_iri, i_iri = facility_iri(fac), idr("indicator", code)
    u_iri = iri(f"{BASE}/def/gdi/uitsplitsing/{bd}")
    e_iri = iri(f"{BASE}/def/gdi/eenheid/{UNIT[unit]}")
    start = rng.randint(FIRST_YEAR, 2014) if rng.random() < 0.6 else FIRST_YEAR
    # the true yearly figures
    if unit == "count":
        v = 10 ** rng.uniform(2, 8.5 if bd == "totaal" else 7)
        growth = rng.gauss(0.08, 0.1)
    else:
        v = rng.uniform(5, 95) if unit == "percent" else rng.uniform(1, 50)
        growth = rng.gauss(0.01, 0.03)
    truth: dict[int, float] = {}
    for y in range(start, LAST_YEAR + 1):
        truth[y] = round(v) if unit == "count" else round(min(v, 100.0) if unit == "percent" else v, 1)
        v = max(v * (1 + growth + rng.gauss(0, 0.03)), 1.0)
    label_nl = f"{fac['notation']} — {ind['label_nl']}" + ("" if bd == "totaal" else f" — {bd}")
    # per-edition figures
    printed: dict[int, list[tuple[str, float, str]]] = {}  # year -> [(edition, value, obs iri)]
    for ey in EDITIONS:
        years = [y for y in range(max(FIRST_YEAR, ey - YEARS_PER_EDITION), ey) if y in truth]
        if not years:
            continue
        ed = f"synth-{ey}"
        g, e_ed, ds = g_(f"editie/{ed}"), idr("editie", ed), idr("dataset", f"editie-{ed}")
        line = edition_lines[ed] = edition_lines.get(ed, 99) + 1
        src = idr("bronregel", f"{ed}/{line}")
        values = []
        for y in years:
            prev = printed.get(y)
            revised = None
            if prev is None:
                val = truth[y]
            elif rng.random() < REVISION_RATE:
                val = prev[-1][1] * (1 + rng.choice((-1, 1)) * rng.uniform(0.005, 0.05))
                val = round(val) if unit == "count" else round(val, 1)
                revised = prev[-1][2] if val != prev[-1][1] else None
            else:
                val = prev[-1][1]
            obs = idr("waarneming", f"{ed}/{code}/{y}/{bd}")
            raw = dutch_number(val, unit)
            values.append(raw)
            lab = lit(f"{label_nl} — {y} ({edition_title(ey)})", "nl")
            w.q(obs, RDF_TYPE, QB_OBS, g)
            w.q(obs, RDF_TYPE, P["Waarneming"], g)
            w.q(obs, QB_DATASET, ds, g)
            w.q(obs, P["editie"], e_ed, g)
            w.q(obs, P["voorziening"], f_iri, g)
            w.q(obs, P["indicator"], i_iri, g)
            w.q(obs, P["jaar"], lit(str(y), dt=T_GYEAR), g)
            w.q(obs, P["uitsplitsing"], u_iri, g)
            w.q(obs, P["waarde"], lit(str(val), dt=T_DEC), g)
            w.q(obs, P["eenheid"], e_iri, g)
            w.q(obs, P["ruweWaarde"], lit(raw), g)
            w.q(obs, P["bron"], src, g)
            w.q(obs, LABEL, lab, g)
            w.q(obs, PREF, lab, g)
            if revised:
                w.q(obs, P["herzieningVan"], revised, g)
                w.q(obs, P["vlag"], iri(f"{BASE}/def/gdi/vlag/revised"), g)
                stats.revisions += 1
            printed.setdefault(y, []).append((ed, val, obs))
            stats.edition_observations += 1
        title = edition_title(ey)
        w.q(src, RDF_TYPE, P["Bronregel"], g)
        w.q(src, RDF_TYPE, iri(PROV + "Entity"), g)
        w.q(src, iri(DCT + "isPartOf"), e_ed, g)
        w.q(src, iri(PROV + "wasQuotedFrom"), e_ed, g)
        w.q(src, P["regelnummer"], lit(str(line), dt=XSD + "positiveInteger"), g)
        w.q(src, P["regeltekst"], lit(f"{ind['label_nl']}  " + " ".join(values)), g)
        w.q(src, LABEL, lit(f"regel {line} van {title}", "nl"), g)
        w.q(src, LABEL, lit(f"line {line} of {title}", "en"), g)
        w.q(src, PREF, lit(f"regel {line} van {title}", "nl"), g)
        w.q(src, PREF, lit(f"line {line} of {title}", "en"), g)
    # harmonised series: the latest edition's value
    g, ds = g_("reeksen"), idr("dataset", "reeksen")
    slice_ = idr("reeks", f"{code}/{bd}")
    w.q(slice_, RDF_TYPE, iri(QB + "Slice"), g)
    w.q(slice_, RDF_TYPE, P["Reeks"], g)
    w.q(slice_, iri(QB + "sliceStructure"), P["sleutel-reeks"], g)
    w.q(slice_, P["voorziening"], f_iri, g)
    w.q(slice_, P["indicator"], i_iri, g)
    w.q(slice_, P["uitsplitsing"], u_iri, g)
    w.q(slice_, LABEL, lit(f"Reeks {label_nl}", "nl"), g)
    w.q(slice_, PREF, lit(f"Reeks {label_nl}", "nl"), g)
    w.q(ds, iri(QB + "slice"), slice_, g)
    if printed:  # the series' span and current figure, as gdigraph build states them
        first, last = min(printed), max(printed)
        w.q(slice_, P["eersteJaar"], lit(str(first), dt=T_GYEAR), g)
        w.q(slice_, P["laatsteJaar"], lit(str(last), dt=T_GYEAR), g)
        w.q(slice_, P["laatsteWaarneming"], idr("reeks", f"{code}/{bd}/{last}"), g)
        stats.latest_series_year = max(stats.latest_series_year, last)
    for y in sorted(printed):
        prints = printed[y]
        obs = idr("reeks", f"{code}/{bd}/{y}")
        lab = lit(f"{label_nl} — {y}", "nl")
        w.q(slice_, iri(QB + "observation"), obs, g)
        w.q(obs, RDF_TYPE, QB_OBS, g)
        w.q(obs, RDF_TYPE, P["ReeksWaarneming"], g)
        w.q(obs, QB_DATASET, ds, g)
        w.q(obs, P["voorziening"], f_iri, g)
        w.q(obs, P["indicator"], i_iri, g)
        w.q(obs, P["jaar"], lit(str(y), dt=T_GYEAR), g)
        w.q(obs, P["uitsplitsing"], u_iri, g)
        w.q(obs, P["waarde"], lit(str(prints[-1][1]), dt=T_DEC), g)
        w.q(obs, P["eenheid"], e_iri, g)
        herzien = "true" if len({p[1] for p in prints}) > 1 else "false"
        w.q(obs, P["herzien"], lit(herzien, dt=XSD + "boolean"), g)
        w.q(obs, LABEL, lab, g)
        w.q(obs, PREF, lab, g)
        for _, _, src_obs in prints:
            w.q(obs, P["bronWaarneming"], src_obs, g)
        stats.series_observations += 1
    # monthly figures
    g, ds = g_("synth/maandcijfers"), idr("dataset", "maandcijfers")
    for y in range(start, LAST_YEAR + 1):
        for m in range(12):
            if unit == "count":
                val = round(truth[y] * SEASON[m] * (1 + rng.gauss(0, 0.02)))
            else:
                val = round(truth[y] + rng.gauss(0, 0.5), 1)
            obs = idr("waarneming", f"maand/{code}/{bd}/{y}-{m + 1:02d}")
            w.q(obs, RDF_TYPE, QB_OBS, g)
            w.q(obs, QB_DATASET, ds, g)
            w.q(obs, P["voorziening"], f_iri, g)
            w.q(obs, P["indicator"], i_iri, g)
            w.q(obs, P["jaar"], lit(str(y), dt=T_GYEAR), g)
            w.q(obs, P["maand"], lit(f"{y}-{m + 1:02d}", dt=T_GYM), g)
            w.q(obs, P["uitsplitsing"], u_iri, g)
            w.q(obs, P["waarde"], lit(str(val), dt=T_DEC), g)
            w.q(obs, P["eenheid"], e_iri, g)
            stats.monthly_observations += 1
    stats.series += 1


def n_organisations(target_triples: int) -> int:
    """About 3,000 from 1M triples up; proportionally fewer for small (smoke) sizes."""
    return max(30, min(3000, round(3000 * target_triples / 1_000_000)))


def generate(path: Path | str, target_triples: int, seed: int = DEFAULT_SEED, settings=None) -> Stats:
    from gdigraph.settings import get_settings

    settings = settings or get_settings()
    t0 = time.perf_counter()
    stats = Stats()
    facilities, indicators, breakdowns = read_codelists(settings.codelists_dir)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        w = Writer(f)
        w.raw(curated_lines(settings))
        stats.curated = w.count
        write_vocab(w)
        write_organisations(w, n_organisations(target_triples), facilities, seed, stats)
        stats.sections["organisations"] = w.count - stats.curated
        write_editions(w, seed)
        edition_lines: dict[str, int] = {}
        before = w.count
        for ind, bd in series_order(indicators, breakdowns, seed):
            if w.count >= target_triples:
                break
            write_series(w, ind, bd, facilities[ind["facility"]], edition_lines, seed, stats)
        if stats.latest_series_year:  # the harmonised data set's latest year, as gdigraph build states it
            w.q(idr("dataset", "reeksen"), P["laatsteJaar"], lit(str(stats.latest_series_year), dt=T_GYEAR),
                g_("reeksen"))
        stats.sections["figures"] = w.count - before
        w.flush()
        stats.triples, stats.bytes = w.n, w.bytes
    stats.seconds = time.perf_counter() - t0
    return stats


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.synth", description=__doc__.split("\n")[0])
    ap.add_argument("out", type=Path, help="N-Quads file to write")
    ap.add_argument("--triples", type=float, default=1e6, help="target number of triples (default 1e6)")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = ap.parse_args(argv)
    st = generate(args.out, int(args.triples), args.seed)
    import json

    json.dump(st.as_dict(), sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
