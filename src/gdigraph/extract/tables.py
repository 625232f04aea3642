"""Tables: from a header to rows of cells, each cell a figure with its line.

The body of a table is read as a stream of tokens, so wrapped labels, cells printed on separate
lines and values printed on the line after their label all come out the same. A row is a label (text)
followed by as many cells as the header has columns. A cell may hold two figures (``8 partners, 390
aansluitingen``, ``Na 3 weken: 57% / Na 6 weken: 62%``, ``13 lidstaten met 17 middelen``): such cells
are recognised by connector words or by captions that repeat in a cycle over the row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .layout import Header
from .tokens import MISS, NUM, STAR, TEXT, Token

CONNECTORS = ("met", "en", ",", "/", "van", "waarvan", "plus")


@dataclass
class Figure:
    token: Token | None  # None: a cell whose number was lost (only its text survived)
    pre: str = ""  # caption printed before the number ('Na 3 weken:')
    post: list[str] = field(default_factory=list)  # words printed after it ('partners', 'van het aantal')

    @property
    def qualifier(self) -> str:
        if self.pre:
            return self.pre.rstrip(":").strip()
        words = " ".join(self.post).strip(" ,")
        return words

    @property
    def line(self) -> int:
        return self.token.line if self.token else 0


@dataclass
class Cell:
    figures: list[Figure]
    text_only: str = ""  # raw text of a cell that holds no number
    text_line: int = 0  # the line that text is printed on

    @property
    def line(self) -> int:
        lines = [f.line for f in self.figures if f.line]
        return lines[0] if lines else self.text_line


@dataclass
class RawRow:
    label_tokens: list[Token]
    cells: list[Cell]
    extra: list[Token] = field(default_factory=list)  # tokens beyond the columns: reported

    @property
    def label(self) -> str:
        return join_label([t.text for t in self.label_tokens])

    @property
    def label_line(self) -> int:
        return self.label_tokens[0].line if self.label_tokens else (self.cells[0].line if self.cells else 0)

    @property
    def marks(self) -> list[str]:
        return [t.mark for t in self.label_tokens if t.mark]


def join_label(parts: list[str]) -> str:
    """Join wrapped label lines: hyphenated word breaks are joined ('overheids-' + 'organisaties'),
    a hyphen after a capitalised abbreviation or a single letter is kept ('BRV-' + 'Terugmeld...',
    'e-' + 'mail')."""
    out = ""
    for p in parts:
        p = p.strip()
        if not p:
            continue
        if not out:
            out = p
            continue
        if out.endswith("-") and not out.endswith(" -"):
            stem = re.split(r"[-/(]", out.split(" ")[-1][:-1])[-1]
            keep = len(stem) <= 1 or stem.isupper() or p[:1].isupper() or p[:1].isdigit()
            out = out + p if keep else out[:-1] + p
        else:
            out = out + " " + p
    return re.sub(r"\s+", " ", out).strip()


class RowReader:
    """Reads the token stream of one table body into rows."""

    def __init__(self, header: Header):
        self.header = header
        self.ncols = len(header.columns)
        self.nyears = len(header.year_columns)
        self.rows: list[RawRow] = []
        self.leftover: list[Token] = []
        self._label: list[Token] = []
        self._cells: list[Cell] = []
        self._pre = ""

    # a row can close once it has all year columns; the change column may follow
    def _complete(self) -> bool:
        return self._ncells() >= self.ncols

    def _ncells(self) -> int:
        return len(self._cells)

    def feed(self, tokens: list[Token]) -> None:
        i = 0
        n = len(tokens)
        while i < n:
            t = tokens[i]
            nxt = tokens[i + 1] if i + 1 < n else None
            if t.kind == TEXT:
                nn = tokens[i + 2] if i + 2 < n else None
                if nxt is not None and nxt.kind == NUM and nn is not None and nn.kind == TEXT \
                        and nn.text.split(" ")[0].endswith(":") and len(t.text.split()) <= 2 \
                        and (self._cells or self._label):
                    # 'Na 3 weken:' (also broken over lines: 'Na 3' / 'weken: 62%')
                    first, _, rest = nn.text.partition(" ")
                    self._pre = f"{t.text} {nxt.text} {first}"
                    if rest:
                        self._text(Token(TEXT, rest, nn.line, nn.col), None)
                    i += 3
                    continue
                self._text(t, nxt)
            elif t.kind == NUM:
                prev = tokens[i - 1] if i else None
                # a caption with a number in it: 'Na 3 weken:' (possibly broken over lines)
                if nxt is not None and nxt.kind == TEXT and nxt.text.split(" ")[0].endswith(":"):
                    cap_words = []
                    if prev is not None and prev.kind == TEXT and len(prev.text.split()) <= 2 and (
                        self._cells or (self._label and self._label[-1] is prev)
                    ):
                        cap_words.append(prev.text)
                        if self._label and self._label[-1] is prev:
                            self._label.pop()
                        elif self._cells and self._cells[-1].figures[-1].post[-1:] == [prev.text]:
                            self._cells[-1].figures[-1].post.pop()
                    first, _, rest = nxt.text.partition(" ")
                    self._pre = " ".join(cap_words + [t.text, first])
                    if rest:
                        # text after the caption on the same token: treat as qualifier text
                        self._text(Token(TEXT, rest, nxt.line, nxt.col), None)
                    i += 2
                    continue
                if self._complete() and nxt is not None and nxt.kind == TEXT and nxt.line == t.line \
                        and (prev is None or prev.line != t.line) and re.fullmatch(r"\d{1,2}", t.text) \
                        and nxt.text[:1].isupper():
                    self._close()  # the next row starts with its rank number
                if not self._cells and not self._label and nxt is not None and nxt.kind == TEXT \
                        and nxt.line == t.line and (prev is None or prev.line != t.line) \
                        and re.fullmatch(r"\d{1,2}", t.text) and nxt.text[:1].isupper():
                    # a rank number printed before a label: '1 BRP – Basisregistratie Personen 1.922.747'
                    self._label.append(t)
                    i += 1
                    continue
                if not self._cells and self._label and prev is not None and prev.kind == TEXT \
                        and prev.line == t.line and nxt is not None and nxt.kind == TEXT and nxt.line == t.line \
                        and not t.parsed.flags and not t.text.endswith("%"):
                    # a number inside a label: 'BAG 1.0 extract'
                    self._label.append(t)
                    i += 1
                    continue
                self._number(t)
            elif t.kind == MISS:
                self._cells.append(Cell([Figure(t)]))
            elif t.kind == STAR:
                if self._cells and self._cells[-1].figures[-1].token is not None:
                    fig = self._cells[-1].figures[-1]
                    fig.post.append(t.text)
                elif self._label:
                    self._label[-1].mark = self._label[-1].mark or t.text
            i += 1

    def _text(self, t: Token, nxt: Token | None) -> None:
        words = t.text.strip()
        if not self._cells:
            self._label.append(t)
            return
        first = words[:1]
        qualifier_like = first.islower() or first in "(,/&" or words.split(" ")[0].lower() in CONNECTORS
        if qualifier_like:
            last = self._cells[-1].figures[-1]
            if last.token is None:
                self._cells[-1].text_only += " " + words
                return
            # a qualifier that repeats itself stands for a cell whose number was lost:
            # '1% van het aantal bevragingen | het aantal bevragingen | 0,5% van ...'
            split = _repeat_split(" ".join(last.post + [words]).split())
            if split is not None and not self._complete():
                head, tail = split
                last.post = head
                self._cells.append(Cell([Figure(None, post=[])], text_only=" ".join(tail), text_line=t.line))
                return
            last.post.append(words)
            return
        # an upper-case start: the next row's label
        self._close()
        self._label.append(t)

    def _number(self, t: Token) -> None:
        if self._cells:
            last = self._cells[-1].figures[-1]
            joined = _rejoin(last.token, t)
            if joined is not None:
                # a number wrapped over two lines: '1.938.268.00' + '0'
                last.token = joined
                return
            post = " ".join(last.post).strip()
            if last.token is not None and post and (post.endswith(",") or post.split(" ")[-1].lower() in CONNECTORS):
                # '13 lidstaten met 17 middelen', '7 partners, 438 aansluitingen': one cell, two figures
                self._cells[-1].figures.append(Figure(t, pre=self._pre))
                self._pre = ""
                return
        elif not self._label and self.rows:
            # numbers after a complete row without a new label
            self.rows[-1].extra.append(t)
            return
        self._cells.append(Cell([Figure(t, pre=self._pre)]))
        self._pre = ""

    def _close(self) -> None:
        if self._cells:
            self.rows.append(RawRow(self._label, self._cells))
        elif self._label:
            self.leftover.extend(self._label)
        self._label, self._cells, self._pre = [], [], ""

    def finish(self) -> None:
        if self._cells:
            self._close()
        else:
            self.leftover.extend(self._label)
            self._label = []


def _rejoin(first: Token | None, second: Token) -> Token | None:
    """'1.938.268.00' at the end of a line and '0' on the next: one number, if joining makes it well-formed."""
    from .numbers import parse_cell

    if first is None or first.kind != NUM or not first.parsed.suspect or first.line == second.line:
        return None
    if not first.last_on_line or not re.fullmatch(r"\d{1,2}", second.text):
        return None
    text = first.text + second.text
    parsed = parse_cell(text)
    if parsed.suspect or parsed.value is None:
        return None
    parsed.flags.add("rejoined")
    parsed.raw = f"{first.text} {second.text}"
    parsed.note = f"number printed over two lines ({first.text!r} on line {first.line}, {second.text!r} on line {second.line})"
    return Token(NUM, text, first.line, first.col, parsed=parsed, last_on_line=second.last_on_line)


def _repeat_split(words: list[str]) -> tuple[list[str], list[str]] | None:
    """'van het aantal bevragingen het aantal bevragingen' -> (first part, repeated tail)."""
    for s in range(1, len(words) - 1):
        tail = words[s:]
        if len(tail) >= 2 and " ".join(tail) in " ".join(words[:s]):
            return words[:s], tail
    return None


def reconcile(row: RawRow, header: Header) -> tuple[list[Cell | None], list[str]]:
    """Map a row's cells onto the header's columns. Returns (cells per column, problems).

    Handles rows that print no change column, two figures per cell printed as separate cells with
    a repeating caption cycle (``8 partners | 390 aansluitingen | 11 partners | ...``), and reports
    rows with too few or too many cells instead of guessing.
    """
    ncols = len(header.columns)
    cells = row.cells
    problems: list[str] = []
    if len(cells) > ncols:
        grouped = _group_cycle(cells, header)
        if grouped is not None:
            cells = grouped
    if len(cells) == ncols:
        return list(cells), problems
    if len(cells) == ncols - 1 and header.columns[-1].kind == "change":
        last = cells[-1].figures[-1].token
        if last is not None and last.kind == NUM and len(cells) >= 3 and (
                _signed(last.text) or _consistent_change(cells[-3], cells[-2], last)):
            # a blank cell (nothing printed) before the figures: '100 150 150 0' in a 4-year table
            # with '+12' printed as change -> the figures stand right-aligned under the last years
            problems.append("blank:first")
            return [None] + list(cells), problems
        return list(cells) + [None], problems
    if len(cells) > ncols:
        extra = cells[ncols:]
        problems.append(f"{len(cells)} cells for {ncols} columns; the last {len(extra)} could not be placed")
        for c in extra:
            for f in c.figures:
                if f.token is not None:
                    row.extra.append(f.token)
        return list(cells[:ncols]), problems
    problems.append(f"{len(cells)} cells for {ncols} columns; placement uncertain")
    return list(cells) + [None] * (ncols - len(cells)), problems


def _consistent_change(prev: Cell, cur: Cell, change: Token) -> bool:
    """Does ``change`` equal the year-on-year change from ``prev`` to ``cur`` (within rounding)?"""
    a, b = prev.figures[0].token, cur.figures[0].token
    if a is None or b is None or a.kind != NUM or b.kind != NUM:
        return False
    va, vb, vc = a.parsed.value, b.parsed.value, change.parsed.value
    if va in (None, 0) or vb is None or vc is None:
        return False
    computed = (vb - va) if b.parsed.unit == "percent" else (vb / va - 1) * 100
    return abs(computed - vc) <= 1


def _signed(text: str) -> bool:
    return text.strip()[:1] in "+-−–"


def _group_cycle(cells: list[Cell], header: Header) -> list[Cell] | None:
    """Pair up cells whose qualifiers repeat with a period k (k figures per year column)."""
    nyears = len(header.year_columns)
    has_change = header.columns[-1].kind == "change"
    for k in (2, 3):
        body = len(cells) - (1 if has_change else 0)
        # missing cells ('-') stand for a whole year cell: count them as k figures
        quals = []
        for c in cells:
            f = c.figures[0]
            quals.append(None if (f.token is not None and f.token.kind == MISS) else _qual_key(f))
        expanded = sum(k if q is None else 1 for q in quals[:body])
        if expanded != k * nyears and not (has_change and expanded == k * nyears):
            continue
        cycle = [q for q in quals[:k]]
        if any(q is None for q in cycle) or len(set(cycle)) != k:
            continue
        out: list[Cell] = []
        i = 0
        ok = True
        while i < body:
            if quals[i] is None:
                out.append(cells[i])
                i += 1
                continue
            group = cells[i:i + k]
            if [(_qual_key(g.figures[0])) for g in group] != cycle:
                ok = False
                break
            out.append(Cell([g.figures[0] for g in group]))
            i += k
        if ok and len(out) == nyears:
            if has_change and body < len(cells):
                out.append(cells[body])
            return out
    return None


def _qual_key(f: Figure) -> str:
    return f.qualifier.lower()
