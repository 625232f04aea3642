"""Code lists and reference data as RDF (src/gdigraph/graph/reference.py).

Two kinds of checks:

* a small fixture data directory (a few rows per CSV, one source document) whose graph is compared
  by isomorphism with hand-written Turtle;
* the real data: every facility, indicator and breakdown is in its code list, registries have an
  operator, the Stelselplaat links carry their keys, every fact resolves to a source line whose text
  contains the CSV's quote (or to its public source), SHACL (ontology/shapes.ttl), determinism.
"""

from __future__ import annotations

import csv
import textwrap
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.compare import graph_diff, to_isomorphic
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SH, SKOS

from gdigraph.graph import reference
from gdigraph.graph.reference import ReferenceDataError, build_codelists, build_reference, source_line_resources
from gdigraph.graph.vocab import bind_prefixes, vocab
from gdigraph.settings import Settings
from gdigraph.uris import GraphUris, Uris

ROOT = Path(__file__).resolve().parents[1]
# plain Namespaces: rdflib's closed XSD and TIME namespaces warn when pytest inspects module attributes
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
TIME = Namespace("http://www.w3.org/2006/time#")
BASE = "https://gdigraph.nl"
GDI = Namespace(f"{BASE}/def/gdi#")

PREFIXES = """\
@prefix gdi: <https://gdigraph.nl/def/gdi#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix time: <http://www.w3.org/2006/time#> .
@base <https://gdigraph.nl/> .
"""

# --------------------------------------------------------------------------------------------
# the fixture data directory
# --------------------------------------------------------------------------------------------

FIXTURE = {
    "codelists/domains.csv": """\
        code,label_nl,label_en,order
        identificeren-authenticeren,Identificeren en authenticeren,Identification and authentication,1
        gegevens-registreren,Gegevens en registreren,Data and registration,3
        """,
    "codelists/facilities.csv": """\
        code,notation,kind,domain,parent,label_nl,label_en,aliases,umbrella
        digid,DigiD,voorziening,identificeren-authenticeren,,DigiD,DigiD (citizen login),DigiD;Digi-D,
        digid-machtigen,DigiD Machtigen,voorziening,identificeren-authenticeren,digid,DigiD Machtigen,DigiD Authorisation,,
        brp,BRP,basisregistratie,gegevens-registreren,,Basisregistratie Personen,Personal Records Database,BRP,
        bag,BAG,basisregistratie,gegevens-registreren,,Basisregistratie Adressen en Gebouwen,Addresses and Buildings Register,,
        """,
    "codelists/indicators.csv": """\
        code,facility,label_nl,label_en,definition_nl,unit,aspect,notation,broader,note
        digid.authenticaties,digid,Authenticaties,Authentications,Aantal keer ingelogd met DigiD.,count,gebruik,DigiD-AUTH,,Renamed in 2024.
        digid.authenticaties-app,digid,Authenticaties met de app,Authentications with the app,,percent,gebruik,DigiD-AUTH-APP,digid.authenticaties,
        """,
    "codelists/breakdowns.csv": """\
        code,label_nl,label_en,kind,aliases
        totaal,Totaal,Total,totaal,Totaal
        gemeenten,Gemeenten,Municipalities,afzender,Gemeenten;Gemeentes
        """,
    "reference/public_sources.csv": """\
        id,title,publisher,url,accessed,note
        stcrt,Besluit departementale herindeling,Staatscourant,https://zoek.officielebekendmakingen.nl/stcrt-2017-62725.html,2026-11-23,
        tooi,TOOI,KOOP,https://standaarden.overheid.nl/tooi,2026-11-23,register of organisations
        """,
    "reference/organisations.csv": """\
        code,label_nl,label_en,abbreviation,type,tooi_type,tooi_uri,tooi_source,parent,parent_source,abolished,abolished_source,type_source,note,source,source_line,quote
        bzk,Ministerie van BZK,Ministry of the Interior,BZK,ministerie,Ministerie,https://identifier.overheid.nl/tooi/id/ministerie/mnre1034,ref:tooi,,,,,doc.txt:2,,doc.txt,2,agentschap van BZK
        gemeenten,Gemeenten,Municipalities (all),,groep,Gemeente,,ref:tooi,,,,,,group,doc.txt,3,beheerder van de BRP
        ienm,Ministerie van IenM,Ministry of IenM,IenM,ministerie,Ministerie,,ref:tooi,,,2017-10-26,ref:stcrt,,,ref:stcrt,,Infrastructuur en Milieu
        nationale-ombudsman,Nationale ombudsman,National Ombudsman,NO,hoog-college-van-staat,,,,,,,,,,doc.txt,4,Zet erop in
        rvig,Rijksdienst voor Identiteitsgegevens,National Office for Identity Data,RvIG,agentschap,,,,bzk,ref:tooi,,,,,doc.txt,3,"Rijksdienst voor Identiteitsgegevens (RvIG), beheerder"
        """,
    "reference/facility_roles.csv": """\
        facility,role,organisation,start,end,as_of,note,source,source_line,quote
        bag,beheerder,rvig,2010,2019-06,,,doc.txt,3,beheerder van de BRP
        bag,opdrachtgever,ienm,,,2017-07-06,end not confirmed,ref:stcrt,,Infrastructuur en Milieu
        brp,beheerder,rvig,,,2023,,doc.txt,3,"Rijksdienst voor Identiteitsgegevens (RvIG), beheerder"
        brp,bronhouder,gemeenten,,,,,doc.txt,3,beheerder van de BRP
        brp,opdrachtgever,bzk,2014-01-06,,,,doc.txt,2,agentschap van BZK
        """,
    "reference/basisregistraties.csv": """\
        registry,mandatory_use_since,in_force_since,in_force_source,law,law_source,note,source,source_line,quote
        bag,2011-07-01,,,,,,ref:tooi,,Verplicht gebruik per 1 juli 2011.
        brp,,2014-01-06,ref:stcrt,Wet basisregistratie personen,ref:stcrt,no date,doc.txt,3,beheerder van de BRP
        """,
    "reference/stelselplaat.csv": """\
        registry,uses,keys_passed_on,note,source,source_line,quote
        BRP,BAG,adresseerbaar object-id; nummeraanduiding-id,,ref:tooi,,
        """,
    "reference/carriers.csv": """\
        facility,relation,registry,since,until,as_of,note,source,source_line,quote
        digid,ontsluit,bag,2015,2016-06,,,doc.txt,2,agentschap
        digid,ontsluit,brp,,,2017-12-31,,doc.txt,3,beheerder van de BRP
        """,
    "reference/recommendations.csv": """\
        code,year,text_nl,addressee,concerns,status,status_note,status_source,status_line,status_quote,cited_source,cited_line,cited_quote,source,source_line,quote
        no-2017-1,2017,Zet erop in dat er geen drang wordt uitgeoefend.,bzk,digid;bzk,in-uitvoering,wet in voorbereiding,doc.txt,5,maatregel is uitgevoerd,doc.txt,6,ad hoc onderzoek,doc.txt,4,Zet erop in
        """,
    "reference/commitments.csv": """\
        code,year,text_nl,by,concerns,deadline,deadline_text,status,status_note,status_source,status_line,status_quote,source,source_line,quote
        bzk-2017-1,2017,Het ad hoc onderzoek wordt voortaan jaarlijks uitgevoerd.,bzk,digid,2018-06,medio 2018,onbekend,,,,,doc.txt,6,voortaan jaarlijks
        """,
    "sources/editions.csv": """\
        file,edition,title,kind,publisher,publisher_code,publication_year,reference_date,years_covered,description
        doc.txt,test-2023,Testrapport,ombudsman-report,Nationale ombudsman,nationale-ombudsman,2023,,2022;2023,test
        """,
    "sources/doc.txt": """\
        Testrapport
        Logius is een agentschap van BZK
        Rijksdienst voor Identiteitsgegevens (RvIG), beheerder van de BRP
        Zet erop in dat er geen drang wordt uitgeoefend
        Deze maatregel is uitgevoerd.
        Het ad hoc onderzoek wordt voortaan jaarlijks uitgevoerd.
        """,
}


