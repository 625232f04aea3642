"""The HTML pages of the linked-data front, shared by the app (``app.py``) and the static export
(``gdigraph.publish.static``).

A page is built in two steps: ``await build_*(site, ...)`` asks the graph (through a
``describe.Source``) and returns a ``Page`` (plain data: title, badges, sections of tables, charts,
text); ``site.render(template, page=...)`` writes it with the Jinja templates in ``templates/``.
The only difference between the app and the static site is the ``Linker``: the app links
``/doc/{type}/{code}``, the static site ``/doc/{type}/{code}/`` (a folder with ``index.html``, which
every plain file server serves); the RDF files are ``/doc/{type}/{code}.ttl`` (``.jsonld``, ``.nt``)
in both.
"""

from __future__ import annotations

import asyncio
import html
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Iterable
from urllib.parse import quote

import pyoxigraph as ox
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from ..settings import Settings
from ..uris import TYPES, Uris
from .conneg import JSONLD, NTRIPLES, TURTLE, Offer
from .describe import (
    EXTERNAL_PREFIXES,
    RDF_NS,
    RDFS_NS,
    SKOS_NS,
    XSD_NS,
    Source,
    describe,
    inbound_counts,
    iri,
    prefixes,
    sparql_literal,
)

GDI_LOCAL = "/def/gdi#"
DCT = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
QB = "http://purl.org/linked-data/cube#"
TIME = "http://www.w3.org/2006/time#"
ORG = "http://www.w3.org/ns/org#"

#: the types with a listing page ``/doc/{type}``, their class and their Dutch plural
LISTINGS: dict[str, tuple[str, str, str]] = {
    # type: (class IRI (gdi: terms as "gdi:Name"), plural nl, plural en)
    "voorziening": ("gdi:Voorziening", "Voorzieningen", "Facilities"),
    "basisregistratie": ("gdi:Basisregistratie", "Basisregistraties", "Base registries"),
    "organisatie": (f"{ORG}Organization", "Organisaties", "Organisations"),
    "indicator": ("gdi:Indicator", "Indicatoren", "Indicators"),
    "editie": ("gdi:Editie", "Edities", "Editions"),
    "aanbeveling": ("gdi:Aanbeveling", "Aanbevelingen", "Recommendations"),
    "toezegging": ("gdi:Toezegging", "Toezeggingen", "Commitments"),
    "domein": ("gdi:Domein", "Domeinen", "Domains"),
    "dataset": (f"{QB}DataSet", "Datasets", "Data sets"),
    "reeks": ("gdi:Reeks", "Reeksen", "Series"),
}

TYPE_LABELS = {
    "voorziening": ("voorziening", "facility"),
    "basisregistratie": ("basisregistratie", "base registry"),
    "organisatie": ("organisatie", "organisation"),
    "indicator": ("indicator", "indicator"),
    "editie": ("editie", "edition"),
    "waarneming": ("waarneming", "observation"),
    "reeks": ("reeks", "series"),
    "aanbeveling": ("aanbeveling", "recommendation"),
    "toezegging": ("toezegging", "commitment"),
    "domein": ("domein", "domain"),
    "dataset": ("dataset", "data set"),
    "bronregel": ("bronregel", "source line"),
    "rol": ("rol", "role"),
    "koppeling": ("koppeling", "registry link"),
}

# Dutch labels of the properties of other vocabularies (the gdi: ones come from the ontology)
EXTERNAL_LABELS = {
    f"{RDF_NS}type": "soort",
    f"{SKOS_NS}prefLabel": "naam",
    f"{SKOS_NS}altLabel": "andere naam",
    f"{SKOS_NS}hiddenLabel": "ook gedrukt als",
    f"{RDFS_NS}label": "label",
    f"{SKOS_NS}notation": "notatie",
    f"{SKOS_NS}definition": "definitie",
    f"{SKOS_NS}scopeNote": "toelichting",
    f"{SKOS_NS}inScheme": "in codelijst",
    f"{SKOS_NS}broader": "breder begrip",
    f"{SKOS_NS}narrower": "smaller begrip",
    f"{SKOS_NS}topConceptOf": "topbegrip van",
    f"{SKOS_NS}hasTopConcept": "topbegrip",
    f"{SKOS_NS}exactMatch": "komt overeen met",
    f"{SKOS_NS}member": "lid",
    f"{RDFS_NS}comment": "opmerking",
    f"{RDFS_NS}seeAlso": "zie ook",
    f"{RDFS_NS}isDefinedBy": "gedefinieerd in",
    f"{RDFS_NS}subClassOf": "subklasse van",
    f"{RDFS_NS}subPropertyOf": "subeigenschap van",
    f"{RDFS_NS}domain": "domein",
    f"{RDFS_NS}range": "bereik",
    f"{DCT}identifier": "code",
    f"{DCT}title": "titel",
    f"{DCT}description": "tekst",
    f"{DCT}publisher": "uitgever",
    f"{DCT}source": "bronbestand",
    f"{DCT}temporal": "periode",
    f"{DCT}subject": "onderwerp",
    f"{DCT}conformsTo": "voldoet aan",
    f"{DCT}valid": "geldig",
    f"{DCT}type": "soort",
    f"{DCT}isReferencedBy": "genoemd in",
    f"{DCT}isPartOf": "onderdeel van",
    f"{DCT}license": "licentie",
    f"{DCT}audience": "gericht aan",
    f"{DCT}issued": "uitgebracht",
    f"{DCT}modified": "gewijzigd",
    f"{DCT}date": "datum",
    f"{DCT}creator": "maker",
    f"{DCT}bibliographicCitation": "citeren als",
    "http://xmlns.com/foaf/0.1/page": "webpagina",
    "http://xmlns.com/foaf/0.1/homepage": "website",
    f"{PROV}generatedAtTime": "gemaakt op",
    f"{PROV}invalidatedAtTime": "vervallen op",
    f"{RDF_NS}subject": "onderwerp (bewering)",
    f"{RDF_NS}predicate": "eigenschap (bewering)",
    f"{RDF_NS}object": "waarde (bewering)",
    f"{DCT}created": "gemaakt op",
    f"{PROV}wasAttributedTo": "toegeschreven aan",
    f"{PROV}wasDerivedFrom": "afgeleid van",
    f"{PROV}wasQuotedFrom": "geciteerd uit",
    f"{PROV}value": "citaat",
    "http://www.w3.org/2002/07/owl#sameAs": "zelfde als",
    f"{ORG}subOrganizationOf": "onderdeel van",
    f"{ORG}classification": "soort organisatie",
    f"{QB}dataSet": "dataset",
    f"{QB}structure": "structuur",
    f"{QB}slice": "reeks",
    f"{QB}sliceStructure": "reekssleutel",
    f"{QB}observation": "waarneming",
    f"{TIME}hasBeginning": "begin",
    f"{TIME}hasEnd": "einde",
    f"{TIME}inXSDDate": "datum",
    f"{TIME}inXSDgYear": "jaar",
    f"{TIME}inXSDgYearMonth": "maand",
    f"{TIME}inside": "peildatum",
    "https://schema.org/dissolutionDate": "opgeheven op",
    "http://purl.org/pav/retrievedOn": "geraadpleegd op",
}

# what an inbound link means, seen from its object
INVERSE_LABELS = {
    "gdi:beheerder": "beheerder van",
    "gdi:opdrachtgever": "opdrachtgever van",
    "gdi:bronhouder": "bronhouder van",
    "gdi:organisatie": "rollen van deze organisatie",
    "gdi:domein": "voorzieningen in dit domein",
    "gdi:onderdeelVan": "onderdelen",
    "gdi:draagt": "gedragen door",
    "gdi:maaktGebruikVan": "wordt gebruikt door",
    "gdi:afnemendeRegistratie": "koppelingen waarin deze registratie afneemt",
    "gdi:leverendeRegistratie": "koppelingen waarin deze registratie levert",
    "gdi:betreft": "genoemd in",
    "gdi:reactieOp": "reacties",
    "gdi:bron": "bron van",
    "gdi:editie": "waarnemingen uit deze editie",
    "gdi:voorziening": "waarnemingen, reeksen en indicatoren",
    "gdi:indicator": "waarnemingen en reeksen",
    "gdi:herzieningVan": "herzien door",
    "gdi:bronWaarneming": "gebruikt in de geharmoniseerde reeks",
    "gdi:uitsplitsing": "waarnemingen",
    "gdi:eenheid": "waarnemingen",
    "gdi:vlag": "waarnemingen met deze vlag",
    "gdi:ontbreektIn": "ontbrekende waarnemingen",
    "gdi:rol": "rol bij",
    "gdi:koppeling": "koppeling van",
    "gdi:rolsoort": "rollen van deze soort",
    "gdi:status": "met deze status",
    f"{PROV}wasAttributedTo": "toegeschreven aan deze organisatie",
    f"{PROV}wasQuotedFrom": "regels en citaten",
    f"{PROV}wasDerivedFrom": "afgeleid hiervan",
    f"{QB}dataSet": "waarnemingen",
    f"{QB}observation": "in reeks",
    f"{QB}slice": "in dataset",
    f"{SKOS_NS}inScheme": "begrippen in deze codelijst",
    f"{SKOS_NS}broader": "smallere begrippen",
    f"{SKOS_NS}topConceptOf": "topbegrippen",
    f"{ORG}subOrganizationOf": "onderdelen",
    f"{RDF_NS}type": "instanties",
    f"{DCT}subject": "citaten hierover",
    f"{DCT}isPartOf": "onderdelen",
    f"{RDFS_NS}isDefinedBy": "definities",
}

LABEL_PROPS = (f"{SKOS_NS}prefLabel", f"{RDFS_NS}label", f"{SKOS_NS}notation")
DATE_PROPS = (f"{TIME}inXSDDate", f"{TIME}inXSDgYearMonth", f"{TIME}inXSDgYear")
MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
          "november", "december")


# -- links ----------------------------------------------------------------------------------------------

class Linker:
    """Paths of pages and files; ``static`` writes folder URLs (``/doc/x/y/``) for plain file servers."""

    def __init__(self, uris: Uris, *, static: bool = False, root: str = ""):
        self.uris = uris
        self.static = static
        self.root = root.rstrip("/")
        self.base = uris.base

    def path(self, p: str) -> str:
        """A non-page path (files, assets)."""
        return self.root + p

    def page(self, p: str) -> str:
        """The URL of the HTML page at app path ``p``."""
        if self.static and p != "/":
            return self.root + p.rstrip("/") + "/"
        return self.root + p if p != "/" or not self.root else self.root + "/"

    def alternate(self, p: str, offer: Offer) -> str:
        """The URL of the ``offer`` representation of the page at app path ``p`` (``/doc/x.ttl``)."""
        return f"{self.root}{p}.{offer.suffix}"

    def app_path(self, uri: str) -> tuple[str, str] | None:
        """(app path, fragment) of one of our URIs, or None for other people's URIs and skolem IRIs."""
        if not uri.startswith(self.base + "/"):
            return None
        rest, _, frag = uri[len(self.base):].partition("#")
        if rest.startswith("/.well-known/genid/"):
            return None
        if rest.startswith("/id/"):
            return "/doc/" + rest[len("/id/"):], frag
        if rest.startswith("/graph/"):
            return "/catalog", "graph-" + rest[len("/graph/"):].replace("/", "-")
        return rest, frag

    def href(self, uri: str) -> str | None:
        found = self.app_path(uri)
        if found is None:
            return None
        path, frag = found
        if path.startswith("/dumps/") or path.startswith("/static/"):
            url = self.path(path)
        else:
            url = self.page(path)
        return url + (f"#{frag}" if frag else "")


