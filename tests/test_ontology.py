"""The gdigraph ontology (ontology/gdi.ttl) and SHACL shapes (ontology/shapes.ttl).

Checks that both files parse (rdflib and Oxigraph agree), that every required term exists with
the right type, bilingual labels and a definition, that the two Data Cube structures meet the
W3C integrity constraints, and that the shapes accept a conforming example graph and reject
broken ones with the expected focus nodes.

Figures in the examples: the BRP figure is from data/sources/002 (Monitor Digitale Overheid 2024,
line 976); the Berichtenbox figures in the full example are illustrative test values.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pyoxigraph
import pytest
from pyshacl import validate
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS

from gdigraph.settings import Settings
from gdigraph.uris import Uris

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY_FILE = ROOT / "ontology" / "gdi.ttl"
SHAPES_FILE = ROOT / "ontology" / "shapes.ttl"
README_FILE = ROOT / "ontology" / "README.md"

BASE = "https://gdigraph.nl"
GDI = Namespace(f"{BASE}/def/gdi#")
CODELIST = f"{BASE}/def/gdi/"
QB = Namespace("http://purl.org/linked-data/cube#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")  # plain Namespace: rdflib's XSD warns under pytest collection
PROV = Namespace("http://www.w3.org/ns/prov#")
ORG = Namespace("http://www.w3.org/ns/org#")
TIME = Namespace("http://www.w3.org/2006/time#")
VLAG = Namespace(f"{BASE}/def/gdi/vlag/")
ID = f"{BASE}/id/"


# --------------------------------------------------------------------------------------------
# fixtures
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY_FILE, format="turtle")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(SHAPES_FILE, format="turtle")


PREFIXES = """
@prefix gdi:     <https://gdigraph.nl/def/gdi#> .
@prefix vlag:    <https://gdigraph.nl/def/gdi/vlag/> .
@prefix status:  <https://gdigraph.nl/def/gdi/status/> .
@prefix eenheid: <https://gdigraph.nl/def/gdi/eenheid/> .
@prefix uitspl:  <https://gdigraph.nl/def/gdi/uitsplitsing/> .
@prefix reg:     <https://gdigraph.nl/id/basisregistratie/> .
@prefix vz:      <https://gdigraph.nl/id/voorziening/> .
@prefix orgn:    <https://gdigraph.nl/id/organisatie/> .
@prefix domein:  <https://gdigraph.nl/id/domein/> .
@prefix ind:     <https://gdigraph.nl/id/indicator/> .
@prefix editie:  <https://gdigraph.nl/id/editie/> .
@prefix dataset: <https://gdigraph.nl/id/dataset/> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .
@prefix skos:    <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix org:     <http://www.w3.org/ns/org#> .
@prefix prov:    <http://www.w3.org/ns/prov#> .
@prefix qb:      <http://purl.org/linked-data/cube#> .
@prefix time:    <http://www.w3.org/2006/time#> .
@prefix tooiont: <https://identifier.overheid.nl/tooi/def/ont/> .
"""

# One base registry with its operator and domain, one edition, one observation with its source
# line (Monitor Digitale Overheid 2024, BRP, "Totale aantal berichten naar afnemers", 2023).
SMALL_EXAMPLE = PREFIXES + """
reg:brp a gdi:Basisregistratie , skos:Concept ;
    skos:inScheme <https://gdigraph.nl/def/gdi/voorziening> ;
    skos:notation "BRP" ;
    skos:prefLabel "Basisregistratie Personen"@nl , "Personal Records Database"@en ;
    rdfs:label "Basisregistratie Personen"@nl , "Personal Records Database"@en ;
    gdi:domein domein:gegevens-registreren ;
    gdi:beheerder orgn:rvig .

orgn:rvig a org:Organization ;
    skos:prefLabel "Rijksdienst voor Identiteitsgegevens"@nl .

orgn:bzk a org:Organization , tooiont:Ministerie ;
    skos:prefLabel "Ministerie van Binnenlandse Zaken en Koninkrijksrelaties"@nl .

domein:gegevens-registreren a gdi:Domein , skos:Concept ;
    skos:inScheme <https://gdigraph.nl/def/gdi/domein> ;
    skos:notation "gegevens-registreren" ;
    skos:prefLabel "Gegevens en registreren"@nl , "Data and registration"@en ;
    gdi:volgorde "3"^^xsd:positiveInteger .

ind:berichten-naar-afnemers a gdi:Indicator , skos:Concept ;
    skos:inScheme <https://gdigraph.nl/def/gdi/indicator> ;
    skos:notation "berichten-naar-afnemers" ;
    skos:prefLabel "Totale aantal berichten naar afnemers"@nl , "Total number of messages to users"@en .

editie:2024 a gdi:Editie ;
    dcterms:title "Monitor Digitale Overheid 2024"@nl ;
    skos:notation "2024" ;
    gdi:publicatiejaar "2024"^^xsd:gYear ;
    gdi:peildatum "2023-12-31"^^xsd:date ;
    prov:wasAttributedTo orgn:bzk .

<https://gdigraph.nl/id/bronregel/2024/976> a gdi:Bronregel ;
    gdi:regelnummer "976"^^xsd:positiveInteger ;
    gdi:regeltekst "381.526.659 463.499.779 448.513.226 477.034.690 450.500.971 -5,6%" ;
    prov:wasQuotedFrom editie:2024 .

dataset:waarnemingen a qb:DataSet ;
    qb:structure gdi:dsd-waarnemingen .

<https://gdigraph.nl/id/waarneming/2024/brp/berichten-naar-afnemers/2023/totaal>
    a qb:Observation , gdi:Waarneming ;
    qb:dataSet dataset:waarnemingen ;
    gdi:editie editie:2024 ;
    gdi:voorziening reg:brp ;
    gdi:indicator ind:berichten-naar-afnemers ;
    gdi:jaar "2023"^^xsd:gYear ;
    gdi:uitsplitsing uitspl:totaal ;
    gdi:waarde 450500971.0 ;
    gdi:eenheid eenheid:aantal ;
    gdi:ruweWaarde "450.500.971" ;
    gdi:bron <https://gdigraph.nl/id/bronregel/2024/976> .
"""

OBS_BRP = URIRef(f"{ID}waarneming/2024/brp/berichten-naar-afnemers/2023/totaal")
BRP = URIRef(f"{ID}basisregistratie/brp")

# Everything else the ontology models: a second registry with a qualified Stelselplaat link,
# dated roles, a system facility, facility parts, a revision across editions, a missing figure,
# the harmonised cube with a series, a recommendation and a commitment.
FULL_EXTRA = """
reg:brp gdi:opdrachtgever orgn:bzk ;
    gdi:verplichtGebruikSinds "2014-01-06"^^xsd:date ;
    gdi:ingraad 4.0 ; gdi:uitgraad 1.0 ; gdi:betweenness 0.25 ;
    gdi:rol <https://gdigraph.nl/id/rol/brp/beheerder/agentschap-bpr> ,
            <https://gdigraph.nl/id/rol/brp/beheerder/rvig> .

<https://gdigraph.nl/id/rol/brp/beheerder/agentschap-bpr> a gdi:Rol ;
    gdi:rolsoort gdi:beheerder ;
    gdi:organisatie orgn:agentschap-bpr ;
    gdi:periode [ a time:Interval ;
        time:hasBeginning [ a time:Instant ; time:inXSDDate "2014-01-06"^^xsd:date ] ;
        time:hasEnd [ a time:Instant ; time:inXSDDate "2014-09-30"^^xsd:date ] ] .

<https://gdigraph.nl/id/rol/brp/beheerder/rvig> a gdi:Rol ;
    gdi:rolsoort gdi:beheerder ;
    gdi:organisatie orgn:rvig ;
    gdi:periode [ a time:Interval ;
        time:hasBeginning [ a time:Instant ; time:inXSDDate "2014-10-01"^^xsd:date ] ] .

