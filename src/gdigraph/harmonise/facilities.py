"""The facility code list (``data/codelists/facilities.csv``) and finding facilities named in text."""

from __future__ import annotations

import csv
import difflib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..settings import get_settings


@dataclass(frozen=True)
class Facility:
    code: str
    notation: str
    kind: str  # voorziening | basisregistratie | stelselvoorziening
    domain: str
    parent: str
    label_nl: str
    label_en: str
    aliases: tuple[str, ...]
    umbrella: bool = False  # stands for a family (the Stelsel van Basisregistraties), not one facility


@dataclass(frozen=True)
class Mention:
    code: str
    start: int
    end: int
    alias: str


class FacilityIndex:
    def __init__(self, facilities: list[Facility]):
        self.facilities = {f.code: f for f in facilities}
        pairs: list[tuple[str, str]] = []
        for f in facilities:
            names = set(f.aliases) | {f.label_nl, f.notation}
            for a in names:
                if a:
                    pairs.append((a, f.code))
        # longest alias first, so 'Berichtenbox voor bedrijven' wins over 'Berichtenbox'
        pairs.sort(key=lambda p: (-len(p[0]), p[0]))
        self._aliases = pairs
        alt = "|".join(re.escape(a) for a, _ in pairs)
        self._re = re.compile(rf"(?<![\w])(?:{alt})(?![\w])", re.IGNORECASE)
        self._by_lower = {}
        for a, c in pairs:
            self._by_lower.setdefault(a.lower(), c)
        # aliases of two or three capitals (HR, BAG, BRP) only match in capitals
        self._case_sensitive = {a.lower() for a, _ in pairs if a.isupper() and len(a) <= 4}

    def get(self, code: str) -> Facility:
        return self.facilities[code]

    def __contains__(self, code: str) -> bool:
        return code in self.facilities

    def mentions(self, text: str) -> list[Mention]:
        out = []
        for m in self._re.finditer(text):
            found = m.group(0)
            low = found.lower()
            if low in self._case_sensitive and found != found.upper():
                continue
            out.append(Mention(self._by_lower[low], m.start(), m.end(), found))
        return out

    def exact(self, text: str) -> str | None:
        """The facility whose alias is the whole of ``text`` (ignoring case and a trailing mark)."""
        t = re.sub(r"[\s*:]+$", "", text.strip()).lower()
        code = self._by_lower.get(t)
        if code and t in self._case_sensitive and text.strip().rstrip("*: ") != text.strip().rstrip("*: ").upper():
            return None
        return code

    def leading(self, text: str, max_offset: int = 0) -> Mention | None:
        """A facility named at the start of ``text`` (within ``max_offset`` characters)."""
        for m in self.mentions(text):
            if m.start <= max_offset:
                return m
            break
        return None

    def fuzzy(self, text: str, cutoff: float = 0.86) -> str | None:
        """A facility whose alias is spelled nearly like ``text`` (typos such as 'Digikopppeling')."""
        t = text.strip().lower()
        hit = difflib.get_close_matches(t, list(self._by_lower), n=1, cutoff=cutoff)
        return self._by_lower[hit[0]] if hit else None


def load_facilities(path: Path) -> list[Facility]:
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    out = []
    for r in rows:
        aliases = tuple(a.strip() for a in r.get("aliases", "").split(";") if a.strip())
        out.append(Facility(r["code"], r["notation"], r["kind"], r["domain"], r.get("parent", ""),
                            r["label_nl"], r["label_en"], aliases, r.get("umbrella", "") == "yes"))
    return out


@lru_cache(maxsize=8)
def _cached(path: str, mtime: float) -> FacilityIndex:
    return FacilityIndex(load_facilities(Path(path)))


def facility_index(codelists_dir: Path | None = None) -> FacilityIndex:
    d = codelists_dir or get_settings().codelists_dir
    p = d / "facilities.csv"
    return _cached(str(p), p.stat().st_mtime)