def write_fixture(root: Path, changes: dict[str, str] | None = None) -> Settings:
    for name, text in {**FIXTURE, **(changes or {})}.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text), encoding="utf-8")
    return Settings(data_dir=root)


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    settings = write_fixture(tmp_path_factory.mktemp("data"))
    uris = GraphUris(settings)
    return settings, uris, build_codelists(settings, uris), build_reference(settings, uris)


def turtle(text: str) -> Graph:
    return Graph().parse(data=PREFIXES + textwrap.dedent(text), format="turtle")


def assert_isomorphic(actual: Graph, expected: Graph) -> None:
    a, e = to_isomorphic(actual), to_isomorphic(expected)
    if a != e:
        _, only_built, only_expected = graph_diff(a, e)
        pytest.fail(f"graphs differ\nonly built:\n{_nt(only_built)}only expected:\n{_nt(only_expected)}")


def _nt(g: Graph) -> str:
    return "".join(sorted(g.serialize(format="nt").splitlines(keepends=True)))


def described(g: Graph, *resources: URIRef) -> Graph:
    """The triples about the resources and their hash nodes (``<r#…>``)."""
    wanted = {str(r) for r in resources}
    out = Graph()
    for t in g:
        if str(t[0]).split("#")[0] in wanted:
            out.add(t)
    return out


# --------------------------------------------------------------------------------------------
# the fixture, triple for triple
# --------------------------------------------------------------------------------------------


