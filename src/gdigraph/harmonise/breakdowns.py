"""The breakdown code list (``data/codelists/breakdowns.csv``): printed row labels of tables split by
sender, source or kind of organisation -> stable codes. An empty breakdown is ``totaal``."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from ..settings import get_settings
from .indicators import normalise_label

TOTAL = "totaal"


@dataclass(frozen=True)
class Breakdown:
    code: str
    label_nl: str
    label_en: str
    kind: str


class Breakdowns:
    def __init__(self, items: list[Breakdown], aliases: dict[str, str]):
        self.items = {b.code: b for b in items}
        self.printed = dict(aliases)
        self.aliases = {normalise_label(a): c for a, c in aliases.items()}

    def names(self, kind: str) -> dict[str, str]:
        """Every printed name of the breakdowns of one kind ('afzender') -> the breakdown's label."""
        return {a: self.items[c].label_nl for a, c in self.printed.items() if c in self.items
                and self.items[c].kind == kind}

    def code(self, printed: str) -> str | None:
        """The code of a printed breakdown; '' -> 'totaal'; None when unknown."""
        if not printed.strip():
            return TOTAL
        return self.aliases.get(normalise_label(printed))


def load_breakdowns(codelists_dir: Path | None = None) -> Breakdowns:
    d = codelists_dir or get_settings().codelists_dir
    items: list[Breakdown] = []
    aliases: dict[str, str] = {}
    path = d / "breakdowns.csv"
    if path.exists():
        with open(path, newline="", encoding="utf-8") as f:
            for r in csv.DictReader(f):
                items.append(Breakdown(r["code"], r["label_nl"], r["label_en"], r.get("kind", "")))
                aliases[r["label_nl"]] = r["code"]
                for a in r.get("aliases", "").split(";"):
                    if a.strip():
                        aliases[a.strip()] = r["code"]
    return Breakdowns(items, aliases)
