"""Harmonised indicators: map printed labels of every edition onto stable indicator codes.

The code list is data: ``data/codelists/indicators.csv`` (one row per harmonised indicator) and
``data/codelists/indicator_labels.csv`` (printed label per facility -> code). A label the list does not
know is matched to a known label of the same facility when they are nearly identical (a typo, a
re-wrapped line: reported as info); otherwise it keeps an empty ``indicator_code`` and is reported,
never dropped. The printed year-on-year change of an indicator in percent gets the code
``<code>.verandering``; a change in the indicator's own unit ('met 12 gegroeid naar 61') the code
``<code>.toename`` when ``indicators.csv`` has it (otherwise it is reported unmapped).
"""

from __future__ import annotations

import csv
import difflib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..records import Observation, Problem
from ..settings import get_settings

CHANGE_SUFFIX = " (verandering t.o.v. vorig jaar)"
CHANGE_CODE = ".verandering"
# a printed change in the indicator's own unit (an increase of 12 organisations), where the list has it
INCREASE_CODE = ".toename"
# how the extractor marks a printed change: a table's %-column, a growth figure in prose
CHANGE_SUFFIXES = (CHANGE_SUFFIX, " (groei)")
NEAR_MATCH = 0.92


@dataclass(frozen=True)
class Indicator:
    code: str
    facility: str
    label_nl: str
    label_en: str
    unit: str
    aspect: str = ""
    definition_nl: str = ""
    notation: str = ""
    broader: str = ""
    note: str = ""


def normalise_label(label: str) -> str:
    s = label.replace("\u202f", " ").replace("\u00a0", " ")
    s = s.replace("’", "'").replace("‘", "'").replace("–", "-").replace("—", "-")
    s = re.sub(r"\*+", "", s)
    s = re.sub(r"\s+", " ", s).strip().lower()
    return s


class CodeList:
    """Printed labels -> codes. Labels of prose figures (rows whose match_note starts with 'prose:')
    are kept apart: a phrase of running text is only ever mapped by a mapping made for prose, never
    by a table label that happens to read the same ('terugmeldingen' as a column caption means
    'outside Digimelding'; in a sentence it may mean all of them).

    A prose phrase mapped once holds in every edition. A phrase that the editions use for different
    quantities ('bezoekers' of Ondernemersplein: the unique visitors in the 2019 letter, the visits in the
    2024 monitor) has one row per meaning, each with the editions it holds for: it is then looked up
    with the figure's edition, and stays unmapped in an edition none of its rows lists."""

    def __init__(self, indicators: list[Indicator], labels: dict[tuple[str, str], str],
                 prose_labels: dict[tuple[str, str], str | list[tuple[frozenset[str], str]]] | None = None):
        self.indicators = {i.code: i for i in indicators}
        self.labels = {(f, normalise_label(lb)): c for (f, lb), c in labels.items()}
        # (facility, phrase) -> [(editions, code)]; a plain code holds for every edition
        self.prose_labels: dict[tuple[str, str], list[tuple[frozenset[str], str]]] = {}
        for (f, lb), c in (prose_labels or {}).items():
            entries = [(frozenset(), c)] if isinstance(c, str) else list(c)
            self.prose_labels.setdefault((f, normalise_label(lb)), []).extend(entries)
        self._by_facility: dict[str, list[tuple[str, str]]] = {}
        for (f, lb), c in self.labels.items():
            self._by_facility.setdefault(f, []).append((lb, c))

    def lookup(self, facility: str, label: str, prose: bool = False, edition: str = "") -> tuple[str, str]:
        """(code, how) with how 'exact', 'near' or '' (not found); ``edition`` is used for prose phrases
        that mean different things in different editions."""
        n = normalise_label(label)
        if prose:
            entries = self.prose_labels.get((facility, n), [])
            if len({c for _, c in entries}) == 1:
                return entries[0][1], "exact"
            code = next((c for eds, c in entries if edition in eds), "")
            return (code, "exact") if code else ("", "")
        code = self.labels.get((facility, n))
        if code:
            return code, "exact"
        cands = self._by_facility.get(facility, [])
        best = max(cands, key=lambda lc: difflib.SequenceMatcher(None, n, lc[0]).ratio(), default=None)
        if best and difflib.SequenceMatcher(None, n, best[0]).ratio() >= NEAR_MATCH:
            return best[1], "near"
        return "", ""