def test_codelists_of_the_fixture(small):
    settings, uris, codelists, _ = small
    expected = turtle("""\
        <id/domein/identificeren-authenticeren> a gdi:Domein , skos:Concept ;
            skos:inScheme <def/gdi/domein> ; skos:topConceptOf <def/gdi/domein> ;
            skos:notation "identificeren-authenticeren" ;
            skos:prefLabel "Identificeren en authenticeren"@nl , "Identification and authentication"@en ;
            rdfs:label "Identificeren en authenticeren"@nl , "Identification and authentication"@en ;
            gdi:volgorde "1"^^xsd:positiveInteger .
        <id/domein/gegevens-registreren> a gdi:Domein , skos:Concept ;
            skos:inScheme <def/gdi/domein> ; skos:topConceptOf <def/gdi/domein> ;
            skos:notation "gegevens-registreren" ;
            skos:prefLabel "Gegevens en registreren"@nl , "Data and registration"@en ;
            rdfs:label "Gegevens en registreren"@nl , "Data and registration"@en ;
            gdi:volgorde "3"^^xsd:positiveInteger .
        <def/gdi/domein> skos:hasTopConcept <id/domein/identificeren-authenticeren> , <id/domein/gegevens-registreren> .

        <id/voorziening/digid> a gdi:Voorziening , skos:Concept ;
            skos:inScheme <def/gdi/voorziening> ; skos:topConceptOf <def/gdi/voorziening> ;
            skos:notation "DigiD" ;
            skos:prefLabel "DigiD"@nl , "DigiD (citizen login)"@en ;
            rdfs:label "DigiD"@nl , "DigiD (citizen login)"@en ;
            skos:hiddenLabel "Digi-D"@nl ;
            gdi:domein <id/domein/identificeren-authenticeren> .
        <id/voorziening/digid-machtigen> a gdi:Voorziening , skos:Concept ;
            skos:inScheme <def/gdi/voorziening> ;
            skos:notation "DigiD Machtigen" ;
            skos:prefLabel "DigiD Machtigen"@nl , "DigiD Authorisation"@en ;
            rdfs:label "DigiD Machtigen"@nl , "DigiD Authorisation"@en ;
            gdi:domein <id/domein/identificeren-authenticeren> ;
            gdi:onderdeelVan <id/voorziening/digid> ; skos:broader <id/voorziening/digid> .
        <id/basisregistratie/brp> a gdi:Basisregistratie , skos:Concept ;
            skos:inScheme <def/gdi/voorziening> ; skos:topConceptOf <def/gdi/voorziening> ;
            skos:notation "BRP" ;
            skos:prefLabel "Basisregistratie Personen"@nl , "Personal Records Database"@en ;
            rdfs:label "Basisregistratie Personen"@nl , "Personal Records Database"@en ;
            skos:hiddenLabel "BRP"@nl ;
            gdi:domein <id/domein/gegevens-registreren> .
        <id/basisregistratie/bag> a gdi:Basisregistratie , skos:Concept ;
            skos:inScheme <def/gdi/voorziening> ; skos:topConceptOf <def/gdi/voorziening> ;
            skos:notation "BAG" ;
            skos:prefLabel "Basisregistratie Adressen en Gebouwen"@nl , "Addresses and Buildings Register"@en ;
            rdfs:label "Basisregistratie Adressen en Gebouwen"@nl , "Addresses and Buildings Register"@en ;
            gdi:domein <id/domein/gegevens-registreren> .
        <def/gdi/voorziening> skos:hasTopConcept <id/voorziening/digid> , <id/basisregistratie/brp> ,
            <id/basisregistratie/bag> .

        <id/indicator/digid.authenticaties> a gdi:Indicator , skos:Concept ;
            skos:inScheme <def/gdi/indicator> ; skos:topConceptOf <def/gdi/indicator> ;
            skos:notation "DigiD-AUTH" ;
            skos:prefLabel "Authenticaties"@nl , "Authentications"@en ;
            rdfs:label "DigiD: Authenticaties"@nl , "DigiD: Authentications"@en ;
            skos:definition "Aantal keer ingelogd met DigiD."@nl ;
            skos:scopeNote "Renamed in 2024."@en ;
            gdi:eenheid <def/gdi/eenheid/aantal> ;
            gdi:voorziening <id/voorziening/digid> .
        <def/gdi/indicator> skos:hasTopConcept <id/indicator/digid.authenticaties> .
        <id/indicator/digid.authenticaties.verandering> a gdi:Indicator , skos:Concept ;
            skos:inScheme <def/gdi/indicator> ;
            skos:notation "DigiD-AUTH-VER" ;
            skos:prefLabel "Authenticaties (verandering t.o.v. vorig jaar)"@nl ,
                "Authentications (year-on-year change)"@en ;
            rdfs:label "DigiD: Authenticaties (verandering t.o.v. vorig jaar)"@nl ,
                "DigiD: Authentications (year-on-year change)"@en ;
            skos:definition "De verandering in procenten ten opzichte van het voorgaande jaar, zoals de bron die afdrukt, van: Authenticaties."@nl ,
                "The percentage change from the previous year, as the source prints it, of: Authentications."@en ;
            skos:broader <id/indicator/digid.authenticaties> ;
            gdi:eenheid <def/gdi/eenheid/procent> ;
            gdi:voorziening <id/voorziening/digid> .
        <id/indicator/digid.authenticaties-app> a gdi:Indicator , skos:Concept ;
            skos:inScheme <def/gdi/indicator> ;
            skos:notation "DigiD-AUTH-APP" ;
            skos:prefLabel "Authenticaties met de app"@nl , "Authentications with the app"@en ;
            rdfs:label "DigiD: Authenticaties met de app"@nl , "DigiD: Authentications with the app"@en ;
            skos:broader <id/indicator/digid.authenticaties> ;
            gdi:eenheid <def/gdi/eenheid/procent> ;
            gdi:voorziening <id/voorziening/digid> .
        <id/indicator/digid.authenticaties-app.verandering> a gdi:Indicator , skos:Concept ;
            skos:inScheme <def/gdi/indicator> ;
            skos:notation "DigiD-AUTH-APP-VER" ;
            skos:prefLabel "Authenticaties met de app (verandering t.o.v. vorig jaar)"@nl ,
                "Authentications with the app (year-on-year change)"@en ;
            rdfs:label "DigiD: Authenticaties met de app (verandering t.o.v. vorig jaar)"@nl ,
                "DigiD: Authentications with the app (year-on-year change)"@en ;
            skos:definition "De verandering in procenten ten opzichte van het voorgaande jaar, zoals de bron die afdrukt, van: Authenticaties met de app."@nl ,
                "The percentage change from the previous year, as the source prints it, of: Authentications with the app."@en ;
            skos:broader <id/indicator/digid.authenticaties-app> ;
            gdi:eenheid <def/gdi/eenheid/procent> ;
            gdi:voorziening <id/voorziening/digid> .
        <def/gdi/aspect/gebruik> skos:member <id/indicator/digid.authenticaties> ,
            <id/indicator/digid.authenticaties.verandering> , <id/indicator/digid.authenticaties-app> ,
            <id/indicator/digid.authenticaties-app.verandering> .

        <def/gdi/uitsplitsing/gemeenten> a skos:Concept ;
            skos:inScheme <def/gdi/uitsplitsing> ; skos:topConceptOf <def/gdi/uitsplitsing> ;
            skos:notation "gemeenten" ;
            skos:prefLabel "Gemeenten"@nl , "Municipalities"@en ;
            rdfs:label "Gemeenten"@nl , "Municipalities"@en ;
            skos:hiddenLabel "Gemeentes"@nl .
        <def/gdi/uitsplitsing> skos:hasTopConcept <def/gdi/uitsplitsing/gemeenten> .
        """)
    # the three aspect collections (members above; labels and definitions from the module)
    for code, (nl, en, def_nl, def_en) in reference.ASPECTS.items():
        c = uris.concept("aspect", code)
        expected.add((c, RDF.type, SKOS.Collection))
        expected.add((c, SKOS.notation, Literal(code)))
        for lang, text in (("nl", nl), ("en", en)):
            expected.add((c, SKOS.prefLabel, Literal(text, lang=lang)))
            expected.add((c, RDFS.label, Literal(text, lang=lang)))
        expected.add((c, SKOS.definition, Literal(def_nl, lang="nl")))
        expected.add((c, SKOS.definition, Literal(def_en, lang="en")))
    # eenheid:gemiddelde and uitsplitsing:totaal are in the ontology: not repeated
    assert_isomorphic(codelists, expected)


