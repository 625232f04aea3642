"""Which facility a figure belongs to: the facility named right after it, else the nearest one named before
it in the sentence (the more specific of 'Lopende Zaken van MijnOverheid'), else the running subject of the
paragraph; names that only qualify a noun are no subject, and two facilities named together leave the
figure unplaced."""

from __future__ import annotations

import re

from ...harmonise.facilities import FacilityIndex, Mention
from .figures import Figure
from .vocabulary import ARTICLES, CONNECTORS, HEAD_FACILITY

def subject_mentions(s: str, fx: FacilityIndex) -> tuple[list[Mention], list[Mention]]:
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


def specific(ms: list[Mention], fx: FacilityIndex) -> str:
    """The code of the last mention, or the more specific one of 'Lopende Zaken van MijnOverheid'."""
    last = ms[-1]
    for other in reversed(ms[:-1]):
        if fx.get(other.code).parent == last.code and last.start - other.end <= 12:
            return other.code
    return last.code


def coordinated(s: str, ms: list[Mention]) -> bool:
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


def in_list_brackets(s: str, m: Mention, mentions: list[Mention]) -> bool:
    """'De aangesloten registraties (BAG, HR, WOZ en ...)': a name in a bracketed list of several."""
    open_ = s.rfind("(", 0, m.start)
    if open_ < 0 or s.rfind(")", 0, m.start) > open_:
        return False
    close = s.find(")", m.end)
    close = len(s) if close < 0 else close
    return len({x.code for x in mentions if open_ < x.start < close}) >= 2


def facility_for(s: str, f: Figure, nxt: int, mentions: list[Mention], fx: FacilityIndex,
                 running: str) -> tuple[str, bool]:
    """(facility code, ambiguous) for the figure."""
    # named right after: '13 miljoen bevragingen via DigiD Machtigen', '... van het Handelsregister'
    for m in mentions:
        if m.start < f.end or m.start > nxt:
            continue
        gap = s[f.end:m.start]
        if ";" in gap or len(gap) > 70 or re.search(r"\bbetr(?:o|e)ff?en\b|\bbetreft\b", gap):
            break
        words = [w for w in re.findall(r"[\w’']+", gap.lower()) if w not in ARTICLES]
        if words and (words[-1] == "van" or words[-1] in CONNECTORS
                      and not any(b.end <= f.start for b in mentions)):
            return m.code, False
        break
    before = [m for m in mentions if m.end <= f.start and not in_list_brackets(s, m, mentions)]
    if before:
        if coordinated(s, before):
            return "", True
        return specific(before, fx), False
    if running:
        return running, False
    after = [m for m in mentions if m.start >= f.end]
    if after:
        return after[0].code, False
    return "", False