orgn:agentschap-bpr a org:Organization ;
    skos:prefLabel "Agentschap Basisadministratie Persoonsgegevens en Reisdocumenten"@nl .

orgn:kvk a org:Organization , tooiont:Zbo ; skos:prefLabel "Kamer van Koophandel"@nl .
orgn:logius a org:Organization ; skos:prefLabel "Logius"@nl .
orgn:nationale-ombudsman a org:Organization ; skos:prefLabel "Nationale ombudsman"@nl .

reg:hr a gdi:Basisregistratie , skos:Concept ;
    skos:inScheme <https://gdigraph.nl/def/gdi/voorziening> ;
    skos:notation "HR" ;
    skos:prefLabel "Handelsregister"@nl , "Trade Register"@en ;
    rdfs:label "Handelsregister"@nl ;
    gdi:domein domein:gegevens-registreren ;
    gdi:beheerder orgn:kvk ;
    gdi:maaktGebruikVan reg:brp ;
    gdi:koppeling <https://gdigraph.nl/id/koppeling/hr/brp> ;
    gdi:ingraad 4.0 ; gdi:uitgraad 2.0 ; gdi:betweenness 0.1 .

<https://gdigraph.nl/id/koppeling/hr/brp> a gdi:Koppeling ;
    gdi:afnemendeRegistratie reg:hr ;
    gdi:leverendeRegistratie reg:brp ;
    gdi:sleutel "BSN" .

vz:digilevering a gdi:Stelselvoorziening , skos:Concept ;
    skos:inScheme <https://gdigraph.nl/def/gdi/voorziening> ;
    skos:notation "Digilevering" ;
    skos:prefLabel "Digilevering"@nl , "Digilevering (event subscription)"@en ;
    rdfs:label "Digilevering"@nl ;
    gdi:domein domein:gegevens-registreren ;
    gdi:beheerder orgn:logius ;
    gdi:opdrachtgever orgn:bzk ;
    gdi:draagt reg:brp , reg:hr .

domein:dienstverlening-informatie a gdi:Domein , skos:Concept ;
    skos:inScheme <https://gdigraph.nl/def/gdi/domein> ;
    skos:prefLabel "Dienstverlening en informatie verstrekken"@nl ;
    gdi:volgorde "2"^^xsd:positiveInteger .

vz:mijnoverheid a gdi:Voorziening , skos:Concept ;
    skos:inScheme <https://gdigraph.nl/def/gdi/voorziening> ;
    skos:notation "MijnOverheid" ;
    skos:prefLabel "MijnOverheid"@nl , "MijnOverheid (citizen portal)"@en ;
    rdfs:label "MijnOverheid"@nl ;
    gdi:domein domein:dienstverlening-informatie ;
    gdi:beheerder orgn:logius .

vz:mijnoverheid-berichtenbox a gdi:Voorziening , skos:Concept ;
    skos:inScheme <https://gdigraph.nl/def/gdi/voorziening> ;
    skos:notation "MijnOverheid Berichtenbox" ;
    skos:prefLabel "MijnOverheid Berichtenbox"@nl , "MijnOverheid Message Box"@en ;
    rdfs:label "MijnOverheid Berichtenbox"@nl ;
    gdi:domein domein:dienstverlening-informatie ;
    gdi:onderdeelVan vz:mijnoverheid .

ind:berichten a gdi:Indicator , skos:Concept ;
    skos:inScheme <https://gdigraph.nl/def/gdi/indicator> ;
    skos:notation "berichten" ;
    skos:prefLabel "Aantal berichten"@nl , "Number of messages"@en .

uitspl:gemeenten a skos:Concept ;
    skos:inScheme <https://gdigraph.nl/def/gdi/uitsplitsing> ;
    skos:notation "gemeenten" ;
    skos:prefLabel "Gemeenten"@nl , "Municipalities"@en .

editie:2018 a gdi:Editie ;
    dcterms:title "Monitor GDI 2018"@nl ;
    gdi:publicatiejaar "2018"^^xsd:gYear ;
    prov:wasAttributedTo orgn:bzk .

editie:2019-toelichting a gdi:Editie ;
    dcterms:title "Toelichting op de Monitor Digitale Overheid 2019"@nl ;
    gdi:publicatiejaar "2019"^^xsd:gYear ;
    prov:wasAttributedTo orgn:bzk .

editie:kamerbrief-2017 a gdi:Editie ;
    dcterms:title "Beleidsreactie op het rapport Hoezo MIJNOverheid? van de Nationale ombudsman"@nl ;
    gdi:publicatiejaar "2017"^^xsd:gYear ;
    prov:wasAttributedTo orgn:bzk .

editie:ombudsman-2023 a gdi:Editie ;
    dcterms:title "Nationale ombudsman: vervolgonderzoek digitale toegankelijkheid"@nl ;
    gdi:publicatiejaar "2023"^^xsd:gYear ;
    prov:wasAttributedTo orgn:nationale-ombudsman .

<https://gdigraph.nl/id/bronregel/2018/100> a gdi:Bronregel ;
    gdi:regelnummer "100"^^xsd:positiveInteger ; prov:wasQuotedFrom editie:2018 .
<https://gdigraph.nl/id/bronregel/2018/101> a gdi:Bronregel ;
    gdi:regelnummer "101"^^xsd:positiveInteger ; prov:wasQuotedFrom editie:2018 .
<https://gdigraph.nl/id/bronregel/2019-toelichting/50> a gdi:Bronregel ;
    gdi:regelnummer "50"^^xsd:positiveInteger ; prov:wasQuotedFrom editie:2019-toelichting .
<https://gdigraph.nl/id/bronregel/kamerbrief-2017/259> a gdi:Bronregel ;
    gdi:regelnummer "259"^^xsd:positiveInteger ; prov:wasQuotedFrom editie:kamerbrief-2017 .
<https://gdigraph.nl/id/bronregel/ombudsman-2023/1325> a gdi:Bronregel ;
    gdi:regelnummer "1325"^^xsd:positiveInteger ; prov:wasQuotedFrom editie:ombudsman-2023 .
<https://gdigraph.nl/id/bronregel/ombudsman-2023/53> a gdi:Bronregel ;
    gdi:regelnummer "53"^^xsd:positiveInteger ; prov:wasQuotedFrom editie:ombudsman-2023 .

<https://gdigraph.nl/id/waarneming/2018/mijnoverheid-berichtenbox/berichten/2017/totaal>
    a qb:Observation , gdi:Waarneming ;
    qb:dataSet dataset:waarnemingen ;
    gdi:editie editie:2018 ;
    gdi:voorziening vz:mijnoverheid-berichtenbox ;
    gdi:indicator ind:berichten ;
    gdi:jaar "2017"^^xsd:gYear ;
    gdi:uitsplitsing uitspl:totaal ;
    gdi:waarde 100.0 ;
    gdi:eenheid eenheid:aantal ;
    gdi:bron <https://gdigraph.nl/id/bronregel/2018/100> .

<https://gdigraph.nl/id/waarneming/2019-toelichting/mijnoverheid-berichtenbox/berichten/2017/totaal>
    a qb:Observation , gdi:Waarneming ;
    qb:dataSet dataset:waarnemingen ;
    gdi:editie editie:2019-toelichting ;
    gdi:voorziening vz:mijnoverheid-berichtenbox ;
    gdi:indicator ind:berichten ;
    gdi:jaar "2017"^^xsd:gYear ;
    gdi:uitsplitsing uitspl:totaal ;
    gdi:waarde 110.0 ;
    gdi:eenheid eenheid:aantal ;
    gdi:vlag vlag:revised , vlag:approx ;
    gdi:ruweWaarde "ruim 110" ;
    gdi:bron <https://gdigraph.nl/id/bronregel/2019-toelichting/50> ;
    gdi:herzieningVan <https://gdigraph.nl/id/waarneming/2018/mijnoverheid-berichtenbox/berichten/2017/totaal> .

