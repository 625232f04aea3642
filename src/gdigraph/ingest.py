"""Ingest stage: every bundled report -> tidy observations, problems and editions under build/.

Plain functions, used by the CLI (``gdigraph extract-all``) and orchestrated by the Prefect flows.
Output files are deterministic: the same inputs give the same bytes.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from .extract import COLUMNS, Extraction, extract_path
from .harmonise.facilities import facility_index
from .records import Problem
from .settings import get_settings
from .sources.manifest import Manifest, load_manifest

REPORT_SUFFIXES = (".txt", ".pdf")
PROBLEM_COLUMNS = ["source", "line", "level", "kind", "message", "text"]
EDITION_COLUMNS = ["file", "edition", "title", "kind", "publisher", "publisher_code", "publication_year", "reference_date",
                   "years_covered", "inferred", "sha256", "figures", "warnings"]


def source_files(sources_dir: Path) -> list[Path]:
    """The reports in a sources folder: text and PDF files (not the README), sorted by name."""
    return sorted(p for p in sources_dir.iterdir()
                  if p.is_file() and p.suffix.lower() in REPORT_SUFFIXES and p.name.lower() != "readme.txt")


@dataclass
class IngestResult:
    out_dir: Path
    extractions: list[Extraction] = field(default_factory=list)

    @property
    def usable(self) -> bool:
        return any(e.usable for e in self.extractions)

    @property
    def observations(self):
        return [o for e in self.extractions for o in e.observations]

    @property
    def problems(self) -> list[Problem]:
        return [p for e in self.extractions for p in e.problems]

    def summary_lines(self) -> list[str]:
        out = []
        for e in self.extractions:
            warn = sum(1 for p in e.problems if p.level != "info")
            out.append(f"{e.document.name}: edition {e.edition.code}: {len(e.observations)} figures, "
                       f"{warn} warnings" + (" (edition read from the text)" if e.edition.inferred else ""))
        out.append(f"wrote {self.out_dir / 'observations.csv'} ({len(self.observations)} figures), "
                   f"{self.out_dir / 'problems.csv'} ({len(self.problems)} notes)")
        return out


def ingest(path: Path, manifest: Manifest | None = None) -> Extraction:
    from .harmonise.indicators import harmonise

    ex = extract_path(path, facility_index(), manifest)
    ex.problems.extend(harmonise(ex.observations))
    return ex


def extract_all(sources_dir: Path | None = None, out_dir: Path | None = None) -> IngestResult:
    settings = get_settings()
    sources_dir = sources_dir or settings.sources_dir
    out_dir = out_dir or settings.build_dir
    manifest = load_manifest(sources_dir / "editions.csv")
    result = IngestResult(out_dir)
    for path in source_files(sources_dir):
        result.extractions.append(ingest(path, manifest))
    write_outputs(result, out_dir)
    return result


def write_outputs(result: IngestResult, out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    write_csv(out_dir / "observations.csv", COLUMNS, (o.as_row() for o in result.observations))
    write_csv(out_dir / "problems.csv", PROBLEM_COLUMNS, (p.as_row() for p in result.problems))
    rows = []
    for e in result.extractions:
        ed = e.edition
        rows.append({
            "file": ed.file, "edition": ed.code, "title": ed.title, "kind": ed.kind, "publisher": ed.publisher,
            "publisher_code": ";".join(ed.publisher_codes),
            "publication_year": str(ed.publication_year), "reference_date": ed.reference_date.isoformat()
            if ed.reference_date else "", "years_covered": ";".join(map(str, ed.years)),
            "inferred": "yes" if ed.inferred else "", "sha256": e.document.sha256,
            "figures": str(len(e.observations)), "warnings": str(sum(1 for p in e.problems if p.level != "info")),
        })
    write_csv(out_dir / "editions.csv", EDITION_COLUMNS, rows)


def write_csv(path: Path, columns: list[str], rows) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, columns, lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow(r)
    tmp.replace(path)