def test_a_current_role_with_its_period_quote_and_direct_triple(small):
    _, uris, _, g = small
    rol = uris.role("brp", "beheerder", "rvig")
    expected = turtle("""\
        <id/rol/brp/beheerder/rvig> a gdi:Rol ;
            gdi:rolsoort gdi:beheerder ; gdi:organisatie <id/organisatie/rvig> ;
            gdi:periode <id/rol/brp/beheerder/rvig#periode> ;
            skos:prefLabel "Rijksdienst voor Identiteitsgegevens als beheerder van Basisregistratie Personen"@nl ,
                "National Office for Identity Data as operator of Personal Records Database"@en ;
            rdfs:label "Rijksdienst voor Identiteitsgegevens als beheerder van Basisregistratie Personen"@nl ,
                "National Office for Identity Data as operator of Personal Records Database"@en ;
            gdi:bron <id/bronregel/test-2023/3> .
        <id/rol/brp/beheerder/rvig#periode> a time:Interval ;
            time:inside <id/rol/brp/beheerder/rvig#peildatum-2023> .
        <id/rol/brp/beheerder/rvig#peildatum-2023> a time:Instant ; time:inXSDgYear "2023"^^xsd:gYear .
        <id/rol/brp/beheerder/rvig#citaat-test-2023-3> a prov:Entity ;
            prov:value "Rijksdienst voor Identiteitsgegevens (RvIG), beheerder" ;
            prov:wasQuotedFrom <id/bronregel/test-2023/3> ;
            dcterms:subject <id/rol/brp/beheerder/rvig> ;
            rdfs:label "citaat uit regel 3 van Testrapport"@nl , "quote from line 3 of Testrapport"@en .
        """)
    assert_isomorphic(described(g, rol), expected)
    brp, rvig = uris.facility("brp"), uris.organisation("rvig")
    assert (brp, GDI.rol, rol) in g
    assert (brp, GDI.beheerder, rvig) in g


def test_a_role_of_an_abolished_organisation_ends_with_it(small):
    _, uris, _, g = small
    rol = uris.role("bag", "opdrachtgever", "ienm")
    stcrt = URIRef("https://zoek.officielebekendmakingen.nl/stcrt-2017-62725.html")
    expected = turtle("""\
        <id/rol/bag/opdrachtgever/ienm> a gdi:Rol ;
            gdi:rolsoort gdi:opdrachtgever ; gdi:organisatie <id/organisatie/ienm> ;
            gdi:periode <id/rol/bag/opdrachtgever/ienm#periode> ;
            skos:prefLabel "Ministerie van IenM als opdrachtgever van Basisregistratie Adressen en Gebouwen (tot uiterlijk 2017-10-26)"@nl ,
                "Ministry of IenM as commissioning body of Addresses and Buildings Register (until 2017-10-26 at the latest)"@en ;
            rdfs:label "Ministerie van IenM als opdrachtgever van Basisregistratie Adressen en Gebouwen (tot uiterlijk 2017-10-26)"@nl ,
                "Ministry of IenM as commissioning body of Addresses and Buildings Register (until 2017-10-26 at the latest)"@en ;
            rdfs:comment "end not confirmed"@en ,
                "Einddatum afgeleid: Ministerie van IenM is op 2017-10-26 opgeheven; de rol eindigde uiterlijk toen (de bron van de rol noemt geen einde)."@nl ,
                "End date derived: Ministry of IenM was abolished on 2017-10-26; the role ended at the latest then (the source of the role gives no end)."@en ;
            prov:wasDerivedFrom <https://zoek.officielebekendmakingen.nl/stcrt-2017-62725.html> .
        <id/rol/bag/opdrachtgever/ienm#periode> a time:Interval ;
            time:hasEnd <id/rol/bag/opdrachtgever/ienm#einde> ;
            time:inside <id/rol/bag/opdrachtgever/ienm#peildatum-2017-07-06> .
        <id/rol/bag/opdrachtgever/ienm#einde> a time:Instant ; time:inXSDDate "2017-10-26"^^xsd:date ;
            prov:wasDerivedFrom <https://zoek.officielebekendmakingen.nl/stcrt-2017-62725.html> .
        <id/rol/bag/opdrachtgever/ienm#peildatum-2017-07-06> a time:Instant ;
            time:inXSDDate "2017-07-06"^^xsd:date .
        <id/rol/bag/opdrachtgever/ienm#citaat-stcrt> a prov:Entity ;
            prov:value "Infrastructuur en Milieu" ;
            prov:wasQuotedFrom <https://zoek.officielebekendmakingen.nl/stcrt-2017-62725.html> ;
            dcterms:subject <id/rol/bag/opdrachtgever/ienm> ;
            rdfs:label "citaat uit Besluit departementale herindeling"@nl ,
                "quote from Besluit departementale herindeling"@en .
        """)
    assert_isomorphic(described(g, rol), expected)
    assert (uris.facility("bag"), GDI.opdrachtgever, uris.organisation("ienm")) not in g
    assert (stcrt, RDF.type, DCTERMS.BibliographicResource) in g


def test_dates_keep_their_precision_and_ended_roles_have_no_direct_triple(small):
    _, uris, _, g = small
    rol = uris.role("bag", "beheerder", "rvig", "2010")
    period = g.value(rol, GDI.periode)
    assert g.value(g.value(period, TIME.hasBeginning), TIME.inXSDgYear) == Literal("2010", datatype=XSD.gYear)
    assert g.value(g.value(period, TIME.hasEnd), TIME.inXSDgYearMonth) == Literal("2019-06", datatype=XSD.gYearMonth)
    assert (uris.facility("bag"), GDI.beheerder, uris.organisation("rvig")) not in g
    start = g.value(g.value(uris.role("brp", "opdrachtgever", "bzk", "2014-01-06"), GDI.periode), TIME.hasBeginning)
    assert g.value(start, TIME.inXSDDate) == Literal("2014-01-06", datatype=XSD.date)
    assert (uris.facility("brp"), GDI.opdrachtgever, uris.organisation("bzk")) in g
    assert (uris.facility("brp"), GDI.bronhouder, uris.organisation("gemeenten")) in g


