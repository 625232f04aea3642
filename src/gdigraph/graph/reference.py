"""Code lists and reference data as RDF: facilities, domains, indicators, breakdowns, organisations,
dated roles, base registries, the Stelselplaat, carriers, recommendations and commitments, each with
the source it was taken from.

Three functions, no side effects, the same input gives the same graph (no blank nodes, no random ids,
no dates of today):

* :func:`build_codelists` -- named graph ``codelijsten``: the code lists filled from
  ``data/codelists`` (facilities, domains, indicators with their ``.verandering`` twins, breakdowns,
  indicator aspects; ``eenheid:gemiddelde`` only if the ontology lacks it).
* :func:`build_reference` -- named graph ``referentie``: ``data/reference`` (organisations, roles,
  base registries, Stelselplaat, carriers, recommendations, commitments), the public sources, and the
  ``gdi:Bronregel`` resources of the document lines the facts cite.
* :func:`source_line_resources` -- the ``gdi:Bronregel`` of given (file, line) pairs; the cube
  builder uses it for the provenance of figures.

Modelling choices (beyond ontology/gdi.ttl; see also the README of the ontology):

* **Provenance.** A fact taken from a bundled document points to its line with ``gdi:bron`` (a
  ``gdi:Bronregel``, sub-property of ``prov:wasDerivedFrom``); a fact from a public source
  (``ref:<id>``) points with ``prov:wasDerivedFrom`` to the page itself (its URL; a
  ``dcterms:BibliographicResource``/``foaf:Document`` with title, publisher and ``pav:retrievedOn``).
  The quote that backs the fact is a PROV quotation, a hash node of the fact::

      <fact#citaat-{edition}-{line}> a prov:Entity ; prov:value "quote" ;
          prov:wasQuotedFrom <bronregel/{edition}/{line}> ; dcterms:subject <fact> .

  Status evidence of a recommendation or commitment is ``#statuscitaat-…`` (also
  ``dcterms:subject gdi:status``; its line is a further ``gdi:bron``, as gdi:status says); the place
  where the 2017 policy response cites a recommendation is ``dcterms:isReferencedBy`` the line, with a
  ``#verwijzing-…`` quote. The further evidence columns of organisations and registries
  (``tooi_source``, ``parent_source``, ``type_source``, ``in_force_source``, ``law_source``,
  ``abolished_source``) are further sources of the same resource (the law's of the law node).
* **Roles.** ``gdi:Rol`` at ``uris.role(facility, role, organisation, start)``; its
  ``gdi:periode`` is the hash node ``#periode`` (a ``time:Interval``) with ``time:hasBeginning`` /
  ``time:hasEnd`` (``#begin``, ``#einde``) only when the data gives them, at the precision given
  (``time:inXSDDate``, ``time:inXSDgYearMonth`` or ``time:inXSDgYear``), and the ``as_of`` date (the day
  on which the source shows the role) as ``time:inside`` (``#peildatum-{date}``): an instant that lies
  within the period. Rows with the same facility, role, organisation and start are one role with
  several attestations. A role without an end is current and also written as the direct triple
  (``gdi:beheerder``/``gdi:opdrachtgever``/``gdi:bronhouder``) -- except when its organisation has been
  abolished: then the role ended at the latest on the abolition date, which becomes ``time:hasEnd``
  (with ``prov:wasDerivedFrom`` the abolition's source and an ``rdfs:comment`` saying so).
* **Organisations.** ``org:Organization``, plus the TOOI class of ``tooi_type`` -- not for the groups
  (``gemeenten`` …), whose ``tooi_type`` is the class of their members: they get ``rdfs:seeAlso`` that
  class. ``type`` is ``org:classification`` a concept of ``<def/gdi/organisatiesoort>``; ``abolished``
  is ``schema:dissolutionDate`` (``prov:invalidatedAtTime`` wants an ``xsd:dateTime``; the sources give a
  day); ``tooi_uri`` is ``owl:sameAs``.
* **Base registries.** ``gdi:verplichtGebruikSinds`` (``xsd:date``); the law is
  ``dcterms:conformsTo`` a hash node ``#wet`` (``eli:LegalResource`` with its title and source);
  ``in_force_since`` is ``dcterms:valid`` as a DCMI period ``start=YYYY-MM-DD;``.
* **Carriers.** The ontology has only the direct ``gdi:draagt``, no qualified form. The direct triple
  is written when a statement without ``until`` exists; every row is also an ``rdf:Statement`` about
  that triple (hash node of the facility) carrying the relation kind (``dcterms:type``, a concept of
  ``<def/gdi/dragersoort>``), its dates (``dcterms:temporal``, an interval as for roles) and its source.
* **Statuses.** CSV -> ``<def/gdi/status>``: ``gedeeltelijk-uitgevoerd`` -> ``deels-uitgevoerd``,
  ``in-uitvoering`` -> ``lopend``; ``onbekend`` and ``afgewezen`` have no concept in the ontology, so
  they are added to the scheme here (only while the ontology lacks them).
* **Indicators.** ``aspect`` is membership of a ``skos:Collection`` ``<def/gdi/aspect/{aspect}>``;
  ``note`` is ``skos:scopeNote``@en; every indicator has a twin ``<code>.verandering`` (the printed
  year-on-year change, unit percent, ``skos:broader`` the indicator). ``rdfs:label`` of an indicator
  is prefixed with its facility (``DigiD: Aangesloten organisaties``), the ``skos:prefLabel`` is not.
* **Facilities.** ``aliases`` (printed forms, including misprints) are ``skos:hiddenLabel``@nl; the
  parent is ``gdi:onderdeelVan`` and ``skos:broader``; facilities without a parent are top concepts.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from ..settings import Settings, get_settings
from ..sources.manifest import Manifest, load_manifest
from ..sources.reader import Document, read_document
from ..uris import GraphUris
from .vocab import (DCTERMS, ELI, FOAF, ORG, OWL, PAV, PROV, RDF, RDFS, SCHEMA, SKOS, TIME, TOOIONT, XSD, Vocab,
                    vocab)


class ReferenceDataError(ValueError):
    """Reference or code-list data that cannot become a graph (names file and line)."""


# --------------------------------------------------------------------------------------------
# closed vocabularies of the data that the ontology does not (yet) define
# --------------------------------------------------------------------------------------------

UNIT_CODES = {"count": "aantal", "percent": "procent", "mean": "gemiddelde"}

STATUS_CODES = {  # CSV status -> concept of <def/gdi/status>
    "open": "open",
    "in-uitvoering": "lopend",
    "gedeeltelijk-uitgevoerd": "deels-uitgevoerd",
    "uitgevoerd": "uitgevoerd",
    "niet-uitgevoerd": "niet-uitgevoerd",
    "afgewezen": "afgewezen",
    "onbekend": "onbekend",
}

# concepts written here only while ontology/gdi.ttl lacks them: scheme -> code -> (nl, en, def nl, def en)
EXTRA_CONCEPTS = {
    "eenheid": {
        "gemiddelde": ("gemiddelde", "mean",
                       "Een gemiddeld aantal per eenheid van iets anders, zoals productbeschrijvingen per "
                       "aangesloten organisatie; geen telling en niet op te tellen.",
                       "A mean number per unit of something else, such as product descriptions per connected "
                       "organisation; not a count and not additive."),
    },
    "status": {
        "onbekend": ("onbekend", "unknown",
                     "Geen latere bron zegt iets over de uitvoering.",
                     "No later source says anything about the implementation."),
        "afgewezen": ("afgewezen", "declined",
                      "Niet overgenomen: de geadresseerde heeft de aanbeveling of toezegging met opgave van "
                      "redenen afgewezen.",
                      "Not adopted: the addressee declined the recommendation or commitment on stated grounds."),
    },
}

ASPECTS = {
    "aansluiting": ("aansluiting", "connection",
                    "Indicatoren over aansluitingen: aangesloten organisaties, diensten, registraties en netwerken.",
                    "Indicators of connections: organisations, services, registries and networks connected."),
    "gebruik": ("gebruik", "use",
                "Indicatoren over gebruik: authenticaties, accounts en middelen in gebruik, berichten, bezoeken, "
                "bevragingen, terugmeldingen.",
                "Indicators of use: authentications, accounts and means in use, messages, visits, queries, "
                "reports of errors."),
    "overig": ("overig", "other",
               "Overige indicatoren: inhoud zoals productbeschrijvingen, WOZ-beschikkingen, geregistreerde "
               "organisaties.",
               "Other indicators: content such as product descriptions, WOZ decisions, registered organisations."),
}

ORGANISATION_TYPES = {
    "ministerie": ("ministerie", "ministry"),
    "zbo": ("zelfstandig bestuursorgaan", "independent administrative body"),
    "agentschap": ("agentschap", "executive agency"),
    "onderdeel": ("organisatieonderdeel", "organisational unit"),
    "stichting": ("stichting", "foundation"),
    "hoog-college-van-staat": ("Hoog College van Staat", "High Council of State"),
    "groep": ("groep van organisaties", "group of organisations"),
    "koepel": ("koepelorganisatie", "umbrella association"),
}

CARRIER_KINDS = {
    "levert-gebeurtenissen": ("levert gebeurtenissen", "delivers events",
                              "De registratie levert gebeurtenisberichten via de voorziening (Digilevering).",
                              "The registry delivers event messages through the facility (Digilevering)."),
    "terugmelden": ("neemt terugmeldingen aan", "accepts reports of errors",
                    "De registratie neemt terugmeldingen aan via de voorziening (Digimelding).",
                    "The registry accepts reports of wrong data through the facility (Digimelding)."),
    "toont-gegevens": ("toont gegevens", "shows data",
                       "De voorziening toont gegevens uit de registratie (MijnOverheid Persoonlijke Gegevens).",
                       "The facility shows data from the registry (MijnOverheid Personal Data)."),
    "ontsluit": ("ontsluit", "gives access",
                 "De voorziening geeft toegang tot gegevens in de registratie.",
                 "The facility gives access to data in the registry."),
}

ROLE_LABELS = {"beheerder": ("beheerder", "operator"), "opdrachtgever": ("opdrachtgever", "commissioning body"),
               "bronhouder": ("bronhouder", "data holder")}

OMBUDSMAN = "nationale-ombudsman"  # recommendations.csv holds the Nationale ombudsman's recommendations

_ISO = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


# --------------------------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------------------------


def _rows(path: Path) -> list[tuple[int, dict]]:
    """(line number in the file, row) for every data row of a CSV file."""
    if not path.exists():
        raise ReferenceDataError(f"{path}: file not found")
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        return [(i + 2, {k: (v or "").strip() for k, v in r.items() if k is not None})
                for i, r in enumerate(reader)]


def _codes(value: str) -> list[str]:
    return [c.strip() for c in value.split(";") if c.strip()]


def _where(path: Path, line: int) -> str:
    return f"{path.name}:{line}"


def _iso(value: str, where: str) -> tuple[URIRef, Literal]:
    """The OWL-Time property and literal of an ISO date of any precision (YYYY, YYYY-MM, YYYY-MM-DD)."""
    if not _ISO.match(value):
        raise ReferenceDataError(f"{where}: not an ISO date (YYYY, YYYY-MM or YYYY-MM-DD): {value!r}")
    if len(value) == 4:
        return TIME.inXSDgYear, Literal(value, datatype=XSD.gYear)
    if len(value) == 7:
        if not 1 <= int(value[5:]) <= 12:
            raise ReferenceDataError(f"{where}: no such month: {value!r}")
        return TIME.inXSDgYearMonth, Literal(value, datatype=XSD.gYearMonth)
    try:
        date.fromisoformat(value)
    except ValueError as e:
        raise ReferenceDataError(f"{where}: no such date: {value!r}") from e
    return TIME.inXSDDate, Literal(value, datatype=XSD.date)


def _date_literal(value: str, where: str) -> Literal:
    return _iso(value, where)[1]


def _labels(g: Graph, s: URIRef, nl: str, en: str | None = None) -> None:
    """skos:prefLabel and rdfs:label, Dutch and (if given) English."""
    for lang, text in (("nl", nl), ("en", en)):
        if text:
            g.add((s, SKOS.prefLabel, Literal(text, lang=lang)))
            g.add((s, RDFS.label, Literal(text, lang=lang)))


def _short(text: str, n: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rsplit(" ", 1)[0] + "…"


def _ontology(settings: Settings) -> Graph:
    return Graph().parse(settings.ontology_dir / "gdi.ttl", format="turtle")


def _add_missing_concepts(g: Graph, uris: GraphUris, ontology: Graph, scheme: str, codes: list[str]) -> None:
    """Concepts of EXTRA_CONCEPTS[scheme] that the ontology does not define (yet)."""
    s_uri = uris.scheme(scheme)
    for code in codes:
        c = uris.concept(scheme, code)
        if (c, RDF.type, SKOS.Concept) in ontology:
            continue
        nl, en, def_nl, def_en = EXTRA_CONCEPTS[scheme][code]
        g.add((c, RDF.type, SKOS.Concept))
        g.add((c, SKOS.inScheme, s_uri))
        g.add((c, SKOS.topConceptOf, s_uri))
        g.add((s_uri, SKOS.hasTopConcept, c))
        g.add((c, SKOS.notation, Literal(code)))
        _labels(g, c, nl, en)
        g.add((c, SKOS.definition, Literal(def_nl, lang="nl")))
        g.add((c, SKOS.definition, Literal(def_en, lang="en")))


def _small_scheme(g: Graph, uris: GraphUris, name: str, title: tuple[str, str], entries: dict) -> None:
    """A closed code list defined here: <def/gdi/{name}> and its concepts."""
    s_uri = uris.scheme(name)
    g.add((s_uri, RDF.type, SKOS.ConceptScheme))
    _labels(g, s_uri, *title)
    for code, (nl, en, *defs) in sorted(entries.items()):
        c = uris.concept(name, code)
        g.add((c, RDF.type, SKOS.Concept))
        g.add((c, SKOS.inScheme, s_uri))
        g.add((c, SKOS.topConceptOf, s_uri))
        g.add((s_uri, SKOS.hasTopConcept, c))
        g.add((c, SKOS.notation, Literal(code)))
        _labels(g, c, nl, en)
        if defs:
            g.add((c, SKOS.definition, Literal(defs[0], lang="nl")))
            g.add((c, SKOS.definition, Literal(defs[1], lang="en")))


# --------------------------------------------------------------------------------------------
# sources: document lines and public sources
# --------------------------------------------------------------------------------------------


class _Lines:
    """Reads lines of the bundled documents (as the extractor numbers them) and maps files to editions."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.manifest: Manifest = load_manifest(settings.sources_dir / "editions.csv")
        self._docs: dict[str, Document] = {}

    def edition(self, file: str, where: str = ""):
        ed = self.manifest.get(file)
        if ed is not None:
            return ed
        path = self.settings.sources_dir / file
        if not path.exists():
            raise ReferenceDataError(f"{where or file}: {file!r} is not in data/sources")
        # a report not (yet) in the manifest: its edition as the ingest read it from its own text
        from ..sources.manifest import infer_edition

        if file not in self._docs:
            self._docs[file] = read_document(path)
        return infer_edition(file, self._docs[file].lines)[0]

    def text(self, file: str, line: int, where: str = "") -> str:
        if file not in self._docs:
            self._docs[file] = read_document(self.settings.sources_dir / file)
        doc = self._docs[file]
        if not 1 <= line <= len(doc.lines):
            raise ReferenceDataError(f"{where or file}: line {line} is not in {file} ({len(doc.lines)} lines)")
        return doc.line(line)


