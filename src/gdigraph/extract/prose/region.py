"""Where the headline prose is: the lines a report's prose pass reads, and their paragraphs."""

from __future__ import annotations

import re

from ...harmonise.facilities import FacilityIndex
from ...sources.manifest import Edition
from ..layout import classify

_SUMMARY_HEADING = re.compile(r"^\s*(?:\d{1,2}\.?\s+)?(?:Hoofdlijn(?:en)?|Samenvatting|Managementsamenvatting)\b"
                              r"[^.]*$")
# a numbered chapter title printed as a plain line ('3 Hoofdlijn van de monitor GDI 2018')
CHAPTER = re.compile(r"^\s*\d{1,2}(?:\.\d{1,2})*\.?\s+[A-Z][^.;:!?%]{0,80}$")
_BIJLAGE = re.compile(r"^\s*bijlage\b", re.IGNORECASE)


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


def paragraphs(lines: list[str], region: list[int], fx: FacilityIndex) -> list[list[tuple[int, str]]]:
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
        if info.kind != "text" or CHAPTER.match(info.text) and len(info.text.split()) <= 9:
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