<https://gdigraph.nl/id/waarneming/2018/mijnoverheid-berichtenbox/berichten/2014/gemeenten>
    a gdi:OntbrekendeWaarneming ;
    gdi:ontbreektIn dataset:waarnemingen ;
    gdi:editie editie:2018 ;
    gdi:voorziening vz:mijnoverheid-berichtenbox ;
    gdi:indicator ind:berichten ;
    gdi:jaar "2014"^^xsd:gYear ;
    gdi:uitsplitsing uitspl:gemeenten ;
    gdi:vlag vlag:missing ;
    gdi:ruweWaarde "-" ;
    gdi:bron <https://gdigraph.nl/id/bronregel/2018/101> .

dataset:reeksen a qb:DataSet ;
    qb:structure gdi:dsd-reeksen ;
    gdi:laatsteJaar "2017"^^xsd:gYear ;
    qb:slice <https://gdigraph.nl/id/reeks/mijnoverheid-berichtenbox/berichten/totaal> .

<https://gdigraph.nl/id/reeks/mijnoverheid-berichtenbox/berichten/totaal> a gdi:Reeks , qb:Slice ;
    qb:sliceStructure gdi:sleutel-reeks ;
    gdi:voorziening vz:mijnoverheid-berichtenbox ;
    gdi:indicator ind:berichten ;
    gdi:uitsplitsing uitspl:totaal ;
    gdi:eersteJaar "2017"^^xsd:gYear ;
    gdi:laatsteJaar "2017"^^xsd:gYear ;
    gdi:laatsteWaarneming <https://gdigraph.nl/id/reeks/mijnoverheid-berichtenbox/berichten/totaal/2017> ;
    qb:observation <https://gdigraph.nl/id/reeks/mijnoverheid-berichtenbox/berichten/totaal/2017> .

<https://gdigraph.nl/id/reeks/mijnoverheid-berichtenbox/berichten/totaal/2017>
    a qb:Observation , gdi:ReeksWaarneming ;
    qb:dataSet dataset:reeksen ;
    gdi:voorziening vz:mijnoverheid-berichtenbox ;
    gdi:indicator ind:berichten ;
    gdi:jaar "2017"^^xsd:gYear ;
    gdi:uitsplitsing uitspl:totaal ;
    gdi:waarde 110.0 ;
    gdi:eenheid eenheid:aantal ;
    gdi:vlag vlag:revised ;
    gdi:herzien true ;
    gdi:bronWaarneming
        <https://gdigraph.nl/id/waarneming/2018/mijnoverheid-berichtenbox/berichten/2017/totaal> ,
        <https://gdigraph.nl/id/waarneming/2019-toelichting/mijnoverheid-berichtenbox/berichten/2017/totaal> .

<https://gdigraph.nl/id/aanbeveling/hoezo-mijnoverheid-1-6> a gdi:Aanbeveling ;
    dcterms:description "Benader alle mensen die een account geactiveerd hebben en geen e-mailadres gekoppeld hebben per brief."@nl ;
    gdi:betreft vz:mijnoverheid-berichtenbox ;
    prov:wasAttributedTo orgn:nationale-ombudsman ;
    gdi:status status:uitgevoerd ;
    gdi:statusDatum "2023-12-31"^^xsd:date ;
    gdi:bron <https://gdigraph.nl/id/bronregel/ombudsman-2023/1325> .

<https://gdigraph.nl/id/aanbeveling/ombudsman-2023-plan-van-aanpak> a gdi:Aanbeveling ;
    dcterms:description "Kom binnen drie maanden met een duidelijk en haalbaar plan van aanpak met een concreet tijdpad."@nl ;
    gdi:betreft orgn:bzk ;
    gdi:deadline "2024-07-01"^^xsd:date ;
    gdi:status status:open ;
    gdi:bron <https://gdigraph.nl/id/bronregel/ombudsman-2023/53> .

<https://gdigraph.nl/id/toezegging/kamerbrief-2017-gebruiksgemak> a gdi:Toezegging ;
    dcterms:description "Bezien hoe binnen de huidige wet- en regelgeving het gebruiksgemak kan worden verbeterd."@nl ;
    gdi:betreft vz:mijnoverheid-berichtenbox , orgn:bzk ;
    gdi:reactieOp <https://gdigraph.nl/id/aanbeveling/hoezo-mijnoverheid-1-6> ;
    prov:wasAttributedTo orgn:bzk ;
    gdi:deadline "2018"^^xsd:gYear ;
    gdi:bron <https://gdigraph.nl/id/bronregel/kamerbrief-2017/259> .
