"""Fabricated editions derived from a bundled one: an unseen report of the same family.

``next_edition`` turns the Monitor Digitale Overheid 2024 text into a plausible 2025 edition: every
table header shifted one year on (2020-2024), a few indicators renamed, narrow no-break spaces and
'mln' in some cells, the sections of Bijlage C and D swapped, and a new facility section that the
code lists do not know. It returns the new lines and, per new line, the old line it came from.
"""

from __future__ import annotations

import re

RENAMES = [
    ("Aantal keren ingelogd", "Aantal keer ingelogd"),
    ("voor MjinOverheid", "voor MijnOverheid"),
    ("Totaal aantal Lopende", "Totaal aantal lopende"),
    ("Digikopppeling", "Digikoppeling"),
]

NEW_SECTION = """\
5. Gegevenshub Zorgdata
 
De Gegevenshub Zorgdata ontsluit zorggegevens voor aangesloten zorgaanbieders.
 
Indicator 2020 2021 2022 2023 2024 %
Aantal aangesloten zorgaanbieders 12 40 85 130 171 31,5%
Aantal bevragingen 1.200 33.000 150.000 410.000 990.500 141,6%
 """.split("\n")


def shift_header_years(line: str, shift: int) -> str:
    if not re.search(r"(?:19|20)\d\d.*(?:%|$)", line) or not re.match(r"^\s*(Indicator\b|\d{4})", line.strip() + " "):
        return line
    return re.sub(r"\b((?:19|20)\d\d)\b", lambda m: str(int(m.group(1)) + shift), line)


def next_edition(lines: list[str], shift: int = 1) -> tuple[list[str], list[int | None]]:
    out: list[tuple[str, int | None]] = []
    for i, line in enumerate(lines, start=1):
        new = shift_header_years(line, shift)
        for a, b in RENAMES:
            new = new.replace(a, b)
        # narrow no-break spaces and 'mln' in a few cells
        new = new.replace("179 Mln", "179\u202fmln")
        new = re.sub(r"(?i)(monitor Digitale Overheid) 2024", r"\1 2025", new)
        new = new.replace("31 december 2023", "31 december 2024").replace("31 december 2022", "31 december 2023")
        out.append((new, i))
    # swap Bijlage C and Bijlage D
    def find(prefix: str) -> int:
        return next(k for k, (t, _) in enumerate(out) if t.strip().startswith(prefix))

    c, d = find("Bijlage C"), find("Bijlage D")
    reordered = out[:c] + out[d:] + out[c:d]
    # a new facility section at the end of Bijlage D (now before Bijlage C)
    c2 = next(k for k, (t, _) in enumerate(reordered) if t.strip().startswith("Bijlage C"))
    reordered = reordered[:c2] + [(t, None) for t in NEW_SECTION] + reordered[c2:]
    return [t for t, _ in reordered], [o for _, o in reordered]
