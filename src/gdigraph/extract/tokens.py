"""Split report lines into tokens: numbers (cells), missing marks, footnote marks and text runs.

A token knows its line, so every figure keeps its provenance. Whether a number is a table cell, part
of a label (``BAG 1.0 extract``) or of a caption (``Na 3 weken:``) is decided later, by the table
parser, which sees the tokens around it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .numbers import DASHES, MISSING_WORDS, NumberError, Parsed, normalise_spaces, parse_cell

NUM, MISS, TEXT, STAR = "num", "miss", "text", "star"

_SCALE_WORDS = {"mln", "mln.", "miljoen", "mlrd", "miljard", "duizend", "mrd", "mld"}
_APPROX_WORDS = {"ruim", "bijna", "circa", "ca.", "ca", "ongeveer", "zo’n", "zo'n"}
_NUMLIKE = re.compile(r"^[><≥≤±~]?[+\-−–]?\d+(?:[.,]\d+)*\**%?(?:[Mm]ln\.?|[Mm]iljoen|[Mm]lrd|[Mm]iljard)?\**$")
# a word with a footnote mark glued to it: 'Totaal2', 'eHerkenning1', 'Belastingdienst3[2]', 'Digimelding*'
_GLUED_NOTE = re.compile(r"^(?P<word>[(\w][\w’'().\-/]*(?:[^\W\d_]|\)))(?P<mark>\d{1,2}(?:\[\d+\])?|\*+|\*\))$")


@dataclass
class Token:
    kind: str
    text: str  # the text as printed (for numbers: the cell, e.g. '1,6 mlrd *')
    line: int
    col: int  # index of the token within its line
    parsed: Parsed | None = None
    mark: str = ""  # footnote mark glued to a text word
    last_on_line: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def is_change_like(self) -> bool:
        """Printed with a sign or a % sign: how the year-on-year change column looks."""
        t = self.text.strip()
        return self.kind == MISS or t[:1] in "+-−–" or t.endswith("%")

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"<{self.kind} {self.text!r} @{self.line}>"


def split_words(text: str) -> list[str]:
    return normalise_spaces(text).split()


def tokenize_line(text: str, lineno: int) -> list[Token]:
    words = split_words(text)
    out: list[Token] = []
    i = 0
    n = len(words)
    textbuf: list[str] = []

    def flush_text() -> None:
        if textbuf:
            out.append(Token(TEXT, " ".join(textbuf), lineno, len(out)))
            textbuf.clear()

    while i < n:
        w = words[i]
        low = w.lower()
        # missing markers
        if w in DASHES and textbuf and i + 1 < n and not _NUMLIKE.match(words[i + 1]) \
                and words[i + 1] not in DASHES:
            textbuf.append(w)  # a dash between words: 'BRP – Basisregistratie Personen'
            i += 1
            continue
        if w in DASHES or low in MISSING_WORDS:
            # '- 0' at the end of a line: a signed change printed with a space ('- 0', '+ 5')
            if w in ("-", "+", "−", "–") and i + 2 == n and re.fullmatch(r"\d{1,3}(?:[.,]\d+)?%?", words[i + 1]):
                flush_text()
                cell = w + " " + words[i + 1]
                out.append(_num(cell, lineno, len(out)))
                i += 2
                continue
            flush_text()
            out.append(Token(MISS, w, lineno, len(out), parsed=parse_cell(w)))
            i += 1
            continue
        if w.strip("*") == "" or w in ("*)", "**)"):
            flush_text()
            out.append(Token(STAR, w, lineno, len(out)))
            i += 1
            continue
        # approximation words / signs before a number
        start = i
        prefix = ""
        if (low in _APPROX_WORDS or w in (">", "<", "≥", "≤", "±", "~")) and i + 1 < n and _NUMLIKE.match(words[i + 1]):
            prefix = w + " "
            i += 1
            w = words[i]
        if _NUMLIKE.match(w):
            cell = prefix + w
            j = i + 1
            # '99,5 %', '3,5 mlrd', '1,6 mlrd *', '179 Mln'
            if j < n and words[j] == "%":
                cell += " %"
                j += 1
            if j < n and words[j].lower().rstrip(".") in {s.rstrip(".") for s in _SCALE_WORDS} and not cell.endswith("%"):
                cell += " " + words[j]
                j += 1
            if j < n and words[j].strip("*") == "" and len(words[j]) <= 2:
                cell += " " + words[j]
                j += 1
            try:
                tok = _num(cell, lineno, len(out) + (1 if textbuf else 0))
            except NumberError:
                textbuf.extend(words[start:j])
                i = j
                continue
            flush_text()
            tok.col = len(out)
            out.append(tok)
            i = j
            continue
        i = start
        w = words[i]
        textbuf.append(w)
        i += 1
    flush_text()
    if out:
        out[-1].last_on_line = True
    for t in out:
        if t.kind == TEXT:
            _strip_glued_mark(t)
    return out


def _num(cell: str, lineno: int, col: int) -> Token:
    return Token(NUM, cell, lineno, col, parsed=parse_cell(cell))


def _strip_glued_mark(tok: Token) -> None:
    """'Totaal2' -> text 'Totaal', mark '2' (a footnote reference glued to the last word)."""
    words = tok.text.split(" ")
    m = _GLUED_NOTE.match(words[-1])
    if m and sum(ch.isalpha() for ch in m.group("word")) >= 3:
        words[-1] = m.group("word")
        tok.mark = m.group("mark")
        tok.text = " ".join(words)


def tokenize(lines: list[str], start: int = 1) -> list[Token]:
    """Tokens of ``lines``; ``start`` is the 1-based number of the first line."""
    out: list[Token] = []
    for k, line in enumerate(lines):
        out.extend(tokenize_line(line, start + k))
    return out