"""

OBS_2018 = URIRef(f"{ID}waarneming/2018/mijnoverheid-berichtenbox/berichten/2017/totaal")
OBS_2019 = URIRef(f"{ID}waarneming/2019-toelichting/mijnoverheid-berichtenbox/berichten/2017/totaal")
MISSING = URIRef(f"{ID}waarneming/2018/mijnoverheid-berichtenbox/berichten/2014/gemeenten")
SERIES_OBS = URIRef(f"{ID}reeks/mijnoverheid-berichtenbox/berichten/totaal/2017")


def small_example() -> Graph:
    return Graph().parse(data=SMALL_EXAMPLE, format="turtle")


def full_example() -> Graph:
    return Graph().parse(data=SMALL_EXAMPLE + FULL_EXTRA, format="turtle")


def shacl(data: Graph, shapes: Graph, ontology: Graph, inference: str = "none"):
    """Validate `data` together with the ontology, as the built graph holds it: the fixed code
    lists (units, flags, statuses, uitsplitsing:totaal) live in ontology/gdi.ttl. (pyshacl's
    ont_graph would only copy class axioms, not these concepts.)"""
    conforms, report, text = validate(
        data + ontology, shacl_graph=shapes, inference=inference, allow_warnings=False
    )
    return conforms, report, text


def _path(report: Graph, path):
    """A result path as a predicate, or a tuple of predicates for a sequence path."""
    if isinstance(path, BNode):
        return tuple(Collection(report, path))
    return path


def results(report: Graph) -> set[tuple]:
    """(focus node, result path) of every validation result."""
    out = set()
    for r in report.subjects(RDF.type, SH.ValidationResult):
        out.add((report.value(r, SH.focusNode), _path(report, report.value(r, SH.resultPath))))
    return out


def focus_nodes(report: Graph) -> set:
    return {f for f, _ in results(report)}


# --------------------------------------------------------------------------------------------
# parsing
# --------------------------------------------------------------------------------------------


def test_ontology_and_shapes_parse(ontology, shapes):
    assert len(ontology) > 500
    assert len(shapes) > 200
    onto = URIRef(f"{BASE}/def/gdi")
    assert (onto, RDF.type, OWL.Ontology) in ontology
    DCT = Namespace("http://purl.org/dc/terms/")
    for prop in (DCT.title, DCT.description):
        langs = {o.language for o in ontology.objects(onto, prop)}
        assert {"nl", "en"} <= langs, prop
    assert ontology.value(onto, DCT.license) is not None
    assert ontology.value(onto, OWL.versionInfo) is not None


@pytest.mark.parametrize("path", [ONTOLOGY_FILE, SHAPES_FILE], ids=lambda p: p.name)
def test_oxigraph_reads_the_same_graph_as_rdflib(path):
    """The store that serves the graph must read exactly what rdflib reads."""
    store = pyoxigraph.Store()
    store.load(path=str(path), format=pyoxigraph.RdfFormat.TURTLE)
    ntriples = pyoxigraph.serialize(
        (q.triple for q in store), format=pyoxigraph.RdfFormat.N_TRIPLES
    ).decode("utf-8")
    via_oxigraph = Graph().parse(data=ntriples, format="nt")
    via_rdflib = Graph().parse(path, format="turtle")
    assert isomorphic(via_oxigraph, via_rdflib)


def test_turtle_round_trip_is_isomorphic(ontology, shapes):
    for g in (ontology, shapes):
        again = Graph().parse(data=g.serialize(format="nt"), format="nt")
        assert isomorphic(g, again)


def test_namespace_is_the_one_uris_mints(ontology):
    uris = Uris(Settings(base_uri=BASE))
    assert str(uris.DEF) == str(GDI)
    assert (uris.ontology, RDF.type, OWL.Ontology) in ontology
    terms = {s for s in ontology.subjects() if isinstance(s, URIRef) and str(s).startswith(str(GDI))}
    assert len(terms) > 60
    for term in terms:
        local = str(term)[len(str(GDI)):]
        assert uris.term(local) == term


# --------------------------------------------------------------------------------------------
# required terms
# --------------------------------------------------------------------------------------------

CLASSES = [
    "Voorziening", "Basisregistratie", "Stelselvoorziening", "Domein", "Indicator", "Editie",
    "Aanbeveling", "Toezegging", "Bronregel", "Reeks", "Koppeling", "Rol", "Waarneming",
    "ReeksWaarneming", "OntbrekendeWaarneming",
]
OBJECT_PROPERTIES = [
    "maaktGebruikVan", "koppeling", "afnemendeRegistratie", "leverendeRegistratie", "beheerder",
    "opdrachtgever", "bronhouder", "domein", "draagt", "betreft", "herzieningVan", "status", "rol",
    "rolsoort", "organisatie", "periode", "onderdeelVan", "reactieOp", "ontbreektIn",
]
DATATYPE_PROPERTIES = [
    "verplichtGebruikSinds", "deadline", "sleutel", "centraliteit", "betweenness", "ingraad",
    "uitgraad", "regelnummer", "regeltekst", "publicatiejaar", "peildatum", "statusDatum", "volgorde",
]
DIMENSIONS = ["editie", "voorziening", "indicator", "jaar", "uitsplitsing"]
MEASURES = ["waarde"]
ATTRIBUTES = ["eenheid", "vlag", "bron", "ruweWaarde", "voetnoot", "herzien", "bronWaarneming"]

REQUIRED = (
    [(n, OWL.Class) for n in CLASSES]
    + [(n, OWL.ObjectProperty) for n in OBJECT_PROPERTIES]
    + [(n, OWL.DatatypeProperty) for n in DATATYPE_PROPERTIES]
    + [(n, QB.DimensionProperty) for n in DIMENSIONS]
    + [(n, QB.MeasureProperty) for n in MEASURES]
    + [(n, QB.AttributeProperty) for n in ATTRIBUTES]
    + [("dsd-waarnemingen", QB.DataStructureDefinition), ("dsd-reeksen", QB.DataStructureDefinition),
       ("sleutel-reeks", QB.SliceKey)]
)


def _langs(g: Graph, s, p) -> set[str]:
    return {o.language for o in g.objects(s, p) if isinstance(o, Literal) and o.language}


@pytest.mark.parametrize("name,rdf_type", REQUIRED, ids=[n for n, _ in REQUIRED])
def test_required_term_has_type_and_bilingual_labels(ontology, name, rdf_type):
    term = GDI[name]
    assert (term, RDF.type, rdf_type) in ontology, f"gdi:{name} is not a {rdf_type}"
    assert {"nl", "en"} <= _langs(ontology, term, RDFS.label), f"gdi:{name} rdfs:label nl/en"
    assert {"nl", "en"} <= _langs(ontology, term, SKOS.prefLabel), f"gdi:{name} skos:prefLabel nl/en"
    for lang in ("nl", "en"):
        assert len([o for o in ontology.objects(term, SKOS.prefLabel) if o.language == lang]) == 1


def _described(ontology: Graph) -> set:
    """Every term and code-list resource the ontology defines (its own namespace and code lists)."""
    return {
        s for s in ontology.subjects(RDF.type, None)
        if isinstance(s, URIRef) and (str(s).startswith(str(GDI)) or str(s).startswith(CODELIST))
    }


def test_every_class_property_and_code_has_a_bilingual_definition(ontology):
    described = _described(ontology)
    assert {GDI[name] for name, _ in REQUIRED} <= described
    assert len([s for s in described if (s, RDF.type, SKOS.Concept) in ontology]) == 19  # the fixed codes
    missing = []
    for s in sorted(described):
        definition = _langs(ontology, s, SKOS.definition) | _langs(ontology, s, RDFS.comment)
        if not {"nl", "en"} <= definition:
            missing.append(f"{s} definition")
        if not {"nl", "en"} <= _langs(ontology, s, RDFS.label):
            missing.append(f"{s} rdfs:label")
        if not {"nl", "en"} <= _langs(ontology, s, SKOS.prefLabel):
            missing.append(f"{s} skos:prefLabel")
    assert not missing, missing


def test_every_term_in_the_namespace_is_declared_and_defined_by_the_ontology(ontology, shapes):
    """No gdi: term is used (in the ontology or the shapes) without being declared."""
    declared = {s for s in ontology.subjects(RDF.type, None) if str(s).startswith(str(GDI))}
    used = set()
    for g in (ontology, shapes):
        for triple in g:
            used |= {t for t in triple if isinstance(t, URIRef) and str(t).startswith(str(GDI))}
    assert used - declared == set()
    for term in declared:
        if (term, RDF.type, QB.DataStructureDefinition) in ontology or (term, RDF.type, QB.SliceKey) in ontology:
            continue
        assert (term, RDFS.isDefinedBy, URIRef(f"{BASE}/def/gdi")) in ontology, term


@pytest.mark.parametrize(
    "sub,sup",
    [
        (GDI.Basisregistratie, GDI.Voorziening),
        (GDI.Stelselvoorziening, GDI.Voorziening),
        (GDI.Voorziening, SKOS.Concept),
        (GDI.Domein, SKOS.Concept),
        (GDI.Indicator, SKOS.Concept),
        (GDI.Editie, PROV.Entity),
        (GDI.Bronregel, PROV.Entity),
        (GDI.Waarneming, QB.Observation),
        (GDI.ReeksWaarneming, QB.Observation),
        (GDI.Reeks, QB.Slice),
    ],
)
def test_subclass_axioms(ontology, sub, sup):
    assert (sub, RDFS.subClassOf, sup) in ontology


def test_missing_figures_are_kept_out_of_the_cube(ontology):
    assert (GDI.OntbrekendeWaarneming, OWL.disjointWith, QB.Observation) in ontology
    assert (GDI.OntbrekendeWaarneming, RDFS.subClassOf, QB.Observation) not in ontology
    # no domain on any component property, so RDFS inference never makes a missing figure an observation
    for kind in (QB.DimensionProperty, QB.MeasureProperty, QB.AttributeProperty):
        for prop in ontology.subjects(RDF.type, kind):
            assert ontology.value(prop, RDFS.domain) is None, prop


@pytest.mark.parametrize(
    "prop,range_",
    [
        (GDI.jaar, XSD.gYear),
        (GDI.waarde, XSD.decimal),
        (GDI.verplichtGebruikSinds, XSD.date),
        (GDI.regelnummer, XSD.positiveInteger),
        (GDI.betweenness, XSD.decimal),
        (GDI.ingraad, XSD.decimal),
        (GDI.uitgraad, XSD.decimal),
        (GDI.herzien, XSD.boolean),
        (GDI.uitsplitsing, SKOS.Concept),
        (GDI.vlag, SKOS.Concept),
        (GDI.voorziening, GDI.Voorziening),
        (GDI.indicator, GDI.Indicator),
        (GDI.editie, GDI.Editie),
        (GDI.bron, GDI.Bronregel),
        (GDI.maaktGebruikVan, GDI.Basisregistratie),
        (GDI.beheerder, ORG.Organization),
        (GDI.opdrachtgever, ORG.Organization),
        (GDI.bronhouder, ORG.Organization),
        (GDI.domein, GDI.Domein),
        (GDI.periode, TIME.Interval),
    ],
)
def test_ranges(ontology, prop, range_):
    assert ontology.value(prop, RDFS.range) == range_


# --------------------------------------------------------------------------------------------
# Data Cube structure
# --------------------------------------------------------------------------------------------


def _components(ontology: Graph, dsd) -> dict:
    out = {}
    for spec in ontology.objects(dsd, QB.component):
        for kind in (QB.dimension, QB.measure, QB.attribute):
            prop = ontology.value(spec, kind)
            if prop is not None:
                req = ontology.value(spec, QB.componentRequired)
                out[prop] = (kind, ontology.value(spec, QB.order).toPython(), req.toPython() if req is not None else None)
    return out


@pytest.mark.parametrize(
    "dsd,dims,attrs",
    [
        ("dsd-waarnemingen", ["editie", "voorziening", "indicator", "jaar", "uitsplitsing"],
         ["eenheid", "vlag", "bron", "ruweWaarde", "voetnoot"]),
        ("dsd-reeksen", ["voorziening", "indicator", "jaar", "uitsplitsing"],
         ["eenheid", "vlag", "herzien", "bronWaarneming"]),
    ],
)
def test_dsd_components_orders_and_required_flags(ontology, dsd, dims, attrs):
    comps = _components(ontology, GDI[dsd])
    assert {p for p, (k, _, _) in comps.items() if k == QB.dimension} == {GDI[d] for d in dims}
    assert {p for p, (k, _, _) in comps.items() if k == QB.measure} == {GDI.waarde}
    assert {p for p, (k, _, _) in comps.items() if k == QB.attribute} == {GDI[a] for a in attrs}
    orders = sorted(o for _, o, _ in comps.values())
    assert orders == list(range(1, len(comps) + 1))
    # dimensions come first, in the order given, then the measure, then the attributes
    assert [p for p, _ in sorted(comps.items(), key=lambda kv: kv[1][1])][: len(dims)] == [GDI[d] for d in dims]
    for prop, (kind, _, required) in comps.items():
        if kind == QB.attribute:
            assert required is (prop == GDI.eenheid), prop
        else:
            assert required is None, prop  # IC-6: only attributes may be optional
    # no attachment at data set or slice level: the Data Cube normalisation phase 2 is a no-op
    for spec in ontology.objects(GDI[dsd], QB.component):
        assert ontology.value(spec, QB.componentAttachment) is None


def test_dimensions_have_ranges_and_coded_dimensions_have_concept_schemes(ontology):
    """IC-4 and IC-5, and a declared skos:ConceptScheme behind every code list."""
    for dim in ontology.subjects(RDF.type, QB.DimensionProperty):
        range_ = ontology.value(dim, RDFS.range)
        assert range_ is not None, dim
        is_concept = range_ == SKOS.Concept or (range_, RDFS.subClassOf, SKOS.Concept) in ontology
        code_list = ontology.value(dim, QB.codeList)
        if is_concept:
            assert code_list is not None, dim
        if code_list is not None:
            assert (code_list, RDF.type, SKOS.ConceptScheme) in ontology
            assert str(code_list).startswith(CODELIST)
    assert ontology.value(GDI.voorziening, QB.codeList) == URIRef(f"{CODELIST}voorziening")
    assert ontology.value(GDI.indicator, QB.codeList) == URIRef(f"{CODELIST}indicator")
    assert ontology.value(GDI.uitsplitsing, QB.codeList) == URIRef(f"{CODELIST}uitsplitsing")
    assert ontology.value(GDI.editie, QB.codeList) is None


def test_slice_key_is_declared_by_the_series_dsd(ontology):
    assert (GDI["dsd-reeksen"], QB.sliceKey, GDI["sleutel-reeks"]) in ontology
    key_props = set(ontology.objects(GDI["sleutel-reeks"], QB.componentProperty))
    assert key_props == {GDI.voorziening, GDI.indicator, GDI.uitsplitsing}
    assert key_props <= set(_components(ontology, GDI["dsd-reeksen"]))  # IC-8


def _scheme_codes(ontology: Graph, scheme: str) -> dict[str, URIRef]:
    scheme_uri = URIRef(f"{CODELIST}{scheme}")
    codes = {}
    for c in ontology.subjects(SKOS.inScheme, scheme_uri):
        assert (c, RDF.type, SKOS.Concept) in ontology
        assert (scheme_uri, SKOS.hasTopConcept, c) in ontology
        assert str(c) == f"{CODELIST}{scheme}/{ontology.value(c, SKOS.notation)}"
        codes[str(ontology.value(c, SKOS.notation))] = c
    return codes


def test_closed_code_lists(ontology):
    assert set(_scheme_codes(ontology, "vlag")) == {
        "missing", "approx", "footnote", "suspect", "pct_mismatch", "method_change", "revised",
        "derivable", "displaced", "rejoined",
    }
    assert set(_scheme_codes(ontology, "status")) == {
        "open", "lopend", "deels-uitgevoerd", "uitgevoerd", "niet-uitgevoerd"
    }
    assert set(_scheme_codes(ontology, "eenheid")) == {"aantal", "procent", "gemiddelde"}
    assert set(_scheme_codes(ontology, "uitsplitsing")) == {"totaal"}
    for scheme in ("voorziening", "indicator", "domein", "uitsplitsing", "vlag", "status", "eenheid"):
        assert (URIRef(f"{CODELIST}{scheme}"), RDF.type, SKOS.ConceptScheme) in ontology


# --------------------------------------------------------------------------------------------
# W3C Data Cube integrity constraints on ontology + example
# --------------------------------------------------------------------------------------------

QB_PREFIXES = """
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""

