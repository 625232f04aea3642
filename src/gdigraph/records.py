"""The records the extractor produces: observations (one per figure) and problems (what it could not place)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Context, Decimal



_WIDE = Context(prec=200)


def _normal(d: Decimal) -> Decimal:
    """A canonical Decimal: no exponent, no trailing fractional zeros (exact for any size)."""
    if d == d.to_integral_value(context=_WIDE):
        return Decimal(int(d))
    return d.normalize(context=_WIDE)


def format_decimal(d: Decimal | None) -> str:
    """Plain text of a value: '.' decimal, no separators, no exponent ('' for None)."""
    if d is None:
        return ""
    s = format(_normal(d), "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s



# the columns of the tidy observations table, in order; the first twelve are the contract
COLUMNS = [
    "source", "line", "facility", "facility_code", "indicator", "indicator_code", "year", "raw",
    "value", "unit", "flags", "origin",
    "edition", "table", "label_line", "breakdown", "measure", "note",
]

FLAG_ORDER = ["missing", "approx", "footnote", "suspect", "derived", "derivable", "rejoined",
              "pct_mismatch", "method_change", "displaced"]


def flags_text(flags: set[str]) -> str:
    known = [f for f in FLAG_ORDER if f in flags]
    return ";".join(known + sorted(flags - set(FLAG_ORDER)))


@dataclass
class Observation:
    source: str
    line: int
    facility: str
    facility_code: str
    indicator: str
    indicator_code: str
    year: int
    raw: str
    value: Decimal | None
    unit: str
    flags: set[str] = field(default_factory=set)
    origin: str = "table"
    edition: str = ""
    table: str = ""  # '<source>:<header line>' for table rows, '' for prose
    label_line: int = 0
    breakdown: str = ""
    measure: str = "level"  # 'level' (the figure) or 'change' (the printed year-on-year change)
    note: str = ""

    def as_row(self) -> dict[str, str]:
        return {
            "source": self.source,
            "line": str(self.line),
            "facility": self.facility,
            "facility_code": self.facility_code,
            "indicator": self.indicator,
            "indicator_code": self.indicator_code,
            "year": str(self.year),
            "raw": self.raw,
            "value": format_decimal(self.value),
            "unit": self.unit,
            "flags": flags_text(self.flags),
            "origin": self.origin,
            "edition": self.edition,
            "table": self.table,
            "label_line": str(self.label_line or ""),
            "breakdown": self.breakdown,
            "measure": self.measure,
            "note": self.note,
        }


@dataclass
class Problem:
    """Something that could not be read or placed: reported, never silently dropped."""

    source: str
    line: int
    level: str  # 'error' | 'warning' | 'info'
    kind: str  # e.g. 'unmapped_label', 'short_row', 'unplaced_numbers', 'unknown_facility'
    message: str
    text: str = ""

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.level}: {self.message}" + (f" [{self.text}]" if self.text else "")

    def as_row(self) -> dict[str, str]:
        return {"source": self.source, "line": str(self.line), "level": self.level, "kind": self.kind,
                "message": self.message, "text": self.text}