# -- small graph index ------------------------------------------------------------------------------------

class Graph:
    """The triples of a description, indexed both ways."""

    def __init__(self, triples: Iterable[ox.Triple]):
        self.triples = list(triples)
        self.out: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        self.inc: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        for t in self.triples:
            s = node_key(t.subject)
            self.out[s][t.predicate.value].append(t.object)
            if isinstance(t.object, (ox.NamedNode, ox.BlankNode)):
                self.inc[node_key(t.object)][t.predicate.value].append(t.subject)

    def objects(self, s: str, p: str) -> list:
        return list(self.out.get(s, {}).get(p, []))

    def first(self, s: str, p: str):
        objs = self.objects(s, p)
        return objs[0] if objs else None

    def subjects(self, p: str, o: str) -> list:
        return list(self.inc.get(o, {}).get(p, []))


def node_key(term) -> str:
    return term.value if isinstance(term, ox.NamedNode) else f"_:{term.value}"


class Labels:
    """Labels of nodes, by language: nl first, then en, then none."""

    def __init__(self):
        self.pref: dict[str, dict[str, str]] = defaultdict(dict)
        self.other: dict[str, dict[str, str]] = defaultdict(dict)
        self.notation: dict[str, str] = {}
        self.known: set[str] = set()

    def add(self, s: str, p: str, o) -> None:
        if not isinstance(o, ox.Literal):
            return
        self.known.add(s)
        lang = o.language or ""
        if p == f"{SKOS_NS}prefLabel":
            self.pref[s].setdefault(lang, o.value)
        elif p == f"{RDFS_NS}label" or p == f"{DCT}title":
            self.other[s].setdefault(lang, o.value)
        elif p == f"{SKOS_NS}notation":
            self.notation.setdefault(s, o.value)

    def add_graph(self, g: Graph) -> None:
        for t in g.triples:
            if t.predicate.value in LABEL_PROPS or t.predicate.value == f"{DCT}title":
                self.add(node_key(t.subject), t.predicate.value, t.object)

    async def load(self, source: Source, nodes: Iterable[str]) -> None:
        todo = sorted({n for n in nodes if n not in self.known and not n.startswith("_:")})
        for i in range(0, len(todo), 200):
            chunk = todo[i:i + 200]
            values = " ".join(iri(n) for n in chunk)
            rows = await source.select(
                f"PREFIX skos: <{SKOS_NS}>\nPREFIX rdfs: <{RDFS_NS}>\n"
                f"SELECT ?s ?p ?l WHERE {{ VALUES ?s {{ {values} }} ?s ?p ?l . "
                f"VALUES ?p {{ skos:prefLabel rdfs:label skos:notation }} }}")
            for r in rows:
                self.add(r["s"].value, r["p"].value, r["l"])
            self.known.update(chunk)

    def get(self, s: str, lang: str = "nl") -> str | None:
        for table in (self.pref.get(s, {}), self.other.get(s, {})):
            for want in (lang, "nl" if lang != "nl" else "en", ""):
                if want in table:
                    return table[want]
            if table:
                return table[sorted(table)[0]]
        return None

    def en(self, s: str) -> str | None:
        """The English label when it differs from the Dutch one."""
        nl = self.get(s, "nl")
        for table in (self.pref.get(s, {}), self.other.get(s, {})):
            if "en" in table:
                return table["en"] if table["en"] != nl else None
        return None


# -- values ---------------------------------------------------------------------------------------------

@dataclass
class V:
    """One rendered value."""

    text: str
    href: str | None = None
    external: bool = False
    lang: str | None = None
    datatype: str | None = None
    title: str | None = None
    machine: str | None = None
    code: bool = False
    nested: list | None = None  # [(property label, [V])] for an inline node
    pre: bool = False


@dataclass
class Prop:
    label: str
    iri: str
    href: str | None
    values: list[V]
    more: int = 0
    more_href: str | None = None


@dataclass
class Table:
    caption: str
    head: list[str]
    rows: list[list]  # cells: V, list[V], str, None; the first cell is a row header when row_headers
    id: str = ""
    row_headers: bool = True
    numeric: set[int] = field(default_factory=set)
    note: str = ""
    row_ids: list[str] = field(default_factory=list)


@dataclass
class Chart:
    title: str
    svg: Markup
    href: str | None = None


@dataclass
class Section:
    id: str
    title: str
    kind: str  # "props", "table", "charts", "text", "quotes", "list", "html", "details"
    data: object = None
    intro: str = ""
    lang: str | None = None


@dataclass
class Page:
    title: str
    path: str  # app path, e.g. /doc/voorziening/digid
    title_en: str | None = None
    badges: list[str] = field(default_factory=list)
    notation: str | None = None
    uri: str | None = None
    sections: list[Section] = field(default_factory=list)
    alternates: list[tuple[str, str, str]] = field(default_factory=list)  # (href, media type, label)
    crumbs: list[tuple[str, str]] = field(default_factory=list)
    lead: str = ""
    lead_en: str = ""
    status: int = 200
    description: str = ""
    extra: dict = field(default_factory=dict)


class Site:
    """Everything a page needs: the source, URIs, links, settings, labels of terms, templates."""

    def __init__(self, settings: Settings, source: Source, uris: Uris, linker: Linker, *,
                 sparql: str | None = "/sparql", trends: str | None = None, search: bool = True,
                 dumps: list[str] | None = None, trend_files: list[dict] | None = None):
        self.settings = settings
        self.source = source
        self.uris = uris
        self.linker = linker
        self.sparql = sparql  # URL of the query page, or None (static site without endpoint)
        self.trends = trends  # URL of the trends pages, or None
        self.search = search
        self.dumps = dumps or []
        self.trend_files = trend_files or []  # the entries of build/trends/index.json (path, kind, facility …)
        self.term_labels: Labels | None = None
        self.gdi = uris.base + GDI_LOCAL
        self.env = _environment()

    # -- names ---------------------------------------------------------------------------------------
    def expand(self, name: str) -> str:
        return self.gdi + name[4:] if name.startswith("gdi:") else name

    def curie(self, value: str) -> str:
        best = None
        for name, ns in prefixes(self.uris).items():
            if value.startswith(ns) and len(value) > len(ns) and (best is None or len(ns) > len(best[1])):
                best = (name, ns)
        return f"{best[0]}:{value[len(best[1]):]}" if best else value

    async def terms(self) -> Labels:
        """Labels of the ontology's terms (loaded once)."""
        if self.term_labels is None:
            labels = Labels()
            rows = await self.source.select(
                f"PREFIX skos: <{SKOS_NS}>\nPREFIX rdfs: <{RDFS_NS}>\n"
                f"SELECT ?s ?p ?l WHERE {{ ?s rdfs:isDefinedBy {iri(self.uris.ontology)} ; ?p ?l . "
                f"VALUES ?p {{ skos:prefLabel rdfs:label }} }}")
            for r in rows:
                labels.add(r["s"].value, r["p"].value, r["l"])
            self.term_labels = labels
        return self.term_labels

    async def prop_label(self, p: str) -> str:
        terms = await self.terms()
        return terms.get(p) or EXTERNAL_LABELS.get(p) or self.curie(p)

    async def inverse_label(self, p: str) -> str:
        key = "gdi:" + p[len(self.gdi):] if p.startswith(self.gdi) else p
        if key in INVERSE_LABELS:
            return INVERSE_LABELS[key]
        return f"is {await self.prop_label(p)} van"

    def sparql_href(self, query: str) -> str | None:
        if not self.sparql:
            return None
        return f"{self.sparql}?query={quote(query, safe='')}"

    # -- values --------------------------------------------------------------------------------------
    def value(self, term, labels: Labels, *, lang: str = "nl") -> V:
        if isinstance(term, ox.Literal):
            return literal_value(term, self)
        if isinstance(term, ox.BlankNode):
            return V(labels.get(f"_:{term.value}") or "(naamloze knoop)")
        uri = term.value
        label = labels.get(uri, lang)
        href = self.linker.href(uri)
        if href is not None:
            return V(label or self.short(uri), href=href, title=uri)
        if uri.startswith(self.uris.base + "/.well-known/genid/"):
            return V(label or "(knoop)")
        return V(label or self.curie(uri), href=uri, external=True, title=uri)

    def short(self, uri: str) -> str:
        found = self.linker.app_path(uri)
        if found is None:
            return self.curie(uri)
        path, frag = found
        if frag:
            return frag
        parts = path.split("/")
        return "/".join(parts[3:]) if len(parts) > 3 else path

    def render(self, template: str, **context) -> str:
        return self.env.get_template(template).render(site=self, **context)


def literal_value(lit: ox.Literal, site: Site | None = None) -> V:
    dt = lit.datatype.value if lit.datatype is not None else ""
    text = lit.value
    if dt in (f"{XSD_NS}decimal", f"{XSD_NS}integer", f"{XSD_NS}double", f"{XSD_NS}positiveInteger",
              f"{XSD_NS}nonNegativeInteger", f"{XSD_NS}float", f"{XSD_NS}int"):
        return V(fmt_number(text), machine=text, datatype="xsd:" + dt[len(XSD_NS):])
    if dt == f"{XSD_NS}date":
        return V(fmt_date(text), machine=text, datatype="xsd:date")
    if dt == f"{XSD_NS}boolean":
        return V("ja" if text in ("true", "1") else "nee", machine=text, datatype="xsd:boolean")
    if dt and dt not in (f"{XSD_NS}string", f"{RDF_NS}langString"):
        short = "xsd:" + dt[len(XSD_NS):] if dt.startswith(XSD_NS) else dt
        return V(text, machine=text, datatype=short)
    return V(text, lang=lit.language or None, pre="\n" in text)


def fmt_number(text: str | Decimal | float | int, digits: int | None = None) -> str:
    """Dutch notation: 1.234.567 and 96,5."""
    try:
        d = Decimal(str(text))
    except InvalidOperation:
        return str(text)
    if digits is not None:
        d = round(d, digits)
    if d == d.to_integral_value() and digits in (None, 0):
        s = f"{int(d):,}".replace(",", ".")
        return s
    s = format(d.normalize() if digits is None else d, "f")
    whole, _, frac = s.partition(".")
    neg = whole.startswith("-")
    whole = f"{abs(int(whole)):,}".replace(",", ".")
    return ("-" if neg else "") + whole + ("," + frac if frac else "")


def fmt_date(text: str) -> str:
    m = re.match(r"^(\d{4})-(\d{2})-(\d{2})$", text)
    if not m:
        return text
    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if not 1 <= mo <= 12:
        return text
    return f"{d} {MONTHS[mo - 1]} {y}"


def fmt_change(prev: Decimal, cur: Decimal, percent_unit: bool) -> str | None:
    if percent_unit:
        diff = cur - prev
        return f"{'+' if diff > 0 else ''}{fmt_number(diff, 1)} pp"
    if prev == 0:
        return None
    change = (cur - prev) / prev * 100
    return f"{'+' if change > 0 else ''}{fmt_number(change, 1)}%"


def fmt_compact(x: float) -> str:
    """Short axis labels: 1,2 mln, 350.000, 97,1."""
    ax = abs(x)
    if ax >= 1e9:
        return fmt_number(round(Decimal(x) / Decimal(1e9), 1)) + " mld"
    if ax >= 1e6:
        return fmt_number(round(Decimal(x) / Decimal(1e6), 1)) + " mln"
    if ax >= 100 or x == int(x):
        return fmt_number(int(round(x)))
    return fmt_number(round(Decimal(str(x)), 1))