# Phase 1 of the Data Cube normalisation algorithm (type closure and qb:componentProperty).
NORMALISE = [
    "INSERT { ?o a qb:Observation } WHERE { [] qb:observation ?o }",
    "INSERT { ?o a qb:Observation } WHERE { ?o qb:dataSet [] }",
    "INSERT { ?d a qb:DataSet } WHERE { [] qb:dataSet ?d }",
    "INSERT { ?s a qb:Slice } WHERE { [] qb:slice ?s }",
    "INSERT { ?c qb:componentProperty ?p . ?p a qb:DimensionProperty } WHERE { ?c qb:dimension ?p }",
    "INSERT { ?c qb:componentProperty ?p . ?p a qb:MeasureProperty } WHERE { ?c qb:measure ?p }",
    "INSERT { ?c qb:componentProperty ?p . ?p a qb:AttributeProperty } WHERE { ?c qb:attribute ?p }",
]

# The integrity constraints (ASK = violated). IC-15..17 concern qb:measureType and IC-20/21
# hierarchical code lists, neither of which gdigraph uses (asserted below).
INTEGRITY = {
    "IC-1": """ASK { { ?o a qb:Observation . FILTER NOT EXISTS { ?o qb:dataSet ?d } }
                    UNION { ?o a qb:Observation ; qb:dataSet ?d1 , ?d2 . FILTER (?d1 != ?d2) } }""",
    "IC-2": """ASK { { ?d a qb:DataSet . FILTER NOT EXISTS { ?d qb:structure ?s } }
                    UNION { ?d a qb:DataSet ; qb:structure ?s1 , ?s2 . FILTER (?s1 != ?s2) } }""",
    "IC-3": """ASK { ?dsd a qb:DataStructureDefinition .
                    FILTER NOT EXISTS { ?dsd qb:component/qb:componentProperty [ a qb:MeasureProperty ] } }""",
    "IC-4": """ASK { ?dim a qb:DimensionProperty . FILTER NOT EXISTS { ?dim rdfs:range ?r } }""",
    "IC-5": """ASK { ?dim a qb:DimensionProperty ; rdfs:range skos:Concept .
                    FILTER NOT EXISTS { ?dim qb:codeList ?l } }""",
    "IC-6": """ASK { ?dsd qb:component ?c . ?c qb:componentRequired false ; qb:componentProperty ?p .
                    FILTER NOT EXISTS { ?p a qb:AttributeProperty } }""",
    "IC-7": """ASK { ?k a qb:SliceKey . FILTER NOT EXISTS { ?dsd a qb:DataStructureDefinition ; qb:sliceKey ?k } }""",
    "IC-8": """ASK { ?k a qb:SliceKey ; qb:componentProperty ?p . ?dsd qb:sliceKey ?k .
                    FILTER NOT EXISTS { ?dsd qb:component/qb:componentProperty ?p } }""",
    "IC-9": """ASK { { ?s a qb:Slice . FILTER NOT EXISTS { ?s qb:sliceStructure ?k } }
                    UNION { ?s a qb:Slice ; qb:sliceStructure ?k1 , ?k2 . FILTER (?k1 != ?k2) } }""",
    "IC-10": """ASK { ?s qb:sliceStructure/qb:componentProperty ?dim . FILTER NOT EXISTS { ?s ?dim ?v } }""",
    "IC-11": """ASK { ?o qb:dataSet/qb:structure/qb:component/qb:componentProperty ?dim .
                     ?dim a qb:DimensionProperty . FILTER NOT EXISTS { ?o ?dim ?v } }""",
    "IC-12": """ASK { ?o1 qb:dataSet ?d . ?o2 qb:dataSet ?d . FILTER (?o1 != ?o2)
                     FILTER NOT EXISTS { ?d qb:structure/qb:component/qb:componentProperty ?dim .
                                         ?dim a qb:DimensionProperty .
                                         ?o1 ?dim ?v1 . ?o2 ?dim ?v2 . FILTER (?v1 != ?v2) } }""",
    "IC-13": """ASK { ?o qb:dataSet/qb:structure/qb:component ?c .
                     ?c qb:componentRequired true ; qb:componentProperty ?a .
                     FILTER NOT EXISTS { ?o ?a ?v } }""",
    "IC-14": """ASK { ?o qb:dataSet/qb:structure ?dsd .
                     FILTER NOT EXISTS { ?dsd qb:component/qb:componentProperty qb:measureType }
                     ?dsd qb:component/qb:componentProperty ?m . ?m a qb:MeasureProperty .
                     FILTER NOT EXISTS { ?o ?m ?v } }""",
    "IC-18": """ASK { ?d qb:slice ?s . ?s qb:observation ?o . FILTER NOT EXISTS { ?o qb:dataSet ?d } }""",
    "IC-19": """ASK { ?o qb:dataSet/qb:structure/qb:component/qb:componentProperty ?dim .
                     ?dim a qb:DimensionProperty ; qb:codeList ?list . ?list a skos:ConceptScheme .
                     ?o ?dim ?v . FILTER NOT EXISTS { ?v a skos:Concept ; skos:inScheme ?list } }""",
}


