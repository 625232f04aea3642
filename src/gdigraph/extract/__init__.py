"""Extraction: a report's text (or PDF) in, one row per figure out, with provenance and flags."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..harmonise.facilities import FacilityIndex, facility_index
from ..settings import get_settings
from ..sources.manifest import Edition, Manifest, infer_edition, load_manifest
from ..sources.reader import Document, read_document
from .document import TablePass
from .prose import extract_prose
from ..records import COLUMNS, Observation, Problem

__all__ = ["COLUMNS", "Extraction", "Observation", "Problem", "extract_document", "extract_path"]


@dataclass
class Extraction:
    document: Document
    edition: Edition
    observations: list[Observation]
    problems: list[Problem] = field(default_factory=list)

    @property
    def usable(self) -> bool:
        return any(o.value is not None for o in self.observations)


def extract_document(doc: Document, facilities: FacilityIndex | None = None,
                     manifest: Manifest | None = None, edition: Edition | None = None) -> Extraction:
    """Extract every figure of ``doc``. The edition comes from ``edition``, else the manifest, else
    the document's own text (with a warning)."""
    fx = facilities or facility_index()
    problems: list[Problem] = list(doc.problems)
    if edition is None:
        if manifest is None:
            manifest = load_manifest(get_settings().sources_dir / "editions.csv")
        edition = manifest.get(doc.name)
        if edition is None:
            edition, more = infer_edition(doc.name, doc.lines)
            problems += more
    # figures printed without a year (a table with no years in its header) are of the reference
    # year; documents without a peildatum (letters, reports) speak of their year of publication
    year = edition.reference_year or edition.publication_year or None
    tp = TablePass(doc.name, doc.lines, fx, edition.code, year)
    tp.scan()
    tp.resolve()
    obs = tp.emit()
    prose_obs, prose_problems = extract_prose(doc.name, doc.lines, fx, edition, tp.table_lines)
    return Extraction(doc, edition, obs + prose_obs, problems + tp.problems + prose_problems)


def extract_path(path: str | Path, facilities: FacilityIndex | None = None,
                 manifest: Manifest | None = None, edition: Edition | None = None) -> Extraction:
    return extract_document(read_document(path), facilities, manifest, edition)
