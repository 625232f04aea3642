"""The words the prose pass reads by: counted nouns, growth verbs, stop words and the like (shared by its
modules)."""

from __future__ import annotations

import re

from ..numbers import WORD_NUMBERS

MONTHS = ("januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december")
# number words that can be a figure ('een'/'één' are articles far more often than numbers)
NUMBER_WORDS = {w: v for w, v in WORD_NUMBERS.items() if w not in ("een", "één", "nul")}
# what is counted: a noun ending in one of these ('overheidsorganisaties', 'PKIoverheid-certificaten')
HEADS = (
    "authenticaties", "bevragingen", "berichten", "berichtenverkeer", "bezoeken", "bezoekers",
    "raadplegingen", "terugmeldingen", "efacturen", "accounts", "digid's", "digid’s", "organisaties",
    "overheden", "bedrijven", "gebruikers", "certificaten", "machtigingen", "pseudoniemen", "zaken",
    "lidstaten", "koppelingen", "netwerken", "bronnen", "leveringen", "aansluitingen", "middelen",
    "providers", "leveranciers", "downloads", "ondernemers", "bronhouders", "bestandslevering",
    "meldingen", "burgers",
)
# 'N keer <participle>': the participle names the indicator
KEER_VERBS = {
    "ingelogd": "keren ingelogd", "bezocht": "bezoeken", "bevraagd": "bevragingen",
    "geraadpleegd": "raadplegingen", "gedownload": "downloads", "gebruikt": "keer gebruikt",
    "teruggemeld": "terugmeldingen", "verstuurd": "verstuurde berichten",
}
# a noun that names its facility ('573.000 eFacturen' is eFactureren whatever channel carries it)
HEAD_FACILITY = {"efacturen": "efactureren"}
STOP = {
    "is", "zijn", "was", "waren", "werd", "werden", "wordt", "worden", "bedraagt", "bedroeg", "bleef",
    "blijft", "steeg", "daalde", "groeide", "stijgt", "daalt", "groeit", "met", "naar", "in", "op",
    "van", "via", "aan", "dat", "die", "lijkt", "kan", "kunnen", "heeft", "hebben", "had", "tot",
    "en", "of", "ten", "t.o.v.", "sinds", "per", "voor", "bij", "over", "door", "uit", "te", "er",
    "ook", "nog", "weer", "licht", "gestegen", "gedaald", "toegenomen", "afgenomen", "verlopen",
    "betroffen", "betreft", "dit", "deze", "waarvan", "waarbij", "zich", "het", "de", "een",
}
UP = re.compile(r"\b(?:gestegen|steeg|stijgt|stijging|toegenomen|toename|neemt\s+toe|nam\s+toe|groei|groeide|"
                r"groeit|gegroeid|doorgegroeid|groeiden|meer\s+dan\s+(?:in|vorig)|hoger)\b", re.IGNORECASE)
DOWN = re.compile(r"\b(?:gedaald|daalde|daalt|daling|afgenomen|afname|neemt\s+af|nam\s+af|terugval|"
                  r"minder\s+dan\s+(?:in|vorig)|lager|gezakt)\b", re.IGNORECASE)
AANTAL = re.compile(r"\baantal\s+", re.IGNORECASE)
GEBRUIK = re.compile(r"\b(\w*gebruik)\s+van\b", re.IGNORECASE)
CONNECTORS = {"van", "via", "aan", "op", "bij", "in", "over"}
ARTICLES = {"de", "het", "een"}
# a word of a sentence (with its dots: 't.o.v.', 'Overheid.nl') or a punctuation mark
WORD = re.compile(r"[\w’'.\-/]+|[^\w\s]")