def test_stelselplaat_link_in_both_forms(small):
    _, uris, _, g = small
    brp, bag = uris.facility("brp"), uris.facility("bag")
    k = uris.link("brp", "bag")
    expected = turtle("""\
        <id/koppeling/brp/bag> a gdi:Koppeling ;
            gdi:afnemendeRegistratie <id/basisregistratie/brp> ;
            gdi:leverendeRegistratie <id/basisregistratie/bag> ;
            gdi:sleutel "adresseerbaar object-id" , "nummeraanduiding-id" ;
            skos:prefLabel "BRP maakt gebruik van BAG"@nl , "BRP uses BAG"@en ;
            rdfs:label "BRP maakt gebruik van BAG"@nl , "BRP uses BAG"@en ;
            prov:wasDerivedFrom <https://standaarden.overheid.nl/tooi> .
        """)
    assert_isomorphic(described(g, k), expected)
    assert (brp, GDI.maaktGebruikVan, bag) in g and (brp, GDI.koppeling, k) in g


def test_a_recommendation_with_its_text_status_and_three_kinds_of_evidence(small):
    _, uris, _, g = small
    rec = uris.recommendation("no-2017-1")
    expected = turtle("""\
        <id/aanbeveling/no-2017-1> a gdi:Aanbeveling ;
            dcterms:identifier "no-2017-1" ;
            skos:prefLabel "Aanbeveling no-2017-1 van de Nationale ombudsman (2017): Zet erop in dat er geen drang wordt uitgeoefend."@nl ,
                "Recommendation no-2017-1 of the National Ombudsman (2017)"@en ;
            rdfs:label "Aanbeveling no-2017-1 van de Nationale ombudsman (2017): Zet erop in dat er geen drang wordt uitgeoefend."@nl ,
                "Recommendation no-2017-1 of the National Ombudsman (2017)"@en ;
            prov:wasAttributedTo <id/organisatie/nationale-ombudsman> ;
            dcterms:audience <id/organisatie/bzk> ;
            dcterms:description "Zet erop in dat er geen drang wordt uitgeoefend."@nl ;
            dcterms:issued "2017"^^xsd:gYear ;
            gdi:betreft <id/voorziening/digid> , <id/organisatie/bzk> ;
            gdi:status <def/gdi/status/lopend> ;
            rdfs:comment "status: wet in voorbereiding"@en ;
            gdi:bron <id/bronregel/test-2023/4> , <id/bronregel/test-2023/5> ;
            dcterms:isReferencedBy <id/bronregel/test-2023/6> .
        <id/aanbeveling/no-2017-1#citaat-test-2023-4> a prov:Entity ;
            prov:value "Zet erop in" ; prov:wasQuotedFrom <id/bronregel/test-2023/4> ;
            dcterms:subject <id/aanbeveling/no-2017-1> ;
            rdfs:label "citaat uit regel 4 van Testrapport"@nl , "quote from line 4 of Testrapport"@en .
        <id/aanbeveling/no-2017-1#statuscitaat-test-2023-5> a prov:Entity ;
            prov:value "maatregel is uitgevoerd" ; prov:wasQuotedFrom <id/bronregel/test-2023/5> ;
            dcterms:subject <id/aanbeveling/no-2017-1> , gdi:status ;
            rdfs:label "citaat uit regel 5 van Testrapport"@nl , "quote from line 5 of Testrapport"@en .
        <id/aanbeveling/no-2017-1#verwijzing-test-2023-6> a prov:Entity ;
            prov:value "ad hoc onderzoek" ; prov:wasQuotedFrom <id/bronregel/test-2023/6> ;
            dcterms:subject <id/aanbeveling/no-2017-1> ;
            rdfs:label "citaat uit regel 6 van Testrapport"@nl , "quote from line 6 of Testrapport"@en .
        """)
    assert_isomorphic(described(g, rec), expected)


def test_a_commitment_and_the_unknown_status_added_to_the_scheme(small):
    _, uris, _, g = small
    t = uris.commitment("bzk-2017-1")
    assert g.value(t, GDI.deadline) == Literal("2018-06", datatype=XSD.gYearMonth)
    assert g.value(t, SKOS.note) == Literal("termijn volgens de bron: medio 2018")
    assert set(g.objects(t, PROV.wasAttributedTo)) == {uris.organisation("bzk")}
    onbekend = uris.concept("status", "onbekend")
    assert g.value(t, GDI.status) == onbekend
    assert (onbekend, SKOS.inScheme, uris.scheme("status")) in g
    assert set(g.objects(onbekend, SKOS.prefLabel)) == {Literal("onbekend", lang="nl"), Literal("unknown", lang="en")}
    # statuses the ontology defines are never repeated here
    assert not set(g.triples((uris.concept("status", "lopend"), None, None)))
    # only statuses in use are added
    assert not set(g.triples((uris.concept("status", "afgewezen"), None, None)))


def test_carriers_are_direct_triples_plus_reified_statements(small):
    _, uris, _, g = small
    digid, brp, bag = uris.facility("digid"), uris.facility("brp"), uris.facility("bag")
    assert (digid, GDI.draagt, brp) in g
    assert (digid, GDI.draagt, bag) not in g  # that statement has an end (until 2016-06)
    statements = {s for s in g.subjects(RDF.type, RDF.Statement)}
    assert {g.value(s, RDF.object) for s in statements} == {brp, bag}
    for s in statements:
        assert g.value(s, RDF.subject) == digid and g.value(s, RDF.predicate) == GDI.draagt
        assert g.value(s, DCTERMS.type) == uris.concept("dragersoort", "ontsluit")
        assert g.value(s, GDI.bron) is not None
        assert g.value(s, SKOS.prefLabel) is not None