def decimal_of(term) -> Decimal | None:
    if term is None:
        return None
    try:
        return Decimal(term.value)
    except (InvalidOperation, AttributeError):
        return None


def year_of(term) -> int | None:
    try:
        return int(str(term.value)[:4])
    except (ValueError, AttributeError):
        return None


# -- charts ---------------------------------------------------------------------------------------------

def _nice_step(span: float, n: int = 4) -> float:
    if span <= 0:
        return 1.0
    raw = span / n
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * mag:
            return m * mag
    return 10 * mag


def line_chart(points: list[tuple[int, Decimal]], title: str, *, unit: str = "", ident: str = "chart",
               width: int = 360, height: int = 190) -> Markup:
    """A small, deterministic SVG line chart of (year, value) points; no scripts, text stays text."""
    pts = sorted((int(y), float(v)) for y, v in points)
    left, right, top, bottom = 64, 14, 16, 34
    pw, ph = width - left - right, height - top - bottom
    esc = html.escape
    title_id, desc_id = f"{ident}-t", f"{ident}-d"
    desc = "; ".join(f"{y}: {fmt_number(Decimal(str(v)))}{unit}" for y, v in pts)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
           f'width="{width}" height="{height}" role="img" aria-labelledby="{title_id} {desc_id}">',
           f'<title id="{title_id}">{esc(title)}</title>', f'<desc id="{desc_id}">{esc(desc)}</desc>']
    if not pts:
        out.append('<text x="10" y="20">geen cijfers</text></svg>')
        return Markup("".join(out))
    ys = [v for _, v in pts]
    lo = min(0.0, min(ys))
    hi = max(ys)
    if hi == lo:
        hi = lo + (abs(lo) or 1.0)
    step = _nice_step(hi - lo)
    hi = math.ceil(hi / step) * step
    lo = math.floor(lo / step) * step
    x0, x1 = pts[0][0], pts[-1][0]
    xs = (lambda y: left + pw / 2) if x0 == x1 else (lambda y: left + (y - x0) / (x1 - x0) * pw)
    yv = lambda v: top + ph - (v - lo) / (hi - lo) * ph  # noqa: E731
    tick = lo
    while tick <= hi + step / 1e6:
        y = yv(tick)
        out.append(f'<line class="grid" x1="{left}" x2="{left + pw}" y1="{y:.1f}" y2="{y:.1f}"/>')
        out.append(f'<text class="ylabel" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{esc(fmt_compact(tick))}</text>')
        tick += step
    years = sorted({y for y, _ in pts})
    every = max(1, math.ceil(len(years) / 6))
    for i, y in enumerate(years):
        if i % every == 0 or y == years[-1]:
            out.append(f'<text class="xlabel" x="{xs(y):.1f}" y="{height - 12}" text-anchor="middle">{y}</text>')
    out.append(f'<line class="axis" x1="{left}" x2="{left + pw}" y1="{top + ph}" y2="{top + ph}"/>')
    # solid lines between consecutive years, dashed over gaps
    for (ya, va), (yb, vb) in zip(pts, pts[1:]):
        cls = "line" if yb - ya == 1 else "line gap"
        out.append(f'<line class="{cls}" x1="{xs(ya):.1f}" y1="{yv(va):.1f}" x2="{xs(yb):.1f}" y2="{yv(vb):.1f}"/>')
    for y, v in pts:
        out.append(f'<circle class="point" cx="{xs(y):.1f}" cy="{yv(v):.1f}" r="3.5">'
                   f'<title>{y}: {esc(fmt_number(Decimal(str(v))))}{esc(unit)}</title></circle>')
    out.append("</svg>")
    return Markup("".join(out))


