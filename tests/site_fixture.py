"""A small gdigraph build for the tests of the linked-data front (test_app, test_static, test_browser).

``make_build(tmp)`` writes what ``gdigraph build`` writes, from the TriG below (which follows
ontology/gdi.ttl and the graph builder's shapes): ``graph/`` (gdigraph.nq/.trig/.ttl/.jsonld, one
N-Quads file per named graph under ``graphs/``, ``manifest.json``) and the Oxigraph store ``store/``.
The named graph ``ontologie`` is ontology/gdi.ttl itself.
"""

from __future__ import annotations

import collections
import hashlib
import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]
BASE = "https://gdigraph.nl"

PREFIXES = """
@prefix gdi:     <https://gdigraph.nl/def/gdi#> .
@prefix vlag:    <https://gdigraph.nl/def/gdi/vlag/> .
@prefix status:  <https://gdigraph.nl/def/gdi/status/> .
@prefix eenheid: <https://gdigraph.nl/def/gdi/eenheid/> .
@prefix uitspl:  <https://gdigraph.nl/def/gdi/uitsplitsing/> .
@prefix vz:      <https://gdigraph.nl/id/voorziening/> .
@prefix reg:     <https://gdigraph.nl/id/basisregistratie/> .
@prefix orgn:    <https://gdigraph.nl/id/organisatie/> .
@prefix ind:     <https://gdigraph.nl/id/indicator/> .
@prefix dom:     <https://gdigraph.nl/id/domein/> .
@prefix ed:      <https://gdigraph.nl/id/editie/> .
@prefix ds:      <https://gdigraph.nl/id/dataset/> .
@prefix bronregel: <https://gdigraph.nl/id/bronregel/> .
@prefix obs:     <https://gdigraph.nl/id/waarneming/> .
@prefix reeks:   <https://gdigraph.nl/id/reeks/> .
@prefix rol:     <https://gdigraph.nl/id/rol/> .
@prefix kop:     <https://gdigraph.nl/id/koppeling/> .
@prefix aanb:    <https://gdigraph.nl/id/aanbeveling/> .
@prefix toez:    <https://gdigraph.nl/id/toezegging/> .
@prefix g:       <https://gdigraph.nl/graph/> .
@prefix rdf:     <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .
@prefix skos:    <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix org:     <http://www.w3.org/ns/org#> .
@prefix prov:    <http://www.w3.org/ns/prov#> .
@prefix qb:      <http://purl.org/linked-data/cube#> .
@prefix time:    <http://www.w3.org/2006/time#> .
@prefix owl:     <http://www.w3.org/2002/07/owl#> .
@prefix tooiont: <https://identifier.overheid.nl/tooi/def/ont/> .
"""