def source_line_resources(lines, settings: Settings | None = None, uris: GraphUris | None = None) -> Graph:
    """The ``gdi:Bronregel`` resources of ``lines`` (an iterable of (file name, line number)): number,
    text as read from ``data/sources``, the edition it is quoted from, and labels."""
    settings = settings or get_settings()
    uris = uris or GraphUris(settings)
    v = vocab(uris)
    return _source_lines(set(lines), _Lines(settings), uris, v)


def _source_lines(lines: set, reader: _Lines, uris: GraphUris, v: Vocab) -> Graph:
    GDI = v.GDI
    g = Graph()
    for file, n in sorted((str(f), int(n)) for f, n in lines):
        ed = reader.edition(file)
        text = reader.text(file, n)
        s = uris.source_line(ed.code, n)
        e = uris.edition(ed.code)
        g.add((s, RDF.type, GDI.Bronregel))
        g.add((s, RDF.type, PROV.Entity))
        g.add((s, GDI.regelnummer, Literal(str(n), datatype=XSD.positiveInteger)))
        g.add((s, GDI.regeltekst, Literal(text)))
        g.add((s, PROV.wasQuotedFrom, e))
        g.add((s, DCTERMS.isPartOf, e))
        _labels(g, s, f"regel {n} van {ed.title}", f"line {n} of {ed.title}")
    return g