def load_codelist(codelists_dir: Path | None = None) -> CodeList:
    d = codelists_dir or get_settings().codelists_dir
    ip, lp = d / "indicators.csv", d / "indicator_labels.csv"
    key = (str(ip), ip.stat().st_mtime if ip.exists() else 0, str(lp), lp.stat().st_mtime if lp.exists() else 0)
    return _load(*key)


@lru_cache(maxsize=4)
def _load(ip: str, im: float, lp: str, lm: float) -> CodeList:
    indicators: list[Indicator] = []
    labels: dict[tuple[str, str], str] = {}
    prose: dict[tuple[str, str], list[tuple[frozenset[str], str]]] = {}
    if Path(ip).exists():
        with open(ip, newline="", encoding="utf-8") as f:
            for r in csv.DictReader(f):
                indicators.append(Indicator(r["code"], r["facility"], r["label_nl"], r.get("label_en", ""),
                                            r.get("unit", "count"), r.get("aspect", ""), r.get("definition_nl", ""),
                                            r.get("notation", ""), r.get("broader", ""), r.get("note", "")))
    if Path(lp).exists():
        with open(lp, newline="", encoding="utf-8") as f:
            for r in csv.DictReader(f):
                if r.get("match_note", "").startswith("prose:"):
                    editions = frozenset(e for e in r.get("editions", "").split(";") if e)
                    prose.setdefault((r["facility"], r["label"]), []).append((editions, r["code"]))
                else:
                    labels[(r["facility"], r["label"])] = r["code"]
    return CodeList(indicators, labels, prose)


def harmonise(observations: list[Observation], codelist: CodeList | None = None) -> list[Problem]:
    """Fill ``indicator_code`` of each observation; return what could not be mapped (once per label)."""
    cl = codelist or load_codelist()
    problems: list[Problem] = []
    reported: set[tuple[str, str, str]] = set()
    for o in observations:
        if o.indicator_code:
            continue
        label = o.indicator
        change = o.measure == "change"
        for suffix in CHANGE_SUFFIXES:
            if label.endswith(suffix):
                label = label[: -len(suffix)]
                break
        code, how = cl.lookup(o.facility_code, label, prose=o.origin == "prose", edition=o.edition)
        if code and change and o.unit != "percent":
            # a change in the indicator's own unit ('met 12 gegroeid'): not the percentage the
            # '.verandering' twin stands for, but the indicator's own '<code>.toename' where the list has one
            if code + INCREASE_CODE not in cl.indicators:
                key = (o.source, o.facility_code, label + INCREASE_CODE)
                if key not in reported:
                    reported.add(key)
                    problems.append(Problem(o.source, o.label_line or o.line, "warning", "unmapped_label",
                                            f"a change in {o.unit or 'counts'}, not in percent: the code list has no "
                                            f"{code}{INCREASE_CODE} (add it to indicators.csv)", o.indicator))
                continue
            o.indicator_code = code + INCREASE_CODE
            continue
        if code:
            o.indicator_code = code + (CHANGE_CODE if change else "")
            if how == "near" and (o.source, o.facility_code, label) not in reported:
                reported.add((o.source, o.facility_code, label))
                problems.append(Problem(o.source, o.label_line or o.line, "info", "near_label",
                                        f"label mapped to {code} by a near match", label))
            continue
        key = (o.source, o.facility_code, label)
        if key not in reported:
            reported.add(key)
            problems.append(Problem(o.source, o.label_line or o.line, "warning", "unmapped_label",
                                    f"indicator label not in the code list for facility {o.facility_code or '?'}; "
                                    f"emitted without indicator_code", label))
    return problems