def violated_integrity_constraints(ontology: Graph, data: Graph) -> set[str]:
    g = Graph()
    for t in ontology:
        g.add(t)
    for t in data:
        g.add(t)
    for update in NORMALISE:
        g.update(QB_PREFIXES + update)
    return {name for name, ask in INTEGRITY.items() if g.query(QB_PREFIXES + ask).askAnswer}


def test_ontology_uses_no_measure_dimension_or_hierarchical_code_list(ontology):
    assert not list(ontology.triples((None, QB.dimension, QB.measureType)))
    assert not list(ontology.subjects(RDF.type, QB.HierarchicalCodeList))


def test_integrity_constraints_hold_on_the_full_example(ontology):
    assert violated_integrity_constraints(ontology, full_example()) == set()


def test_integrity_constraint_queries_detect_violations(ontology):
    """The IC queries are live: each broken variant trips the expected constraint."""
    broken = full_example()
    broken.remove((OBS_BRP, GDI.jaar, None))
    assert "IC-11" in violated_integrity_constraints(ontology, broken)

    missing_as_obs = full_example()
    missing_as_obs.add((MISSING, RDF.type, QB.Observation))
    missing_as_obs.add((MISSING, QB.dataSet, URIRef(f"{ID}dataset/waarnemingen")))
    assert "IC-14" in violated_integrity_constraints(ontology, missing_as_obs)

    untyped_code = full_example()
    untyped_code.remove((BRP, RDF.type, SKOS.Concept))
    assert "IC-19" in violated_integrity_constraints(ontology, untyped_code)

    no_unit = full_example()
    no_unit.remove((OBS_BRP, GDI.eenheid, None))
    assert "IC-13" in violated_integrity_constraints(ontology, no_unit)

    duplicate = full_example()
    twin = URIRef(f"{ID}waarneming/2024/brp/berichten-naar-afnemers/2023/totaal-twin")
    for p, o in list(duplicate.predicate_objects(OBS_BRP)):
        duplicate.add((twin, p, o))
    assert "IC-12" in violated_integrity_constraints(ontology, duplicate)


# --------------------------------------------------------------------------------------------
# SHACL
# --------------------------------------------------------------------------------------------


def test_shapes_are_well_formed_shacl(shapes):
    conforms, _, text = validate(shapes, shacl_graph=shapes, meta_shacl=True)
    assert conforms, text


def test_small_example_conforms(shapes, ontology):
    conforms, _, text = shacl(small_example(), shapes, ontology)
    assert conforms, text


@pytest.mark.parametrize("inference", ["none", "rdfs"])
def test_full_example_conforms(shapes, ontology, inference):
    conforms, _, text = shacl(full_example(), shapes, ontology, inference=inference)
    assert conforms, text


def test_broken_example_reports_the_observation_and_the_registry(shapes, ontology):
    original = small_example()
    broken = small_example()
    removed = Graph()
    for triple in [*broken.triples((OBS_BRP, GDI.jaar, None)), *broken.triples((BRP, GDI.beheerder, None))]:
        removed.add(triple)
        broken.remove(triple)
    assert len(removed) == 2
    # the broken graph is exactly the example minus those two triples
    assert isomorphic(broken + removed, original)
    assert not isomorphic(broken, original)

    conforms, report, _ = shacl(broken, shapes, ontology)
    assert not conforms
    assert results(report) == {(OBS_BRP, GDI.jaar), (BRP, GDI.beheerder)}


def _violations_after(shapes, ontology, change) -> set[tuple]:
    g = full_example()
    change(g)
    conforms, report, text = shacl(g, shapes, ontology)
    assert not conforms, "expected a violation"
    return results(report)


def test_missing_figure_as_observation_without_value_is_rejected(shapes, ontology):
    def change(g):
        g.remove((OBS_BRP, GDI.waarde, None))

    assert (OBS_BRP, GDI.waarde) in _violations_after(shapes, ontology, change)


def test_missing_flag_on_an_observation_is_rejected(shapes, ontology):
    def change(g):
        g.add((OBS_BRP, GDI.vlag, VLAG.missing))

    assert _violations_after(shapes, ontology, change) == {(OBS_BRP, GDI.vlag)}


def test_missing_figure_must_stay_out_of_the_cube(shapes, ontology):
    def change(g):
        g.add((MISSING, QB.dataSet, URIRef(f"{ID}dataset/waarnemingen")))
        g.add((MISSING, GDI.waarde, Literal("0", datatype=XSD.decimal)))

    found = _violations_after(shapes, ontology, change)
    assert {(MISSING, QB.dataSet), (MISSING, GDI.waarde)} <= found
    assert {f for f, _ in found} == {MISSING}


def test_missing_figure_for_a_cell_the_edition_does_give_is_rejected(shapes, ontology):
    def change(g):
        g.set((MISSING, GDI.jaar, Literal("2017", datatype=XSD.gYear)))
        g.set((MISSING, GDI.uitsplitsing, URIRef(f"{BASE}/def/gdi/uitsplitsing/totaal")))

    assert _violations_after(shapes, ontology, change) == {(MISSING, None)}


def test_missing_figure_may_coexist_with_a_figure_of_another_data_set(shapes, ontology):
    """A table cell printed empty while the prose of the same edition gives the figure: the two are
    in different data sets (tables, prose), so that is not a contradiction."""
    g = full_example()
    prose = URIRef(f"{ID}dataset/editie-2018-tekst")
    g.add((prose, RDF.type, QB.DataSet))
    g.add((prose, QB.structure, GDI["dsd-waarnemingen"]))
    g.set((MISSING, GDI.jaar, Literal("2017", datatype=XSD.gYear)))
    g.set((MISSING, GDI.uitsplitsing, URIRef(f"{BASE}/def/gdi/uitsplitsing/totaal")))
    g.set((MISSING, GDI.ontbreektIn, prose))
    conforms, _, text = shacl(g, shapes, ontology)
    assert conforms, text