@dataclass
class _Provenance:
    """Resolves the ``source``/``source_line``/``quote`` columns and remembers the lines used."""

    uris: GraphUris
    v: Vocab
    reader: _Lines
    public: dict[str, dict]  # ref id -> row of public_sources.csv
    lines: set = field(default_factory=set)
    _keys: dict = field(default_factory=dict)  # source URI -> (fragment key, label nl, label en, is line)

    def source(self, spec: str, line: str | int | None, where: str) -> URIRef:
        if not spec:
            raise ReferenceDataError(f"{where}: no source")
        if spec.startswith("ref:"):
            rid = spec[4:]
            if rid not in self.public:
                raise ReferenceDataError(f"{where}: {spec!r} is not in public_sources.csv")
            if line:
                raise ReferenceDataError(f"{where}: a ref: source has no line ({line!r})")
            row = self.public[rid]
            uri = self.uris.external(row["url"])
            self._keys[uri] = (rid, f"citaat uit {row['title']}", f"quote from {row['title']}", False)
            return uri
        if not str(line or "").isdigit() or int(line) < 1:
            raise ReferenceDataError(f"{where}: source {spec!r} needs a line number, not {line!r}")
        n = int(line)
        ed = self.reader.edition(spec, where)
        self.reader.text(spec, n, where)  # the line must exist
        self.lines.add((spec, n))
        uri = self.uris.source_line(ed.code, n)
        self._keys[uri] = (f"{ed.code}-{n}", f"citaat uit regel {n} van {ed.title}",
                           f"quote from line {n} of {ed.title}", True)
        return uri

    def pointer(self, value: str, where: str) -> URIRef:
        """A ``*_source`` column: ``ref:<id>`` or ``<document>:<line>``."""
        if value.startswith("ref:"):
            return self.source(value, None, where)
        file, _, line = value.rpartition(":")
        return self.source(file, line, where)

    def link(self, g: Graph, fact: URIRef, src: URIRef) -> None:
        """fact -> source: gdi:bron for a document line, prov:wasDerivedFrom for a public source."""
        g.add((fact, self.v.GDI.bron if self._keys[src][3] else PROV.wasDerivedFrom, src))

    def cite(self, g: Graph, fact: URIRef, spec: str, line, quote: str, where: str, kind: str = "citaat",
             about: tuple = (), link=None) -> URIRef:
        """Link ``fact`` to its source (``link`` or gdi:bron / prov:wasDerivedFrom) and keep the quote."""
        src = self.source(spec, line, where)
        if link is None:
            self.link(g, fact, src)
        else:
            g.add((fact, link, src))
        if quote:
            key, nl, en, _ = self._keys[src]
            resource, _, part = str(fact).partition("#")  # a quote of a hash node is a sibling of it
            q = self.uris.fragment(URIRef(resource), f"{part}-{kind}-{key}" if part else f"{kind}-{key}")
            g.add((q, RDF.type, PROV.Entity))
            g.add((q, PROV.value, Literal(quote)))
            g.add((q, PROV.wasQuotedFrom, src))
            g.add((q, DCTERMS.subject, fact))
            for a in about:
                g.add((q, DCTERMS.subject, a))
            g.add((q, RDFS.label, Literal(nl, lang="nl")))
            g.add((q, RDFS.label, Literal(en, lang="en")))
        return src