CODELISTS = """
g:codelijsten {
  dom:identificeren-authenticeren a gdi:Domein , skos:Concept ;
    skos:inScheme <https://gdigraph.nl/def/gdi/domein> ; skos:notation "identificeren-authenticeren" ;
    skos:prefLabel "Identificeren en authenticeren"@nl , "Identification and authentication"@en ; gdi:volgorde 1 .
  dom:dienstverlening-informatie a gdi:Domein , skos:Concept ;
    skos:inScheme <https://gdigraph.nl/def/gdi/domein> ; skos:notation "dienstverlening-informatie" ;
    skos:prefLabel "Dienstverlening en informatie verstrekken"@nl , "Services and providing information"@en ; gdi:volgorde 2 .
  dom:gegevens-registreren a gdi:Domein , skos:Concept ;
    skos:inScheme <https://gdigraph.nl/def/gdi/domein> ; skos:notation "gegevens-registreren" ;
    skos:prefLabel "Gegevens en registreren"@nl , "Data and registration"@en ; gdi:volgorde 3 .
  dom:dienstverlening-verbinden a gdi:Domein , skos:Concept ;
    skos:inScheme <https://gdigraph.nl/def/gdi/domein> ; skos:notation "dienstverlening-verbinden" ;
    skos:prefLabel "Dienstverlening en verbinden"@nl , "Services and connecting"@en ; gdi:volgorde 4 .

  vz:digid a gdi:Voorziening , skos:Concept ; skos:inScheme <https://gdigraph.nl/def/gdi/voorziening> ;
    skos:notation "DigiD" ; skos:prefLabel "DigiD"@nl , "DigiD (citizen login)"@en ; rdfs:label "DigiD"@nl ;
    dcterms:identifier "digid" ; gdi:domein dom:identificeren-authenticeren .
  vz:digid-machtigen a gdi:Voorziening , skos:Concept ; skos:inScheme <https://gdigraph.nl/def/gdi/voorziening> ;
    skos:notation "DigiD Machtigen" ; skos:prefLabel "DigiD Machtigen"@nl , "DigiD Authorisation"@en ;
    dcterms:identifier "digid-machtigen" ; gdi:domein dom:identificeren-authenticeren ; gdi:onderdeelVan vz:digid ;
    skos:broader vz:digid .
  vz:mijnoverheid a gdi:Voorziening , skos:Concept ; skos:inScheme <https://gdigraph.nl/def/gdi/voorziening> ;
    skos:notation "MijnOverheid" ; skos:prefLabel "MijnOverheid"@nl , "MijnOverheid (citizen portal)"@en ;
    dcterms:identifier "mijnoverheid" ; gdi:domein dom:dienstverlening-informatie .
  vz:digipoort a gdi:Voorziening , skos:Concept ; skos:inScheme <https://gdigraph.nl/def/gdi/voorziening> ;
    skos:notation "Digipoort" ; skos:prefLabel "Digipoort"@nl , "Digipoort (message gateway)"@en ;
    dcterms:identifier "digipoort" ; gdi:domein dom:dienstverlening-verbinden .
  vz:digilevering a gdi:Stelselvoorziening , gdi:Voorziening , skos:Concept ;
    skos:inScheme <https://gdigraph.nl/def/gdi/voorziening> ;
    skos:notation "Digilevering" ; skos:prefLabel "Digilevering"@nl , "Digilevering (event subscription)"@en ;
    dcterms:identifier "digilevering" ; gdi:domein dom:gegevens-registreren ; gdi:draagt reg:brp .
  reg:brp a gdi:Basisregistratie , skos:Concept ; skos:inScheme <https://gdigraph.nl/def/gdi/voorziening> ;
    skos:notation "BRP" ; skos:prefLabel "Basisregistratie Personen"@nl , "Personal Records Database"@en ;
    dcterms:identifier "brp" ; gdi:domein dom:gegevens-registreren .
  reg:hr a gdi:Basisregistratie , skos:Concept ; skos:inScheme <https://gdigraph.nl/def/gdi/voorziening> ;
    skos:notation "HR" ; skos:prefLabel "Handelsregister"@nl , "Trade Register"@en ;
    dcterms:identifier "hr" ; gdi:domein dom:gegevens-registreren .
  reg:bag a gdi:Basisregistratie , skos:Concept ; skos:inScheme <https://gdigraph.nl/def/gdi/voorziening> ;
    skos:notation "BAG" ; skos:prefLabel "Basisregistratie Adressen en Gebouwen"@nl , "Addresses and Buildings Register"@en ;
    dcterms:identifier "bag" ; gdi:domein dom:gegevens-registreren .

  ind:digid.authenticaties a gdi:Indicator , skos:Concept ; skos:inScheme <https://gdigraph.nl/def/gdi/indicator> ;
    skos:notation "DigiD-AUTH" ; dcterms:identifier "digid.authenticaties" ;
    skos:prefLabel "Authenticaties"@nl , "Authentications"@en ; rdfs:label "DigiD: Authenticaties"@nl ;
    skos:definition "Aantal keren dat burgers met DigiD zijn ingelogd."@nl ; gdi:voorziening vz:digid ;
    gdi:eenheid eenheid:aantal .
  ind:digid.aangesloten-organisaties a gdi:Indicator , skos:Concept ;
    skos:inScheme <https://gdigraph.nl/def/gdi/indicator> ; skos:notation "DigiD-ORG" ;
    dcterms:identifier "digid.aangesloten-organisaties" ;
    skos:prefLabel "Aangesloten organisaties"@nl , "Connected organisations"@en ;
    skos:definition "Totaal aantal organisaties dat op DigiD is aangesloten."@nl ; gdi:voorziening vz:digid ;
    gdi:eenheid eenheid:aantal .
  ind:digid.inlogsucces a gdi:Indicator , skos:Concept ; skos:inScheme <https://gdigraph.nl/def/gdi/indicator> ;
    skos:notation "DigiD-SUC" ; dcterms:identifier "digid.inlogsucces" ;
    skos:prefLabel "Geslaagde inlogpogingen"@nl , "Successful logins"@en ; gdi:voorziening vz:digid ;
    gdi:eenheid eenheid:procent .
  ind:brp.berichten-afnemers a gdi:Indicator , skos:Concept ; skos:inScheme <https://gdigraph.nl/def/gdi/indicator> ;
    skos:notation "BRP-BER" ; dcterms:identifier "brp.berichten-afnemers" ;
    skos:prefLabel "Berichten naar afnemers"@nl , "Messages to data users"@en ; gdi:voorziening reg:brp ;
    gdi:eenheid eenheid:aantal .
}
"""