def test_code_with_two_labels_in_one_language_is_rejected(shapes, ontology):
    """E.g. a generated breakdown code list labelling uitsplitsing:totaal differently from the ontology."""
    totaal = URIRef(f"{BASE}/def/gdi/uitsplitsing/totaal")

    def change(g):
        g.add((totaal, SKOS.prefLabel, Literal("totaal (alles)", lang="nl")))

    assert _violations_after(shapes, ontology, change) == {(totaal, SKOS.prefLabel)}


def test_breakdown_total_is_labelled_as_in_the_breakdown_code_list(ontology):
    """data/codelists/breakdowns.csv generates labels for the same URI: they must not clash."""
    path = ROOT / "data" / "codelists" / "breakdowns.csv"
    row = next(r for r in csv.DictReader(path.open(encoding="utf-8")) if r["code"] == "totaal")
    totaal = URIRef(f"{BASE}/def/gdi/uitsplitsing/totaal")
    assert (totaal, SKOS.prefLabel, Literal(row["label_nl"], lang="nl")) in ontology
    assert (totaal, SKOS.prefLabel, Literal(row["label_en"], lang="en")) in ontology


def test_observation_value_must_be_decimal(shapes, ontology):
    def change(g):
        g.set((OBS_BRP, GDI.waarde, Literal(450500971)))  # xsd:integer

    assert _violations_after(shapes, ontology, change) == {(OBS_BRP, GDI.waarde)}


def test_coded_value_outside_its_code_list_is_rejected(shapes, ontology):
    def change(g):
        g.remove((BRP, SKOS.inScheme, None))

    found = _violations_after(shapes, ontology, change)
    assert (BRP, None) in found or (BRP, SKOS.inScheme) in found  # the registry itself
    assert (OBS_BRP, GDI.voorziening) in found  # and the observation that uses it


def test_duplicate_observation_is_rejected(shapes, ontology):
    twin = URIRef(f"{ID}waarneming/2024/brp/berichten-naar-afnemers/2023/totaal-twin")

    def change(g):
        for p, o in list(g.predicate_objects(OBS_BRP)):
            g.add((twin, p, o))

    g = full_example()
    change(g)
    conforms, report, _ = shacl(g, shapes, ontology)
    assert not conforms
    assert results(report) == {(URIRef(f"{ID}dataset/waarnemingen"), None)}
    assert set(report.objects(None, SH.value)) & {OBS_BRP, twin}