def _public_sources(g: Graph, rows: list[tuple[int, dict]], uris: GraphUris, path: Path) -> None:
    for line, r in rows:
        where = _where(path, line)
        u = uris.external(r["url"])
        g.add((u, RDF.type, DCTERMS.BibliographicResource))
        g.add((u, RDF.type, FOAF.Document))
        g.add((u, RDF.type, PROV.Entity))
        g.add((u, DCTERMS.title, Literal(r["title"])))
        g.add((u, SKOS.prefLabel, Literal(r["title"])))
        g.add((u, RDFS.label, Literal(r["title"])))
        g.add((u, DCTERMS.identifier, Literal(f"ref:{r['id']}")))
        if r.get("publisher"):
            g.add((u, DCTERMS.publisher, Literal(r["publisher"])))
        if r.get("accessed"):
            g.add((u, PAV.retrievedOn, _date_literal(r["accessed"], where)))
        if r.get("note"):
            g.add((u, RDFS.comment, Literal(r["note"], lang="en")))


# --------------------------------------------------------------------------------------------
# code lists
# --------------------------------------------------------------------------------------------


def build_codelists(settings: Settings | None = None, uris: GraphUris | None = None) -> Graph:
    """The code lists from ``data/codelists``: facilities, domains, indicators (and their
    ``.verandering`` twins), breakdowns, aspect collections, and fixed concepts the ontology lacks."""
    settings = settings or get_settings()
    uris = uris or GraphUris(settings)
    v = vocab(uris)
    GDI = v.GDI
    g = Graph()
    ontology = _ontology(settings)
    cl = settings.codelists_dir

    # domains
    domains: dict[str, dict] = {}
    s_dom = uris.scheme("domein")
    path = cl / "domains.csv"
    for line, r in _rows(path):
        code = r["code"]
        if code in domains:
            raise ReferenceDataError(f"{_where(path, line)}: duplicate domain {code!r}")
        domains[code] = r
        d = uris.domain(code)
        g.add((d, RDF.type, GDI.Domein))
        g.add((d, RDF.type, SKOS.Concept))
        g.add((d, SKOS.inScheme, s_dom))
        g.add((d, SKOS.topConceptOf, s_dom))
        g.add((s_dom, SKOS.hasTopConcept, d))
        g.add((d, SKOS.notation, Literal(code)))
        _labels(g, d, r["label_nl"], r["label_en"])
        if r.get("order"):
            g.add((d, GDI.volgorde, Literal(str(int(r["order"])), datatype=XSD.positiveInteger)))

    # facilities
    classes = {"voorziening": GDI.Voorziening, "basisregistratie": GDI.Basisregistratie,
               "stelselvoorziening": GDI.Stelselvoorziening}
    s_vz = uris.scheme("voorziening")
    path = cl / "facilities.csv"
    facilities = dict((r["code"], (line, r)) for line, r in _rows(path))
    for code, (line, r) in sorted(facilities.items()):
        where = _where(path, line)
        if r["kind"] not in classes:
            raise ReferenceDataError(f"{where}: unknown kind {r['kind']!r}")
        if r["domain"] not in domains:
            raise ReferenceDataError(f"{where}: unknown domain {r['domain']!r}")
        f = uris.facility(code)
        g.add((f, RDF.type, classes[r["kind"]]))
        g.add((f, RDF.type, SKOS.Concept))
        g.add((f, SKOS.inScheme, s_vz))
        g.add((f, SKOS.notation, Literal(r["notation"])))
        _labels(g, f, r["label_nl"], r["label_en"])
        g.add((f, GDI.domein, uris.domain(r["domain"])))
        if r.get("parent"):
            if r["parent"] not in facilities:
                raise ReferenceDataError(f"{where}: unknown parent {r['parent']!r}")
            p = uris.facility(r["parent"])
            g.add((f, GDI.onderdeelVan, p))
            g.add((f, SKOS.broader, p))
        else:
            g.add((f, SKOS.topConceptOf, s_vz))
            g.add((s_vz, SKOS.hasTopConcept, f))
        for alias in _codes(r.get("aliases", "")):
            if alias != r["label_nl"]:
                g.add((f, SKOS.hiddenLabel, Literal(alias, lang="nl")))
        if r.get("umbrella") == "yes":
            g.add((f, SKOS.scopeNote, Literal(
                "Staat voor een familie van voorzieningen, niet voor één voorziening.", lang="nl")))
            g.add((f, SKOS.scopeNote, Literal("Stands for a family of facilities, not for one facility.", lang="en")))

    # indicators, their year-on-year change twins, aspect collections
    s_ind = uris.scheme("indicator")
    path = cl / "indicators.csv"
    indicators = dict((r["code"], (line, r)) for line, r in _rows(path))
    members: dict[str, list[URIRef]] = {a: [] for a in ASPECTS}
    for code, (line, r) in sorted(indicators.items()):
        where = _where(path, line)
        if r["facility"] not in facilities:
            raise ReferenceDataError(f"{where}: unknown facility {r['facility']!r}")
        if r["unit"] not in UNIT_CODES:
            raise ReferenceDataError(f"{where}: unknown unit {r['unit']!r} (known: {', '.join(UNIT_CODES)})")
        if r.get("aspect") and r["aspect"] not in ASPECTS:
            raise ReferenceDataError(f"{where}: unknown aspect {r['aspect']!r}")
        if r.get("broader") and r["broader"] not in indicators:
            raise ReferenceDataError(f"{where}: unknown broader indicator {r['broader']!r}")
        fac_notation = facilities[r["facility"]][1]["notation"]
        fac = uris.facility(r["facility"])
        i = uris.indicator(code)
        change = uris.indicator(f"{code}.verandering")
        g.add((i, RDF.type, GDI.Indicator))
        g.add((i, RDF.type, SKOS.Concept))
        g.add((i, SKOS.inScheme, s_ind))
        g.add((i, SKOS.notation, Literal(r["notation"] or code)))
        g.add((i, SKOS.prefLabel, Literal(r["label_nl"], lang="nl")))
        g.add((i, SKOS.prefLabel, Literal(r["label_en"], lang="en")))
        g.add((i, RDFS.label, Literal(f"{fac_notation}: {r['label_nl']}", lang="nl")))
        g.add((i, RDFS.label, Literal(f"{fac_notation}: {r['label_en']}", lang="en")))
        if r.get("definition_nl"):
            g.add((i, SKOS.definition, Literal(r["definition_nl"], lang="nl")))
        if r.get("note"):
            g.add((i, SKOS.scopeNote, Literal(r["note"], lang="en")))
        if r.get("broader"):
            g.add((i, SKOS.broader, uris.indicator(r["broader"])))
        else:
            g.add((i, SKOS.topConceptOf, s_ind))
            g.add((s_ind, SKOS.hasTopConcept, i))
        g.add((i, GDI.eenheid, uris.concept("eenheid", UNIT_CODES[r["unit"]])))
        g.add((i, GDI.voorziening, fac))
        # the printed change of the indicator from the previous year
        g.add((change, RDF.type, GDI.Indicator))
        g.add((change, RDF.type, SKOS.Concept))
        g.add((change, SKOS.inScheme, s_ind))
        g.add((change, SKOS.notation, Literal(f"{r['notation'] or code}-VER")))
        nl = f"{r['label_nl']} (verandering t.o.v. vorig jaar)"
        en = f"{r['label_en']} (year-on-year change)"
        g.add((change, SKOS.prefLabel, Literal(nl, lang="nl")))
        g.add((change, SKOS.prefLabel, Literal(en, lang="en")))
        g.add((change, RDFS.label, Literal(f"{fac_notation}: {nl}", lang="nl")))
        g.add((change, RDFS.label, Literal(f"{fac_notation}: {en}", lang="en")))
        g.add((change, SKOS.definition, Literal(
            f"De verandering in procenten ten opzichte van het voorgaande jaar, zoals de bron die afdrukt, van: "
            f"{r['label_nl']}.", lang="nl")))
        g.add((change, SKOS.definition, Literal(
            f"The percentage change from the previous year, as the source prints it, of: {r['label_en']}.",
            lang="en")))
        g.add((change, SKOS.broader, i))
        g.add((change, GDI.eenheid, uris.concept("eenheid", "procent")))
        g.add((change, GDI.voorziening, fac))
        if r.get("aspect"):
            members[r["aspect"]] += [i, change]
    for aspect, (nl, en, def_nl, def_en) in sorted(ASPECTS.items()):
        c = uris.concept("aspect", aspect)
        g.add((c, RDF.type, SKOS.Collection))
        _labels(g, c, nl, en)
        g.add((c, SKOS.definition, Literal(def_nl, lang="nl")))
        g.add((c, SKOS.definition, Literal(def_en, lang="en")))
        g.add((c, SKOS.notation, Literal(aspect)))
        for m in members[aspect]:
            g.add((c, SKOS.member, m))

    # breakdowns (uitsplitsing:totaal is defined by the ontology)
    s_bd = uris.scheme("uitsplitsing")
    path = cl / "breakdowns.csv"
    seen: set[str] = set()
    for line, r in _rows(path):
        code = r["code"]
        if code in seen:
            raise ReferenceDataError(f"{_where(path, line)}: duplicate breakdown {code!r}")
        seen.add(code)
        c = uris.concept("uitsplitsing", code)
        if (c, RDF.type, SKOS.Concept) in ontology:
            continue
        g.add((c, RDF.type, SKOS.Concept))
        g.add((c, SKOS.inScheme, s_bd))
        g.add((c, SKOS.topConceptOf, s_bd))
        g.add((s_bd, SKOS.hasTopConcept, c))
        g.add((c, SKOS.notation, Literal(code)))
        _labels(g, c, r["label_nl"], r["label_en"])
        for alias in _codes(r.get("aliases", "")):
            if alias != r["label_nl"]:
                g.add((c, SKOS.hiddenLabel, Literal(alias, lang="nl")))

    _add_missing_concepts(g, uris, ontology, "eenheid", sorted(EXTRA_CONCEPTS["eenheid"]))
    return g