def neighbourhood_svg(center: V, uses: list[tuple[V, str]], used_by: list[tuple[V, str]],
                      carriers: list[V], ident: str = "stelsel") -> Markup:
    """The Stelselplaat around one registry: who uses it (left), what it uses (right), the facilities
    that carry its data (below); arrows point from the user to the used."""
    esc = html.escape
    bw, bh, gap = 190, 30, 12
    rows = max(len(uses), len(used_by), 1)
    width = 3 * bw + 2 * 70 + 20
    col_h = rows * (bh + gap)
    carrier_rows = math.ceil(len(carriers) / 3) if carriers else 0
    height = 40 + col_h + (40 + carrier_rows * (bh + gap) if carriers else 0) + 10
    cx = 10 + bw + 70
    cy = 30 + (col_h - bh) / 2

    def box(v: V, x: float, y: float, cls: str, note: str = "") -> str:
        label = v.text if len(v.text) <= 28 else v.text[:27] + "…"
        name = v.title if v.title and not v.title.startswith(("http://", "https://")) else v.text
        t = esc(name + (f" ({note})" if note else ""))
        inner = (f'<rect class="{cls}" x="{x:.0f}" y="{y:.0f}" width="{bw}" height="{bh}" rx="4"/>'
                 f'<text x="{x + bw / 2:.0f}" y="{y + 19:.0f}" text-anchor="middle">{esc(label)}</text>')
        if v.href:
            return f'<a href="{esc(v.href)}"><title>{t}</title>{inner}</a>'
        return f"<g><title>{t}</title>{inner}</g>"

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="neighbourhood" viewBox="0 0 {width} {height}" '
           f'width="{width}" height="{height}" role="group" aria-labelledby="{ident}-t">',
           f'<title id="{ident}-t">Stelselplaat rond {esc(center.text)}: gebruikt door '
           f'{esc(", ".join(v.text for v, _ in used_by) or "geen")}; maakt gebruik van '
           f'{esc(", ".join(v.text for v, _ in uses) or "geen")}</title>',
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
           'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" class="arrowhead"/></marker></defs>',
           f'<text class="colhead" x="{10 + bw / 2}" y="18" text-anchor="middle">gebruikt door</text>',
           f'<text class="colhead" x="{cx + 70 + bw + bw / 2}" y="18" text-anchor="middle">maakt gebruik van</text>']
    out.append(box(center, cx, cy, "center"))
    for i, (v, keys) in enumerate(used_by):
        y = 30 + i * (bh + gap)
        out.append(box(v, 10, y, "node", keys))
        out.append(f'<line class="edge" x1="{10 + bw}" y1="{y + bh / 2:.0f}" x2="{cx}" y2="{cy + bh / 2:.0f}" '
                   f'marker-end="url(#arrow)"/>')
    for i, (v, keys) in enumerate(uses):
        y = 30 + i * (bh + gap)
        x = cx + bw + 70
        out.append(box(v, x, y, "node", keys))
        out.append(f'<line class="edge" x1="{cx + bw}" y1="{cy + bh / 2:.0f}" x2="{x}" y2="{y + bh / 2:.0f}" '
                   f'marker-end="url(#arrow)"/>')
    if carriers:
        y0 = 30 + col_h + 30
        out.append(f'<text class="colhead" x="{width / 2:.0f}" y="{y0 - 8}" text-anchor="middle">'
                   f'voorzieningen die de gegevens dragen</text>')
        for i, v in enumerate(carriers):
            x = 10 + (i % 3) * (bw + 70)
            y = y0 + (i // 3) * (bh + gap)
            out.append(box(v, x, y, "carrier"))
    out.append("</svg>")
    return Markup("".join(out))


# -- templates ------------------------------------------------------------------------------------------

def _environment() -> Environment:
    env = Environment(loader=PackageLoader("gdigraph.serve", "templates"), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["num"] = fmt_number
    return env


# -- SPARQL helpers -------------------------------------------------------------------------------------

def _q(site: Site, body: str) -> str:
    base = site.uris.base
    return (f"PREFIX gdi: <{site.gdi}>\nPREFIX skos: <{SKOS_NS}>\nPREFIX rdfs: <{RDFS_NS}>\n"
            f"PREFIX rdf: <{RDF_NS}>\nPREFIX qb: <{QB}>\nPREFIX prov: <{PROV}>\nPREFIX dcterms: <{DCT}>\n"
            f"PREFIX time: <{TIME}>\nPREFIX org: <{ORG}>\nPREFIX xsd: <{XSD_NS}>\n"
            f"# base {base}\n{body}")


def _v(row: dict, name: str) -> str | None:
    t = row.get(name)
    return None if t is None else (t.value if not isinstance(t, ox.BlankNode) else f"_:{t.value}")


# -- resource pages -------------------------------------------------------------------------------------

HIDDEN_IN_PROPS = {f"{SKOS_NS}prefLabel", f"{RDFS_NS}label"}


async def build_resource(site: Site, uri: str, *, path: str) -> tuple[Page, list[ox.Triple]] | None:
    """The page of ``uri`` (one of our /id/ or /def/ URIs) and the triples of its description; None
    if the graph says nothing about it."""
    triples = await describe(site.source, uri, site.uris)
    g = Graph(triples)
    if not g.out.get(uri):
        return None
    labels = Labels()
    labels.add_graph(g)
    labels.known.update(g.out.keys())
    terms = await site.terms()
    types = [t.value for t in g.objects(uri, f"{RDF_NS}type") if isinstance(t, ox.NamedNode)]
    kind = _kind(site, uri, types)
    title = labels.get(uri) or site.short(uri)
    page = Page(title=title, path=path, title_en=labels.en(uri), uri=uri,
                notation=labels.notation.get(uri))
    badge_types = sorted(types, key=lambda t: (not t.startswith(site.gdi), t))
    for t in badge_types[:3]:
        lab = terms.get(t) or labels.get(t) or EXTERNAL_LABELS.get(t) or site.curie(t)
        if lab not in page.badges:
            page.badges.append(lab)
    type_segment = _type_segment(site, uri)
    page.crumbs = [("Home", site.linker.page("/"))]
    if type_segment in LISTINGS:
        page.crumbs.append((LISTINGS[type_segment][1], site.linker.page(f"/doc/{type_segment}")))
    elif uri.startswith(site.uris.base + "/def/"):
        page.crumbs.append(("Ontologie", site.linker.page("/def/gdi")))
    parent = _parent(site, type_segment, uri, g)
    if parent is not None:
        if type_segment in ("waarneming", "bronregel"):
            page.crumbs.append(("Edities", site.linker.page("/doc/editie")))
        v = site.value(parent, labels)
        if v.href and not v.external:
            page.crumbs.append((v.text, v.href))
    description = g.first(uri, f"{DCT}description") or g.first(uri, f"{SKOS_NS}definition")
    if isinstance(description, ox.Literal):
        page.description = description.value[:300]
    # type-specific sections first, then the generic ones
    special = await _special_sections(site, kind, uri, g, labels)
    skip = set(special.get("skip", ()))
    page.sections.extend(special.get("sections", []))
    page.sections.append(await _props_section(site, uri, g, labels, skip))
    details = await _details_section(site, uri, g, labels)
    if details is not None:
        page.sections.append(details)
    page.sections.append(await _inbound_section(site, uri, g, labels, special.get("skip_inbound", ())))
    page.sections = [s for s in page.sections if s is not None and (s.data or s.kind == "text")]
    page.alternates = [(site.linker.alternate(path, o), o.media_type, o.label) for o in (TURTLE, JSONLD, NTRIPLES)]
    return page, triples


def _parent(site: Site, type_segment: str | None, uri: str, g: Graph):
    """The resource a page of a type without a list belongs under (for the breadcrumbs)."""
    gdi = site.gdi
    if type_segment == "waarneming":
        return g.first(uri, f"{gdi}editie")
    if type_segment == "bronregel":
        return g.first(uri, f"{PROV}wasQuotedFrom")
    if type_segment == "koppeling":
        return g.first(uri, f"{gdi}afnemendeRegistratie")
    if type_segment == "rol":
        owners = g.subjects(f"{gdi}rol", uri)
        return owners[0] if owners else None
    if type_segment == "reeks" and f"{gdi}ReeksWaarneming" in {t.value for t in g.objects(uri, f"{RDF_NS}type")}:
        slices = g.subjects(f"{QB}observation", uri)
        return slices[0] if slices else None
    return None


def _type_segment(site: Site, uri: str) -> str | None:
    prefix = site.uris.base + "/id/"
    if uri.startswith(prefix):
        return uri[len(prefix):].split("/", 1)[0]
    return None


def _kind(site: Site, uri: str, types: list[str]) -> str:
    gdi = site.gdi
    seg = _type_segment(site, uri)
    if f"{gdi}Basisregistratie" in types:
        return "registry"
    if f"{gdi}Voorziening" in types or f"{gdi}Stelselvoorziening" in types or seg in ("voorziening",):
        return "facility"
    if f"{gdi}Waarneming" in types or f"{gdi}OntbrekendeWaarneming" in types:
        return "observation"
    if f"{gdi}ReeksWaarneming" in types:
        return "series-observation"
    if f"{gdi}Reeks" in types:
        return "series"
    if f"{gdi}Indicator" in types:
        return "indicator"
    if f"{gdi}Editie" in types:
        return "edition"
    if f"{gdi}Aanbeveling" in types or f"{gdi}Toezegging" in types:
        return "recommendation"
    if f"{ORG}Organization" in types or seg == "organisatie":
        return "organisation"
    if f"{QB}DataSet" in types:
        return "dataset"
    if f"{gdi}Bronregel" in types:
        return "source-line"
    if f"{SKOS_NS}ConceptScheme" in types:
        return "scheme"
    return "generic"


async def _props_section(site: Site, uri: str, g: Graph, labels: Labels, skip: set[str]) -> Section:
    props: list[Prop] = []
    for p in sorted(g.out[uri], key=lambda p: (p != f"{RDF_NS}type", p)):
        if p in HIDDEN_IN_PROPS or p in skip:
            continue
        values = []
        for o in sorted(g.out[uri][p], key=_sort_key_term(labels)):
            values.append(site.value(o, labels))
        props.append(Prop(await site.prop_label(p), p, site.linker.href(p) or p, values))
    return Section("kenmerken", "Kenmerken", "props", props)


def _sort_key_term(labels: Labels):
    def key(term):
        if isinstance(term, ox.Literal):
            return (0, term.language or "", term.value)
        v = node_key(term)
        return (1, (labels.get(v) or v).lower(), v)
    return key


async def _details_section(site: Site, uri: str, g: Graph, labels: Labels) -> Section | None:
    """The nodes that are part of this resource (hash URIs, skolem IRIs), each with an anchor."""
    nodes = [s for s in g.out if s != uri and (s.startswith(uri + "#") or s.startswith("_:")
                                                   or s.startswith(site.uris.base + "/.well-known/genid/"))]
    if not nodes:
        return None
    items = []
    for n in sorted(nodes):
        props = []
        for p in sorted(g.out[n]):
            if p in (f"{SKOS_NS}prefLabel",):
                continue
            vals = [site.value(o, labels) for o in sorted(g.out[n][p], key=_sort_key_term(labels))]
            props.append(Prop(await site.prop_label(p), p, site.linker.href(p) or p, vals))
        anchor = n.split("#", 1)[1] if "#" in n else ""
        items.append({"anchor": anchor, "title": labels.get(n) or anchor or "knoop", "uri": n, "props": props})
    return Section("onderdelen", "Details en citaten", "details", items)


async def _inbound_section(site: Site, uri: str, g: Graph, labels: Labels, skip: Iterable[str] = ()) -> Section:
    counts = await inbound_counts(site.source, uri)
    skip = set(skip)
    groups = []
    for p in sorted(counts, key=lambda p: (p == f"{RDF_NS}type", p)):
        if p in skip:
            continue
        subjects = [s for s in g.subjects(p, uri)
                    if not (isinstance(s, ox.NamedNode) and s.value.startswith(uri + "#"))]
        if not subjects and counts[p] == 0:
            continue
        own_hash = sum(1 for s in g.subjects(p, uri) if isinstance(s, ox.NamedNode) and s.value.startswith(uri + "#"))
        total = counts[p] - own_hash
        if total <= 0:
            continue
        shown = sorted(subjects, key=_sort_key_term(labels))[:50]
        values = [site.value(s, labels) for s in shown]
        more = max(0, total - len(shown))
        more_href = None
        if more:
            more_href = site.sparql_href(f"SELECT ?s WHERE {{ ?s {iri(p)} {iri(uri)} }} ORDER BY ?s")
        groups.append(Prop(await site.inverse_label(p), p, site.linker.href(p) or p, values, more, more_href))
    return Section("verwijzingen", "Verwijzingen naar deze bron", "props", groups,
                   intro="Andere bronnen in de graaf die hiernaar verwijzen.")


async def _special_sections(site: Site, kind: str, uri: str, g: Graph, labels: Labels) -> dict:
    builder = {
        "facility": _facility_sections,
        "registry": _registry_sections,
        "organisation": _organisation_sections,
        "indicator": _indicator_sections,
        "edition": _edition_sections,
        "observation": _observation_sections,
        "series": _series_sections,
        "series-observation": _series_observation_sections,
        "recommendation": _recommendation_sections,
        "dataset": _dataset_sections,
        "source-line": _source_line_sections,
        "scheme": _scheme_sections,
    }.get(kind)
    if builder is None:
        return {}
    return await builder(site, uri, g, labels)


# --- facilities and registries ---

async def _series_rows(site: Site, where: str) -> list[dict]:
    return await site.source.select(_q(site, f"""
SELECT ?o ?ind ?b ?year ?value ?unit ?herzien WHERE {{
  ?o a gdi:ReeksWaarneming ; {where} ; gdi:indicator ?ind ; gdi:jaar ?year ; gdi:waarde ?value .
  OPTIONAL {{ ?o gdi:uitsplitsing ?b }} OPTIONAL {{ ?o gdi:eenheid ?unit }} OPTIONAL {{ ?o gdi:herzien ?herzien }}
}}"""))


async def _indicator_table(site: Site, rows: list[dict], labels: Labels, *, caption: str,
                           ident: str, label_of_row=None, all_rows: bool = False) -> tuple[Section | None, Section | None]:
    """Rows indicators (and breakdowns), columns years, year-on-year change; a chart per row."""
    if not all_rows:
        rows = [r for r in rows if not (_v(r, "ind") or "").endswith(".verandering")]
    if not rows:
        return None, None
    await labels.load(site.source, {_v(r, k) for r in rows for k in ("ind", "b", "unit") if _v(r, k)})
    series: dict[tuple[str, str], dict[int, tuple[Decimal, str, bool]]] = defaultdict(dict)
    units: dict[tuple[str, str], str] = {}
    for r in rows:
        year, value = year_of(r["year"]), decimal_of(r["value"])
        if year is None or value is None:
            continue
        key = (_v(r, "ind"), _v(r, "b") or "")
        series[key][year] = (value, _v(r, "o"), _v(r, "herzien") == "true")
        units[key] = _v(r, "unit") or ""
    years = sorted({y for s in series.values() for y in s})
    totaal = site.uris.base + "/def/gdi/uitsplitsing/totaal"

    def row_label(key):
        ind, b = key
        text = labels.get(ind) or site.short(ind)
        if label_of_row:
            text = label_of_row(key, text)
        if b and b != totaal:
            text += " — " + (labels.get(b) or site.short(b))
        return text

    keys = sorted(series, key=lambda k: (row_label(k).lower(), k))
    table_rows = []
    charts = []
    for n, key in enumerate(keys):
        unit_uri = units[key]
        percent = unit_uri.endswith("/procent")
        unit_label = labels.get(unit_uri) or ""
        head = V(row_label(key), href=site.linker.href(key[0]), title=key[0])
        cells: list = [[head, V(unit_label)] if unit_label else head]
        for y in years:
            if y not in series[key]:
                cells.append(None)
                continue
            value, obs_uri, revised = series[key][y]
            v = V(fmt_number(value) + (" %" if percent else ""), href=site.linker.href(obs_uri), machine=str(value),
                  title=f"{y}" + (" (herzien)" if revised else ""))
            cell = [v]
            if y - 1 in series[key]:
                ch = fmt_change(series[key][y - 1][0], value, percent)
                if ch:
                    cell.append(V(ch, title=f"verandering ten opzichte van {y - 1}"))
            if revised:
                cell.append(V("herzien", title="latere editie gaf een ander cijfer"))
            cells.append(cell)
        table_rows.append(cells)
        pts = [(y, val[0]) for y, val in sorted(series[key].items())]
        charts.append(Chart(row_label(key), line_chart(pts, row_label(key), unit=" %" if percent else "",
                                                       ident=f"{ident}-{n}"), head.href))
    table = Table(caption, ["Indicator"] + [str(y) for y in years], table_rows, id=f"{ident}-tabel",
                  numeric=set(range(1, len(years) + 1)),
                  note="Geharmoniseerde reeksen: één cijfer per jaar, uit de laatste editie die het geeft. "
                       "Onder elk cijfer de verandering ten opzichte van het jaar ervoor (bij percentages in "
                       "procentpunten, pp). De door de rapporten afgedrukte veranderingen staan op de "
                       "indicatorpagina's.")
    return (Section(ident, "Cijfers per jaar", "table", table),
            Section(f"{ident}-grafieken", "Grafieken per indicator", "charts", charts))


async def _roles_table(site: Site, rows: list[dict], labels: Labels, *, of: str) -> Section | None:
    if not rows:
        return None
    await labels.load(site.source, {_v(r, k) for r in rows for k in ("f", "org", "kind") if _v(r, k)})
    terms = await site.terms()
    seen = set()
    out = []
    for r in rows:
        key = (_v(r, "f"), _v(r, "kind"), _v(r, "org"), _v(r, "begin"), _v(r, "end"))
        if key in seen:
            continue
        seen.add(key)
        kind = _v(r, "kind") or ""
        other = _v(r, "org") if of == "facility" else _v(r, "f")
        period = _period(_v(r, "begin"), _v(r, "end"), _v(r, "rol") is not None)
        cells = [site.value(ox.NamedNode(other), labels), V(terms.get(kind) or site.curie(kind)), V(period)]
        if _v(r, "rol"):
            cells.append(site.value(ox.NamedNode(_v(r, "rol")), Labels()))
            cells[-1].text = "rol"
        else:
            cells.append(None)
        out.append(cells)
    has_rol = any(c[3] is not None for c in out)
    out.sort(key=lambda c: (c[1].text, c[0].text.lower(), c[2].text))
    first = "Organisatie" if of == "facility" else "Voorziening"
    head = [first, "Rol", "Periode"] + (["Details"] if has_rol else [])
    if not has_rol:
        out = [c[:3] for c in out]
    caption = "Wie beheert, bekostigt en vult deze voorziening" if of == "facility" else \
        "Voorzieningen waarvoor deze organisatie een rol heeft"
    return Section("rollen", "Organisaties en rollen" if of == "facility" else "Voorzieningen", "table",
                   Table(caption, head, out, id="rollen-tabel"))


def _period(begin: str | None, end: str | None, dated: bool) -> str:
    if begin and end:
        return f"{fmt_date(begin)} – {fmt_date(end)}"
    if begin:
        return f"sinds {fmt_date(begin)}"
    if end:
        return f"tot {fmt_date(end)}"
    return "nu" if not dated else "periode onbekend"


_ROLE_QUERY = """
SELECT ?f ?rol ?kind ?org ?begin ?end WHERE {{
  {{ {f} gdi:rol ?rol . ?rol gdi:rolsoort ?kind ; gdi:organisatie {org} .
     OPTIONAL {{ ?rol gdi:periode ?p .
       OPTIONAL {{ ?p time:hasBeginning ?bi . ?bi ?bp ?begin . VALUES ?bp {{ time:inXSDDate time:inXSDgYearMonth time:inXSDgYear }} }}
       OPTIONAL {{ ?p time:hasEnd ?ei . ?ei ?ep ?end . VALUES ?ep {{ time:inXSDDate time:inXSDgYearMonth time:inXSDgYear }} }} }} }}
  UNION
  {{ VALUES ?kind {{ gdi:beheerder gdi:opdrachtgever gdi:bronhouder }} {f} ?kind {org} .
     FILTER NOT EXISTS {{ {f} gdi:rol ?r2 . ?r2 gdi:rolsoort ?kind ; gdi:organisatie {org} . }} }}
}}"""


async def _recommendations(site: Site, uri: str, labels: Labels) -> Section | None:
    rows = await site.source.select(_q(site, f"""
SELECT ?a ?type ?status ?deadline WHERE {{
  ?a gdi:betreft {iri(uri)} ; a ?type . VALUES ?type {{ gdi:Aanbeveling gdi:Toezegging }}
  OPTIONAL {{ ?a gdi:status ?status }} OPTIONAL {{ ?a gdi:deadline ?deadline }}
}} ORDER BY ?a"""))
    if not rows:
        return None
    await labels.load(site.source, {_v(r, k) for r in rows for k in ("a", "status") if _v(r, k)})
    out = []
    for r in rows:
        kind = "aanbeveling" if _v(r, "type").endswith("Aanbeveling") else "toezegging"
        out.append([site.value(r["a"], labels), V(kind),
                    site.value(r["status"], labels) if "status" in r else V("onbekend"),
                    literal_value(r["deadline"]) if "deadline" in r else None])
    return Section("aanbevelingen", "Aanbevelingen en toezeggingen", "table",
                   Table("Aanbevelingen van de ombudsman en toezeggingen van de overheid hierover",
                         ["Tekst", "Soort", "Status", "Deadline"], out, id="aanbevelingen-tabel"))


async def _facility_sections(site: Site, uri: str, g: Graph, labels: Labels) -> dict:
    sections: list = []
    table, charts = await _indicator_table(
        site, await _series_rows(site, f"gdi:voorziening {iri(uri)}"), labels,
        caption=f"Geharmoniseerde cijfers van {labels.get(uri) or site.short(uri)}: indicatoren per jaar",
        ident="cijfers")
    if table is None:
        sections.append(Section("cijfers", "Cijfers per jaar", "text",
                                "Voor deze voorziening zijn (nog) geen geharmoniseerde cijfers."))
    else:
        sections += [table, charts]
        downloads = _trend_downloads(site, uri)
        if downloads:
            sections.append(Section("trendtabel", "Trendtabel downloaden", "list", downloads,
                                    intro="Dezelfde cijfers als tabel, met CSVW-metadata, en alle voorzieningen "
                                          "in één werkboek."))
    roles = await site.source.select(_q(site, _ROLE_QUERY.format(f=iri(uri), org="?org")))
    for r in roles:
        r["f"] = ox.NamedNode(uri)
    sections.append(await _roles_table(site, roles, labels, of="facility"))
    sections.append(await _recommendations(site, uri, labels))
    return {"sections": sections, "skip": {f"{site.gdi}rol"}}


def _trend_downloads(site: Site, uri: str) -> list[V]:
    if not site.trends or not site.trend_files:
        return []
    code = uri.rsplit("/", 1)[-1]
    out = []
    for f in site.trend_files:
        mine = f.get("facility") == code or f["path"] in (f"{code}.csv", f"{code}.csv-metadata.json")
        if (mine and f.get("kind") in ("table", "metadata", None)) or f.get("kind") == "workbook":
            what = {"table": "CSV", "metadata": "CSVW-metadata", "workbook": "Excel"}.get(f.get("kind"), "")
            title = str(f.get("title") or f["path"])
            out.append(V(title + (f" ({what})" if what and what.lower() not in title.lower() else ""),
                         href=site.linker.path("/trends/" + f["path"])))
    return sorted(out, key=lambda v: (not v.text.endswith("(CSV)"), v.text))


async def _registry_sections(site: Site, uri: str, g: Graph, labels: Labels) -> dict:
    out = await _facility_sections(site, uri, g, labels)
    rows = await site.source.select(_q(site, f"""
SELECT ?dir ?other ?key WHERE {{
  {{ {iri(uri)} gdi:maaktGebruikVan ?other . BIND("uses" AS ?dir)
     OPTIONAL {{ {iri(uri)} gdi:koppeling ?k . ?k gdi:leverendeRegistratie ?other ; gdi:sleutel ?key }} }}
  UNION
  {{ ?other gdi:maaktGebruikVan {iri(uri)} . BIND("usedby" AS ?dir)
     OPTIONAL {{ ?other gdi:koppeling ?k . ?k gdi:leverendeRegistratie {iri(uri)} ; gdi:sleutel ?key }} }}
  UNION
  {{ ?other gdi:draagt {iri(uri)} . BIND("carried" AS ?dir) }}
}}"""))
    await labels.load(site.source, {_v(r, "other") for r in rows})
    keys: dict[tuple[str, str], set[str]] = defaultdict(set)
    for r in rows:
        k = keys[(_v(r, "dir"), _v(r, "other"))]
        if _v(r, "key"):
            k.add(_v(r, "key"))

    def items(direction):
        found = sorted(((o, ks) for (d, o), ks in keys.items() if d == direction),
                       key=lambda x: (labels.get(x[0]) or x[0]).lower())
        return [(site.value(ox.NamedNode(o), labels), "; ".join(sorted(ks))) for o, ks in found]

    def short(items):
        out = []
        for v, ks in items:
            code = labels.notation.get(v.title or "")
            out.append((V(code or v.text, href=v.href, title=v.text), ks) if code else (v, ks))
        return out

    uses, used_by, carried = items("uses"), items("usedby"), items("carried")
    center = V(labels.get(uri) or site.short(uri))
    table_rows = []
    for what, lst in (("maakt gebruik van", uses), ("wordt gebruikt door", used_by)):
        for v, ks in lst:
            table_rows.append([v, V(what), V(ks or "—")])
    for v, _ in carried:
        table_rows.append([v, V("draagt de gegevens (voorziening)"), None])
    svg = neighbourhood_svg(center, short(uses), short(used_by), [v for v, _ in short(carried)])
    section = Section("stelselplaat", "Plaats op de Stelselplaat", "html",
                      {"svg": svg, "table": Table(
                          f"Koppelingen van {center.text} met andere basisregistraties en voorzieningen",
                          ["Registratie of voorziening", "Relatie", "Doorgegeven sleutels"], table_rows,
                          id="stelsel-tabel")},
                      intro="Welke basisregistraties deze registratie gebruikt, welke haar gebruiken (met de "
                            "sleutels die worden doorgegeven) en welke voorzieningen haar gegevens leveren of tonen.")
    out["sections"].insert(2 if len(out["sections"]) > 2 else len(out["sections"]), section)
    out["skip"] = set(out.get("skip", ())) | {f"{site.gdi}koppeling"}
    return out


# --- organisations ---

async def _organisation_sections(site: Site, uri: str, g: Graph, labels: Labels) -> dict:
    rows = await site.source.select(_q(site, _ROLE_QUERY.format(f="?f", org=iri(uri))))
    sections = [await _roles_table(site, rows, labels, of="organisation"), await _recommendations(site, uri, labels)]
    return {"sections": sections}


# --- indicators ---

async def _indicator_sections(site: Site, uri: str, g: Graph, labels: Labels) -> dict:
    sections = []
    rows = await _series_rows(site, f"gdi:indicator {iri(uri)}")
    table, charts = await _indicator_table(site, rows, labels, caption="Geharmoniseerde reeks per jaar",
                                           ident="reeks", all_rows=True)
    if table is not None:
        sections += [table, charts]
    # per edition: the figures as printed, revisions visible
    obs = await site.source.select(_q(site, f"""
SELECT ?o ?ed ?year ?value ?b ?missing WHERE {{
  ?o gdi:indicator {iri(uri)} ; gdi:editie ?ed ; gdi:jaar ?year .
  OPTIONAL {{ ?o gdi:uitsplitsing ?b }}
  OPTIONAL {{ ?o gdi:waarde ?value }}
  OPTIONAL {{ ?o a gdi:OntbrekendeWaarneming . BIND(true AS ?missing) }}
}}"""))
    if obs:
        await labels.load(site.source, {_v(r, k) for r in obs for k in ("ed", "b") if _v(r, k)})
        years = sorted({year_of(r["year"]) for r in obs if year_of(r["year"]) is not None})
        totaal = site.uris.base + "/def/gdi/uitsplitsing/totaal"
        by_row: dict[tuple[str, str], dict[int, V]] = defaultdict(dict)
        for r in obs:
            key = (_v(r, "ed"), _v(r, "b") or "")
            y = year_of(r["year"])
            text = fmt_number(r["value"].value) if "value" in r else "–"
            by_row[key][y] = V(text, href=site.linker.href(_v(r, "o")),
                               title="ontbreekt in de bron" if "missing" in r else None)
        table_rows = []
        for key in sorted(by_row, key=lambda k: ((labels.get(k[0]) or k[0]), k[1])):
            ed, b = key
            head = site.value(ox.NamedNode(ed), labels)
            if b and b != totaal:
                head = [head, V(labels.get(b) or site.short(b))]
            table_rows.append([head] + [by_row[key].get(y) for y in years])
        sections.append(Section("per-editie", "Cijfers per editie", "table", Table(
            "Het cijfer zoals elke editie het afdrukt (– : de bron geeft geen cijfer)",
            ["Editie"] + [str(y) for y in years], table_rows, id="per-editie-tabel",
            numeric=set(range(1, len(years) + 1)))))
    return {"sections": sections, "skip_inbound": {f"{site.gdi}indicator"}}


# --- editions ---

async def _edition_sections(site: Site, uri: str, g: Graph, labels: Labels) -> dict:
    u = iri(uri)
    datasets = await site.source.select(_q(site, f"""
SELECT ?ds (COUNT(?o) AS ?n) WHERE {{ ?ds prov:wasDerivedFrom {u} ; a qb:DataSet . OPTIONAL {{ ?o qb:dataSet ?ds }} }}
GROUP BY ?ds ORDER BY ?ds"""))
    missing = {_v(r, "ds"): int(r["n"].value) for r in await site.source.select(_q(site, f"""
SELECT ?ds (COUNT(?m) AS ?n) WHERE {{ ?ds prov:wasDerivedFrom {u} . ?m gdi:ontbreektIn ?ds }} GROUP BY ?ds"""))}
    sections = []
    if datasets:
        await labels.load(site.source, {_v(r, "ds") for r in datasets})
        rows = [[site.value(r["ds"], labels), V(fmt_number(r["n"].value), machine=r["n"].value),
                 V(fmt_number(missing.get(_v(r, "ds"), 0)))] for r in datasets]
        sections.append(Section("datasets", "Datasets", "table", Table(
            "De cijfers van deze editie als RDF Data Cube-datasets", ["Dataset", "Waarnemingen", "Ontbrekend"],
            rows, id="datasets-tabel", numeric={1, 2})))
    per_facility = await site.source.select(_q(site, f"""
SELECT ?f (COUNT(?o) AS ?n) (SUM(IF(EXISTS {{ ?o gdi:herzieningVan ?x }}, 1, 0)) AS ?rev)
WHERE {{ ?o gdi:editie {u} ; gdi:voorziening ?f ; a gdi:Waarneming . }} GROUP BY ?f"""))
    if per_facility:
        await labels.load(site.source, {_v(r, "f") for r in per_facility})
        rows = sorted(([site.value(r["f"], labels), V(fmt_number(r["n"].value)), V(fmt_number(r["rev"].value))]
                       for r in per_facility), key=lambda c: c[0].text.lower())
        sections.append(Section("voorzieningen", "Cijfers per voorziening", "table", Table(
            "Aantal cijfers per voorziening in deze editie, en hoeveel daarvan een eerdere editie herzien",
            ["Voorziening", "Cijfers", "Herzieningen"], rows, id="voorzieningen-tabel", numeric={1, 2})))
    lines = await site.source.select(_q(site, f"SELECT (COUNT(?l) AS ?n) WHERE {{ ?l a gdi:Bronregel ; prov:wasQuotedFrom {u} }}"))
    n_lines = int(lines[0]["n"].value) if lines and "n" in lines[0] else 0
    recs = await site.source.select(_q(site, f"""
SELECT DISTINCT ?a WHERE {{ ?a gdi:bron ?l . ?l prov:wasQuotedFrom {u} . ?a a ?t .
  VALUES ?t {{ gdi:Aanbeveling gdi:Toezegging }} }} ORDER BY ?a"""))
    if recs:
        await labels.load(site.source, {_v(r, "a") for r in recs})
        sections.append(Section("aanbevelingen", "Aanbevelingen en toezeggingen uit deze editie", "list",
                                [site.value(r["a"], labels) for r in recs]))
    sections.append(Section("bronregels", "Bronregels", "text",
                            f"{fmt_number(n_lines)} regels van deze editie zijn als bron van een cijfer of feit in "
                            f"de graaf opgenomen (gdi:Bronregel, met hun tekst)."))
    return {"sections": sections, "skip_inbound": {f"{site.gdi}editie"}}


# --- observations ---

async def _source_lines(site: Site, uri: str, labels: Labels) -> Section | None:
    rows = await site.source.select(_q(site, f"""
SELECT ?l ?n ?text ?ed WHERE {{ {iri(uri)} gdi:bron ?l .
  OPTIONAL {{ ?l gdi:regelnummer ?n }} OPTIONAL {{ ?l gdi:regeltekst ?text }} OPTIONAL {{ ?l prov:wasQuotedFrom ?ed }} }}"""))
    if not rows:
        return None
    await labels.load(site.source, {_v(r, k) for r in rows for k in ("l", "ed") if _v(r, k)})
    items = []
    for r in sorted(rows, key=lambda r: (_v(r, "ed") or "", int(_v(r, "n") or 0))):
        items.append({"line": site.value(r["l"], labels), "number": _v(r, "n"), "text": _v(r, "text"),
                      "edition": site.value(r["ed"], labels) if "ed" in r else None})
    return Section("bron", "Bron", "quotes", items,
                   intro="De regel(s) van het brondocument waarin dit staat, met hun tekst.")


async def _flags(site: Site, uri: str, g: Graph, labels: Labels) -> Section | None:
    flags = [o.value for o in g.objects(uri, f"{site.gdi}vlag") if isinstance(o, ox.NamedNode)]
    if not flags:
        return None
    rows = await site.source.select(_q(site, f"""
SELECT ?f ?def WHERE {{ VALUES ?f {{ {' '.join(iri(f) for f in flags)} }} ?f skos:definition ?def .
  FILTER(LANGMATCHES(LANG(?def), "nl")) }}"""))
    defs = {_v(r, "f"): _v(r, "def") for r in rows}
    await labels.load(site.source, flags)
    out = [[site.value(ox.NamedNode(f), labels), V(defs.get(f, ""))] for f in sorted(flags)]
    return Section("vlaggen", "Kanttekeningen", "table", Table(
        "Vlaggen bij dit cijfer en wat ze betekenen", ["Vlag", "Betekenis"], out, id="vlaggen-tabel"))


async def _observation_sections(site: Site, uri: str, g: Graph, labels: Labels) -> dict:
    gdi = site.gdi
    value = g.first(uri, f"{gdi}waarde")
    unit = g.first(uri, f"{gdi}eenheid")
    sections = []
    facts = []
    if value is not None:
        unit_label = labels.get(unit.value) if unit is not None else ""
        percent = unit is not None and unit.value.endswith("/procent")
        facts.append(("Waarde", [V(fmt_number(value.value) + (" %" if percent else ""), machine=value.value)]
                      + ([V(unit_label or "")] if unit_label else [])))
    else:
        facts.append(("Waarde", [V("ontbreekt: de bron toont de cel zonder cijfer")]))
    raw = g.first(uri, f"{gdi}ruweWaarde")
    if raw is not None:
        facts.append(("Zoals gedrukt", [V(raw.value, code=True)]))
    for p, name in (("voorziening", "Voorziening"), ("indicator", "Indicator"), ("jaar", "Jaar"),
                    ("uitsplitsing", "Uitsplitsing"), ("editie", "Editie")):
        o = g.first(uri, f"{gdi}{p}")
        if o is not None:
            facts.append((name, [site.value(o, labels) if not isinstance(o, ox.Literal) else V(o.value)]))
    note = g.first(uri, f"{gdi}voetnoot")
    if note is not None:
        facts.append(("Voetnoot", [V(note.value)]))
    sections.append(Section("cijfer", "Het cijfer", "facts", facts))
    sections.append(await _flags(site, uri, g, labels))
    sections.append(await _source_lines(site, uri, labels))
    # revisions both ways
    rev = await site.source.select(_q(site, f"""
SELECT ?dir ?o ?value ?ed WHERE {{
  {{ {iri(uri)} gdi:herzieningVan+ ?o . BIND("older" AS ?dir) }} UNION {{ ?o gdi:herzieningVan+ {iri(uri)} . BIND("newer" AS ?dir) }}
  OPTIONAL {{ ?o gdi:waarde ?value }} OPTIONAL {{ ?o gdi:editie ?ed }}
}}"""))
    if rev:
        await labels.load(site.source, {_v(r, k) for r in rev for k in ("o", "ed") if _v(r, k)})
        rows = []
        for r in sorted(rev, key=lambda r: (_v(r, "dir"), _v(r, "ed") or "")):
            what = "herziet dit cijfer (later)" if _v(r, "dir") == "newer" else "eerder gedrukt, hier herzien"
            rows.append([site.value(r["ed"], labels) if "ed" in r else V("?"),
                         V(fmt_number(r["value"].value)) if "value" in r else V("–"), V(what),
                         site.value(r["o"], labels)])
        sections.append(Section("herzieningen", "Herzieningen", "table", Table(
            "Andere edities die voor dezelfde cel een ander cijfer geven", ["Editie", "Waarde", "Relatie", "Waarneming"],
            rows, id="herzieningen-tabel", numeric={1})))
    skip = {f"{gdi}{p}" for p in ("waarde", "ruweWaarde", "voetnoot", "vlag", "bron", "herzieningVan")}
    return {"sections": sections, "skip": skip}


async def _series_sections(site: Site, uri: str, g: Graph, labels: Labels) -> dict:
    rows = await site.source.select(_q(site, f"""
SELECT ?o ?ind ?b ?year ?value ?unit ?herzien WHERE {{
  {iri(uri)} qb:observation ?o . ?o gdi:indicator ?ind ; gdi:jaar ?year ; gdi:waarde ?value .
  OPTIONAL {{ ?o gdi:uitsplitsing ?b }} OPTIONAL {{ ?o gdi:eenheid ?unit }} OPTIONAL {{ ?o gdi:herzien ?herzien }}
}}"""))
    table, charts = await _indicator_table(site, rows, labels, caption="De reeks per jaar", ident="reeks",
                                           all_rows=True)
    return {"sections": [table, charts], "skip": {f"{QB}observation"}}


async def _series_observation_sections(site: Site, uri: str, g: Graph, labels: Labels) -> dict:
    out = await _observation_sections(site, uri, g, labels)
    rows = await site.source.select(_q(site, f"""
SELECT ?o ?value ?ed WHERE {{ {iri(uri)} gdi:bronWaarneming ?o . OPTIONAL {{ ?o gdi:waarde ?value }}
  OPTIONAL {{ ?o gdi:editie ?ed }} }}"""))
    if rows:
        await labels.load(site.source, {_v(r, k) for r in rows for k in ("o", "ed") if _v(r, k)})
        t = [[site.value(r["ed"], labels) if "ed" in r else V("?"),
              V(fmt_number(r["value"].value)) if "value" in r else V("–"), site.value(r["o"], labels)]
             for r in sorted(rows, key=lambda r: _v(r, "ed") or "")]
        out["sections"].append(Section("bronwaarnemingen", "Afgeleid van", "table", Table(
            "De cijfers per editie waaruit dit geharmoniseerde cijfer komt", ["Editie", "Waarde", "Waarneming"], t,
            id="bronwaarnemingen-tabel", numeric={1})))
        out["skip"] = set(out["skip"]) | {f"{site.gdi}bronWaarneming"}
    return out


# --- recommendations and commitments ---

async def _recommendation_sections(site: Site, uri: str, g: Graph, labels: Labels) -> dict:
    gdi = site.gdi
    sections = []
    text = g.first(uri, f"{DCT}description")
    if text is not None:
        sections.append(Section("tekst", "Tekst", "text", text.value, lang=text.language or "nl"))
    facts = []
    status = g.first(uri, f"{gdi}status")
    if status is not None:
        defs = await site.source.select(_q(site, f"""SELECT ?def WHERE {{ {iri(status.value)} skos:definition ?def .
          FILTER(LANGMATCHES(LANG(?def), "nl")) }}"""))
        facts.append(("Status", [site.value(status, labels)] + ([V(_v(defs[0], "def"))] if defs else [])))
    for p, name in (("statusDatum", "Status volgens de bron op"), ("deadline", "Deadline")):
        o = g.first(uri, f"{gdi}{p}")
        if o is not None:
            facts.append((name, [literal_value(o)]))
    concerned = g.objects(uri, f"{gdi}betreft")
    if concerned:
        facts.append(("Betreft", [site.value(o, labels) for o in sorted(concerned, key=_sort_key_term(labels))]))
    by = g.objects(uri, f"{PROV}wasAttributedTo")
    if by:
        facts.append(("Van", [site.value(o, labels) for o in by]))
    replies = g.objects(uri, f"{gdi}reactieOp")
    if replies:
        facts.append(("Reactie op", [site.value(o, labels) for o in replies]))
    answered = g.subjects(f"{gdi}reactieOp", uri)
    if answered:
        facts.append(("Toezeggingen hierop", [site.value(o, labels) for o in answered]))
    sections.append(Section("stand", "Stand van zaken", "facts", facts))
    sections.append(await _source_lines(site, uri, labels))
    skip = {f"{DCT}description", f"{gdi}status", f"{gdi}statusDatum", f"{gdi}deadline", f"{gdi}betreft",
            f"{gdi}bron"}
    return {"sections": sections, "skip": skip, "skip_inbound": {f"{gdi}reactieOp"}}


# --- data sets, source lines, code lists ---

async def _dataset_sections(site: Site, uri: str, g: Graph, labels: Labels) -> dict:
    slices = g.objects(uri, f"{QB}slice")
    if slices:
        await labels.load(site.source, {node_key(s) for s in slices})
        return {"sections": [Section("reeksen", "Reeksen", "list",
                                     [site.value(s, labels) for s in sorted(slices, key=_sort_key_term(labels))])],
                "skip": {f"{QB}slice"}, "skip_inbound": {f"{QB}dataSet"}}
    rows = await site.source.select(_q(site, f"""
SELECT ?o ?f ?ind ?year ?b ?value ?missing WHERE {{
  {{ ?o qb:dataSet {iri(uri)} }} UNION {{ ?o gdi:ontbreektIn {iri(uri)} . BIND(true AS ?missing) }}
  ?o gdi:voorziening ?f ; gdi:indicator ?ind ; gdi:jaar ?year .
  OPTIONAL {{ ?o gdi:uitsplitsing ?b }} OPTIONAL {{ ?o gdi:waarde ?value }}
}} LIMIT 20000"""))
    if not rows:
        return {}
    await labels.load(site.source, {_v(r, k) for r in rows for k in ("f", "ind", "b") if _v(r, k)})
    totaal = site.uris.base + "/def/gdi/uitsplitsing/totaal"
    table_rows = []
    for r in rows:
        b = _v(r, "b")
        table_rows.append([
            V(fmt_number(r["value"].value) if "value" in r else "–", href=site.linker.href(_v(r, "o")),
              title=_v(r, "o")),
            site.value(r["f"], labels), site.value(r["ind"], labels), V(r["year"].value[:4]),
            V(labels.get(b) or "") if b and b != totaal else None])
    table_rows.sort(key=lambda c: (c[1].text.lower(), c[2].text.lower(), c[3].text, c[4].text if c[4] else ""))
    return {"sections": [Section("waarnemingen", "Waarnemingen", "table", Table(
        "Alle cijfers in deze dataset", ["Waarde", "Voorziening", "Indicator", "Jaar", "Uitsplitsing"], table_rows,
        id="waarnemingen-tabel", numeric={0}, row_headers=False))],
        "skip_inbound": {f"{QB}dataSet", f"{site.gdi}ontbreektIn"}}


async def _source_line_sections(site: Site, uri: str, g: Graph, labels: Labels) -> dict:
    text = g.first(uri, f"{site.gdi}regeltekst")
    number = g.first(uri, f"{site.gdi}regelnummer")
    ed = g.first(uri, f"{PROV}wasQuotedFrom")
    items = [{"line": V(labels.get(uri) or site.short(uri)), "number": number.value if number is not None else None,
              "text": text.value if text is not None else None,
              "edition": site.value(ed, labels) if ed is not None else None}]
    return {"sections": [Section("tekst", "Tekst van de regel", "quotes", items)],
            "skip": {f"{site.gdi}regeltekst"}}


async def _scheme_sections(site: Site, uri: str, g: Graph, labels: Labels) -> dict:
    rows = await site.source.select(_q(site, f"""
SELECT ?c ?n ?def WHERE {{ ?c skos:inScheme {iri(uri)} . OPTIONAL {{ ?c skos:notation ?n }}
  OPTIONAL {{ ?c skos:definition ?def . FILTER(LANGMATCHES(LANG(?def), "nl")) }} }}"""))
    if not rows:
        return {}
    await labels.load(site.source, {_v(r, "c") for r in rows})
    seen = {}
    for r in rows:
        seen.setdefault(_v(r, "c"), r)
    table_rows = []
    for c, r in sorted(seen.items(), key=lambda kv: (_v(kv[1], "n") or kv[0]).lower()):
        table_rows.append([site.value(r["c"], labels), V(_v(r, "n") or "", code=True), V(labels.en(c) or ""),
                           V(_v(r, "def") or "")])
    return {"sections": [Section("begrippen", "Begrippen", "table", Table(
        "De begrippen van deze codelijst", ["Naam", "Notatie", "Engels", "Definitie"], table_rows,
        id="begrippen-tabel"))], "skip_inbound": {f"{SKOS_NS}inScheme", f"{SKOS_NS}topConceptOf"},
        "skip": {f"{SKOS_NS}hasTopConcept"}}


# -- listings -------------------------------------------------------------------------------------------

async def build_listing(site: Site, type_: str) -> Page | None:
    if type_ not in LISTINGS:
        return None
    cls, plural, plural_en = LISTINGS[type_]
    prefix = f"{site.uris.base}/id/{type_}/"
    rows = await site.source.select(_q(site, f"""
SELECT DISTINCT ?s ?n WHERE {{ ?s a {iri(site.expand(cls))} . OPTIONAL {{ ?s skos:notation ?n }}
  FILTER(STRSTARTS(STR(?s), {sparql_literal(prefix)})) }}"""))
    labels = Labels()
    await labels.load(site.source, {_v(r, "s") for r in rows})
    extra_head, extra = await _listing_extra(site, type_, [_v(r, "s") for r in rows], labels)
    seen = {}
    for r in rows:
        seen.setdefault(_v(r, "s"), r)
    table_rows = []
    for s, r in sorted(seen.items(), key=lambda kv: ((labels.get(kv[0]) or kv[0]).lower(), kv[0])):
        table_rows.append([site.value(r["s"], labels), V(_v(r, "n") or "", code=True), V(labels.en(s) or "")]
                          + extra.get(s, [None] * len(extra_head)))
    page = Page(title=plural, title_en=plural_en, path=f"/doc/{type_}", badges=["lijst"],
                crumbs=[("Home", site.linker.page("/"))])
    page.sections.append(Section("lijst", plural, "table", Table(
        f"{plural} in de graaf ({len(table_rows)})", ["Naam", "Notatie", "Engels"] + extra_head, table_rows,
        id="lijst-tabel")))
    return page


async def _listing_extra(site: Site, type_: str, subjects: list[str], labels: Labels) -> tuple[list[str], dict]:
    if type_ in ("voorziening", "basisregistratie", "indicator"):
        p = "gdi:domein" if type_ != "indicator" else "gdi:voorziening"
        rows = await site.source.select(_q(site, f"SELECT ?s ?o WHERE {{ ?s {p} ?o . FILTER(STRSTARTS(STR(?s), "
                                                 f"{sparql_literal(site.uris.base + '/id/' + type_ + '/')})) }}"))
        await labels.load(site.source, {_v(r, "o") for r in rows})
        return (["Domein" if type_ != "indicator" else "Voorziening"],
                {_v(r, "s"): [site.value(r["o"], labels)] for r in rows})
    if type_ == "editie":
        rows = await site.source.select(_q(site, "SELECT ?s ?y WHERE { ?s a gdi:Editie ; gdi:publicatiejaar ?y }"))
        return ["Jaar"], {_v(r, "s"): [V(r["y"].value)] for r in rows}
    if type_ in ("aanbeveling", "toezegging"):
        rows = await site.source.select(_q(site, f"SELECT ?s ?st WHERE {{ ?s gdi:status ?st . FILTER(STRSTARTS(STR(?s), "
                                                 f"{sparql_literal(site.uris.base + '/id/' + type_ + '/')})) }}"))
        await labels.load(site.source, {_v(r, "st") for r in rows})
        return ["Status"], {_v(r, "s"): [site.value(r["st"], labels)] for r in rows}
    return [], {}


# -- the ontology ---------------------------------------------------------------------------------------

async def build_ontology(site: Site, triples: list[ox.Triple]) -> Page:
    """``/def/gdi``: classes and properties with nl/en labels and definitions, anchors per term."""
    g = Graph(triples)
    labels = Labels()
    labels.add_graph(g)
    ont = site.uris.ontology
    defs: dict[str, dict[str, str]] = defaultdict(dict)
    for t in g.triples:
        if t.predicate.value == f"{SKOS_NS}definition" and isinstance(t.object, ox.Literal):
            defs[node_key(t.subject)][t.object.language or ""] = t.object.value
    owl = "http://www.w3.org/2002/07/owl#"
    kinds = {"Klassen": [f"{owl}Class"], "Objecteigenschappen": [f"{owl}ObjectProperty"],
             "Gegevenseigenschappen": [f"{owl}DatatypeProperty"],
             "Data Cube-structuren": [f"{QB}DataStructureDefinition", f"{QB}SliceKey"],
             "Codelijsten": [f"{SKOS_NS}ConceptScheme"]}
    page = Page(title=labels.get(ont) or "gdigraph-ontologie", title_en=labels.en(ont), path="/def/gdi",
                uri=ont, badges=["ontologie"], crumbs=[("Home", site.linker.page("/"))])
    desc = g.first(ont, f"{DCT}description")
    if desc is not None:
        page.lead = next((o.value for o in g.objects(ont, f"{DCT}description") if o.language == "nl"), desc.value)
        page.lead_en = next((o.value for o in g.objects(ont, f"{DCT}description") if o.language == "en"), "")
    toc = []
    for heading, classes in kinds.items():
        members = sorted({node_key(t.subject) for t in g.triples
                          if t.predicate.value == f"{RDF_NS}type" and t.object.value in classes
                          and isinstance(t.subject, ox.NamedNode)})
        if not members:
            continue
        items = []
        for m in members:
            anchor = m.split("#", 1)[1] if m.startswith(site.gdi) else ""
            extra = []
            for p, name in ((f"{RDFS_NS}subClassOf", "subklasse van"), (f"{RDFS_NS}subPropertyOf", "subeigenschap van"),
                            (f"{RDFS_NS}domain", "domein"), (f"{RDFS_NS}range", "bereik")):
                vals = [site.value(o, labels) for o in g.objects(m, p) if isinstance(o, ox.NamedNode)]
                if vals:
                    extra.append((name, vals))
            href = None if anchor else site.linker.href(m)
            items.append({"anchor": anchor, "curie": site.curie(m), "uri": m, "href": href,
                          "nl": labels.get(m, "nl"), "en": labels.en(m) or labels.get(m, "en"),
                          "def_nl": defs[m].get("nl", ""), "def_en": defs[m].get("en", ""), "extra": extra})
        ident = re.sub(r"[^a-z]+", "-", heading.lower()).strip("-")
        toc.append((ident, heading, len(items)))
        page.sections.append(Section(ident, heading, "terms", items))
    page.sections.insert(0, Section("inhoud", "Inhoud", "toc", toc))
    page.alternates = [(site.linker.alternate("/def/gdi", o), o.media_type, o.label) for o in (TURTLE, JSONLD, NTRIPLES)]
    return page


# -- home -----------------------------------------------------------------------------------------------

async def build_home(site: Site, *, graphs: dict[str, int] | None = None, stelsel: str | None = None) -> Page:
    rows = await site.source.select(_q(site, """
SELECT ?d ?order ?f ?type WHERE {
  ?d a gdi:Domein . OPTIONAL { ?d gdi:volgorde ?order }
  OPTIONAL { ?f gdi:domein ?d ; a ?type . VALUES ?type { gdi:Voorziening gdi:Basisregistratie gdi:Stelselvoorziening } }
}"""))
    editions = await site.source.select(_q(site, """
SELECT ?e ?y WHERE { ?e a gdi:Editie . OPTIONAL { ?e gdi:publicatiejaar ?y } }"""))
    labels = Labels()
    await labels.load(site.source, {_v(r, k) for r in rows for k in ("d", "f") if _v(r, k)}
                      | {_v(r, "e") for r in editions})
    domains: dict[str, dict] = {}
    for r in rows:
        d = _v(r, "d")
        entry = domains.setdefault(d, {"domain": site.value(r["d"], labels), "order": int(_v(r, "order") or 99),
                                       "facilities": {}, "registries": {}})
        f = _v(r, "f")
        if f:
            bucket = "registries" if _v(r, "type").endswith("Basisregistratie") else "facilities"
            entry[bucket][f] = site.value(r["f"], labels)
    for entry in domains.values():
        for bucket in ("facilities", "registries"):
            entry[bucket] = sorted((v for k, v in entry[bucket].items()
                                    if bucket == "registries" or k not in entry["registries"]),
                                   key=lambda v: v.text.lower())
    ordered = sorted(domains.values(), key=lambda e: (e["order"], e["domain"].text))
    eds = sorted(({"edition": site.value(r["e"], labels), "year": _v(r, "y") or ""} for r in editions),
                 key=lambda e: (e["year"], e["edition"].text))
    page = Page(title="gdigraph", title_en="the knowledge graph of the Dutch Generic Digital Infrastructure",
                path="/", badges=[])
    page.sections = [Section("domeinen", "De vier domeinen", "domains", ordered),
                     Section("edities", "Edities", "editions", eds)]
    page.extra["home"] = {"graphs": graphs or {}, "stelsel": stelsel, "total": sum((graphs or {}).values())}
    return page


# -- search and 404 -------------------------------------------------------------------------------------

class SearchIndex:
    """Labels and notations of the resources people look for (not observations or source lines)."""

    SKIP = ("waarneming", "bronregel", "rol", "koppeling")

    def __init__(self, entries: list[tuple[str, str, str]]):
        self.entries = entries  # (uri, text, kind)

    @classmethod
    async def load(cls, site: Site) -> "SearchIndex":
        base = site.uris.base
        rows = await site.source.select(_q(site, f"""
SELECT ?s ?l WHERE {{ ?s ?p ?l . VALUES ?p {{ skos:prefLabel skos:notation skos:altLabel skos:hiddenLabel dcterms:identifier }}
  FILTER(STRSTARTS(STR(?s), {sparql_literal(base + '/id/')}) || STRSTARTS(STR(?s), {sparql_literal(base + '/def/gdi')})) }}"""))
        entries = []
        for r in rows:
            s = _v(r, "s")
            if "#" in s and not s.startswith(site.gdi):
                continue
            seg = _type_segment(site, s)
            if seg in cls.SKIP:
                continue
            if seg == "reeks" and s.count("/") > len(base.split("/")) + 3:
                continue
            entries.append((s, _v(r, "l"), seg or "def"))
        return cls(sorted(set(entries)))

    def search(self, text: str, limit: int = 12) -> list[str]:
        import difflib

        q = text.strip().lower()
        if not q:
            return []
        words = [w for w in re.split(r"[^\w]+", q) if w]
        scores: dict[str, float] = {}
        for uri, label, _ in self.entries:
            lab = label.lower()
            code = uri.rsplit("/", 1)[-1].split("#")[-1].lower()
            score = max(difflib.SequenceMatcher(None, q, lab).ratio(), difflib.SequenceMatcher(None, q, code).ratio())
            if q in lab or q == code:
                score += 1.0
            elif words and all(w in lab or w in code for w in words):
                score += 0.6
            elif any(len(w) > 2 and (w in lab or w in code) for w in words):
                score += 0.3
            if score > scores.get(uri, 0):
                scores[uri] = score
        best = sorted(((s, u) for u, s in scores.items() if s >= 0.55), key=lambda x: (-x[0], x[1]))
        return [u for _, u in best[:limit]]


async def build_search(site: Site, index: SearchIndex, text: str, *, title: str = "Zoeken",
                       path: str = "/search", status: int = 200, missing: str | None = None) -> Page:
    found = await asyncio.to_thread(index.search, text)  # fuzzy matching takes a while: not on the event loop
    labels = Labels()
    await labels.load(site.source, found)
    rows = []
    for u in found:
        seg = _type_segment(site, u)
        kind = TYPE_LABELS.get(seg, ("definitie", ""))[0] if seg else "definitie"
        rows.append([site.value(ox.NamedNode(u), labels), V(kind), V(labels.notation.get(u) or "", code=True)])
    page = Page(title=title, path=path, status=status, crumbs=[("Home", site.linker.page("/"))])
    page.extra["search"] = {"q": text, "missing": missing}
    if rows:
        page.sections.append(Section("resultaten", "Bedoelde u misschien" if missing else "Resultaten", "table",
                                     Table(f"Bronnen die lijken op ‘{text}’", ["Naam", "Soort", "Notatie"], rows,
                                           id="resultaten-tabel")))
    elif text:
        page.sections.append(Section("resultaten", "Resultaten", "text", f"Niets gevonden voor ‘{text}’."))
    return page


# -- VoID and catalog -----------------------------------------------------------------------------------

def _size(n: int) -> str:
    for unit, factor in (("GB", 1 << 30), ("MB", 1 << 20), ("kB", 1 << 10)):
        if n >= factor:
            return f"{fmt_number(round(Decimal(n) / factor, 1))} {unit}"
    return f"{n} bytes"


def _dump_rows(site: Site, dumps: list[dict]) -> list[list]:
    rows = []
    for d in dumps:
        href = site.linker.path("/dumps/" + d["name"])
        rows.append([V(d["name"], href=href), V(d["media_type"], code=True),
                     V(_size(d["size"]), machine=str(d["size"])), V(d["sha256"][:16] + "…" if d["sha256"] else "",
                                                                   title=d["sha256"] or None, code=bool(d["sha256"]))])
    return rows


async def build_void_page(site: Site, triples: list[ox.Triple], build) -> Page:
    from .describe import DESCRIPTION, EXAMPLES, site_urls

    u = site_urls(site.uris)
    page = Page(title="VoID-beschrijving", title_en="VoID description", path="/.well-known/void",
                uri=u["void"], badges=["void:Dataset"], crumbs=[("Home", site.linker.page("/"))],
                lead=DESCRIPTION["nl"], lead_en=DESCRIPTION["en"])
    facts = [("URI-ruimte", [V(f"{site.uris.base}/id/", code=True)]),
             ("Triples", [V(fmt_number(sum(build.graphs.values())))]),
             ("Ontologie", [V("gdi:", href=site.linker.page("/def/gdi"))])]
    if getattr(build, "release", None):
        facts.append(("Release", [V(build.release, code=True)]))
    if site.sparql:
        facts.append(("SPARQL-endpoint", [V(u["sparql"], href=site.sparql)]))
    page.sections.append(Section("dataset", "De dataset", "facts", facts))
    labels = Labels()
    examples = [f"{site.uris.base}/id/{e}" for e in EXAMPLES]
    await labels.load(site.source, examples)
    page.sections.append(Section("voorbeelden", "Voorbeelden", "list",
                                 [site.value(ox.NamedNode(e), labels) for e in examples if e in labels.pref
                                  or e in labels.other]))
    graph_rows = []
    ids = []
    dump_names = {d["name"] for d in build.dumps()}
    for name, n in build.graphs.items():
        file = f"graphs/{name.replace('/', '-')}.nq"
        graph_rows.append([V(name, code=True), V(fmt_number(n), machine=str(n)),
                           V(file, href=site.linker.path("/dumps/" + file)) if file in dump_names else None])
        ids.append("graph-" + name.replace("/", "-"))
    page.sections.append(Section("grafen", "Benoemde grafen", "table", Table(
        "De benoemde grafen (void:subset) met hun aantal triples", ["Graaf", "Triples", "Download"], graph_rows,
        id="grafen-tabel", numeric={1}, row_ids=ids)))
    page.sections.append(Section("downloads", "Downloads", "table", Table(
        "De hele graaf en de grafen apart", ["Bestand", "Mediatype", "Grootte", "SHA-256"],
        _dump_rows(site, build.dumps()), id="downloads-tabel", numeric={2})))
    page.alternates = [(site.linker.alternate(page.path, o), o.media_type, o.label) for o in (TURTLE, JSONLD, NTRIPLES)]
    return page


async def build_catalog_page(site: Site, triples: list[ox.Triple], build) -> Page:
    from .describe import DESCRIPTION, site_urls

    u = site_urls(site.uris)
    page = Page(title="Catalogus en downloads", title_en="Catalogue and downloads", path="/catalog",
                uri=u["catalog"], badges=["dcat:Catalog"], crumbs=[("Home", site.linker.page("/"))],
                lead=DESCRIPTION["nl"], lead_en=DESCRIPTION["en"])
    dumps = build.dumps()
    page.sections.append(Section("downloads", "De hele graaf", "table", Table(
        "Alle benoemde grafen in één bestand (dcat:Distribution)", ["Bestand", "Mediatype", "Grootte", "SHA-256"],
        _dump_rows(site, [d for d in dumps if "/" not in d["name"]]), id="downloads-tabel", numeric={2})))
    graph_rows, ids = [], []
    by_name = {d["name"]: d for d in dumps}
    for name, n in build.graphs.items():
        file = f"graphs/{name.replace('/', '-')}.nq"
        d = by_name.get(file)
        edition = None
        if name.startswith("editie/"):
            e = f"{site.uris.base}/id/editie/{name.split('/', 1)[1]}"
            labels = Labels()
            await labels.load(site.source, [e])
            edition = site.value(ox.NamedNode(e), labels)
        graph_rows.append([V(name, code=True), edition, V(fmt_number(n), machine=str(n)),
                           V(file, href=site.linker.path("/dumps/" + file)) if d else None,
                           V(_size(d["size"])) if d else None])
        ids.append("graph-" + name.replace("/", "-"))
    page.sections.append(Section("grafen", "Per graaf", "table", Table(
        "Eén dataset per benoemde graaf, met zijn N-Quads", ["Graaf", "Editie", "Triples", "Bestand", "Grootte"],
        graph_rows, id="grafen-tabel", numeric={2, 4}, row_ids=ids)))
    tables = build.trend_tables()
    if tables:
        rows = [[V(t["title"], href=site.linker.path("/trends/" + t["path"])), V(t["media_type"], code=True),
                 V(_size(t["size"])), V(t["description"])] for t in tables]
        page.sections.append(Section("trends", "Trendtabellen", "table", Table(
            "De tabellen van de geharmoniseerde reeksen", ["Tabel", "Mediatype", "Grootte", "Beschrijving"], rows,
            id="trends-tabel", numeric={2})))
    if site.sparql:
        page.sections.append(Section("dienst", "SPARQL-endpoint", "facts", [
            ("dcat:DataService", [V(u["sparql"], href=site.sparql)]),
            ("Protocol", [V("SPARQL 1.1 Protocol", href="https://www.w3.org/TR/sparql11-protocol/", external=True)])]))
    page.alternates = [(site.linker.alternate(page.path, o), o.media_type, o.label) for o in (TURTLE, JSONLD, NTRIPLES)]
    return page
