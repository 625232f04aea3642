"""The layout of a report: headings, table headers, markers, notes, page furniture.

Classifies each line so the table parser knows where a table starts and ends and which facility
section it is printed in. Nothing here depends on line numbers of a particular edition: headers are
recognised by their shape (years in a row, a trailing ``%`` or a leading ``Indicator``), headings by
their numbering and the facility they name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..harmonise.facilities import FacilityIndex
from .numbers import normalise_spaces

YEAR = re.compile(r"^(?:19[89]\d|20\d\d)$")
MARKERS = {"toelichting", "visualisatie", "toekomst", "cijfers"}
_HEADING = re.compile(r"^\s*(?P<num>\d{1,2}(?:\.\d{1,2}){0,3})\.?\s+(?P<text>\S.{0,90})$")
_BIJLAGE = re.compile(r"^\s*Bijlage\s+[A-Z0-9]+\s*[:.]", re.IGNORECASE)
_FOOTER = re.compile(r"^\s*(?:Monitor [\w .]+ \d{4}(?:\s+\d+\s*/\s*\d+)?|\d+\s*/\s*\d+|pagina \d+( van \d+)?)\s*$",
                     re.IGNORECASE)
_URL = re.compile(r"^\s*(?:https?://|www\.)\S+\s*$", re.IGNORECASE)
_NOTE = re.compile(r"^\s*(?P<mark>\*{1,3}\)?|\[\d+\])\s*(?P<text>\S.*)$")
_NUMBERED_NOTE = re.compile(r"^\s*(?P<mark>\d{1,2})\s{1,3}(?P<text>[A-Z][^.]{2,}.*)$")
_CHANGE_WORDS = {"%", "verschil", "mutatie", "groei", "verandering", "δ"}


@dataclass
class Column:
    kind: str  # 'year' or 'change'
    year: int
    printed: str  # as printed in the header ('2019', '02092015', 'Verschil', '%')
    caption: str = ""  # column caption printed with it ('Opvragingen'), or its group's caption
    group: int = 0
    note: str = ""


@dataclass
class Header:
    line: int
    label: str  # text before the first year: 'DigiD', 'Indicator', 'Basisregistratie', ''
    columns: list[Column]
    strong: bool  # ends in '%' or starts with 'Indicator': certainly a table header
    captions: list[str] = field(default_factory=list)  # caption lines printed above the header
    end_line: int = 0  # for a table recognised by its rows (no years printed): its last line

    @property
    def year_columns(self) -> list[Column]:
        return [c for c in self.columns if c.kind == "year"]

    @property
    def years(self) -> list[int]:
        return [c.year for c in self.year_columns]


def _date_year(tok: str) -> tuple[int, str] | None:
    """'02092015' -> (2015, '2-9-2015'); '172015' -> (2015, '1-7-2015'); None if not a date."""
    if not tok.isdigit() or not 6 <= len(tok) <= 8:
        return None
    year = int(tok[-4:])
    if not 1990 <= year <= 2099:
        return None
    dm = tok[:-4]
    options = []
    if len(dm) == 4:
        options.append((int(dm[:2]), int(dm[2:])))
    elif len(dm) == 3:
        options += [(int(dm[:1]), int(dm[1:])), (int(dm[:2]), int(dm[2:]))]
    elif len(dm) == 2:
        options.append((int(dm[0]), int(dm[1])))
    for d, m in options:
        if 1 <= d <= 31 and 1 <= m <= 12:
            return year, f"{d}-{m}-{year}"
    return None


class _Period(str):
    """A merged 'start t/m end' header word (a type of its own: no printed word can be mistaken for it)."""

    start: str
    end: str

    def __new__(cls, start: str, end: str) -> "_Period":
        self = super().__new__(cls, f"{start} t/m {end}")
        self.start, self.end = start, end
        return self


def _merge_periods(words: list[str]) -> list[str]:
    """'Van 1102015 t/m 31122015' / 'Periode 172015 t/m 292016' -> one ``_Period`` word."""
    out: list[str] = []
    i = 0
    while i < len(words):
        w = words[i]
        if i + 2 < len(words) and words[i + 1].lower() in ("t/m", "tot", "-", "–") \
                and _date_year(w) and _date_year(words[i + 2]):
            if out and out[-1].lower() in ("van", "periode"):
                out.pop()
            out.append(_Period(w, words[i + 2]))
            i += 3
            continue
        out.append(w)
        i += 1
    return out


def parse_header(text: str, line: int) -> Header | None:
    """A table column header, or None. Years may be plain (2019), dates (02092015) or carry captions."""
    words = normalise_spaces(text).replace("%", " % ").split()
    if len(words) < 2:
        return None
    words = _merge_periods(words)
    columns: list[Column] = []
    label_words: list[str] = []
    pending_caption: list[str] = []
    group = 0
    last_year = None
    for w in words:
        if isinstance(w, _Period):
            start, end = w.start, w.end
            (year, d1), (_, d2) = _date_year(start), _date_year(end)
            if last_year is not None and year <= last_year:
                group += 1
            last_year = year
            columns.append(Column("year", year, f"{start} t/m {end}", " ".join(pending_caption), group,
                                  f"column printed as a period: {d1} t/m {d2}"))
            pending_caption = []
            continue
        if YEAR.match(w) or _date_year(w):
            if YEAR.match(w):
                year, note = int(w), ""
            else:
                year, note = _date_year(w)
                note = f"column printed as {w}: date {note}"
            if last_year is not None and year <= last_year:
                group += 1
            last_year = year
            if not columns and pending_caption and not label_words:
                label_words, pending_caption = pending_caption, []
            columns.append(Column("year", year, w, " ".join(pending_caption), group, note))
            pending_caption = []
        elif w.lower() in _CHANGE_WORDS:
            if not columns:
                return None
            columns.append(Column("change", last_year or 0, w, "", group))
        elif re.search(r"\d", w):
            return None  # another number: prose or a release calendar, not a header
        else:
            if columns:
                pending_caption.append(w)
            else:
                label_words.append(w)
    if pending_caption:
        return None  # text after the last column: not a header
    years = [c for c in columns if c.kind == "year"]
    if len(years) < 2:
        return None
    label = " ".join(label_words)
    if any(c.caption for c in years):
        # 'Basisregistratie Opvragingen 2016 Opvragingen 2017 %': captions before each year;
        # the first caption was read as part of the label
        first = years[0]
        if not first.caption and label_words:
            # the caption repeated before every later year is the last word(s) of the label
            cap = years[1].caption
            if cap and label.endswith(cap):
                first.caption = cap
                label = label[: -len(cap)].strip()
    strong = columns[-1].kind == "change" or label.lower().startswith("indicator")
    return Header(line, label, columns, strong)


@dataclass
class LineInfo:
    kind: str  # blank | heading | header | marker | note | footer | url | text
    text: str
    facility: str = ""  # for headings: the facility the heading names
    header: Header | None = None
    note_mark: str = ""
    note_text: str = ""
    more_notes: list[tuple[str, str]] = field(default_factory=list)  # further '** text' on the same line
    number: str = ""  # for headings: '5', '5.1', '6.1.1'


def classify(text: str, lineno: int, facilities: FacilityIndex) -> LineInfo:
    t = normalise_spaces(text).strip()
    if not t:
        return LineInfo("blank", t)
    if _FOOTER.match(t):
        return LineInfo("footer", t)
    if _URL.match(t):
        return LineInfo("url", t)
    low = t.lower()
    if low in MARKERS or any(low.endswith(" " + m) for m in ("visualisatie", "toelichting", "toekomst")):
        return LineInfo("marker", t)
    if low.startswith("toelichting") and len(t.split()) <= 6:
        return LineInfo("marker", t)
    if low.startswith("product beschikbare versie"):
        return LineInfo("marker", t)  # a release calendar ('toekomst') starts
    m = _NOTE.match(t)
    if m and not re.match(r"^\*+\s*$", t):
        mark = m.group("mark").rstrip(")")
        parts = re.split(r"\s+(?=\*{1,3}\)?\s)", m.group("text"))
        more = []
        for part in parts[1:]:
            pm = _NOTE.match(part)
            if pm:
                more.append((pm.group("mark").rstrip(")"), pm.group("text")))
        return LineInfo("note", t, note_mark=mark, note_text=parts[0], more_notes=more)
    if _BIJLAGE.match(t):
        return LineInfo("heading", t)
    h = parse_header(t, lineno)
    if h is not None:
        return LineInfo("header", t, header=h)
    m = _HEADING.match(t)
    if m:
        body = m.group("text").strip()
        ends_in_figure = re.search(r"(?:\d[.,]\d{3}|\d{5,}|%)\s*$", body) is not None
        if not ends_in_figure and (not body.endswith((".", ",", ";")) or len(body.split()) <= 4):
            fac = heading_facility(body, facilities)
            if fac:
                return LineInfo("heading", t, facility=fac, number=m.group("num"))
            words = body.split()
            if 1 <= len(words) <= 6 and body[:1].isupper() and not body.endswith((".", ",", ";", ":")) \
                    and "." in t[: t.index(body)]:
                # a numbered heading naming no known facility: a sub-section, or a new facility
                return LineInfo("heading", t, facility="", number=m.group("num"))
    m = _NUMBERED_NOTE.match(t)
    if m:
        body = m.group("text")
        if body.rstrip().endswith(".") or ":" in body[:20] or len(body.split()) >= 8:
            return LineInfo("note", t, note_mark=m.group("mark"), note_text=body)
    return LineInfo("text", t)


def heading_facility(body: str, facilities: FacilityIndex) -> str | None:
    """The facility a heading names ('1.2 Handelsregister (HR)', '2. Digikopppeling')."""
    body = body.strip()
    if len(body.split()) > 10:
        return None
    lead = facilities.leading(body, max_offset=2)
    if lead:
        # 'DigiD en DigiD Machtigen' -> DigiD; 'eFactureren/SBR/Digipoort' -> eFactureren
        return lead.code
    core = re.sub(r"\(.*?\)", "", body).strip(" :")
    return facilities.exact(core) or facilities.fuzzy(core)
