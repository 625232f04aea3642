"""Figures: every number of a sentence read as a printed figure (approximation word, sign, percent, scale
word), and the rules for numbers that are no figure (years, dates, ranges, bounds, durations)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from ..numbers import SCALES, _normal, parse_literal
from .vocabulary import MONTHS, NUMBER_WORDS

_WORDS_ALT = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
_CORE = re.compile(rf"(?<![\w.,/])(\d+(?:[.,]\d+)*)(?![\w/]|[.,]\d)|\b({_WORDS_ALT})\b", re.IGNORECASE)
_SCALE_AFTER = re.compile(r"^\s+(miljoen|miljard|mln\.?|mld|mrd|mlrd|duizend)\b", re.IGNORECASE)
_PCT_AFTER = re.compile(r"^(?:\s?%|\s+procent\b)", re.IGNORECASE)
_SIGN_BEFORE = re.compile(r"(?:(?<=\()|(?<=\s)|^)([+\-−–])\s?$")
_APPROX_BEFORE = re.compile(
    r"(?:\b(?:iets\s+)?meer\s+dan|\bminder\s+dan|\bruim|\bbijna|\bcirca|\bca\.|\bongeveer|\bzo[’']n"
    r"|\been\s+kleine|\bkleine|\bboven\s+de|\bafgerond|\bnagenoeg)\s+$", re.IGNORECASE)
_LOWER_BOUND_BEFORE = re.compile(r"\boverstijgt\s+(?:\w+\s+)?de\s+$", re.IGNORECASE)
_YEAR = re.compile(r"^(?:19|20)\d\d$")
_UNITS_AFTER = re.compile(r"^\s+(?:weken|week|dagen|dag|maanden|maand|jaar|jaren|uur|minuten|seconden|"
                          r"werkdagen|procentpunt(?:en)?)\b", re.IGNORECASE)


@dataclass
class Figure:
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
    referent: "Figure | None" = None
    head: str = ""  # the counted noun printed after the number
    ambiguous: bool = False  # the sentence names several facilities together as its subject
    breakdown: str = ""  # the sender of the messages counted, when the sentence names it as its subject


def find_figures(s: str) -> list[Figure]:
    """Every number of the sentence ``s`` read as a figure, years left out."""
    figs: list[Figure] = []
    masked = mask_dates(s)
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
            value = Decimal(NUMBER_WORDS[word.lower()])
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
        figs.append(Figure(start, a, end, raw, value, "percent" if pct else "count", flags, sign,
                           word=bool(word), scale=sc))
    return figs


def mask_dates(s: str) -> str:
    """Dates ('31 december 2017', '31-12-2017') blanked out, keeping their year readable as a year."""
    def blank(m: re.Match) -> str:
        return " " * len(m.group(0))
    s = re.sub(r"\b\d{1,2}[-/]\d{1,2}[-/](?=\d{2,4}\b)", blank, s)
    s = re.sub(rf"\b\d{{1,2}}\s+(?=(?:{MONTHS})\b)", blank, s, flags=re.IGNORECASE)
    return s


def not_a_figure(s: str, figs: list[Figure], k: int) -> bool:
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


def pairs(s: str, live: list[Figure]) -> list[tuple[Figure, Figure]]:
    """The figures of 'van A (in 2014) naar B (in 2017)'."""
    out = []
    for f, g in zip(live, live[1:]):
        gap = s[f.end:g.start]
        if f.measure == g.measure == "level" and f.unit == g.unit and re.search(r"\bvan\s+$", s[:f.start]) \
                and re.search(r"\bnaar\b", gap) and ";" not in gap:
            out.append((f, g))
    return out
