"""The editions manifest (``data/sources/editions.csv``), and reading an edition from its own text.

Each bundled document has a row: file, edition code, title, kind, publisher, publication year,
reference date (peildatum) and the years its figures cover. A report that is not in the manifest is
still ingested: its edition is read from its own text (title, peildatum, the years in its table
headers), with a warning saying so.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..records import Problem

KINDS = ("monitor-tables", "monitor-prose", "policy-response", "ombudsman-report")
MANIFEST_COLUMNS = ["file", "edition", "title", "kind", "publisher", "publication_year", "reference_date",
                    "years_covered", "description"]

_MONTHS = {m: i + 1 for i, m in enumerate(
    "januari februari maart april mei juni juli augustus september oktober november december".split())}


class ManifestError(ValueError):
    pass


@dataclass(frozen=True)
class Edition:
    file: str
    code: str
    title: str
    kind: str
    publisher: str
    publication_year: int
    reference_date: date | None
    years: tuple[int, ...]
    description: str = ""
    inferred: bool = False  # read from the document's own text, not from the manifest
    publisher_codes: tuple[str, ...] = ()  # organisation codes (data/reference/organisations.csv)

    @property
    def reference_year(self) -> int | None:
        return self.reference_date.year if self.reference_date else None

    @property
    def is_monitor(self) -> bool:
        return self.kind.startswith("monitor")


@dataclass
class Manifest:
    path: Path
    editions: dict[str, Edition] = field(default_factory=dict)  # by file name

    def get(self, file_name: str) -> Edition | None:
        return self.editions.get(file_name)

    def __iter__(self):
        return iter(sorted(self.editions.values(), key=lambda e: e.file))


def load_manifest(path: Path) -> Manifest:
    man = Manifest(path)
    if not path.exists():
        return man
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        missing = [c for c in MANIFEST_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ManifestError(f"{path.name}:1: missing columns {', '.join(missing)}")
        codes: set[str] = set()
        for lineno, r in enumerate(reader, start=2):
            try:
                ed = Edition(
                    file=r["file"], code=r["edition"], title=r["title"], kind=r["kind"],
                    publisher=r["publisher"], publication_year=int(r["publication_year"]),
                    reference_date=date.fromisoformat(r["reference_date"]) if r["reference_date"] else None,
                    years=tuple(int(y) for y in r["years_covered"].split(";") if y.strip()),
                    description=r.get("description", ""),
                    publisher_codes=tuple(c for c in r.get("publisher_code", "").split(";") if c),
                )
            except (ValueError, KeyError) as e:
                raise ManifestError(f"{path.name}:{lineno}: {e}") from e
            if ed.kind not in KINDS:
                raise ManifestError(f"{path.name}:{lineno}: unknown kind {ed.kind!r} (known: {', '.join(KINDS)})")
            if ed.code in codes:
                raise ManifestError(f"{path.name}:{lineno}: edition code {ed.code!r} used twice")
            codes.add(ed.code)
            man.editions[ed.file] = ed
    return man


def infer_edition(name: str, lines: list[str]) -> tuple[Edition, list[Problem]]:
    """An edition read from the report's own text: its title (the first 'Monitor ... YYYY' line),
    its reference date ('peildatum 31 december 2023', 'peildata 31 december 2022 en 31 december 2023',
    'peilmoment 31 december 2017', '31-12-2017') and the years of its table headers."""
    from ..extract.layout import parse_header

    problems: list[Problem] = []
    text = "\n".join(lines[:400])
    title = ""
    year = None
    for ln, line in enumerate(lines[:200], start=1):
        m = re.search(r"(Monitor\s+(?:GDI|Digitale Overheid|Generieke Digitale Infrastructuur)\s+((?:19|20)\d\d))",
                      line, re.IGNORECASE)
        if m:
            title, year = re.sub(r"\s+", " ", m.group(1)).strip(), int(m.group(2))
            title = title[:1].upper() + title[1:]
            break
    ref = _reference_date(" ".join(lines))
    years: set[int] = set()
    for ln, line in enumerate(lines, start=1):
        h = parse_header(line, ln)
        if h is not None and h.strong:
            years.update(h.years)
    if ref is None and years:
        ref = date(max(years), 12, 31)
        problems.append(Problem(name, 0, "warning", "edition_inferred",
                                f"no reference date found in the text; taking 31 December of the last "
                                f"table year ({max(years)})"))
    if year is None:
        year = (ref.year + 1) if ref else (max(years) + 1 if years else 0)
    if not title:
        title = f"Monitor {year}" if year else name
        problems.append(Problem(name, 1, "warning", "edition_inferred", "no title line found; named after the year"))
    code = f"{year}" if year else re.sub(r"[^a-z0-9]+", "-", Path(name).stem.lower()).strip("-")
    kind = "monitor-tables" if years else "monitor-prose"
    # the monitors are published by or for the ministry of BZK: attributed to it until the manifest says more
    ed = Edition(name, code, title, kind, "", year or 0, ref, tuple(sorted(years)), "read from the text",
                 inferred=True, publisher_codes=("bzk",) if "monitor" in title.lower() else ())
    problems.insert(0, Problem(name, 0, "warning", "not_in_manifest",
                               f"{name} is not in the editions manifest: edition read from its text "
                               f"(code {ed.code!r}, title {title!r}, reference date {ref}, years "
                               f"{', '.join(map(str, sorted(years))) or 'none'}); add it to editions.csv"))
    return ed, problems


def _reference_date(text: str) -> date | None:
    pats = [
        r"peil(?:datum|data|moment)\s+(?:is\s+)?(?:van\s+)?(\d{1,2})\s+(" + "|".join(_MONTHS) + r")\s+((?:19|20)\d\d)",
        r"peil(?:datum|data|moment)[^.]{0,40}?(\d{1,2})\s+(" + "|".join(_MONTHS) + r")\s+((?:19|20)\d\d)",
    ]
    found: list[date] = []
    for p in pats:
        for m in re.finditer(p, text, re.IGNORECASE | re.DOTALL):
            found.append(date(int(m.group(3)), _MONTHS[m.group(2).lower()], int(m.group(1))))
        if found:
            break
    # 'peildata 31 december 2022 en 31 december 2023': the latest date named near 'peildata'
    for m in re.finditer(r"peil(?:datum|data|moment)(.{0,80})", text, re.IGNORECASE | re.DOTALL):
        for d in re.finditer(r"(\d{1,2})\s+(" + "|".join(_MONTHS) + r")\s+((?:19|20)\d\d)", m.group(1), re.IGNORECASE):
            found.append(date(int(d.group(3)), _MONTHS[d.group(2).lower()], int(d.group(1))))
        for d in re.finditer(r"(\d{1,2})-(\d{1,2})-((?:19|20)\d\d)", m.group(1)):
            found.append(date(int(d.group(3)), int(d.group(2)), int(d.group(1))))
    return max(found) if found else None