# --------------------------------------------------------------------------------------------
# reference data
# --------------------------------------------------------------------------------------------


def build_reference(settings: Settings | None = None, uris: GraphUris | None = None) -> Graph:
    """Organisations, dated roles, base registries, the Stelselplaat, carriers, recommendations and
    commitments from ``data/reference``, with their sources (public sources and ``gdi:Bronregel``s)."""
    settings = settings or get_settings()
    uris = uris or GraphUris(settings)
    v = vocab(uris)
    GDI = v.GDI
    g = Graph()
    ref = settings.reference_dir
    ontology = _ontology(settings)
    reader = _Lines(settings)

    path = ref / "public_sources.csv"
    public_rows = _rows(path)
    public = {}
    for line, r in public_rows:
        if r["id"] in public:
            raise ReferenceDataError(f"{_where(path, line)}: duplicate public source {r['id']!r}")
        public[r["id"]] = r
    _public_sources(g, public_rows, uris, path)
    prov = _Provenance(uris, v, reader, public)

    facilities = {}
    for line, r in _rows(settings.codelists_dir / "facilities.csv"):
        facilities[r["code"]] = r

    # ---- organisations
    _small_scheme(g, uris, "organisatiesoort", ("soorten organisaties", "kinds of organisation"),
                  ORGANISATION_TYPES)
    path = ref / "organisations.csv"
    orgs: dict[str, dict] = {}
    org_rows = _rows(path)
    for line, r in org_rows:
        if r["code"] in orgs:
            raise ReferenceDataError(f"{_where(path, line)}: duplicate organisation {r['code']!r}")
        orgs[r["code"]] = r
    abolished_source: dict[str, URIRef] = {}
    for line, r in org_rows:
        where = _where(path, line)
        o = uris.organisation(r["code"])
        g.add((o, RDF.type, ORG.Organization))
        if r.get("tooi_type"):
            if r.get("type") == "groep":  # tooi_type is the class of the members
                g.add((o, RDFS.seeAlso, TOOIONT[r["tooi_type"]]))
            else:
                g.add((o, RDF.type, TOOIONT[r["tooi_type"]]))
        _labels(g, o, r["label_nl"], r["label_en"])
        if r.get("abbreviation"):
            g.add((o, SKOS.notation, Literal(r["abbreviation"])))
        if r.get("type"):
            if r["type"] not in ORGANISATION_TYPES:
                raise ReferenceDataError(f"{where}: unknown organisation type {r['type']!r}")
            g.add((o, ORG.classification, uris.concept("organisatiesoort", r["type"])))
        if r.get("parent"):
            if r["parent"] not in orgs:
                raise ReferenceDataError(f"{where}: unknown parent organisation {r['parent']!r}")
            g.add((o, ORG.subOrganizationOf, uris.organisation(r["parent"])))
        if r.get("tooi_uri"):
            g.add((o, OWL.sameAs, uris.external(r["tooi_uri"])))
        if r.get("note"):
            g.add((o, RDFS.comment, Literal(r["note"], lang="en")))
        prov.cite(g, o, r["source"], r["source_line"], r["quote"], where)
        for col in ("tooi_source", "parent_source", "abolished_source", "type_source"):
            if r.get(col):
                prov.link(g, o, prov.pointer(r[col], f"{where} ({col})"))
        if r.get("abolished"):
            g.add((o, SCHEMA.dissolutionDate, _date_literal(r["abolished"], where)))
            if r.get("abolished_source"):
                abolished_source[r["code"]] = prov.pointer(r["abolished_source"], where)

    def org_uri(code: str, where: str) -> URIRef:
        if code not in orgs:
            raise ReferenceDataError(f"{where}: unknown organisation {code!r}")
        return uris.organisation(code)

    def facility_uri(code: str, where: str, kind: str | None = None) -> URIRef:
        if code not in facilities:
            raise ReferenceDataError(f"{where}: unknown facility {code!r}")
        if kind and facilities[code]["kind"] != kind:
            raise ReferenceDataError(f"{where}: {code!r} is not a {kind}")
        return uris.facility(code)

    def concerned(code: str, where: str) -> URIRef:
        if code in facilities and code in orgs:
            raise ReferenceDataError(f"{where}: {code!r} is both a facility and an organisation code")
        if code in facilities:
            return uris.facility(code)
        return org_uri(code, where)

    # ---- facility roles
    properties = {"beheerder": GDI.beheerder, "opdrachtgever": GDI.opdrachtgever, "bronhouder": GDI.bronhouder}
    path = ref / "facility_roles.csv"
    roles: dict[URIRef, list[tuple[int, dict]]] = {}
    for line, r in _rows(path):
        where = _where(path, line)
        if r["role"] not in properties:
            raise ReferenceDataError(f"{where}: unknown role {r['role']!r}")
        facility_uri(r["facility"], where)
        org_uri(r["organisation"], where)
        rol = uris.role(r["facility"], r["role"], r["organisation"], r.get("start", ""))
        roles.setdefault(rol, []).append((line, r))
    for rol, group in sorted(roles.items()):
        line, r = group[0]
        where = _where(path, line)
        ends = {x["end"] for _, x in group}
        if len(ends) > 1:
            raise ReferenceDataError(f"{where}: rows of one role disagree on its end: {sorted(ends)}")
        fac, org = uris.facility(r["facility"]), uris.organisation(r["organisation"])
        prop = properties[r["role"]]
        g.add((fac, GDI.rol, rol))
        g.add((rol, RDF.type, GDI.Rol))
        g.add((rol, GDI.rolsoort, prop))
        g.add((rol, GDI.organisatie, org))
        period = uris.fragment(rol, "periode")
        g.add((rol, GDI.periode, period))
        g.add((period, RDF.type, TIME.Interval))
        start, end = r.get("start", ""), r.get("end", "")
        derived_end = False
        if start:
            _instant(g, period, TIME.hasBeginning, uris.fragment(rol, "begin"), start, where)
        if end:
            _instant(g, period, TIME.hasEnd, uris.fragment(rol, "einde"), end, where)
        elif orgs[r["organisation"]].get("abolished"):
            # an abolished organisation holds no role after its abolition
            end = orgs[r["organisation"]]["abolished"]
            derived_end = True
            e = uris.fragment(rol, "einde")
            _instant(g, period, TIME.hasEnd, e, end, where)
            if r["organisation"] in abolished_source:
                g.add((e, PROV.wasDerivedFrom, abolished_source[r["organisation"]]))
            g.add((rol, RDFS.comment, Literal(
                f"Einddatum afgeleid: {orgs[r['organisation']]['label_nl']} is op {end} opgeheven; de rol eindigde "
                f"uiterlijk toen (de bron van de rol noemt geen einde).", lang="nl")))
            g.add((rol, RDFS.comment, Literal(
                f"End date derived: {orgs[r['organisation']]['label_en']} was abolished on {end}; the role ended at "
                f"the latest then (the source of the role gives no end).", lang="en")))
        for as_of in sorted({x["as_of"] for _, x in group if x.get("as_of")}):
            _instant(g, period, TIME.inside, uris.fragment(rol, f"peildatum-{as_of}"), as_of, where)
        if not end:
            g.add((fac, prop, org))
        f_nl, f_en = facilities[r["facility"]]["label_nl"], facilities[r["facility"]]["label_en"]
        o_nl, o_en = orgs[r["organisation"]]["label_nl"], orgs[r["organisation"]]["label_en"]
        k_nl, k_en = ROLE_LABELS[r["role"]]
        if start and end:
            p_nl = p_en = f" ({start} – {end})"
        elif start:
            p_nl, p_en = f" (vanaf {start})", f" (from {start})"
        elif end:
            p_nl, p_en = ((f" (tot uiterlijk {end})", f" (until {end} at the latest)") if derived_end
                          else (f" (tot {end})", f" (until {end})"))
        else:
            p_nl = p_en = ""
        _labels(g, rol, f"{o_nl} als {k_nl} van {f_nl}{p_nl}", f"{o_en} as {k_en} of {f_en}{p_en}")
        for line, x in group:
            w = _where(path, line)
            if x.get("note"):
                g.add((rol, RDFS.comment, Literal(x["note"], lang="en")))
            prov.cite(g, rol, x["source"], x["source_line"], x["quote"], w)

    # ---- base registries
    path = ref / "basisregistraties.csv"
    for line, r in _rows(path):
        where = _where(path, line)
        reg = facility_uri(r["registry"], where, "basisregistratie")
        if r.get("mandatory_use_since"):
            prop, lit = _iso(r["mandatory_use_since"], where)
            if prop != TIME.inXSDDate:
                raise ReferenceDataError(f"{where}: mandatory_use_since must be a full date for gdi:verplichtGebruikSinds")
            g.add((reg, GDI.verplichtGebruikSinds, lit))
        if r.get("in_force_since"):
            _date_literal(r["in_force_since"], where)
            g.add((reg, DCTERMS.valid, Literal(f"start={r['in_force_since']};", datatype=DCTERMS.Period)))
            if r.get("in_force_source"):
                prov.link(g, reg, prov.pointer(r["in_force_source"], f"{where} (in_force_source)"))
        if r.get("law"):
            law = uris.fragment(reg, "wet")
            g.add((reg, DCTERMS.conformsTo, law))
            g.add((law, RDF.type, ELI.LegalResource))
            g.add((law, DCTERMS.title, Literal(r["law"], lang="nl")))
            _labels(g, law, r["law"])
            if r.get("law_source"):
                prov.link(g, law, prov.pointer(r["law_source"], f"{where} (law_source)"))
        if r.get("note"):
            g.add((reg, RDFS.comment, Literal(r["note"], lang="en")))
        prov.cite(g, reg, r["source"], r["source_line"], r["quote"], where, kind="citaat-verplicht-gebruik")

    # ---- the Stelselplaat
    path = ref / "stelselplaat.csv"
    seen_links: set[URIRef] = set()
    for line, r in _rows(path):
        where = _where(path, line)
        using_code, used_code = r["registry"].lower(), r["uses"].lower()
        using = facility_uri(using_code, where, "basisregistratie")
        used = facility_uri(used_code, where, "basisregistratie")
        if using == used:
            raise ReferenceDataError(f"{where}: a registry cannot use itself")
        k = uris.link(using_code, used_code)
        if k in seen_links:
            raise ReferenceDataError(f"{where}: duplicate link {r['registry']} -> {r['uses']}")
        seen_links.add(k)
        g.add((using, GDI.maaktGebruikVan, used))
        g.add((using, GDI.koppeling, k))
        g.add((k, RDF.type, GDI.Koppeling))
        g.add((k, GDI.afnemendeRegistratie, using))
        g.add((k, GDI.leverendeRegistratie, used))
        for key in _codes(r.get("keys_passed_on", "")):
            g.add((k, GDI.sleutel, Literal(key)))
        a, b = facilities[using_code]["notation"], facilities[used_code]["notation"]
        _labels(g, k, f"{a} maakt gebruik van {b}", f"{a} uses {b}")
        if r.get("note"):
            g.add((k, RDFS.comment, Literal(r["note"], lang="en")))
        prov.cite(g, k, r["source"], r.get("source_line"), r.get("quote", ""), where)

    # ---- carriers
    _small_scheme(g, uris, "dragersoort", ("soorten dragers van registratiegegevens",
                                           "kinds of carrying registry data"), CARRIER_KINDS)
    path = ref / "carriers.csv"
    current: set[tuple[URIRef, URIRef]] = set()
    for line, r in _rows(path):
        where = _where(path, line)
        fac = facility_uri(r["facility"], where)
        reg = facility_uri(r["registry"], where, "basisregistratie")
        if r["relation"] not in CARRIER_KINDS:
            raise ReferenceDataError(f"{where}: unknown relation {r['relation']!r}")
        when = r.get("as_of") or r.get("since") or r.get("until")
        frag = f"draagt-{r['registry']}-{r['relation']}" + (f"-{when}" if when else "")
        st = uris.fragment(fac, frag)
        if (st, RDF.type, RDF.Statement) in g:
            raise ReferenceDataError(f"{where}: duplicate carrier statement")
        g.add((st, RDF.type, RDF.Statement))
        g.add((st, RDF.subject, fac))
        g.add((st, RDF.predicate, GDI.draagt))
        g.add((st, RDF.object, reg))
        g.add((st, DCTERMS.type, uris.concept("dragersoort", r["relation"])))
        if when:
            period = uris.fragment(fac, f"{frag}-periode")
            g.add((st, DCTERMS.temporal, period))
            g.add((period, RDF.type, TIME.Interval))
            for col, prop, suffix in (("since", TIME.hasBeginning, "begin"), ("until", TIME.hasEnd, "einde"),
                                      ("as_of", TIME.inside, "peildatum")):
                if r.get(col):
                    _instant(g, period, prop, uris.fragment(fac, f"{frag}-{suffix}"), r[col], where)
        if not r.get("until"):
            current.add((fac, reg))
        kind_nl, kind_en = CARRIER_KINDS[r["relation"]][:2]
        f_n, r_n = facilities[r["facility"]]["notation"], facilities[r["registry"]]["notation"]
        stand_nl = f"; stand {r['as_of']}" if r.get("as_of") else ""
        stand_en = f"; as of {r['as_of']}" if r.get("as_of") else ""
        _labels(g, st, f"{f_n} draagt gegevens van {r_n} ({kind_nl}{stand_nl})",
                f"{f_n} carries data of {r_n} ({kind_en}{stand_en})")
        if r.get("note"):
            g.add((st, RDFS.comment, Literal(r["note"], lang="en")))
        prov.cite(g, st, r["source"], r["source_line"], r["quote"], where)
    for fac, reg in sorted(current):
        g.add((fac, GDI.draagt, reg))

    # ---- recommendations and commitments
    statuses = set()
    org_uri(OMBUDSMAN, "recommendations.csv")
    for name, make in (("recommendations.csv", uris.recommendation), ("commitments.csv", uris.commitment)):
        path = ref / name
        seen_codes: set[str] = set()
        for line, r in _rows(path):
            where = _where(path, line)
            code = r["code"]
            if code in seen_codes:
                raise ReferenceDataError(f"{where}: duplicate code {code!r}")
            seen_codes.add(code)
            x = make(code)
            is_rec = name == "recommendations.csv"
            g.add((x, RDF.type, GDI.Aanbeveling if is_rec else GDI.Toezegging))
            g.add((x, DCTERMS.identifier, Literal(code)))
            text = r["text_nl"]
            if is_rec:
                _labels(g, x, f"Aanbeveling {code} van de Nationale ombudsman ({r['year']}): {_short(text)}",
                        f"Recommendation {code} of the National Ombudsman ({r['year']})")
                g.add((x, PROV.wasAttributedTo, uris.organisation(OMBUDSMAN)))
                if r.get("addressee"):
                    g.add((x, DCTERMS.audience, org_uri(r["addressee"], where)))
            else:
                _labels(g, x, f"Toezegging {code} ({r['year']}): {_short(text)}", f"Commitment {code} ({r['year']})")
                for by in _codes(r.get("by", "")):
                    g.add((x, PROV.wasAttributedTo, org_uri(by, where)))
            g.add((x, DCTERMS.description, Literal(text, lang="nl")))
            if r.get("year"):
                if not re.fullmatch(r"\d{4}", r["year"]):
                    raise ReferenceDataError(f"{where}: year {r['year']!r}")
                g.add((x, DCTERMS.issued, Literal(r["year"], datatype=XSD.gYear)))
            for c in _codes(r.get("concerns", "")):
                g.add((x, GDI.betreft, concerned(c, where)))
            if r.get("deadline"):
                g.add((x, GDI.deadline, _date_literal(r["deadline"], where)))
            if r.get("deadline_text"):
                g.add((x, SKOS.note, Literal(f"termijn volgens de bron: {r['deadline_text']}")))
            status = r.get("status", "")
            if status:
                if status not in STATUS_CODES:
                    raise ReferenceDataError(f"{where}: unknown status {status!r}")
                statuses.add(STATUS_CODES[status])
                g.add((x, GDI.status, uris.concept("status", STATUS_CODES[status])))
            if r.get("status_note"):
                g.add((x, RDFS.comment, Literal(f"status: {r['status_note']}", lang="en")))
            prov.cite(g, x, r["source"], r["source_line"], r["quote"], where)
            if r.get("status_source"):
                prov.cite(g, x, r["status_source"], r.get("status_line"), r.get("status_quote", ""), where,
                          kind="statuscitaat", about=(GDI.status,))
            if r.get("cited_source"):
                prov.cite(g, x, r["cited_source"], r.get("cited_line"), r.get("cited_quote", ""), where,
                          kind="verwijzing", link=DCTERMS.isReferencedBy)
    extra = sorted(c for c in statuses if c in EXTRA_CONCEPTS["status"])
    _add_missing_concepts(g, uris, ontology, "status", extra)
    unknown = {c for c in statuses if (uris.concept("status", c), RDF.type, SKOS.Concept) not in ontology
               and c not in EXTRA_CONCEPTS["status"]}
    if unknown:
        raise ReferenceDataError(f"statuses without a concept in the ontology: {sorted(unknown)}")

    g += _source_lines(prov.lines, reader, uris, v)
    return g


def _instant(g: Graph, period: URIRef, prop: URIRef, instant: URIRef, value: str, where: str) -> None:
    time_prop, lit = _iso(value, where)
    g.add((period, prop, instant))
    g.add((instant, RDF.type, TIME.Instant))
    g.add((instant, time_prop, lit))
