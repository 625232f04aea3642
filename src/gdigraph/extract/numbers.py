"""Numbers as printed in the monitor reports, read into plain values.

Formats met: Dutch grouping and decimals (``1.234.567``, ``6,6%``), occasionally English decimals
(``2.1 mlrd``, ``3.1%``, ``-4.6``), numbers without grouping (``2647``), narrow no-break spaces,
scale words (``Mln``, ``mln``, ``miljoen``, ``mlrd``, ``miljard``, ``duizend``), signs on the printed
year-on-year change (``+9``, ``- 0``), approximations (``> 5.000``, ``ruim``, ``bijna``, ``circa``),
footnote marks glued to values (``14.259*``), and missing cells (``-``, ``--``, ``n.b.``).

A string that cannot be a well-formed number (``223.949.53``: a group of two digits) is *suspect*:
it is never silently repaired; :func:`repair_candidates` lists what it could have been so that a
caller with more context (the table's own arithmetic) can decide, and say so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from ..records import _WIDE, _normal, format_decimal  # noqa: F401  (re-exported)

SPACES = "\u202f\u00a0\u2007\u2009\u200a"
_SPACE_TABLE = {ord(c): " " for c in SPACES}
DASHES = {"-", "--", "–", "—", "‒", "−"}
MISSING_WORDS = {"n.b.", "nb", "n.v.t.", "nvt", "n.v.t", "onbekend"}

SCALES = {
    "duizend": Decimal(1_000),
    "dzd": Decimal(1_000),
    "mln": Decimal(1_000_000),
    "mln.": Decimal(1_000_000),
    "miljoen": Decimal(1_000_000),
    "mio": Decimal(1_000_000),
    "mlrd": Decimal(1_000_000_000),
    "mrd": Decimal(1_000_000_000),
    "mld": Decimal(1_000_000_000),
    "miljard": Decimal(1_000_000_000),
}
APPROX_WORDS = ("ruim", "bijna", "circa", "ca.", "ongeveer", "zo'n", "zo’n", "afgerond", "rond", "meer dan",
                "minder dan", "een kleine", "boven de", "nagenoeg", "ca")
APPROX_SIGNS = (">", "<", "≥", "≤", "±", "~", "+/-")

# a bare numeric literal: digits with '.' / ',' separators
NUMERIC = r"\d+(?:[.,]\d+)*"
_NUMERIC_RE = re.compile(rf"^{NUMERIC}$")


class NumberError(ValueError):
    """Text that is not a number at all."""


@dataclass
class Parsed:
    """A cell read into a value. ``value`` is None when missing or suspect."""

    raw: str
    value: Decimal | None
    unit: str = "count"
    flags: set[str] = field(default_factory=set)
    footnote: str = ""  # the footnote mark(s) glued to the value, e.g. '*', '**'
    note: str = ""
    scale: str = ""

    @property
    def missing(self) -> bool:
        return "missing" in self.flags

    @property
    def suspect(self) -> bool:
        return "suspect" in self.flags


_GROUP_SPACE = re.compile(r"(?<=\d)[\u202f\u00a0\u2009\u2007](?=\d{3}(?!\d))")


def normalise_spaces(text: str) -> str:
    """Narrow and other no-break spaces become plain spaces, except between digit groups ('1\u202f000'
    is one thousand, as typeset in many PDFs)."""
    return _GROUP_SPACE.sub("", text).translate(_SPACE_TABLE)


def parse_literal(lit: str, *, english_hint: bool = False) -> Decimal | None:
    """Read a bare numeric literal (digits, '.', ','). None if it cannot be well-formed.

    Dutch conventions win: '.' groups thousands, ',' is the decimal mark. A single '.' followed by
    one, two or more than three digits is an English decimal point (``2.1``, ``3.05``), as is a
    '.' followed by three digits when ``english_hint`` says the document or cell uses English
    decimals (a scale word never follows a grouped number in these reports, so ``3.050 mlrd`` stays
    Dutch unless hinted).
    """
    if not _NUMERIC_RE.match(lit):
        return None
    if "," in lit and "." in lit:
        # Dutch 1.234,5 or English 1,234.5
        if lit.rfind(",") > lit.rfind("."):
            int_part, dec = lit.rsplit(",", 1)
            groups = int_part.split(".")
        else:
            int_part, dec = lit.rsplit(".", 1)
            groups = int_part.split(",")
        if not _well_grouped(groups):
            return None
        return Decimal("".join(groups) + "." + dec)
    if "," in lit:
        parts = lit.split(",")
        if len(parts) == 2:
            # Dutch decimal comma ('6,6'), or English thousands ('1,234') - in these reports a comma
            # followed by exactly three digits without a decimal part occurs in chart residue
            # (``4,979,118``) only; a single comma is read as a decimal comma.
            return Decimal(parts[0] + "." + parts[1])
        if _well_grouped(parts):  # 4,979,118: English grouping
            return Decimal("".join(parts))
        return None
    if "." in lit:
        parts = lit.split(".")
        if len(parts) == 2 and (len(parts[1]) != 3 or english_hint):
            return Decimal(parts[0] + "." + parts[1])
        if _well_grouped(parts):
            return Decimal("".join(parts))
        return None
    return Decimal(lit)


def _well_grouped(groups: list[str]) -> bool:
    return 1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:]) and groups[0] != ""


def repair_candidates(lit: str) -> list[Decimal]:
    """Well-formed numbers one digit away from a badly grouped literal (for arithmetic checks).

    ``62.923.00`` -> [62923000, 6292300 (dropping grouping), ...]; ``223.949.53`` -> ...
    Only insertion of one digit into a short group is considered (the common PDF loss)."""
    groups = lit.split(".")
    out: set[Decimal] = set()
    for i, g in enumerate(groups):
        if i == 0 or len(g) != 2:
            continue
        for pos in range(3):
            for d in "0123456789":
                ng = g[:pos] + d + g[pos:]
                cand = groups[:i] + [ng] + groups[i + 1:]
                if _well_grouped(cand):
                    out.add(Decimal("".join(cand)))
    return sorted(out)


_CELL_RE = re.compile(
    r"""^
    (?P<approx>(?:(?i:ruim|bijna|circa|ca\.?|ongeveer|zo[’']n|rond|meer\ dan|minder\ dan)\s+|[><≥≤±~]\s*)?)
    (?P<sign>[+\-−–]?\s?)
    (?P<num>\d+(?:[.,]\d+)*)
    (?P<fn1>\**)
    \s*
    (?P<pct>%?)
    \s*
    (?P<scale>(?:[Mm]ln\.?|[Mm]iljoen|[Mm]lrd|[Mm]iljard|[Dd]uizend|mrd|mld)?)
    (?P<fn2>\s*\**)
    $""",
    re.VERBOSE,
)


def parse_cell(raw: str, *, english_hint: bool = False) -> Parsed:
    """Read one table cell as printed. Raises NumberError if the text is no number at all."""
    text = normalise_spaces(raw).strip()
    p = Parsed(raw=raw.strip(), value=None)
    low = text.lower()
    if text == "" or text in DASHES or low in MISSING_WORDS:
        p.flags.add("missing")
        return p
    m = _CELL_RE.match(text)
    if not m:
        raise NumberError(f"not a number: {raw!r}")
    lit = m.group("num")
    scale = m.group("scale").lower().rstrip(".")
    if m.group("approx").strip():
        p.flags.add("approx")
    fn = (m.group("fn1") + m.group("fn2")).strip()
    if fn:
        p.footnote = fn
        p.flags.add("footnote")
    value = parse_literal(lit, english_hint=english_hint)
    if value is None:
        p.flags.add("suspect")
        p.note = f"{lit!r} is not a well-formed number (digit grouping)"
        return p
    sign = m.group("sign").strip()
    if sign in ("-", "−", "–"):
        value = -value
    if scale:
        p.scale = scale
        value = _WIDE.multiply(value, SCALES[scale])
    if m.group("pct"):
        p.unit = "percent"
    p.value = _normal(value)
    return p


# --- prose numbers -------------------------------------------------------------------------------

WORD_NUMBERS = {
    "nul": 0, "een": 1, "één": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6, "zeven": 7,
    "acht": 8, "negen": 9, "tien": 10, "elf": 11, "twaalf": 12, "dertien": 13, "veertien": 14,
    "vijftien": 15, "twintig": 20, "dertig": 30, "veertig": 40, "vijftig": 50, "zestig": 60,
    "zeventig": 70, "tachtig": 80, "negentig": 90, "honderd": 100,
}