REFERENCE = """
g:referentie {
  orgn:logius a org:Organization , tooiont:Overheidsorganisatie ; skos:notation "Logius" ;
    skos:prefLabel "Logius"@nl , "Logius"@en ; rdfs:label "Logius"@nl ; org:subOrganizationOf orgn:bzk .
  orgn:bzk a org:Organization , tooiont:Ministerie ; skos:notation "BZK" ;
    skos:prefLabel "Ministerie van Binnenlandse Zaken en Koninkrijksrelaties"@nl ,
      "Ministry of the Interior and Kingdom Relations"@en ;
    owl:sameAs <https://identifier.overheid.nl/tooi/id/ministerie/mnre1034> .
  orgn:rvig a org:Organization , tooiont:Overheidsorganisatie ; skos:notation "RvIG" ;
    skos:prefLabel "Rijksdienst voor Identiteitsgegevens"@nl , "National Office for Identity Data"@en .
  orgn:kvk a org:Organization , tooiont:Zbo ; skos:notation "KVK" ;
    skos:prefLabel "Kamer van Koophandel"@nl , "Chamber of Commerce"@en .
  orgn:kadaster a org:Organization , tooiont:Zbo ; skos:notation "Kadaster" ;
    skos:prefLabel "Kadaster"@nl , "Land Registry"@en .
  orgn:gemeenten a org:Organization ; skos:notation "gemeenten" ;
    skos:prefLabel "Gemeenten"@nl , "Municipalities"@en ; rdfs:seeAlso tooiont:Gemeente .
  orgn:ictu a org:Organization , tooiont:Overheidsorganisatie ; skos:notation "ICTU" ;
    skos:prefLabel "ICTU"@nl , "ICTU"@en .
  orgn:nationale-ombudsman a org:Organization , tooiont:Overheidsorganisatie ; skos:notation "No" ;
    skos:prefLabel "Nationale ombudsman"@nl , "National Ombudsman"@en .

  vz:digid gdi:beheerder orgn:logius ; gdi:opdrachtgever orgn:bzk ;
    gdi:rol rol:digid/beheerder/logius , rol:digid/opdrachtgever/bzk .
  rol:digid/beheerder/logius a gdi:Rol ; gdi:rolsoort gdi:beheerder ; gdi:organisatie orgn:logius ;
    skos:prefLabel "Logius beheerder van DigiD"@nl ;
    gdi:periode <https://gdigraph.nl/id/rol/digid/beheerder/logius#periode> .
  <https://gdigraph.nl/id/rol/digid/beheerder/logius#periode> a time:Interval ;
    time:hasBeginning <https://gdigraph.nl/id/rol/digid/beheerder/logius#begin> .
  <https://gdigraph.nl/id/rol/digid/beheerder/logius#begin> a time:Instant ;
    time:inXSDDate "2006-01-01"^^xsd:date .
  rol:digid/opdrachtgever/bzk a gdi:Rol ; gdi:rolsoort gdi:opdrachtgever ; gdi:organisatie orgn:bzk ;
    skos:prefLabel "BZK opdrachtgever van DigiD"@nl ;
    gdi:periode <https://gdigraph.nl/id/rol/digid/opdrachtgever/bzk#periode> .
  <https://gdigraph.nl/id/rol/digid/opdrachtgever/bzk#periode> a time:Interval ;
    time:hasBeginning <https://gdigraph.nl/id/rol/digid/opdrachtgever/bzk#begin> .
  <https://gdigraph.nl/id/rol/digid/opdrachtgever/bzk#begin> a time:Instant ;
    time:inXSDDate "2006-01-01"^^xsd:date .
  vz:digid-machtigen gdi:beheerder orgn:logius .
  vz:mijnoverheid gdi:beheerder orgn:logius ; gdi:opdrachtgever orgn:bzk .
  vz:digipoort gdi:beheerder orgn:logius .
  vz:digilevering gdi:beheerder orgn:logius .

  reg:brp gdi:beheerder orgn:rvig ; gdi:opdrachtgever orgn:bzk ; gdi:bronhouder orgn:gemeenten ;
    gdi:verplichtGebruikSinds "2007-01-01"^^xsd:date ;
    gdi:maaktGebruikVan reg:bag ; gdi:koppeling kop:brp/bag ;
    gdi:betweenness 0.1 ; gdi:ingraad 1 ; gdi:uitgraad 1 ;
    gdi:rol rol:brp/beheerder/rvig , rol:brp/beheerder/bprbzk/2010-01-01 .
  rol:brp/beheerder/rvig a gdi:Rol ; gdi:rolsoort gdi:beheerder ; gdi:organisatie orgn:rvig ;
    skos:prefLabel "RvIG beheerder van de BRP"@nl ;
    gdi:periode <https://gdigraph.nl/id/rol/brp/beheerder/rvig#periode> .
  <https://gdigraph.nl/id/rol/brp/beheerder/rvig#periode> a time:Interval ;
    time:hasBeginning <https://gdigraph.nl/id/rol/brp/beheerder/rvig#begin> .
  <https://gdigraph.nl/id/rol/brp/beheerder/rvig#begin> a time:Instant ; time:inXSDDate "2014-10-01"^^xsd:date .
  rol:brp/beheerder/bprbzk/2010-01-01 a gdi:Rol ; gdi:rolsoort gdi:beheerder ; gdi:organisatie orgn:bzk ;
    skos:prefLabel "BZK (agentschap BPR) beheerder van de BRP"@nl ;
    gdi:periode <https://gdigraph.nl/id/rol/brp/beheerder/bprbzk/2010-01-01#periode> .
  <https://gdigraph.nl/id/rol/brp/beheerder/bprbzk/2010-01-01#periode> a time:Interval ;
    time:hasBeginning <https://gdigraph.nl/id/rol/brp/beheerder/bprbzk/2010-01-01#begin> ;
    time:hasEnd <https://gdigraph.nl/id/rol/brp/beheerder/bprbzk/2010-01-01#einde> .
  <https://gdigraph.nl/id/rol/brp/beheerder/bprbzk/2010-01-01#begin> a time:Instant ;
    time:inXSDDate "2010-01-01"^^xsd:date .
  <https://gdigraph.nl/id/rol/brp/beheerder/bprbzk/2010-01-01#einde> a time:Instant ;
    time:inXSDDate "2014-09-30"^^xsd:date .

  reg:hr gdi:beheerder orgn:kvk ; gdi:maaktGebruikVan reg:brp , reg:bag ;
    gdi:koppeling kop:hr/brp , kop:hr/bag ; gdi:betweenness 0 ; gdi:ingraad 0 ; gdi:uitgraad 2 .
  reg:bag gdi:beheerder orgn:kadaster ; gdi:bronhouder orgn:gemeenten ;
    gdi:betweenness 0 ; gdi:ingraad 2 ; gdi:uitgraad 0 .
  kop:brp/bag a gdi:Koppeling ; gdi:afnemendeRegistratie reg:brp ; gdi:leverendeRegistratie reg:bag ;
    gdi:sleutel "adresseerbaar object-id" , "nummeraanduiding-id" ; skos:prefLabel "BRP gebruikt BAG"@nl .
  kop:hr/brp a gdi:Koppeling ; gdi:afnemendeRegistratie reg:hr ; gdi:leverendeRegistratie reg:brp ;
    gdi:sleutel "BSN" ; skos:prefLabel "HR gebruikt BRP"@nl .
  kop:hr/bag a gdi:Koppeling ; gdi:afnemendeRegistratie reg:hr ; gdi:leverendeRegistratie reg:bag ;
    gdi:sleutel "adres" ; skos:prefLabel "HR gebruikt BAG"@nl .

  aanb:no-2017-2 a gdi:Aanbeveling ; skos:notation "no-2017-2" ;
    skos:prefLabel "Aanbeveling no-2017-2"@nl ;
    dcterms:description "Zorg ervoor dat het MijnOverheid-account alleen geactiveerd kan worden via de activeringsknop."@nl ;
    gdi:betreft vz:mijnoverheid ; prov:wasAttributedTo orgn:nationale-ombudsman ;
    gdi:status status:uitgevoerd ; gdi:statusDatum "2023-06-01"^^xsd:date ; gdi:bron bronregel:2018/12 .
  toez:bzk-2017-1 a gdi:Toezegging ; skos:notation "bzk-2017-1" ; skos:prefLabel "Toezegging bzk-2017-1"@nl ;
    dcterms:description "Het ad hoc onderzoek naar gebruikerswensen wordt voortaan jaarlijks uitgevoerd."@nl ;
    gdi:betreft vz:mijnoverheid , vz:digid ; prov:wasAttributedTo orgn:bzk ; gdi:reactieOp aanb:no-2017-2 ;
    gdi:deadline "2018"^^xsd:gYear ; gdi:status status:lopend ; gdi:bron bronregel:2018/13 .
}
"""

