"""The year of a figure: a year named next to the number ('in 2014', 'eind 2017', 'in 2014 toen'; not
't.o.v. 2017', 'sinds 2014', 'dan in 2022'), else the period of a 'van A naar B' ('in dezelfde periode', 'de
afgelopen vier jaar': A is the first year of the period; otherwise A is the year before B), else the one
year the sentence names, else the edition's reference year."""

from __future__ import annotations

import re

from ..numbers import WORD_NUMBERS
from .figures import Figure, pairs
from .vocabulary import MONTHS

YEAR_EXPR = re.compile(
    r"\b(?P<prep>in|eind|begin|medio|per|over|op\s+\d{1,2}\s+(?:" + MONTHS + r"))\s+(?P<year>(?:19|20)\d\d)\b"
    r"|\b(?P<year2>(?:19|20)\d\d)\s+toen\b",
    re.IGNORECASE)
COMPARATIVE_BEFORE = re.compile(r"(?:\bdan|\bals|\bsinds|\bvanaf|t\.o\.v\.|\bopzichte\s+van|\bten\s+opzichte\s+van"
                                r"|\btot\s+en\s+met|\bt/m|\bvoor|\bna)\s*$", re.IGNORECASE)
PERIOD = re.compile(r"\b((?:19|20)\d\d)\s*[-–]\s*((?:19|20)\d\d)\b")
PERIOD_WORDS = re.compile(r"\b(?:dezelfde\s+periode|de\s+periode|afgelopen\s+(?:\w+\s+)?jaar|afgelopen\s+jaren)\b",
                          re.IGNORECASE)
LAST_YEARS = re.compile(r"\bafgelopen\s+(\w+)\s+jaar\b", re.IGNORECASE)


def note_period(s: str, period: tuple[int, int] | None, ref_year: int | None) -> tuple[int, int] | None:
    """The period a sentence speaks of ('2014-2017', 'de afgelopen vier jaar', 'van ... in A naar ... in B'),
    else the one of the sentences before."""
    m = PERIOD.search(s)
    if m:
        return (int(m.group(1)), int(m.group(2)))
    lm = LAST_YEARS.search(s)
    if lm:
        n = WORD_NUMBERS.get(lm.group(1).lower()) or (int(lm.group(1)) if lm.group(1).isdigit() else 0)
        if n and ref_year:
            return (ref_year - n + 1, ref_year)
    vn = re.search(r"\bvan\s+[^.;]*?\bin\s+((?:19|20)\d\d)\s+naar\s+[^.;]*?\bin\s+((?:19|20)\d\d)\b", s)
    if vn:
        return (int(vn.group(1)), int(vn.group(2)))
    return period


def assign_years(s: str, figs: list[Figure], period: tuple[int, int] | None, ref_year: int | None) -> None:
    """The year of every kept figure of the sentence ``s`` (see the package docstring)."""
    live = [f for f in figs if f.keep]
    exprs: list[tuple[int, int, int]] = []  # (start, end, year)
    for m in YEAR_EXPR.finditer(s):
        y = int(m.group("year") or m.group("year2"))
        if m.group("year2"):
            exprs.append((m.start(), m.end(), y))
            continue
        if COMPARATIVE_BEFORE.search(s[:m.start()]) and not re.match(r"\s+toen\b", s[m.end():]):
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
    in_period = bool(PERIOD_WORDS.search(s) or PERIOD.search(s)) and period is not None
    for a, b in pairs(s, live):
        if b.year is None and in_period:
            b.year = period[1]
        if a.year is None:
            end_year = b.year or ref_year
            a.year = period[0] if in_period else (end_year - 1 if end_year else None)
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
            f.year = ref_year
