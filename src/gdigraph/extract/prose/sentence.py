"""The prose pass over the paragraphs of a report: per sentence, what each figure is (level or growth),
its counted phrase, the figure a growth figure belongs to, its facility and year; one observation per
figure kept, and the problems of the figures left out."""

from __future__ import annotations

import dataclasses
import re

from ...harmonise.facilities import FacilityIndex, Mention
from ...records import Observation, Problem
from ...sources.manifest import Edition
from ..toelichting import METHOD_WORDS
from .facility import facility_for, subject_mentions
from .figures import Figure, find_figures, not_a_figure, pairs
from .phrases import Phrase, head_after, indicator_from_clause
from .qualifiers import qualify, sender
from .text import Text, sentences
from .vocabulary import AANTAL, DOWN, HEAD_FACILITY, UP
from .years import assign_years, note_period

NOTE_MAX = 200


class ProsePass:
    def __init__(self, name: str, fx: FacilityIndex, edition: Edition, senders: dict[str, str] | None = None):
        self.name = name
        self.fx = fx
        self.senders = senders or {}
        self.edition = edition
        self.ref_year = edition.reference_year or edition.publication_year
        self.period: tuple[int, int] | None = None
        self.observations: list[Observation] = []
        self.problems: list[Problem] = []
        self.prev_text = ""

    def paragraph(self, t: Text) -> None:
        running = ""
        prev_rows: list[Figure] = []
        prev_obs: list[Observation] = []
        self.prev_text = ""
        for st in sentences(t):
            s = st.text
            figs = find_figures(s)
            self.period = note_period(s, self.period, self.ref_year)
            all_figs = figs
            figs = [f for k, f in enumerate(figs) if not not_a_figure(s, figs, k)]
            mentions, generic = subject_mentions(s, self.fx)
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
                        note_text(s)))
                if f in rows or not (mentions or generic):
                    continue
                if f.ambiguous:
                    self.problems.append(Problem(
                        self.name, st.line_at(f.num_start), "info", "ambiguous_prose_figure",
                        f"a figure ({f.raw}) of several facilities named together", note_text(s)))
                elif f in figs:
                    self.problems.append(Problem(
                        self.name, st.line_at(f.num_start), "info", "unplaced_prose_figure",
                        f"a figure ({f.raw}) in a sentence naming a facility, not attributed to an indicator",
                        note_text(s)))
            self.prev_text = s
            if rows:
                running = rows[-1].facility
                prev_rows = rows
                prev_obs = obs
            elif mentions or generic:
                running = (mentions or generic)[0].code  # the subject comes first: 'De Stelselcatalogus bevat ... basisregistraties'

    # -- one sentence --
    def _sentence(self, s: str, figs: list[Figure], mentions: list[Mention], running: str,
                  prev_rows: list[Figure]) -> list[Figure]:
        n = len(figs)
        every = self.fx.mentions(s)  # also the names that only qualify a noun ('voor Mijn Overheid')
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
                up = [(m.end(), "up") for m in UP.finditer(gb_clause)] + \
                     [(m.end(), "down") for m in DOWN.finditer(gb_clause)]
                upa = [(m.start(), "up") for m in UP.finditer(ga_clause)] + \
                      [(m.start(), "down") for m in DOWN.finditer(ga_clause)]
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
            head = head_after(s, f.end)
            if head and "nieuwe" in head[0].lower().split():
                f.keep = False  # 'twee nieuwe netwerken': an addition, not a level
                continue
            if head:
                f.indicator = qualify(s, f.start, Phrase(head[0], f.end, head[2]), self.fx, every)
                f.head = head[1]
                if head[1].endswith("berichten"):
                    f.breakdown = sender(s, f.start, self.senders)
            elif re.search(r"\bmet\s+$", s[:f.start]) and (
                    (UP.search(gb_clause) or DOWN.search(gb_clause) or UP.match(ga_clause.strip())
                     or re.match(r"^\s*(?:gegroeid|doorgegroeid|gestegen|toegenomen|gedaald|afgenomen)", ga_clause))
                    and not re.search(r"\bgelijk|stabiel|constant", gb_clause)):
                f.measure = "change"
                continue
            if re.match(r"^\s+volledig\s+beschikbaar", s[f.end:]):
                f.indicator = "volledig beschikbare basisregistraties"
                f.facility = "basisregistraties"
            if f.word and not f.scale and not head and not f.indicator:
                # a number word on its own counts only in 'het aantal X ... is zeven' / 'op acht'
                if not (re.search(r"\b(?:is|op|bedraagt)\s+$", s[:f.start]) and AANTAL.search(s[:f.start])):
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
            f.indicator = qualify(s, f.start, indicator_from_clause(s, f, self.prev_text), self.fx, every)
        # 'van 27 miljoen in 2014 naar 75 miljoen verstuurde berichten': the pair shares its indicator
        for a, b in pairs(s, live):
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
        clones: list[tuple[Figure, Figure]] = []
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
                aantal_between = bool(AANTAL.search(between))
                if not aantal_between:
                    ref = figs[k - 1]
            if ref is None and not any(g.keep and g.measure == "level" for g in figs[:k]) and prev_rows \
                    and re.match(r"^\s*(?:dit|dat|deze)\b", s, re.IGNORECASE) and not AANTAL.search(s[:f.start]):
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
                ind = qualify(s, f.start, indicator_from_clause(s, f, self.prev_text, growth=True), self.fx, every)
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
                code, ambiguous = facility_for(s, f, nxt, mentions, self.fx, running)
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
        for a, b in pairs(s, [f for f in figs if f.keep]):
            a.facility = b.facility  # one subject: 'van 27 miljoen in 2014 naar 75 miljoen ... aan de Berichtenbox'
        assign_years(s, figs, self.period, self.ref_year)
        for f in figs:
            if f.keep and f.referent is not None:
                r = f.referent
                if not r.keep:
                    f.keep = False
                    continue
                f.facility = r.facility
                f.indicator = r.indicator
                f.breakdown = r.breakdown
                if f.year is None:
                    f.year = r.year
        return [f for f in figs if f.keep]

    def _observation(self, st: Text, s: str, f: Figure) -> Observation:
        fac = self.fx.get(f.facility)
        indicator = f.indicator + (" (groei)" if f.measure == "change" else "")
        return Observation(
            source=self.name, line=st.line_at(f.num_start), facility=fac.notation, facility_code=fac.code,
            indicator=indicator, indicator_code="", year=int(f.year or self.ref_year or 0), raw=f.raw,
            value=f.value, unit=f.unit, flags=set(f.flags), origin="prose", edition=self.edition.code,
            breakdown=f.breakdown, measure=f.measure, note=note_text(s))


def note_text(s: str) -> str:
    s = re.sub(r"\s+", " ", s).strip()
    return s if len(s) <= NOTE_MAX else s[:NOTE_MAX - 1] + "…"