EDITIONS = """
<https://gdigraph.nl/graph/editie/2018> {
  ed:2018 a gdi:Editie , prov:Entity ; dcterms:title "Monitor GDI 2018"@nl ; skos:prefLabel "Monitor GDI 2018"@nl ;
    rdfs:label "Monitor GDI 2018"@nl ; skos:notation "2018" ; dcterms:identifier "2018" ;
    gdi:publicatiejaar "2018"^^xsd:gYear ; gdi:peildatum "2017-12-31"^^xsd:date ;
    prov:wasAttributedTo orgn:ictu , orgn:bzk ; gdi:sha256 "4df648067558eaa2" .
  ds:editie-2018 a qb:DataSet ; qb:structure gdi:dsd-waarnemingen ; prov:wasDerivedFrom ed:2018 ;
    dcterms:title "Cijfers uit de tabellen van Monitor GDI 2018"@nl ;
    skos:prefLabel "Cijfers uit de tabellen van Monitor GDI 2018"@nl .
  bronregel:2018/10 a gdi:Bronregel , prov:Entity ; gdi:regelnummer "10"^^xsd:positiveInteger ;
    prov:wasQuotedFrom ed:2018 ; gdi:regeltekst "Aantal authenticaties   2015  2016  2017" ;
    skos:prefLabel "Monitor GDI 2018, regel 10"@nl .
  bronregel:2018/11 a gdi:Bronregel , prov:Entity ; gdi:regelnummer "11"^^xsd:positiveInteger ;
    prov:wasQuotedFrom ed:2018 ; gdi:regeltekst "DigiD   103.400.000  127.800.000  200.100.000*" ;
    skos:prefLabel "Monitor GDI 2018, regel 11"@nl .
  bronregel:2018/12 a gdi:Bronregel , prov:Entity ; gdi:regelnummer "12"^^xsd:positiveInteger ;
    prov:wasQuotedFrom ed:2018 ; gdi:regeltekst "Aangesloten organisaties  600  612  -" ;
    skos:prefLabel "Monitor GDI 2018, regel 12"@nl .
  bronregel:2018/13 a gdi:Bronregel , prov:Entity ; gdi:regelnummer "13"^^xsd:positiveInteger ;
    prov:wasQuotedFrom ed:2018 ; gdi:regeltekst "BRP berichten naar afnemers  1.200.000  1.300.000" ;
    skos:prefLabel "Monitor GDI 2018, regel 13"@nl .

  obs:2018/digid.authenticaties/2015/totaal a qb:Observation , gdi:Waarneming ; qb:dataSet ds:editie-2018 ;
    skos:prefLabel "DigiD — Aantal authenticaties — 2015 (Monitor GDI 2018)"@nl ;
    gdi:editie ed:2018 ; gdi:voorziening vz:digid ; gdi:indicator ind:digid.authenticaties ;
    gdi:jaar "2015"^^xsd:gYear ; gdi:uitsplitsing uitspl:totaal ; gdi:waarde 103400000.0 ;
    gdi:eenheid eenheid:aantal ; gdi:ruweWaarde "103.400.000" ; gdi:bron bronregel:2018/11 .
  obs:2018/digid.authenticaties/2016/totaal a qb:Observation , gdi:Waarneming ; qb:dataSet ds:editie-2018 ;
    skos:prefLabel "DigiD — Aantal authenticaties — 2016 (Monitor GDI 2018)"@nl ;
    gdi:editie ed:2018 ; gdi:voorziening vz:digid ; gdi:indicator ind:digid.authenticaties ;
    gdi:jaar "2016"^^xsd:gYear ; gdi:uitsplitsing uitspl:totaal ; gdi:waarde 127800000.0 ;
    gdi:eenheid eenheid:aantal ; gdi:ruweWaarde "127.800.000" ; gdi:bron bronregel:2018/11 .
  obs:2018/digid.authenticaties/2017/totaal a qb:Observation , gdi:Waarneming ; qb:dataSet ds:editie-2018 ;
    skos:prefLabel "DigiD — Aantal authenticaties — 2017 (Monitor GDI 2018)"@nl ;
    gdi:editie ed:2018 ; gdi:voorziening vz:digid ; gdi:indicator ind:digid.authenticaties ;
    gdi:jaar "2017"^^xsd:gYear ; gdi:uitsplitsing uitspl:totaal ; gdi:waarde 200100000.0 ;
    gdi:eenheid eenheid:aantal ; gdi:ruweWaarde "200.100.000*" ; gdi:vlag vlag:footnote , vlag:suspect ;
    gdi:voetnoot "* inclusief inlogpogingen via de app" ; gdi:bron bronregel:2018/10 , bronregel:2018/11 .
  obs:2018/digid.aangesloten-organisaties/2015/totaal a qb:Observation , gdi:Waarneming ;
    qb:dataSet ds:editie-2018 ; skos:prefLabel "DigiD — Aangesloten organisaties — 2015 (Monitor GDI 2018)"@nl ;
    gdi:editie ed:2018 ; gdi:voorziening vz:digid ; gdi:indicator ind:digid.aangesloten-organisaties ;
    gdi:jaar "2015"^^xsd:gYear ; gdi:uitsplitsing uitspl:totaal ; gdi:waarde 600 ; gdi:eenheid eenheid:aantal ;
    gdi:ruweWaarde "600" ; gdi:bron bronregel:2018/12 .
  obs:2018/digid.aangesloten-organisaties/2016/totaal a qb:Observation , gdi:Waarneming ;
    qb:dataSet ds:editie-2018 ; skos:prefLabel "DigiD — Aangesloten organisaties — 2016 (Monitor GDI 2018)"@nl ;
    gdi:editie ed:2018 ; gdi:voorziening vz:digid ; gdi:indicator ind:digid.aangesloten-organisaties ;
    gdi:jaar "2016"^^xsd:gYear ; gdi:uitsplitsing uitspl:totaal ; gdi:waarde 612 ; gdi:eenheid eenheid:aantal ;
    gdi:ruweWaarde "612" ; gdi:bron bronregel:2018/12 .
  obs:2018/digid.aangesloten-organisaties/2017/totaal a gdi:OntbrekendeWaarneming ;
    gdi:ontbreektIn ds:editie-2018 ;
    skos:prefLabel "DigiD — Aangesloten organisaties — 2017 (Monitor GDI 2018)"@nl ;
    gdi:editie ed:2018 ; gdi:voorziening vz:digid ; gdi:indicator ind:digid.aangesloten-organisaties ;
    gdi:jaar "2017"^^xsd:gYear ; gdi:uitsplitsing uitspl:totaal ; gdi:eenheid eenheid:aantal ;
    gdi:vlag vlag:missing ; gdi:ruweWaarde "-" ; gdi:bron bronregel:2018/12 .
  obs:2018/brp.berichten-afnemers/2016/totaal a qb:Observation , gdi:Waarneming ; qb:dataSet ds:editie-2018 ;
    skos:prefLabel "BRP — Berichten naar afnemers — 2016 (Monitor GDI 2018)"@nl ;
    gdi:editie ed:2018 ; gdi:voorziening reg:brp ; gdi:indicator ind:brp.berichten-afnemers ;
    gdi:jaar "2016"^^xsd:gYear ; gdi:uitsplitsing uitspl:totaal ; gdi:waarde 1200000 ; gdi:eenheid eenheid:aantal ;
    gdi:ruweWaarde "1.200.000" ; gdi:bron bronregel:2018/13 .
  obs:2018/brp.berichten-afnemers/2017/totaal a qb:Observation , gdi:Waarneming ; qb:dataSet ds:editie-2018 ;
    skos:prefLabel "BRP — Berichten naar afnemers — 2017 (Monitor GDI 2018)"@nl ;
    gdi:editie ed:2018 ; gdi:voorziening reg:brp ; gdi:indicator ind:brp.berichten-afnemers ;
    gdi:jaar "2017"^^xsd:gYear ; gdi:uitsplitsing uitspl:totaal ; gdi:waarde 1300000 ; gdi:eenheid eenheid:aantal ;
    gdi:ruweWaarde "1.300.000" ; gdi:bron bronregel:2018/13 .
}

<https://gdigraph.nl/graph/editie/2024> {
  ed:2024 a gdi:Editie , prov:Entity ; dcterms:title "Monitor Digitale Overheid 2024"@nl ;
    skos:prefLabel "Monitor Digitale Overheid 2024"@nl ; skos:notation "2024" ; dcterms:identifier "2024" ;
    gdi:publicatiejaar "2024"^^xsd:gYear ; gdi:peildatum "2023-12-31"^^xsd:date ; prov:wasAttributedTo orgn:bzk .
  ds:editie-2024 a qb:DataSet ; qb:structure gdi:dsd-waarnemingen ; prov:wasDerivedFrom ed:2024 ;
    skos:prefLabel "Cijfers uit de tabellen van Monitor Digitale Overheid 2024"@nl .
  bronregel:2024/50 a gdi:Bronregel , prov:Entity ; gdi:regelnummer "50"^^xsd:positiveInteger ;
    prov:wasQuotedFrom ed:2024 ; gdi:regeltekst "Authenticaties  2017: 198,3 mln  2022: 480,2 mln  2023: 525,9 mln" ;
    skos:prefLabel "Monitor Digitale Overheid 2024, regel 50"@nl .
  bronregel:2024/51 a gdi:Bronregel , prov:Entity ; gdi:regelnummer "51"^^xsd:positiveInteger ;
    prov:wasQuotedFrom ed:2024 ; gdi:regeltekst "Aangesloten organisaties  2022: 720  2023: 735 ; geslaagd 96,5% 97,1%" ;
    skos:prefLabel "Monitor Digitale Overheid 2024, regel 51"@nl .
  obs:2024/digid.authenticaties/2017/totaal a qb:Observation , gdi:Waarneming ; qb:dataSet ds:editie-2024 ;
    skos:prefLabel "DigiD — Authenticaties — 2017 (Monitor Digitale Overheid 2024)"@nl ;
    gdi:editie ed:2024 ; gdi:voorziening vz:digid ; gdi:indicator ind:digid.authenticaties ;
    gdi:jaar "2017"^^xsd:gYear ; gdi:uitsplitsing uitspl:totaal ; gdi:waarde 198300000.0 ;
    gdi:eenheid eenheid:aantal ; gdi:ruweWaarde "198,3 mln" ; gdi:vlag vlag:revised , vlag:approx ;
    gdi:herzieningVan obs:2018/digid.authenticaties/2017/totaal ; gdi:bron bronregel:2024/50 .
  obs:2024/digid.authenticaties/2022/totaal a qb:Observation , gdi:Waarneming ; qb:dataSet ds:editie-2024 ;
    skos:prefLabel "DigiD — Authenticaties — 2022 (Monitor Digitale Overheid 2024)"@nl ;
    gdi:editie ed:2024 ; gdi:voorziening vz:digid ; gdi:indicator ind:digid.authenticaties ;
    gdi:jaar "2022"^^xsd:gYear ; gdi:uitsplitsing uitspl:totaal ; gdi:waarde 480200000.0 ;
    gdi:eenheid eenheid:aantal ; gdi:ruweWaarde "480,2 mln" ; gdi:vlag vlag:approx ; gdi:bron bronregel:2024/50 .
  obs:2024/digid.authenticaties/2023/totaal a qb:Observation , gdi:Waarneming ; qb:dataSet ds:editie-2024 ;
    skos:prefLabel "DigiD — Authenticaties — 2023 (Monitor Digitale Overheid 2024)"@nl ;
    gdi:editie ed:2024 ; gdi:voorziening vz:digid ; gdi:indicator ind:digid.authenticaties ;
    gdi:jaar "2023"^^xsd:gYear ; gdi:uitsplitsing uitspl:totaal ; gdi:waarde 525900000.0 ;
    gdi:eenheid eenheid:aantal ; gdi:ruweWaarde "525,9 mln" ; gdi:vlag vlag:approx ; gdi:bron bronregel:2024/50 .
  obs:2024/digid.aangesloten-organisaties/2022/totaal a qb:Observation , gdi:Waarneming ;
    qb:dataSet ds:editie-2024 ; skos:prefLabel "DigiD — Aangesloten organisaties — 2022 (Monitor Digitale Overheid 2024)"@nl ;
    gdi:editie ed:2024 ; gdi:voorziening vz:digid ; gdi:indicator ind:digid.aangesloten-organisaties ;
    gdi:jaar "2022"^^xsd:gYear ; gdi:uitsplitsing uitspl:totaal ; gdi:waarde 720 ; gdi:eenheid eenheid:aantal ;
    gdi:ruweWaarde "720" ; gdi:bron bronregel:2024/51 .
  obs:2024/digid.aangesloten-organisaties/2023/totaal a qb:Observation , gdi:Waarneming ;
    qb:dataSet ds:editie-2024 ; skos:prefLabel "DigiD — Aangesloten organisaties — 2023 (Monitor Digitale Overheid 2024)"@nl ;
    gdi:editie ed:2024 ; gdi:voorziening vz:digid ; gdi:indicator ind:digid.aangesloten-organisaties ;
    gdi:jaar "2023"^^xsd:gYear ; gdi:uitsplitsing uitspl:totaal ; gdi:waarde 735 ; gdi:eenheid eenheid:aantal ;
    gdi:ruweWaarde "735" ; gdi:bron bronregel:2024/51 .
  obs:2024/digid.inlogsucces/2022/totaal a qb:Observation , gdi:Waarneming ; qb:dataSet ds:editie-2024 ;
    skos:prefLabel "DigiD — Geslaagde inlogpogingen — 2022 (Monitor Digitale Overheid 2024)"@nl ;
    gdi:editie ed:2024 ; gdi:voorziening vz:digid ; gdi:indicator ind:digid.inlogsucces ;
    gdi:jaar "2022"^^xsd:gYear ; gdi:uitsplitsing uitspl:totaal ; gdi:waarde 96.5 ; gdi:eenheid eenheid:procent ;
    gdi:ruweWaarde "96,5%" ; gdi:bron bronregel:2024/51 .
  obs:2024/digid.inlogsucces/2023/totaal a qb:Observation , gdi:Waarneming ; qb:dataSet ds:editie-2024 ;
    skos:prefLabel "DigiD — Geslaagde inlogpogingen — 2023 (Monitor Digitale Overheid 2024)"@nl ;
    gdi:editie ed:2024 ; gdi:voorziening vz:digid ; gdi:indicator ind:digid.inlogsucces ;
    gdi:jaar "2023"^^xsd:gYear ; gdi:uitsplitsing uitspl:totaal ; gdi:waarde 97.1 ; gdi:eenheid eenheid:procent ;
    gdi:ruweWaarde "97,1%" ; gdi:bron bronregel:2024/51 .
}
"""