def test_organisations(small):
    _, uris, _, g = small
    bzk, gemeenten, rvig, ienm = (uris.organisation(c) for c in ("bzk", "gemeenten", "rvig", "ienm"))
    tooi = Namespace("https://identifier.overheid.nl/tooi/def/ont/")
    ORG = Namespace("http://www.w3.org/ns/org#")
    assert set(g.objects(bzk, RDF.type)) == {ORG.Organization, tooi.Ministerie}
    assert (bzk, Namespace("http://www.w3.org/2002/07/owl#").sameAs,
            URIRef("https://identifier.overheid.nl/tooi/id/ministerie/mnre1034")) in g
    assert g.value(bzk, SKOS.notation) == Literal("BZK")
    # bzk's sources: its line and the further evidence columns
    assert set(g.objects(bzk, GDI.bron)) == {uris.source_line("test-2023", 2)}
    assert set(g.objects(bzk, PROV.wasDerivedFrom)) == {URIRef("https://standaarden.overheid.nl/tooi")}
    # a group is not itself a municipality
    assert set(g.objects(gemeenten, RDF.type)) == {ORG.Organization}
    assert (gemeenten, RDFS.seeAlso, tooi.Gemeente) in g
    assert (rvig, ORG.subOrganizationOf, bzk) in g
    assert g.value(ienm, Namespace("https://schema.org/").dissolutionDate) == Literal("2017-10-26", datatype=XSD.date)
    assert g.value(rvig, ORG.classification) == uris.concept("organisatiesoort", "agentschap")


def test_base_registry_facts(small):
    _, uris, _, g = small
    brp, bag = uris.facility("brp"), uris.facility("bag")
    assert g.value(bag, GDI.verplichtGebruikSinds) == Literal("2011-07-01", datatype=XSD.date)
    assert g.value(brp, GDI.verplichtGebruikSinds) is None
    assert g.value(brp, DCTERMS.valid) == Literal("start=2014-01-06;", datatype=DCTERMS.Period)
    law = g.value(brp, DCTERMS.conformsTo)
    assert law == uris.fragment(brp, "wet")
    assert g.value(law, DCTERMS.title) == Literal("Wet basisregistratie personen", lang="nl")
    assert g.value(law, PROV.wasDerivedFrom) == URIRef("https://zoek.officielebekendmakingen.nl/stcrt-2017-62725.html")


def test_source_line_resources(small):
    settings, uris, _, g = small
    lines = source_line_resources({("doc.txt", 4)}, settings, uris)
    expected = turtle("""\
        <id/bronregel/test-2023/4> a gdi:Bronregel , prov:Entity ;
            gdi:regelnummer "4"^^xsd:positiveInteger ;
            gdi:regeltekst "Zet erop in dat er geen drang wordt uitgeoefend" ;
            prov:wasQuotedFrom <id/editie/test-2023> ;
            dcterms:isPartOf <id/editie/test-2023> ;
            skos:prefLabel "regel 4 van Testrapport"@nl , "line 4 of Testrapport"@en ;
            rdfs:label "regel 4 van Testrapport"@nl , "line 4 of Testrapport"@en .
        """)
    assert_isomorphic(lines, expected)
    # the reference graph holds the lines its facts cite, and no others
    cited = set(g.subjects(RDF.type, GDI.Bronregel))
    assert cited == {uris.source_line("test-2023", n) for n in (2, 3, 4, 5, 6)}
    assert source_line_resources(set(), settings, uris).__len__() == 0
    with pytest.raises(ReferenceDataError, match="not in data/sources"):
        source_line_resources({("other.txt", 1)}, settings, uris)
    with pytest.raises(ReferenceDataError, match="line 99"):
        source_line_resources({("doc.txt", 99)}, settings, uris)


def test_the_fixture_graphs_have_no_blank_nodes(small):
    _, _, codelists, ref = small
    for g in (codelists, ref):
        assert not [t for t in g if any(isinstance(x, BNode) for x in t)]


@pytest.mark.parametrize("name, text, message", [
    ("reference/facility_roles.csv",
     "facility,role,organisation,start,end,as_of,note,source,source_line,quote\n"
     "brp,beheerder,nobody,,,,,doc.txt,3,beheerder\n", "unknown organisation 'nobody'"),
    ("reference/stelselplaat.csv",
     "registry,uses,keys_passed_on,note,source,source_line,quote\nBRP,DIGID,BSN,,ref:tooi,,\n",
     "'digid' is not a basisregistratie"),
    ("reference/recommendations.csv",
     FIXTURE["reference/recommendations.csv"].replace("in-uitvoering", "half-af"), "unknown status 'half-af'"),
    ("reference/carriers.csv",
     "facility,relation,registry,since,until,as_of,note,source,source_line,quote\n"
     "digid,ontsluit,brp,,,2017-13-01,,doc.txt,3,beheerder\n", "no such date"),
    ("reference/organisations.csv",
     FIXTURE["reference/organisations.csv"].replace("doc.txt,2,agentschap", "doc.txt,,agentschap"),
     "needs a line number"),
    ("reference/commitments.csv",
     FIXTURE["reference/commitments.csv"].replace("doc.txt,6", "ref:nowhere,"), "'ref:nowhere' is not in public_sources"),
])
def test_bad_reference_data_is_refused_with_its_place(tmp_path, name, text, message):
    settings = write_fixture(tmp_path, {name: text})
    with pytest.raises(ReferenceDataError, match=message):
        build_reference(settings, GraphUris(settings))


def test_unknown_unit_is_refused(tmp_path):
    settings = write_fixture(tmp_path, {"codelists/indicators.csv": FIXTURE["codelists/indicators.csv"].replace(
        ",count,", ",stuks,")})
    with pytest.raises(ReferenceDataError, match=r"indicators.csv:2: unknown unit 'stuks'"):
        build_codelists(settings, GraphUris(settings))


