"""The prose pass: headline figures that a report states only in running text.

``extract_prose`` reads the sentences of a report outside its tables (for a covering letter, the
whole text; for a monitor with tables, only the headline summary before the first facility section
with a table or the first 'Bijlage') and makes one observation per figure that a sentence clearly
attributes to a facility and an indicator:

    'Het gebruik van DigiD is in 2018 weer licht gestegen tot 307 miljoen authenticaties.'
        -> DigiD, 'authenticaties', 2018, '307 miljoen', 307000000
    'Het aantal bezoeken ... is gestegen met 20% naar bijna 40 miljoen.'
        -> 'bezoeken (groei)' 20 percent (change), and 'bezoeken' 40000000 (approx)

The rules, in order:

* text: the lines of a paragraph are joined (words broken at a line end with a hyphen are rejoined,
  PDF splits such as 'authenti caties' are closed), every character keeps the line it was printed
  on, and the text is cut into sentences and clauses;
* figures: a number (digits, or a number word such as 'zeven' with a scale word or a counted noun)
  with its approximation word ('ruim', 'bijna', 'een kleine', 'meer dan', ...), sign, '%'/'procent'
  and scale word ('miljoen', 'miljard'). Never figures: years, dates, Kamerstuk numbers, 'top 25',
  ranges ('tussen de 20% en 40%', '45% tot 74%'), bounds ('50% of meer', 'maximale groei van 25%'),
  durations ('binnen 3 weken');
* indicator: the counted noun after the number ('35 aangesloten organisaties', '47 miljoen keer
  ingelogd'), else the nearest 'het aantal X' of the sentence, else 'gebruik' ('Het gebruik van X
  ...'); a percentage is a growth figure when the clause speaks of growth or decline (or it is
  printed with a sign) and takes the indicator, facility and year of the figure it belongs to ('met
  20% naar 403', '403 (+20%)', 'dat is een afname van 30%'); shares ('90% van het aantal') are not
  rows;
* facility: the facility named right after the figure ('13 miljoen bevragingen via DigiD
  Machtigen'), else the nearest one named before it in the sentence (the more specific of 'Lopende
  Zaken van MijnOverheid'), else the running subject of the paragraph; names that only qualify
  ('machtigingen voor Mijn Overheid', 'met een Berichtenbox', 'zonder Digimelding') are no subject,
  and two facilities named together ('WOZ en BGT') leave the figure unplaced;
* year: a year named next to the number ('in 2014', 'eind 2017', 'in 2014 toen'; not 't.o.v. 2017',
  'sinds 2014', 'dan in 2022'), else the period of a 'van A naar B' ('in dezelfde periode', 'de
  afgelopen vier jaar': A is the first year of the period; otherwise A is the year before B), else
  the one year the sentence names, else the edition's reference year.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from decimal import Decimal

from ..harmonise.facilities import FacilityIndex, Mention
from ..records import Observation, Problem
from ..sources.manifest import Edition
from .layout import classify
from .numbers import SCALES, WORD_NUMBERS, _normal, normalise_spaces, parse_literal
from .toelichting import METHOD_WORDS

__all__ = ["extract_prose", "prose_region"]

NOTE_MAX = 200

# --- vocabulary ----------------------------------------------------------------------------------

_MONTHS = ("januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december")
# number words that can be a figure ('een'/'één' are articles far more often than numbers)
_NUMBER_WORDS = {w: v for w, v in WORD_NUMBERS.items() if w not in ("een", "één", "nul")}
_WORDS_ALT = "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))
_CORE = re.compile(rf"(?<![\w.,/])(\d+(?:[.,]\d+)*)(?![\w/]|[.,]\d)|\b({_WORDS_ALT})\b", re.IGNORECASE)
_SCALE_AFTER = re.compile(r"^\s+(miljoen|miljard|mln\.?|mld|mrd|mlrd|duizend)\b", re.IGNORECASE)
_PCT_AFTER = re.compile(r"^(?:\s?%|\s+procent\b)", re.IGNORECASE)
_SIGN_BEFORE = re.compile(r"(?:(?<=\()|(?<=\s)|^)([+\-−–])\s?$")
_APPROX_BEFORE = re.compile(
    r"(?:\b(?:iets\s+)?meer\s+dan|\bminder\s+dan|\bruim|\bbijna|\bcirca|\bca\.|\bongeveer|\bzo[’']n"
    r"|\been\s+kleine|\bkleine|\bboven\s+de|\bafgerond|\bnagenoeg)\s+$", re.IGNORECASE)
_LOWER_BOUND_BEFORE = re.compile(r"\boverstijgt\s+(?:\w+\s+)?de\s+$", re.IGNORECASE)
_YEAR = re.compile(r"^(?:19|20)\d\d$")

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
_UNITS_AFTER = re.compile(r"^\s+(?:weken|week|dagen|dag|maanden|maand|jaar|jaren|uur|minuten|seconden|"
                          r"werkdagen|procentpunt(?:en)?)\b", re.IGNORECASE)
_STOP = {
    "is", "zijn", "was", "waren", "werd", "werden", "wordt", "worden", "bedraagt", "bedroeg", "bleef",
    "blijft", "steeg", "daalde", "groeide", "stijgt", "daalt", "groeit", "met", "naar", "in", "op",
    "van", "via", "aan", "dat", "die", "lijkt", "kan", "kunnen", "heeft", "hebben", "had", "tot",
    "en", "of", "ten", "t.o.v.", "sinds", "per", "voor", "bij", "over", "door", "uit", "te", "er",
    "ook", "nog", "weer", "licht", "gestegen", "gedaald", "toegenomen", "afgenomen", "verlopen",
    "betroffen", "betreft", "dit", "deze", "waarvan", "waarbij", "zich", "het", "de", "een",
}
_UP = re.compile(r"\b(?:gestegen|steeg|stijgt|stijging|toegenomen|toename|neemt\s+toe|nam\s+toe|groei|groeide|"
                 r"groeit|gegroeid|doorgegroeid|groeiden|meer\s+dan\s+(?:in|vorig)|hoger)\b", re.IGNORECASE)
_DOWN = re.compile(r"\b(?:gedaald|daalde|daalt|daling|afgenomen|afname|neemt\s+af|nam\s+af|terugval|"
                   r"minder\s+dan\s+(?:in|vorig)|lager|gezakt)\b", re.IGNORECASE)
_AANTAL = re.compile(r"\baantal\s+", re.IGNORECASE)
_GEBRUIK = re.compile(r"\b(\w*gebruik)\s+van\b", re.IGNORECASE)
_CONNECTORS = {"van", "via", "aan", "op", "bij", "in", "over"}
_ARTICLES = {"de", "het", "een"}
# PDF text splits words; close the ones that matter for reading the sentence
_SPLIT_WORDS = re.compile(
    r"\b(ge|aan|raad|authenti|voor|toe|basis|vervier|vervijf|verdrie|overheids|stel|bevra|geïmple)"
    r" (stegen|sluitingen|plegingen|caties|ziening|passingen|registraties|voudigd|voudigde|organisaties|"
    r"sel|gingen|menteerd)\b")
_SENT_END = re.compile(r"[.!?][\"”’)]?\s+(?=[A-ZÀ-ÖØ-ÞЁ‘“\"])")
_YEAR_EXPR = re.compile(
    r"\b(?P<prep>in|eind|begin|medio|per|over|op\s+\d{1,2}\s+(?:" + _MONTHS + r"))\s+(?P<year>(?:19|20)\d\d)\b"
    r"|\b(?P<year2>(?:19|20)\d\d)\s+toen\b",
    re.IGNORECASE)
_COMPARATIVE_BEFORE = re.compile(r"(?:\bdan|\bals|\bsinds|\bvanaf|t\.o\.v\.|\bopzichte\s+van|\bten\s+opzichte\s+van"
                                 r"|\btot\s+en\s+met|\bt/m|\bvoor|\bna)\s*$", re.IGNORECASE)
_PERIOD = re.compile(r"\b((?:19|20)\d\d)\s*[-–]\s*((?:19|20)\d\d)\b")
_PERIOD_WORDS = re.compile(r"\b(?:dezelfde\s+periode|de\s+periode|afgelopen\s+(?:\w+\s+)?jaar|afgelopen\s+jaren)\b",
                           re.IGNORECASE)
_LAST_YEARS = re.compile(r"\bafgelopen\s+(\w+)\s+jaar\b", re.IGNORECASE)
_SUMMARY_HEADING = re.compile(r"^\s*(?:\d{1,2}\.?\s+)?(?:Hoofdlijn(?:en)?|Samenvatting|Managementsamenvatting)\b"
                              r"[^.]*$")
# a numbered chapter title printed as a plain line ('3 Hoofdlijn van de monitor GDI 2018')
_CHAPTER = re.compile(r"^\s*\d{1,2}(?:\.\d{1,2})*\.?\s+[A-Z][^.;:!?%]{0,80}$")
_BIJLAGE = re.compile(r"^\s*bijlage\b", re.IGNORECASE)


# --- the region of headline prose ----------------------------------------------------------------

def prose_region(lines: list[str], edition: Edition, table_lines: set[int],
                 facilities: FacilityIndex) -> list[int]:
    """The 1-based lines whose prose may carry headline figures (tables excluded)."""
    if edition.kind == "monitor-prose":
        return [i for i in range(1, len(lines) + 1) if i not in table_lines]
    if edition.kind != "monitor-tables":
        return []
    infos = [classify(t, i + 1, facilities) for i, t in enumerate(lines)]
    start = 1
    for i, info in enumerate(infos):
        if info.kind in ("heading", "text") and _SUMMARY_HEADING.match(info.text) and len(info.text.split()) <= 10:
            start = i + 1
            break
    first_table = min((n for n in table_lines if n >= start), default=len(lines) + 1)
    end = first_table
    for i in range(start, first_table - 1):  # 0-based index i is line i + 1
        info = infos[i]
        if info.kind != "heading":
            continue
        if _BIJLAGE.match(info.text) or info.facility:
            # an appendix, or the first facility section: the one the first table is printed in
            end = i + 1
            break
    return [n for n in range(start, end) if n not in table_lines]


# --- text with the line of every character -------------------------------------------------------

@dataclass
class _Text:
    text: str
    lines: list[int]

    def line_at(self, pos: int) -> int:
        return self.lines[min(pos, len(self.lines) - 1)]

    def delete(self, positions: list[int]) -> "_Text":
        drop = set(positions)
        return _Text("".join(c for k, c in enumerate(self.text) if k not in drop),
                     [n for k, n in enumerate(self.lines) if k not in drop])

    def slice(self, a: int, b: int) -> "_Text":
        return _Text(self.text[a:b], self.lines[a:b])


def _join(par: list[tuple[int, str]]) -> _Text:
    text = ""
    nums: list[int] = []
    for lineno, raw in par:
        line = normalise_spaces(raw).strip()
        if not line:
            continue
        if text:
            m = re.search(r"(\w+)-$", text)
            if m and line[:1].islower() and not any(c.isupper() for c in m.group(1)[1:]) \
                    and not m.group(1).isdigit():
                text, nums = text[:-1], nums[:-1]  # 'aan-' + 'gesloten': a word broken at the line end
            elif not text.endswith("-"):
                text += " "
                nums.append(lineno)
        text += line
        nums += [lineno] * len(line)
    t = _Text(text, nums)
    drops = [m.start(1) + len(m.group(1)) for m in _SPLIT_WORDS.finditer(t.text)]
    spaces = [m.start() for m in re.finditer(r"\s{2,}", t.text)]  # runs of spaces count as one
    extra = [p + k for p in spaces for k in range(1, len(re.match(r"\s+", t.text[p:]).group(0)))]
    return t.delete(drops + extra)


def _sentences(t: _Text) -> list[_Text]:
    out = []
    start = 0
    for m in _SENT_END.finditer(t.text):
        end = m.end()
        out.append(t.slice(start, end))
        start = end
    if start < len(t.text):
        out.append(t.slice(start, len(t.text)))
    return [s for s in out if s.text.strip()]


# --- figures ---------------------------------------------------------------------------------------

@dataclass
class _Figure:
    start: int  # where the printed figure starts (approximation word included)
    num_start: int  # where the number starts
    end: int
    raw: str
    value: Decimal | None
    unit: str
    flags: set[str] = field(default_factory=set)
    sign: str = ""
    word: bool = False  # written as a word
    scale: str = ""
    measure: str = "level"
    indicator: str = ""
    facility: str = ""
    year: int | None = None
    keep: bool = True
    referent: "_Figure | None" = None
    head: str = ""  # the counted noun printed after the number
    ambiguous: bool = False  # the sentence names several facilities together as its subject


def _find_figures(s: str) -> list[_Figure]:
    """Every number of the sentence ``s`` read as a figure, years left out."""
    figs: list[_Figure] = []
    masked = _mask_dates(s)
    for m in _CORE.finditer(masked):
        lit, word = m.group(1), m.group(2)
        a, b = m.start(), m.end()
        after = s[b:]
        before = s[:a]
        if lit and _YEAR.match(lit) and not _PCT_AFTER.match(after) and not _SCALE_AFTER.match(after):
            continue  # a year
        pct = _PCT_AFTER.match(after)
        scale = None if pct else _SCALE_AFTER.match(after)
        end = b + (pct.end() if pct else scale.end() if scale else 0)
        sign = ""
        start = a
        sm = _SIGN_BEFORE.search(before)
        if sm and lit:
            sign = "-" if sm.group(1) in "-−–" else "+"
            start = sm.start(1)
        flags: set[str] = set()
        am = _APPROX_BEFORE.search(s[:start])
        if am:
            start = am.start()
            flags.add("approx")
        elif _LOWER_BOUND_BEFORE.search(s[:start]):
            flags.add("approx")
        if lit:
            value = parse_literal(lit)
            if value is None or re.search(r"\.\d{4,}", lit):
                value = None  # '680.0000': a group of four digits is no number as printed
                flags.add("suspect")
        else:
            value = Decimal(_NUMBER_WORDS[word.lower()])
        sc = scale.group(1).lower().rstrip(".") if scale else ""
        if value is not None:
            if sc:
                value = value * SCALES[sc]
            if sign == "-":
                value = -value
            value = _normal(value)
        raw = re.sub(r"\s+", " ", s[start:end]).strip()
        if sign and raw.startswith(("+ ", "- ")):
            raw = raw[0] + raw[2:]
        figs.append(_Figure(start, a, end, raw, value, "percent" if pct else "count", flags, sign,
                            word=bool(word), scale=sc))
    return figs


def _mask_dates(s: str) -> str:
    """Dates ('31 december 2017', '31-12-2017') blanked out, keeping their year readable as a year."""
    def blank(m: re.Match) -> str:
        return " " * len(m.group(0))
    s = re.sub(r"\b\d{1,2}[-/]\d{1,2}[-/](?=\d{2,4}\b)", blank, s)
    s = re.sub(rf"\b\d{{1,2}}\s+(?=(?:{_MONTHS})\b)", blank, s, flags=re.IGNORECASE)
    return s


def _not_a_figure(s: str, figs: list[_Figure], k: int) -> bool:
    f = figs[k]
    before = s[:f.start]
    after = s[f.end:]
    if re.search(r"\b(?:nr|nummer|top|hoofdstuk|artikel|paragraaf|bijlage|figuur|tabel|versie|release|"
                 r"kamerstuk|niveau|fase)\.?\s*\(?$", before, re.IGNORECASE):
        return True
    if re.match(r"^\s*nr\.", after):
        return True
    if re.search(r"\b(?:waarvan|waaronder|daarvan|daaronder)\s+$", before, re.IGNORECASE):
        return True  # a part of the figure before it
    if _UNITS_AFTER.match(after):
        return True
    if re.match(r"^\s+of\s+(?:meer|minder|hoger|lager)\b", after, re.IGNORECASE):
        return True
    if re.search(r"\b(?:maximale?|minimale?|variatie)\s+(?:\w+\s+){0,2}(?:van|met)\s+$", before, re.IGNORECASE):
        return True
    # ranges: 'tussen de A en B', 'A tot B', 'A - B'
    if re.search(r"\btussen\s+(?:de\s+)?$", before, re.IGNORECASE) and k + 1 < len(figs) \
            and re.match(r"^\s+en\s+$", s[f.end:figs[k + 1].start]):
        return True
    if k > 0 and re.search(r"\btussen\s+(?:de\s+)?$", s[:figs[k - 1].start], re.IGNORECASE) \
            and re.match(r"^\s+en\s+$", s[figs[k - 1].end:f.start]):
        return True
    if k + 1 < len(figs) and re.match(r"^\s*(?:tot(?:\s+en\s+met)?|[-–])\s*$", s[f.end:figs[k + 1].start]):
        return True
    if k > 0 and re.match(r"^\s*(?:tot(?:\s+en\s+met)?|[-–])\s*$", s[figs[k - 1].end:f.start]):
        return True
    return False


# --- indicator -------------------------------------------------------------------------------------

_WORD = re.compile(r"[\w’'.\-/]+|[^\w\s]")


def _head_after(s: str, pos: int) -> tuple[str, str] | None:
    """('aangesloten organisaties', 'organisaties') when a counted noun follows ``pos``."""
    words = [w.strip("‘’“”\"'") for w in _WORD.findall(s[pos:pos + 90])]
    words = [w for w in words if w][:6]
    if len(words) > 1 and words[0].lower() == "van" and words[1].lower() in ("dergelijke", "deze", "zulke"):
        words = words[2:]  # '953 van dergelijke koppelingen'
    phrase: list[str] = []
    for i, w in enumerate(words):
        w = w.rstrip(".") or w
        lw = w.lower()
        if lw in ("keer", "maal"):
            for v in words[i + 1:i + 4]:
                lv = v.lower().strip(".,;")
                if lv in KEER_VERBS:
                    return KEER_VERBS[lv], lv
                if lv not in ("is", "werd", "werden", "zijn", "wordt", "er"):
                    break
            return None
        if not re.match(r"^[\w’'\-/]+$", w) or lw in _STOP and i > 0:
            return None
        phrase.append(w.rstrip("."))
        if any(lw.endswith(h) for h in HEADS):
            return " ".join(phrase), lw
        if lw in _STOP:
            return None
        if i >= 3:
            break
    return None


def _aantal_phrase(s: str, m: re.Match) -> str:
    """The counted thing of 'het aantal X': up to and including its noun ('aangesloten
    overheidsorganisaties', 'accounts op niveau Basis'); 'aantal keren dat ... werd ingelogd' ->
    'keren ingelogd'."""
    toks = [w.strip("‘’“”\"'") for w in _WORD.findall(s[m.end():m.end() + 120])]
    toks = [w for w in toks if w]
    if toks and toks[0].lower() in ("keren", "keer"):
        for w in toks[1:9]:
            if w.lower().rstrip(".") in KEER_VERBS:
                return KEER_VERBS[w.lower().rstrip(".")]
        if len(toks) > 1 and re.fullmatch(r"[a-z]+", toks[1]) and toks[1] not in _STOP:
            return "keren " + toks[1]  # 'het aantal keren inloggen'
        return ""
    words: list[str] = []
    for i, w in enumerate(toks):
        stop = w.endswith(".") and len(w) > 1
        w = w.rstrip(".") or w
        lw = w.lower()
        if not re.match(r"^[\w’'\-/]+$", w) or re.match(r"\d", w) or lw in _NUMBER_WORDS \
                or lw in _STOP and words or lw in ("met", "is", "van", "via", "aan", "dat", "in", "naar"):
            break
        words.append(w)
        if any(lw.endswith(h) for h in HEADS):
            rest = [t.rstrip(".") for t in toks[i + 1:i + 4]]
            if not stop and len(rest) == 3 and rest[0].lower() == "op" and rest[1].lower() == "niveau":
                words += rest  # 'accounts op niveau Basis'
            break
        if len(words) >= 5 or stop:
            break
    while words and words[-1].lower() in _STOP:
        words.pop()
    if words and not any(w.lower().endswith(HEADS) for w in words) and len(words) > 2:
        return ""  # no counted noun: not a phrase to trust
    return " ".join(words)


# --- facility --------------------------------------------------------------------------------------

def _subject_mentions(s: str, fx: FacilityIndex) -> tuple[list[Mention], list[Mention]]:
    """(mentions that can be the subject, generic mentions such as 'een Berichtenbox')."""
    out = []
    generic: list[Mention] = []
    for m in fx.mentions(s):
        before = s[:m.start].rstrip()
        lw = before.split()[-1].lower() if before.split() else ""
        if lw == "zonder":
            continue  # 'zonder Digimelding' is not it
        if lw == "een" or re.match(r"-\s?[a-z]", s[m.end:m.end + 3]):
            generic.append(m)  # 'met een Berichtenbox', 'eIDAS-betrouwbaarheidsniveau': not the subject itself  # 'met een Berichtenbox': any one; the subject only if nothing else is named
            continue
        if lw == "voor" and len(before.split()) > 1:
            continue  # 'machtigingen voor Mijn Overheid' qualifies the noun ('Voor DigiD ...' does not)
        if lw in ("aantal", "aangesloten"):
            continue  # 'het aantal aangesloten basisregistraties': what is counted, not who counts
        out.append(m)
    for m in re.finditer(r"[\w\-]+", s):
        code = HEAD_FACILITY.get(m.group(0).lower())
        if code and code in fx:
            out.append(Mention(code, m.start(), m.end(), m.group(0)))
    return sorted(out, key=lambda m: m.start), generic


def _specific(ms: list[Mention], fx: FacilityIndex) -> str:
    """The code of the last mention, or the more specific one of 'Lopende Zaken van MijnOverheid'."""
    last = ms[-1]
    for other in reversed(ms[:-1]):
        if fx.get(other.code).parent == last.code and last.start - other.end <= 12:
            return other.code
    return last.code


def _coordinated(s: str, ms: list[Mention]) -> bool:
    """'WOZ (...) en BGT': the last two facilities are named together."""
    distinct: list[Mention] = []
    ms = [m for m in ms if s[:m.start].count("(") <= s[:m.start].count(")")]  # not an apposition in brackets
    for m in ms:
        if not distinct or distinct[-1].code != m.code:
            distinct.append(m)
    if len(distinct) < 2:
        return False
    a, b = distinct[-2], distinct[-1]
    gap = re.sub(r"\([^)\d]*\)", "", s[a.end:b.start])
    return re.fullmatch(r"\s*(?:,|en|of)\s*(?:de|het)?\s*", gap) is not None


def _pairs(s: str, live: list[_Figure]) -> list[tuple[_Figure, _Figure]]:
    """The figures of 'van A (in 2014) naar B (in 2017)'."""
    out = []
    for f, g in zip(live, live[1:]):
        gap = s[f.end:g.start]
        if f.measure == g.measure == "level" and f.unit == g.unit and re.search(r"\bvan\s+$", s[:f.start]) \
                and re.search(r"\bnaar\b", gap) and ";" not in gap:
            out.append((f, g))
    return out


def _in_list_brackets(s: str, m: Mention, mentions: list[Mention]) -> bool:
    """'De aangesloten registraties (BAG, HR, WOZ en ...)': a name in a bracketed list of several."""
    open_ = s.rfind("(", 0, m.start)
    if open_ < 0 or s.rfind(")", 0, m.start) > open_:
        return False
    close = s.find(")", m.end)
    close = len(s) if close < 0 else close
    return len({x.code for x in mentions if open_ < x.start < close}) >= 2


def _facility_for(s: str, f: _Figure, nxt: int, mentions: list[Mention], fx: FacilityIndex,
                  running: str) -> tuple[str, bool]:
    """(facility code, ambiguous) for the figure."""
    # named right after: '13 miljoen bevragingen via DigiD Machtigen', '... van het Handelsregister'
    for m in mentions:
        if m.start < f.end or m.start > nxt:
            continue
        gap = s[f.end:m.start]
        if ";" in gap or len(gap) > 70 or re.search(r"\bbetr(?:o|e)ff?en\b|\bbetreft\b", gap):
            break
        words = [w for w in re.findall(r"[\w’']+", gap.lower()) if w not in _ARTICLES]
        if words and (words[-1] == "van" or words[-1] in _CONNECTORS
                      and not any(b.end <= f.start for b in mentions)):
            return m.code, False
        break
    before = [m for m in mentions if m.end <= f.start and not _in_list_brackets(s, m, mentions)]
    if before:
        if _coordinated(s, before):
            return "", True
        return _specific(before, fx), False
    if running:
        return running, False
    after = [m for m in mentions if m.start >= f.end]
    if after:
        return after[0].code, False
    return "", False


# --- the pass ----------------------------------------------------------------------------------------

def _paragraphs(lines: list[str], region: list[int], fx: FacilityIndex) -> list[list[tuple[int, str]]]:
    infos = {n: classify(lines[n - 1], n, fx) for n in region}
    texts = [n for n in region if infos[n].kind == "text"]
    single = sum(1 for n in texts if n + 2 <= len(lines) and not lines[n].strip() and lines[n + 1].strip())
    double_spaced = texts and single > 0.6 * len(texts)
    pars: list[list[tuple[int, str]]] = []
    cur: list[tuple[int, str]] = []
    blanks = 0
    prev = 0
    in_note = False
    for n in region:
        info = infos[n]
        if prev and n != prev + 1:
            blanks = 99  # a table or other excluded lines in between
        prev = n
        if info.kind == "blank":
            blanks += 1
            in_note = False
            continue
        if info.kind == "note":
            in_note = True
            blanks = 99
            continue
        if info.kind != "text" or _CHAPTER.match(info.text) and len(info.text.split()) <= 9:
            blanks = 99
            in_note = False
            continue
        if in_note and blanks == 0:
            # a footnote wrapped onto the next line; it ends with its sentence
            if info.text.rstrip().endswith("."):
                in_note = False
            continue
        in_note = False
        ends_sentence = bool(cur) and re.search(r"[.!?:]\s*$", cur[-1][1].rstrip()) is not None
        if cur and blanks >= 99 or cur and blanks >= (2 if double_spaced else 1) and ends_sentence:
            pars.append(cur)
            cur = []
        cur.append((n, lines[n - 1]))
        blanks = 0
    if cur:
        pars.append(cur)
    return pars


def extract_prose(name: str, lines: list[str], facilities: FacilityIndex, edition: Edition,
                  table_lines: set[int]) -> tuple[list[Observation], list[Problem]]:
    """Headline figures stated in prose (see the module docstring). Lines in ``table_lines`` are
    never read."""
    region = prose_region(lines, edition, table_lines, facilities)
    if not region:
        return [], []
    p = _Pass(name, facilities, edition)
    for par in _paragraphs(lines, region, facilities):
        p.paragraph(_join(par))
    return p.observations, p.problems


class _Pass:
    def __init__(self, name: str, fx: FacilityIndex, edition: Edition):
        self.name = name
        self.fx = fx
        self.edition = edition
        self.ref_year = edition.reference_year or edition.publication_year
        self.period: tuple[int, int] | None = None
        self.observations: list[Observation] = []
        self.problems: list[Problem] = []
        self.prev_text = ""

    def paragraph(self, t: _Text) -> None:
        running = ""
        prev_rows: list[_Figure] = []
        prev_obs: list[Observation] = []
        self.prev_text = ""
        for st in _sentences(t):
            s = st.text
            figs = _find_figures(s)
            self._note_period(s)
            all_figs = figs
            figs = [f for k, f in enumerate(figs) if not _not_a_figure(s, figs, k)]
            mentions, generic = _subject_mentions(s, self.fx)
            rows = self._sentence(s, figs, mentions, running or (generic[0].code if generic else ""),
                                  prev_rows)
            obs = [self._observation(st, s, f) for f in rows]
            self.observations += obs
            low = s.lower()
            if any(w in low for w in METHOD_WORDS):
                target = obs or (prev_obs if re.match(r"^\s*(?:dit|dat|deze)\b", low) else [])
                if target:
                    latest = max(o.year for o in target)
                    for o in target:
                        if o.year == latest and o.measure == "level":
                            o.flags.add("method_change")
            for f in all_figs:
                if "suspect" in f.flags:
                    self.problems.append(Problem(
                        self.name, st.line_at(f.num_start), "warning", "suspect_number",
                        f"{f.raw!r} in prose is not a well-formed number" + ("" if f in rows else " (not a figure row)"),
                        _note(s)))
                if f in rows or not (mentions or generic):
                    continue
                if f.ambiguous:
                    self.problems.append(Problem(
                        self.name, st.line_at(f.num_start), "info", "ambiguous_prose_figure",
                        f"a figure ({f.raw}) of several facilities named together", _note(s)))
                elif f in figs:
                    self.problems.append(Problem(
                        self.name, st.line_at(f.num_start), "info", "unplaced_prose_figure",
                        f"a figure ({f.raw}) in a sentence naming a facility, not attributed to an indicator",
                        _note(s)))
            self.prev_text = s
            if rows:
                running = rows[-1].facility
                prev_rows = rows
                prev_obs = obs
            elif mentions or generic:
                running = (mentions or generic)[0].code  # the subject comes first: 'De Stelselcatalogus bevat ... basisregistraties'

    def _note_period(self, s: str) -> None:
        m = _PERIOD.search(s)
        if m:
            self.period = (int(m.group(1)), int(m.group(2)))
            return
        lm = _LAST_YEARS.search(s)
        if lm:
            n = WORD_NUMBERS.get(lm.group(1).lower()) or (int(lm.group(1)) if lm.group(1).isdigit() else 0)
            if n and self.ref_year:
                self.period = (self.ref_year - n + 1, self.ref_year)
                return
        vn = re.search(r"\bvan\s+[^.;]*?\bin\s+((?:19|20)\d\d)\s+naar\s+[^.;]*?\bin\s+((?:19|20)\d\d)\b", s)
        if vn:
            self.period = (int(vn.group(1)), int(vn.group(2)))

    # -- one sentence --
    def _sentence(self, s: str, figs: list[_Figure], mentions: list[Mention], running: str,
                  prev_rows: list[_Figure]) -> list[_Figure]:
        n = len(figs)
        bounds = [0] + [f.end for f in figs]
        nexts = [f.start for f in figs[1:]] + [len(s)]

        def gap_before(k: int) -> str:
            return s[bounds[k]:figs[k].start]

        def gap_after(k: int) -> str:
            return s[figs[k].end:nexts[k]]

        # 1. what each figure is: growth, change in count, level
        for k, f in enumerate(figs):
            gb, ga = gap_before(k), gap_after(k)
            gb_clause = gb.rsplit(";", 1)[-1]
            ga_clause = ga.split(";", 1)[0]
            if f.unit == "percent":
                if f.sign:
                    f.measure = "change"
                    continue
                up = [(m.end(), "up") for m in _UP.finditer(gb_clause)] + \
                     [(m.end(), "down") for m in _DOWN.finditer(gb_clause)]
                upa = [(m.start(), "up") for m in _UP.finditer(ga_clause)] + \
                      [(m.start(), "down") for m in _DOWN.finditer(ga_clause)]
                cand = []
                if up:
                    pos, kind = max(up)
                    cand.append((len(gb_clause) - pos, kind))
                if upa:
                    pos, kind = min(upa)
                    cand.append((pos, kind))
                if not cand:
                    f.keep = False  # a share, not a growth figure
                    continue
                kind = min(cand)[1]
                f.measure = "change"
                if kind == "down" and f.value is not None:
                    f.value = -f.value
                continue
            if f.sign:
                f.measure = "change"
                continue
            head = _head_after(s, f.end)
            if head and "nieuwe" in head[0].lower().split():
                f.keep = False  # 'twee nieuwe netwerken': an addition, not a level
                continue
            if head:
                f.indicator = head[0]
                f.head = head[1]
            elif re.search(r"\bmet\s+$", s[:f.start]) and (
                    (_UP.search(gb_clause) or _DOWN.search(gb_clause) or _UP.match(ga_clause.strip())
                     or re.match(r"^\s*(?:gegroeid|doorgegroeid|gestegen|toegenomen|gedaald|afgenomen)", ga_clause))
                    and not re.search(r"\bgelijk|stabiel|constant", gb_clause)):
                f.measure = "change"
                continue
            if re.match(r"^\s+volledig\s+beschikbaar", s[f.end:]):
                f.indicator = "volledig beschikbare basisregistraties"
                f.facility = "basisregistraties"
            if f.word and not f.scale and not head and not f.indicator:
                # a number word on its own counts only in 'het aantal X ... is zeven' / 'op acht'
                if not (re.search(r"\b(?:is|op|bedraagt)\s+$", s[:f.start]) and _AANTAL.search(s[:f.start])):
                    f.keep = False
                    continue
            if f.word and not f.scale and re.search(r"\b(?:de|het)\s+$", s[:f.start], re.IGNORECASE):
                f.keep = False  # 'De vier grootgebruikers'
                continue

        live = [f for f in figs if f.keep]
        # 2. indicators of levels without a counted noun
        for f in live:
            if f.measure != "level" or f.indicator:
                continue
            f.indicator = self._indicator_from_clause(s, f)
        # 'van 27 miljoen in 2014 naar 75 miljoen verstuurde berichten': the pair shares its indicator
        for a, b in _pairs(s, live):
            if not a.indicator:
                a.indicator = b.indicator
        for i, f in enumerate(live):
            if f.measure != "level" or f.unit != "count":
                continue
            if not f.indicator and i > 0 and live[i - 1].indicator and live[i - 1].measure == "level" \
                    and re.search(r"\b(?:naar|zijn\s+dit|waren\s+dit|is\s+dit)\b", s[live[i - 1].end:f.start]):
                f.indicator = live[i - 1].indicator
            elif not f.indicator and i == 0 and prev_rows \
                    and re.search(r"\b(?:zijn|waren|is|was)\s+(?:dit|dat)\s+(?:er\s+)?(?:\w+\s+)?$", s[:f.start]):
                # 'In 2022 waren dat er 15 miljoen': the figure of the sentence before, another year
                lv = [g for g in prev_rows if g.measure == "level" and g.indicator]
                if lv:
                    f.indicator = lv[-1].indicator
        for f in live:
            if f.measure == "level" and not f.indicator:
                f.keep = False
        # 3. referents of growth and change figures
        clones: list[tuple[_Figure, _Figure]] = []
        for k, f in enumerate(figs):
            if not f.keep or f.measure != "change":
                continue
            ref = None
            if k + 1 < n and figs[k + 1].keep and figs[k + 1].measure == "level" and figs[k + 1].unit == "count" \
                    and re.search(r"\bnaar\b|te\s+weten", gap_after(k)) and ";" not in gap_after(k):
                ref = figs[k + 1]
            elif k + 2 < n and figs[k + 1].keep and figs[k + 2].keep and figs[k + 2].measure == "level" \
                    and re.search(r"\bvan\s+$", gap_after(k)) and re.search(r"\bnaar\b", gap_after(k + 1)) \
                    and ";" not in gap_after(k):
                ref = figs[k + 2]  # 'een toename van 25% ..., van 112 miljoen naar 143 miljoen'
            aantal_between = False
            if ref is None and k > 0 and figs[k - 1].keep and figs[k - 1].measure == "level":
                between = s[figs[k - 1].end:f.start]
                aantal_between = bool(_AANTAL.search(between))
                if not aantal_between:
                    ref = figs[k - 1]
            if ref is None and not any(g.keep and g.measure == "level" for g in figs[:k]) and prev_rows \
                    and re.match(r"^\s*(?:dit|dat|deze)\b", s, re.IGNORECASE) and not _AANTAL.search(s[:f.start]):
                lv = [g for g in prev_rows if g.measure == "level"]
                if lv:
                    ref = lv[-1]
            f.referent = ref
            if ref is not None and k > 0 and ref is figs[k - 1]:
                # 'Zowel de zeven miljoen accounts als de 44 miljoen keer ... is gegroeid met 15%': both grew
                z = re.search(r"\bzowel\b", s[:f.start], re.IGNORECASE)
                if z and re.search(r"\bals\b", s[z.end():f.start]):
                    others = [g for g in figs[:k - 1] if g.keep and g.start > z.end()]
                    if others and all(g.measure == "level" for g in others):
                        clones += [(f, dataclasses.replace(f, referent=g, flags=set(f.flags))) for g in others]
            if ref is None:
                ind = self._indicator_from_clause(s, f, growth=True)
                if not ind:
                    f.keep = False
                    continue
                f.indicator = ind
        for f, c in clones:
            figs.insert(figs.index(f), c)
        n = len(figs)
        live = [f for f in figs if f.keep]
        # 4. facility and year
        for k, f in enumerate(figs):
            if not f.keep:
                continue
            nxt = figs[k + 1].start if k + 1 < n else len(s)
            if f.referent is None and not f.facility:
                head = f.head
                code, ambiguous = _facility_for(s, f, nxt, mentions, self.fx, running)
                if head in HEAD_FACILITY:
                    code = HEAD_FACILITY[head]
                if ("terugmelding" in f.indicator.lower()) and (
                        not code or re.search(r"\brechtstreeks|\btotaal\b", s, re.IGNORECASE)):
                    code = "basisregistraties"  # reports made directly to (or summed over) the registries
                if ambiguous or not code:
                    f.keep = False
                    f.ambiguous = ambiguous
                    continue
                f.facility = code
        for a, b in _pairs(s, [f for f in figs if f.keep]):
            a.facility = b.facility  # one subject: 'van 27 miljoen in 2014 naar 75 miljoen ... aan de Berichtenbox'
        self._years(s, figs)
        for f in figs:
            if f.keep and f.referent is not None:
                r = f.referent
                if not r.keep:
                    f.keep = False
                    continue
                f.facility = r.facility
                f.indicator = r.indicator
                if f.year is None:
                    f.year = r.year
        return [f for f in figs if f.keep]

    def _indicator_from_clause(self, s: str, f: _Figure, growth: bool = False) -> str:
        before = [m for m in _AANTAL.finditer(s) if m.end() <= f.start]
        if before:
            ph = _aantal_phrase(s, before[-1])
            if ph:
                return ph
            # 'zijn twee nieuwe netwerken aangesloten, waarmee het aantal op acht uitkomt': the noun counted
            for w in reversed(_WORD.findall(s[:before[-1].start()])):
                if w.lower().endswith(HEADS):
                    return w
        clause_end = s.find(";", f.end)
        clause_end = len(s) if clause_end < 0 else clause_end
        after = [m for m in _AANTAL.finditer(s, f.end, clause_end)
                 if re.search(r"\b(?:in|van)\s+het\s+(?:totaal\s+)?$", s[:m.start()])]
        if after and growth:
            ph = _aantal_phrase(s, after[0])
            if ph:
                return ph
        if re.match(r"^\s+(?:keer|maal)\b", s[f.end:]):
            # 'Dat gebeurde bijna 117.000 keer': the verb of this or the sentence before says what
            for text in (s, self.prev_text):
                for w in re.findall(r"\w+", text):
                    if w.lower() in KEER_VERBS:
                        return KEER_VERBS[w.lower()]
        g = _GEBRUIK.search(s[:f.start])
        if g:
            return g.group(1).lower()
        if not growth:
            # the target of a change ('te weten ruim 68 miljoen', 'naar 403') or a figure in brackets after
            # a name ('Basisregistratie Personen (bijna 45.000)'): the sentence's counted noun
            lead = s[:f.start]
            if re.search(r"(?:\bnaar|\btot|te\s+weten|\bop|\(|\bis|\bmet)\s*$", lead, re.IGNORECASE):
                for w in _WORD.findall(lead):
                    lw = w.lower()
                    if any(lw.endswith(h) for h in HEADS) and lw not in ("gebruikers",):
                        return w
        return ""

    def _years(self, s: str, figs: list[_Figure]) -> None:
        live = [f for f in figs if f.keep]
        exprs: list[tuple[int, int, int]] = []  # (start, end, year)
        for m in _YEAR_EXPR.finditer(s):
            y = int(m.group("year") or m.group("year2"))
            if m.group("year2"):
                exprs.append((m.start(), m.end(), y))
                continue
            if _COMPARATIVE_BEFORE.search(s[:m.start()]) and not re.match(r"\s+toen\b", s[m.end():]):
                continue
            exprs.append((m.start(), m.end(), y))
        # each named year goes to the nearest figure of its clause
        assigned: dict[int, list[tuple[int, int]]] = {}
        for a, b, y in exprs:
            best = None
            for i, f in enumerate(live):
                lo, hi = (b, f.num_start) if b <= f.num_start else (f.end, a)
                if ";" in s[lo:hi]:
                    continue
                d = max(0, hi - lo)
                if best is None or d < best[0]:
                    best = (d, i)
            if best is not None:
                assigned.setdefault(best[1], []).append((best[0], y))
        for i, f in enumerate(live):
            if i in assigned:
                f.year = min(assigned[i])[1]
        # 'van A naar B': A is the first year of the period the sentence speaks of, else the year before B
        in_period = bool(_PERIOD_WORDS.search(s) or _PERIOD.search(s)) and self.period is not None
        for a, b in _pairs(s, live):
            if b.year is None and in_period:
                b.year = self.period[1]
            if a.year is None:
                end_year = b.year or self.ref_year
                a.year = self.period[0] if in_period else (end_year - 1 if end_year else None)
        # a growth figure and the figure it belongs to share a year named next to either
        for f in live:
            r = f.referent
            if r is not None and r.keep:
                if r.year is None and f.year is not None:
                    r.year = f.year
                elif f.year is None:
                    f.year = r.year
        for f in live:
            if f.year is None:
                f.year = self.ref_year

    def _observation(self, st: _Text, s: str, f: _Figure) -> Observation:
        fac = self.fx.get(f.facility)
        indicator = f.indicator + (" (groei)" if f.measure == "change" else "")
        return Observation(
            source=self.name, line=st.line_at(f.num_start), facility=fac.notation, facility_code=fac.code,
            indicator=indicator, indicator_code="", year=int(f.year or self.ref_year or 0), raw=f.raw,
            value=f.value, unit=f.unit, flags=set(f.flags), origin="prose", edition=self.edition.code,
            measure=f.measure, note=_note(s))


def _note(s: str) -> str:
    s = re.sub(r"\s+", " ", s).strip()
    return s if len(s) <= NOTE_MAX else s[:NOTE_MAX - 1] + "…"