def _series_trig() -> str:
    """The harmonised series of the observations above (the latest edition wins)."""
    values = {
        ("digid.authenticaties", "vz:digid", "aantal"): {2015: ("103400000", []), 2016: ("127800000", []),
                                                           2017: ("198300000", ["revised", "approx"]),
                                                           2022: ("480200000", ["approx"]),
                                                           2023: ("525900000", ["approx"])},
        ("digid.aangesloten-organisaties", "vz:digid", "aantal"): {2015: ("600", []), 2016: ("612", []),
                                                                   2022: ("720", []), 2023: ("735", [])},
        ("digid.inlogsucces", "vz:digid", "procent"): {2022: ("96.5", []), 2023: ("97.1", [])},
        ("brp.berichten-afnemers", "reg:brp", "aantal"): {2016: ("1200000", []), 2017: ("1300000", [])},
    }
    sources = {
        ("digid.authenticaties", 2015): ["obs:2018/digid.authenticaties/2015/totaal"],
        ("digid.authenticaties", 2016): ["obs:2018/digid.authenticaties/2016/totaal"],
        ("digid.authenticaties", 2017): ["obs:2018/digid.authenticaties/2017/totaal",
                                         "obs:2024/digid.authenticaties/2017/totaal"],
    }
    out = ["g:reeksen {",
           "  ds:reeksen a qb:DataSet ; qb:structure gdi:dsd-reeksen ;",
           '    skos:prefLabel "Geharmoniseerde reeksen van de monitorcijfers"@nl , "Harmonised series of the monitor figures"@en .']
    for (ind, fac, unit), years in values.items():
        s = f"reeks:{ind}/totaal"
        obs = []
        for year, (value, flags) in sorted(years.items()):
            o = f"reeks:{ind}/totaal/{year}"
            obs.append(o)
            src = sources.get((ind, year)) or [f"obs:{2018 if year < 2019 else 2024}/{ind}/{year}/totaal"]
            flag_txt = "".join(f" ; gdi:vlag vlag:{f}" for f in flags)
            out.append(
                f'  {o} a qb:Observation , gdi:ReeksWaarneming ; qb:dataSet ds:reeksen ;'
                f' skos:prefLabel "{ind} — {year}"@nl ; gdi:voorziening {fac} ; gdi:indicator ind:{ind} ;'
                f' gdi:jaar "{year}"^^xsd:gYear ; gdi:uitsplitsing uitspl:totaal ;'
                f' gdi:waarde "{value}"^^xsd:decimal ; gdi:eenheid eenheid:{unit} ;'
                f' gdi:herzien {"true" if "revised" in flags else "false"}{flag_txt} ;'
                f' gdi:bronWaarneming {" , ".join(src)} .')
        out.append(f'  ds:reeksen qb:slice {s} .')
        out.append(f'  {s} a qb:Slice , gdi:Reeks ; qb:sliceStructure gdi:sleutel-reeks ; gdi:voorziening {fac} ;'
                   f' gdi:indicator ind:{ind} ; gdi:uitsplitsing uitspl:totaal ; skos:prefLabel "Reeks {ind}"@nl ;'
                   f' qb:observation {" , ".join(obs)} .')
    out.append("}")
    return "\n".join(out)