def test_vocab_follows_the_base_uri():
    uris = Uris(Settings(base_uri="https://example.org/gdi"))
    v = vocab(uris)
    assert str(v.GDI.beheerder) == "https://example.org/gdi/def/gdi#beheerder"
    assert str(v.STATUS["lopend"]) == "https://example.org/gdi/def/gdi/status/lopend"
    g = bind_prefixes(Graph(), uris)
    assert dict(g.namespaces())["gdi"] == URIRef("https://example.org/gdi/def/gdi#")


# --------------------------------------------------------------------------------------------
# the real data
# --------------------------------------------------------------------------------------------


def read(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def real():
    settings = Settings(data_dir=ROOT / "data", ontology_dir=ROOT / "ontology")
    uris = GraphUris(settings)
    return settings, uris, build_codelists(settings, uris), build_reference(settings, uris)


def test_every_facility_is_typed_coded_and_labelled(real):
    settings, uris, g, _ = real
    kinds = {"voorziening": GDI.Voorziening, "basisregistratie": GDI.Basisregistratie,
             "stelselvoorziening": GDI.Stelselvoorziening}
    rows = read(settings.codelists_dir / "facilities.csv")
    for r in rows:
        f = uris.facility(r["code"])
        assert {kinds[r["kind"]], SKOS.Concept} <= set(g.objects(f, RDF.type)), r["code"]
        assert (f, SKOS.inScheme, uris.scheme("voorziening")) in g
        assert list(g.objects(f, SKOS.notation)) == [Literal(r["notation"])]
        assert list(g.objects(f, GDI.domein)) == [uris.domain(r["domain"])]
        assert (uris.domain(r["domain"]), RDF.type, GDI.Domein) in g
        labels = set(g.objects(f, SKOS.prefLabel))
        assert labels == {Literal(r["label_nl"], lang="nl"), Literal(r["label_en"], lang="en")}
        assert labels <= set(g.objects(f, RDFS.label))
    assert len(set(g.subjects(SKOS.inScheme, uris.scheme("voorziening")))) == len(rows)


def test_every_indicator_and_its_change_twin_is_in_the_code_list(real):
    settings, uris, g, _ = real
    units = {"count": "aantal", "percent": "procent", "mean": "gemiddelde"}
    rows = read(settings.codelists_dir / "indicators.csv")
    for r in rows:
        i, change = uris.indicator(r["code"]), uris.indicator(r["code"] + ".verandering")
        for c in (i, change):
            assert {GDI.Indicator, SKOS.Concept} <= set(g.objects(c, RDF.type))
            assert (c, SKOS.inScheme, uris.scheme("indicator")) in g
            assert {x.language for x in g.objects(c, SKOS.prefLabel)} == {"nl", "en"}
            assert len(list(g.objects(c, SKOS.notation))) == 1
            assert g.value(c, GDI.voorziening) == uris.facility(r["facility"])
        assert g.value(i, GDI.eenheid) == uris.concept("eenheid", units[r["unit"]])
        assert g.value(change, GDI.eenheid) == uris.concept("eenheid", "procent")
        assert g.value(change, SKOS.broader) == i
        assert g.value(i, SKOS.notation) == Literal(r["notation"])
        if r["broader"]:
            assert g.value(i, SKOS.broader) == uris.indicator(r["broader"])
        assert (uris.concept("aspect", r["aspect"]), SKOS.member, i) in g
    assert len(set(g.subjects(SKOS.inScheme, uris.scheme("indicator")))) == 2 * len(rows)
    notations = [n for c in g.subjects(SKOS.inScheme, uris.scheme("indicator")) for n in g.objects(c, SKOS.notation)]
    assert len(notations) == len(set(notations)), "indicator notations are unique"


def test_every_breakdown_is_in_the_code_list_without_relabelling_totaal(real):
    settings, uris, g, _ = real
    ontology = Graph().parse(settings.ontology_dir / "gdi.ttl")
    for r in read(settings.codelists_dir / "breakdowns.csv"):
        c = uris.concept("uitsplitsing", r["code"])
        both = g + ontology
        assert (c, RDF.type, SKOS.Concept) in both and (c, SKOS.inScheme, uris.scheme("uitsplitsing")) in both
        assert len({x.language for x in both.objects(c, SKOS.prefLabel)}) == len(list(both.objects(c, SKOS.prefLabel)))
    assert not set(g.triples((uris.concept("uitsplitsing", "totaal"), None, None)))


def test_every_base_registry_has_a_beheerder(real):
    settings, uris, codelists, g = real
    registries = [r["code"] for r in read(settings.codelists_dir / "facilities.csv") if r["kind"] == "basisregistratie"]
    assert len(registries) == 10
    for code in registries:
        beheerders = set(g.objects(uris.facility(code), GDI.beheerder))
        assert beheerders, code
        assert all((o, RDF.type, Namespace("http://www.w3.org/ns/org#").Organization) in g for o in beheerders)


def test_brp_uses_bag_with_the_keys_of_the_plate(real):
    _, uris, _, g = real
    brp, bag = uris.facility("brp"), uris.facility("bag")
    assert (brp, GDI.maaktGebruikVan, bag) in g
    k = uris.link("brp", "bag")
    assert (brp, GDI.koppeling, k) in g
    assert g.value(k, GDI.afnemendeRegistratie) == brp and g.value(k, GDI.leverendeRegistratie) == bag
    assert set(g.objects(k, GDI.sleutel)) == {Literal("adresseerbaar object-id"), Literal("nummeraanduiding-id"),
                                             Literal("adres")}


def _fact_uri(name: str, r: dict, uris: GraphUris) -> URIRef:
    if name == "facility_roles.csv":
        return uris.role(r["facility"], r["role"], r["organisation"], r["start"])
    if name == "stelselplaat.csv":
        return uris.link(r["registry"].lower(), r["uses"].lower())
    if name == "recommendations.csv":
        return uris.recommendation(r["code"])
    return uris.commitment(r["code"])


@pytest.mark.parametrize("name, cls", [("facility_roles.csv", "Rol"), ("stelselplaat.csv", "Koppeling"),
                                       ("recommendations.csv", "Aanbeveling"), ("commitments.csv", "Toezegging")])
def test_every_fact_resolves_to_its_source_and_quote(real, name, cls):
    settings, uris, _, g = real
    manifest = {r["file"]: r["edition"] for r in read(settings.sources_dir / "editions.csv")}
    public = {r["id"]: r for r in read(settings.reference_dir / "public_sources.csv")}
    rows = read(settings.reference_dir / name)
    assert len(set(g.subjects(RDF.type, GDI[cls]))) == len({_fact_uri(name, r, uris) for r in rows})
    for r in rows:
        fact = _fact_uri(name, r, uris)
        assert (fact, RDF.type, GDI[cls]) in g
        assert {x.language for x in g.objects(fact, SKOS.prefLabel)} == {"nl", "en"}
        assert set(g.objects(fact, RDFS.label))
        if r["source"].startswith("ref:"):
            src = URIRef(public[r["source"][4:]]["url"])
            assert (fact, PROV.wasDerivedFrom, src) in g
            assert (src, RDF.type, DCTERMS.BibliographicResource) in g and g.value(src, DCTERMS.title)
        else:
            src = uris.source_line(manifest[r["source"]], int(r["source_line"]))
            assert (fact, GDI.bron, src) in g, (fact, src)
            assert (src, RDF.type, GDI.Bronregel) in g
            assert g.value(src, GDI.regelnummer).toPython() == int(r["source_line"])
            assert g.value(src, PROV.wasQuotedFrom) == uris.edition(manifest[r["source"]])
            assert r["quote"] in str(g.value(src, GDI.regeltekst)), (fact, r["quote"])
        if r["quote"]:
            quotes = {q for q in g.subjects(DCTERMS.subject, fact) if (q, PROV.wasQuotedFrom, src) in g}
            assert {str(g.value(q, PROV.value)) for q in quotes} == {r["quote"]}


def test_status_evidence_resolves_to_its_line(real):
    settings, uris, _, g = real
    manifest = {r["file"]: r["edition"] for r in read(settings.sources_dir / "editions.csv")}
    for name, make in (("recommendations.csv", uris.recommendation), ("commitments.csv", uris.commitment)):
        for r in read(settings.reference_dir / name):
            x = make(r["code"])
            status = g.value(x, GDI.status)
            assert status == uris.concept("status", reference.STATUS_CODES[r["status"]])
            if r["status_source"]:
                line = uris.source_line(manifest[r["status_source"]], int(r["status_line"]))
                assert (x, GDI.bron, line) in g
                assert r["status_quote"] in str(g.value(line, GDI.regeltekst))
                quote = [q for q in g.subjects(DCTERMS.subject, GDI.status) if (q, DCTERMS.subject, x) in g]
                assert [str(g.value(q, PROV.value)) for q in quote] == [r["status_quote"]]


def test_every_cited_line_is_a_bronregel_with_its_text(real):
    settings, uris, _, g = real
    docs = {p.name: p.read_text(encoding="utf-8").split("\n") for p in settings.sources_dir.glob("*.txt")}
    manifest = {r["edition"]: r["file"] for r in read(settings.sources_dir / "editions.csv")}
    lines = set(g.subjects(RDF.type, GDI.Bronregel))
    assert len(lines) > 50
    for s in lines:
        edition = g.value(s, PROV.wasQuotedFrom)
        code = str(edition).rsplit("/", 1)[1]
        n = g.value(s, GDI.regelnummer).toPython()
        assert str(g.value(s, GDI.regeltekst)) == docs[manifest[code]][n - 1]
    # every object of gdi:bron is described here
    assert set(g.objects(None, GDI.bron)) <= lines


def _editions_graph(settings: Settings, uris: GraphUris) -> Graph:
    """The gdi:Editie resources as the cube builder writes them (the source lines point to them)."""
    from gdigraph.graph.cube import _edition

    g = Graph()
    for ed in read(settings.sources_dir / "editions.csv"):
        _edition(g, uris, ed)
    return g


def test_reference_graphs_conform_to_the_shapes(real):
    """Roles dated as precisely as the sources allow (often only an 'as of' moment), and every
    commitment concerning a facility or organisation: the reference data conforms."""
    settings, uris, codelists, ref = real
    ontology = Graph().parse(settings.ontology_dir / "gdi.ttl")
    shapes = Graph().parse(settings.ontology_dir / "shapes.ttl")
    data = codelists + ref + _editions_graph(settings, uris) + ontology
    conforms, report, text = validate(data, shacl_graph=shapes, ont_graph=ontology, inference="none",
                                      advanced=True)
    assert conforms, text


def test_building_twice_gives_the_same_triples(real):
    settings, uris, codelists, ref = real
    for build, first in ((build_codelists, codelists), (build_reference, ref)):
        again = build(settings, GraphUris(settings))
        a = sorted(first.serialize(format="nt").splitlines())
        b = sorted(again.serialize(format="nt").splitlines())
        assert a == b
        assert to_isomorphic(first) == to_isomorphic(again)
        assert not [t for t in again if any(isinstance(x, BNode) for x in t)]


def test_all_linked_resources_have_id_uris_and_labels(real):
    settings, uris, codelists, ref = real
    g = codelists + ref
    for cls in (GDI.Voorziening, GDI.Basisregistratie, GDI.Stelselvoorziening, GDI.Domein, GDI.Indicator,
                GDI.Rol, GDI.Koppeling, GDI.Aanbeveling, GDI.Toezegging, GDI.Bronregel,
                Namespace("http://www.w3.org/ns/org#").Organization):
        members = set(g.subjects(RDF.type, cls))
        assert members, cls
        for m in members:
            assert uris.split(str(m)) is not None and uris.split(str(m))[0] == "id", m
            assert g.value(m, SKOS.prefLabel) is not None and g.value(m, RDFS.label) is not None, m
