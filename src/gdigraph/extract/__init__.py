"""Extraction: a report's text (or PDF) in, one row per figure out, with provenance and flags."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..harmonise.facilities import FacilityIndex, facility_index
from ..sources.reader import Document, read_document
from .document import TablePass
from .model import COLUMNS, Observation, Problem

__all__ = ["COLUMNS", "Extraction", "Observation", "Problem", "extract_document", "extract_path"]


@dataclass
class Extraction:
    document: Document
    observations: list[Observation]
    problems: list[Problem] = field(default_factory=list)

    @property
    def usable(self) -> bool:
        return any(o.value is not None for o in self.observations)


def extract_document(doc: Document, facilities: FacilityIndex | None = None, edition: str = "",
                     reference_year: int | None = None) -> Extraction:
    fx = facilities or facility_index()
    tp = TablePass(doc.name, doc.lines, fx, edition, reference_year)
    tp.scan()
    tp.resolve()
    obs = tp.emit()
    return Extraction(doc, obs, list(doc.problems) + tp.problems)


def extract_path(path: str | Path, facilities: FacilityIndex | None = None, edition: str = "",
                 reference_year: int | None = None) -> Extraction:
    return extract_document(read_document(path), facilities, edition, reference_year)