_SLASHED = re.compile(r"(?<![<\w])([a-z]+):([A-Za-z0-9][\w.-]*(?:/[\w.-]+)+)")


def _expand(text: str) -> str:
    """Prefixed names with '/' in them (``rol:digid/beheerder/logius``) written as full IRIs."""
    ns = dict(re.findall(r"@prefix (\w+):\s+<([^>]+)>", PREFIXES))
    return _SLASHED.sub(lambda m: f"<{ns[m.group(1)]}{m.group(2)}>" if m.group(1) in ns else m.group(0), text)


def trig() -> str:
    return PREFIXES + _expand(CODELISTS + REFERENCE + EDITIONS + _series_trig())


def make_trends(root: Path) -> Path:
    """A small ``trends/`` as ``gdigraph trends --write`` writes it (index.json lists every file)."""
    trends = Path(root) / "trends"
    trends.mkdir(parents=True, exist_ok=True)
    files = {"digid.csv": ("indicator_code,2022,2023\ndigid.authenticaties,480200000,525900000\n", "table", "text/csv"),
             "digid.csv-metadata.json": (json.dumps({"@context": "http://www.w3.org/ns/csvw", "url": "digid.csv"}),
                                         "metadata", "application/csvm+json")}
    entries = []
    for name, (text, kind, media_type) in files.items():
        (trends / name).write_text(text, encoding="utf-8")
        entries.append({"path": name, "title": f"Trendtabel DigiD ({kind})", "media_type": media_type,
                        "bytes": len(text.encode()), "sha256": hashlib.sha256(text.encode()).hexdigest(),
                        "facility": "digid", "kind": kind})
    (trends / "index.json").write_text(json.dumps({"title": "Trendtabellen", "description": "Reeksen per voorziening",
                                                   "files": entries}, indent=1), encoding="utf-8")
    return trends