@pytest.mark.parametrize(
    "case,expected",
    [
        ("same-edition", (OBS_2019, (GDI.herzieningVan, GDI.editie))),
        ("other-year", (OBS_2019, (GDI.herzieningVan, GDI.jaar))),
        ("other-breakdown", (OBS_2019, (GDI.herzieningVan, GDI.uitsplitsing))),
        ("same-value", (URIRef(f"{ID}dataset/waarnemingen"), None)),
        ("later-edition", (URIRef(f"{ID}dataset/waarnemingen"), None)),
        ("no-revised-flag", (OBS_2019, GDI.vlag)),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_revision_must_point_to_the_same_cell_in_an_earlier_edition(shapes, ontology, case, expected):
    def change(g):
        if case == "same-edition":
            g.set((OBS_2018, GDI.editie, URIRef(f"{ID}editie/2019-toelichting")))
        elif case == "other-year":
            g.set((OBS_2018, GDI.jaar, Literal("2016", datatype=XSD.gYear)))
        elif case == "other-breakdown":
            g.set((OBS_2018, GDI.uitsplitsing, URIRef(f"{BASE}/def/gdi/uitsplitsing/gemeenten")))
        elif case == "same-value":
            g.set((OBS_2018, GDI.waarde, Literal("110.0", datatype=XSD.decimal)))
        elif case == "later-edition":
            g.set((URIRef(f"{ID}editie/2018"), GDI.publicatiejaar, Literal("2020", datatype=XSD.gYear)))
        elif case == "no-revised-flag":
            g.remove((OBS_2019, GDI.vlag, VLAG.revised))

    g = full_example()
    change(g)
    conforms, report, _ = shacl(g, shapes, ontology)
    assert not conforms
    assert expected in results(report), results(report)
    if expected[0] == URIRef(f"{ID}dataset/waarnemingen"):
        assert OBS_2019 in set(report.objects(None, SH.value))


def test_harmonised_revised_flag_must_match_its_sources(shapes, ontology):
    g = full_example()
    g.set((SERIES_OBS, GDI.herzien, Literal(False)))
    conforms, report, _ = shacl(g, shapes, ontology)
    assert not conforms
    assert results(report) == {(URIRef(f"{ID}dataset/reeksen"), None)}
    assert set(report.objects(None, SH.value)) == {SERIES_OBS}


SERIES = URIRef(f"{ID}reeks/mijnoverheid-berichtenbox/berichten/totaal")
REEKSEN = URIRef(f"{ID}dataset/reeksen")


@pytest.mark.parametrize("case, expected", [
    ("first-year-later", (SERIES, None)),
    ("latest-year-earlier", (SERIES, None)),
    ("latest-observation-of-another-year", (SERIES, None)),
    ("no-latest-observation", (SERIES, GDI.laatsteWaarneming)),
    ("two-latest-years", (SERIES, GDI.laatsteJaar)),
    ("data-set-latest-year-too-early", (REEKSEN, None)),
    ("data-set-latest-year-beyond-its-series", (REEKSEN, None)),
    ("data-set-without-latest-year", (REEKSEN, None)),
])
def test_series_span_and_latest_observation(shapes, ontology, case, expected):
    """gdi:eersteJaar/gdi:laatsteJaar/gdi:laatsteWaarneming state the series' own span, and the data
    set's gdi:laatsteJaar the latest of its series: the named queries rely on them."""
    def year(y):
        return Literal(y, datatype=XSD.gYear)

    def change(g):
        if case == "first-year-later":
            g.set((SERIES, GDI.eersteJaar, year("2018")))
        elif case == "latest-year-earlier":
            g.set((SERIES, GDI.laatsteJaar, year("2016")))
            g.set((REEKSEN, GDI.laatsteJaar, year("2016")))
        elif case == "latest-observation-of-another-year":
            g.set((SERIES_OBS, GDI.jaar, year("2016")))
            g.set((SERIES, GDI.eersteJaar, year("2016")))
            g.add((SERIES, QB.observation, SERIES_OBS))
            g.set((SERIES, GDI.laatsteJaar, year("2017")))
        elif case == "no-latest-observation":
            g.remove((SERIES, GDI.laatsteWaarneming, None))
        elif case == "two-latest-years":
            g.add((SERIES, GDI.laatsteJaar, year("2018")))
        elif case == "data-set-latest-year-too-early":
            g.set((REEKSEN, GDI.laatsteJaar, year("2016")))
        elif case == "data-set-latest-year-beyond-its-series":
            g.set((REEKSEN, GDI.laatsteJaar, year("2019")))
        elif case == "data-set-without-latest-year":
            g.remove((REEKSEN, GDI.laatsteJaar, None))

    assert expected in _violations_after(shapes, ontology, change)


def test_harmonised_source_must_be_the_same_cell(shapes, ontology):
    def change(g):
        g.set((OBS_2018, GDI.jaar, Literal("2016", datatype=XSD.gYear)))

    found = _violations_after(shapes, ontology, change)
    assert (SERIES_OBS, (GDI.bronWaarneming, GDI.jaar)) in found


def test_duplicate_harmonised_observation_is_rejected(shapes, ontology):
    twin = URIRef(f"{ID}reeks/mijnoverheid-berichtenbox/berichten/totaal/2017-twin")
    g = full_example()
    for p, o in list(g.predicate_objects(SERIES_OBS)):
        g.add((twin, p, o))
    conforms, report, _ = shacl(g, shapes, ontology)
    assert not conforms
    assert results(report) == {(URIRef(f"{ID}dataset/reeksen"), None)}
    assert set(report.objects(None, SH.value)) & {SERIES_OBS, twin}


def test_series_observations_must_share_the_series_key(shapes, ontology):
    series = URIRef(f"{ID}reeks/mijnoverheid-berichtenbox/berichten/totaal")

    def change(g):
        g.set((series, GDI.uitsplitsing, URIRef(f"{BASE}/def/gdi/uitsplitsing/gemeenten")))

    assert _violations_after(shapes, ontology, change) == {(series, (QB.observation, GDI.uitsplitsing))}


def test_series_observation_outside_the_series_data_set_is_rejected(shapes, ontology):
    def change(g):
        other = URIRef(f"{ID}dataset/reeksen-2")
        g.add((other, RDF.type, QB.DataSet))
        g.add((other, QB.structure, GDI["dsd-reeksen"]))
        g.set((SERIES_OBS, QB.dataSet, other))

    found = _violations_after(shapes, ontology, change)
    assert (URIRef(f"{ID}dataset/reeksen"), None) in found  # IC-18


def test_harmonised_observation_needs_a_source_observation(shapes, ontology):
    def change(g):
        g.remove((SERIES_OBS, GDI.bronWaarneming, None))

    assert (SERIES_OBS, GDI.bronWaarneming) in _violations_after(shapes, ontology, change)


def test_registry_link_needs_both_forms(shapes, ontology):
    hr = URIRef(f"{ID}basisregistratie/hr")
    link = URIRef(f"{ID}koppeling/hr/brp")

    def drop_direct(g):
        g.remove((hr, GDI.maaktGebruikVan, BRP))

    assert _violations_after(shapes, ontology, drop_direct) == {(link, None)}

    def drop_qualified(g):
        g.remove((hr, GDI.koppeling, link))

    found = _violations_after(shapes, ontology, drop_qualified)
    assert (hr, None) in found  # maaktGebruikVan without its Koppeling


def test_current_role_needs_the_direct_triple(shapes, ontology):
    rol = URIRef(f"{ID}rol/brp/beheerder/rvig")

    def change(g):
        g.set((BRP, GDI.beheerder, URIRef(f"{ID}organisatie/agentschap-bpr")))

    assert _violations_after(shapes, ontology, change) == {(rol, None)}


def test_role_period_must_not_end_before_it_begins(shapes, ontology):
    rol = URIRef(f"{ID}rol/brp/beheerder/agentschap-bpr")

    def change(g):
        period = g.value(rol, GDI.periode)
        end = g.value(period, TIME.hasEnd)
        g.set((end, TIME.inXSDDate, Literal("2013-01-01", datatype=XSD.date)))

    assert _violations_after(shapes, ontology, change) == {(rol, None)}


def test_recommendation_needs_subject_and_source(shapes, ontology):
    rec = URIRef(f"{ID}aanbeveling/hoezo-mijnoverheid-1-6")

    def change(g):
        g.remove((rec, GDI.betreft, None))
        g.remove((rec, GDI.bron, None))

    assert _violations_after(shapes, ontology, change) == {(rec, GDI.betreft), (rec, GDI.bron)}


def test_edition_needs_title_year_and_publisher(shapes, ontology):
    ed = URIRef(f"{ID}editie/2024")
    DCT = Namespace("http://purl.org/dc/terms/")

    def change(g):
        g.remove((ed, DCT.title, None))
        g.remove((ed, GDI.publicatiejaar, None))
        g.remove((ed, PROV.wasAttributedTo, None))

    assert _violations_after(shapes, ontology, change) == {
        (ed, DCT.title), (ed, GDI.publicatiejaar), (ed, PROV.wasAttributedTo)
    }


def test_source_line_needs_number_and_document(shapes, ontology):
    line = URIRef(f"{ID}bronregel/2024/976")

    def change(g):
        g.set((line, GDI.regelnummer, Literal(0)))
        g.remove((line, PROV.wasQuotedFrom, None))

    assert _violations_after(shapes, ontology, change) == {
        (line, GDI.regelnummer), (line, PROV.wasQuotedFrom)
    }


def test_facility_labels_one_per_language(shapes, ontology):
    def change(g):
        g.add((BRP, SKOS.prefLabel, Literal("BRP", lang="nl")))

    assert _violations_after(shapes, ontology, change) == {(BRP, SKOS.prefLabel)}


# --------------------------------------------------------------------------------------------
# the code that writes the graph uses only declared terms and codes
# --------------------------------------------------------------------------------------------

SRC = ROOT / "src" / "gdigraph"


def test_terms_written_by_the_code_are_declared(ontology):
    """Every gdi: term the graph code writes (``GDI.x``, ``GDI["x"]``, ``DEF.x``, ``term("x")``) exists."""
    used: dict[str, set[str]] = {}
    pattern = re.compile(r"""\b(?:GDI|DEF)\.([A-Za-z_][A-Za-z0-9_]*)|\b(?:GDI|DEF)\[["']([A-Za-z0-9_-]+)["']\]|\.term\(["']([A-Za-z0-9_-]+)["']\)""")
    for path in SRC.rglob("*.py"):
        for m in pattern.finditer(path.read_text(encoding="utf-8")):
            name = next(filter(None, m.groups()))
            used.setdefault(name, set()).add(path.relative_to(ROOT).as_posix())
    assert used, "no use of gdi: terms found in src/gdigraph"
    declared = {str(s)[len(str(GDI)):] for s in ontology.subjects(RDF.type, None) if str(s).startswith(str(GDI))}
    undeclared = {name: sorted(files) for name, files in used.items() if name not in declared}
    assert not undeclared, undeclared


def test_flags_set_by_the_extractor_are_in_the_flag_code_list(ontology):
    codes = set(_scheme_codes(ontology, "vlag"))
    pattern = re.compile(r"""flags\.add\(["']([a-z_]+)["']\)|concept\(["']vlag["'],\s*["']([a-z_]+)["']\)""")
    used = set()
    for path in SRC.rglob("*.py"):
        for m in pattern.finditer(path.read_text(encoding="utf-8")):
            used.add(next(filter(None, m.groups())))
    assert used - codes == set()


# --------------------------------------------------------------------------------------------
# README examples
# --------------------------------------------------------------------------------------------


def _readme_queries() -> list[str]:
    text = README_FILE.read_text(encoding="utf-8")
    return re.findall(r"```sparql\n(.*?)```", text, flags=re.S)


README_QUERIES = _readme_queries()


def test_readme_has_sparql_examples():
    assert len(README_QUERIES) >= 5


def test_readme_documents_every_term(ontology):
    text = README_FILE.read_text(encoding="utf-8")
    terms = {str(s)[len(str(GDI)):] for s in ontology.subjects(RDF.type, None) if str(s).startswith(str(GDI))}
    undocumented = sorted(t for t in terms if f"`gdi:{t}`" not in text and f"gdi:{t}`" not in text)
    assert not undocumented, undocumented


@pytest.mark.parametrize("query", README_QUERIES, ids=[f"example-{i + 1}" for i in range(len(README_QUERIES))])
def test_readme_sparql_examples_answer_on_the_full_example(ontology, query):
    g = full_example() + ontology
    result = g.query(query)
    if result.type == "ASK":
        assert result.askAnswer
    else:
        assert len(list(result)) >= 1
    # Oxigraph, the engine that serves /sparql, must accept the same text and give as many rows
    store = pyoxigraph.Store()
    store.load(g.serialize(format="nt").encode("utf-8"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    answer = store.query(query)
    if isinstance(answer, bool):
        assert answer == result.askAnswer
    else:
        assert len(list(answer)) == len(list(result))