def make_build(root: Path) -> dict[str, Path]:
    """Write ``root/graph/`` (dumps + manifest) and ``root/store/``; returns their paths."""
    root = Path(root)
    graph_dir = root / "graph"
    store_dir = root / "store"
    (graph_dir / "graphs").mkdir(parents=True, exist_ok=True)
    quads = list(ox.parse(trig().encode("utf-8"), ox.RdfFormat.TRIG))
    onto = ox.NamedNode(f"{BASE}/graph/ontologie")
    for t in ox.parse((ROOT / "ontology" / "gdi.ttl").read_bytes(), ox.RdfFormat.TURTLE):
        quads.append(ox.Quad(t.subject, t.predicate, t.object, onto))
    lines = sorted(set(ox.serialize([q], format=ox.RdfFormat.N_QUADS).decode("utf-8") for q in quads))
    (graph_dir / "gdigraph.nq").write_text("".join(lines), encoding="utf-8")
    graphs: dict[str, list[str]] = {}
    for ln in lines:
        name = ln.rsplit("<", 1)[1].split(">", 1)[0].split("/graph/", 1)[1]
        graphs.setdefault(name, []).append(ln)
    for name, ls in graphs.items():
        (graph_dir / "graphs" / (name.replace("/", "-") + ".nq")).write_text("".join(ls), encoding="utf-8")
    ds = [q for q in ox.parse("".join(lines).encode("utf-8"), ox.RdfFormat.N_QUADS)]
    (graph_dir / "gdigraph.trig").write_bytes(ox.serialize(ds, format=ox.RdfFormat.TRIG))
    triples = sorted({q.triple for q in ds}, key=str)
    (graph_dir / "gdigraph.ttl").write_bytes(ox.serialize(triples, format=ox.RdfFormat.TURTLE))
    (graph_dir / "gdigraph.jsonld").write_bytes(ox.serialize(triples, format=ox.RdfFormat.JSON_LD))
    manifest = {
        "graphs": {name: {"uri": f"{BASE}/graph/{name}", "triples": len(ls)} for name, ls in sorted(graphs.items())},
        "files": {p.relative_to(graph_dir).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                  for p in sorted(graph_dir.rglob("*")) if p.is_file()},
    }
    (graph_dir / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    store = ox.Store(str(store_dir))
    store.bulk_load(path=str(graph_dir / "gdigraph.nq"), format=ox.RdfFormat.N_QUADS)
    store.flush()
    del store
    return {"graph": graph_dir, "store": store_dir}


# -- a crawler for the app and the static site ------------------------------------------------------------



class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for name in ("href", "src"):
            if a.get(name) and tag in ("a", "link", "img", "script", "area"):
                self.links.append(a[name])


def html_links(text: str) -> list[str]:
    p = _Links()
    p.feed(text)
    return p.links


def link_header_targets(value: str | None) -> list[str]:
    return re.findall(r"<([^>]*)>", value or "")


def kind_of(path: str) -> str:
    """``voorziening`` for /doc/voorziening/digid, ``page`` for the rest."""
    parts = path.split("/")
    if len(parts) >= 4 and parts[1] == "doc" and parts[3]:
        return parts[2]
    return "page"


@dataclass
class Crawl:
    visited: dict[str, int] = field(default_factory=dict)  # url -> status
    failures: list[tuple[str, int, str]] = field(default_factory=list)  # (url, status, referrer)
    content_types: dict[str, str] = field(default_factory=dict)
    html: dict[str, str] = field(default_factory=dict)

    def pages(self) -> set[str]:
        """The distinct HTML pages visited (``/doc/x``, ``/doc/x/`` and ``/doc/x.html`` are one)."""
        out = set()
        for url in self.visited:
            path = urlsplit(url).path
            if path.endswith((".ttl", ".jsonld", ".nt", ".nq", ".trig", ".json", ".csv", ".svg", ".png", ".xlsx",
                              ".css", ".js")):
                continue
            path = path.removesuffix(".html").removesuffix("/index")
            out.add(path.rstrip("/") or "/")
        return out

    def counts(self) -> dict[str, int]:
        return dict(sorted(collections.Counter(kind_of(p) for p in self.pages()).items()))


def crawl(get, start: str = "/", *, limit: int = 5000, per_kind: dict[str, int] | None = None,
          skip=lambda url: False) -> Crawl:
    """Breadth-first over same-site links (HTML href/src and Link headers) from ``start``.

    ``get(url) -> (status, headers (lower-case keys), body bytes)`` fetches a same-site path (+query);
    ``per_kind`` caps the number of pages per /doc/{type}/ (a sample of observations, source lines ...);
    query pages of /sparql are visited at most 5 times."""
    per_kind = per_kind or {}
    seen: set[str] = {start}
    queue = collections.deque([(start, "")])
    taken = collections.Counter()
    out = Crawl()
    while queue and len(out.visited) < limit:
        url, ref = queue.popleft()
        status, headers, body = get(url)
        out.visited[url] = status
        ctype = headers.get("content-type", "")
        out.content_types[url] = ctype
        if status >= 400:
            out.failures.append((url, status, ref))
            continue
        targets = list(link_header_targets(headers.get("link")))
        if status in (301, 302, 303, 307, 308) and headers.get("location"):
            targets.append(headers["location"])
        if ctype.startswith("text/html"):
            text = body.decode("utf-8", "replace")
            out.html[url] = text
            targets += html_links(text)
        for t in targets:
            absolute = urldefrag(urljoin("http://site" + url, t))[0]
            parts = urlsplit(absolute)
            if parts.netloc != "site" or parts.scheme not in ("http", "https"):
                continue
            nxt = parts.path + (f"?{parts.query}" if parts.query else "")
            if nxt in seen or skip(nxt):
                continue
            if parts.path.startswith("/sparql") and parts.query:
                taken["sparql-query"] += 1
                if taken["sparql-query"] > 5:
                    continue
            k = kind_of(parts.path)
            if k in per_kind and not parts.path.endswith((".ttl", ".jsonld", ".nt")):
                if taken[k] >= per_kind[k]:
                    continue
                taken[k] += 1
            seen.add(nxt)
            queue.append((nxt, url))
    return out


def accessibility_problems(url: str, text: str) -> list[str]:
    """A few checks every page of ours must pass (the colleague's /sparql page and /trends aside)."""
    problems = []
    if '<html lang="nl">' not in text:
        problems.append("no lang=nl")
    if text.count("<h1") != 1:
        problems.append(f"{text.count('<h1')} h1 elements")
    if "<main" not in text:
        problems.append("no main landmark")
    for m in re.finditer(r"<table\b.*?</table>", text, re.S):
        t = m.group(0)
        if "<caption" not in t:
            problems.append("table without caption")
        if re.search(r"<th(?=[\s>])(?![^>]*scope=)", t):
            problems.append("th without scope")
    for m in re.finditer(r"<img\b[^>]*>", text):
        if "alt=" not in m.group(0):
            problems.append("img without alt")
    for m in re.finditer(r"<a\b[^>]*>(.*?)</a>", text, re.S):
        if not re.sub(r"<[^>]+>", "", m.group(1)).strip() and "aria-label" not in m.group(0) \
                and "<title>" not in m.group(1):
            problems.append(f"empty link {m.group(0)[:80]}")
    return [f"{url}: {p}" for p in problems]
