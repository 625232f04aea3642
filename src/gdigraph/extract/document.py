"""One report in, observations and problems out: the table pass.

Walks the lines of a report, tracks the facility section it is in (numbered headings, table headers
that name a facility, the facility last named in prose), cuts out each table from its header to the
next header, heading, marker (``toelichting``, ``visualisatie``, ``toekomst``) or note, reads its
rows, resolves which facility each row really belongs to, and turns every cell into an
:class:`Observation` with flags. Rows printed outside any table are matched to the table they
belong to; what cannot be placed is reported as a :class:`Problem`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from ..harmonise.facilities import FacilityIndex
from ..harmonise.indicators import CHANGE_SUFFIX
from .layout import Column, Header, LineInfo, classify, parse_header
from ..records import Observation, Problem
from .numbers import normalise_spaces, repair_candidates
from .tables import Cell, Figure, RawRow, RowReader, join_label, reconcile
from .tokens import MISS, NUM, TEXT, Token, tokenize, tokenize_line
from .toelichting import METHOD_WORDS, mark_method_changes

APPROX_NOTE_WORDS = ("bij benadering", "geschat", "schatting", "indicatief")
CHANNEL_WORDS = {"via", "naar", "aan", "over", "op", "buiten", "vanuit", "uit", "door", "met", "bij", "van", "de", "het"}

_BULLET = re.compile(r"^[•◦▪●·]\s*\S")
_HEADER_WORD = re.compile(r"^(?:(?:19|20)\d\d|\d{6,8}|%|t/m|tot|van|periode|verschil)$", re.IGNORECASE)
_YEAR_IN_TEXT = re.compile(r"\b(?:19|20)\d\d\b")


@dataclass
class Table:
    header: Header
    start: int  # first body line
    end: int = 0  # last body line
    facility: str = ""
    facility_reason: str = ""
    section_facility: str = ""
    notes: dict[str, list[str]] = field(default_factory=dict)
    body: list[tuple[int, str]] = field(default_factory=list)
    rows: list[RawRow] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    matrix: bool = False
    row_caption: str = ""
    labels: dict[str, int] = field(default_factory=dict)  # row label -> its first line
    note_lines: set[int] = field(default_factory=set)

    @property
    def id(self) -> str:
        return str(self.header.line)

    def lines(self) -> set[int]:
        """The lines the table's header, captions, rows and notes are printed on (not prose that
        happens to stand between its rows and its notes)."""
        first = self.header.line - len(self.captions)
        out = set(range(first, self.header.line + 1)) | self.note_lines
        for row in self.rows:
            out |= {t.line for t in row.label_tokens}
            out |= {f.line for c in row.cells for f in c.figures if f.line} | {c.text_line for c in row.cells if c.text_line}
            out |= {t.line for t in row.extra}
        return out


@dataclass
class Section:
    facility: str
    line: int
    number: str = ""
    notes: dict[str, list[str]] = field(default_factory=dict)
    text: list[tuple[int, str]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


class TablePass:
    def __init__(self, name: str, lines: list[str], facilities: FacilityIndex, edition: str = "",
                 reference_year: int | None = None):
        self.name = name
        self.reference_year = reference_year
        self.lines = lines
        self.fx = facilities
        self.edition = edition
        self.problems: list[Problem] = []
        self.tables: list[Table] = []
        self.sections: list[Section] = []
        self.doc_notes: dict[str, list[str]] = {}
        self.note_lines: dict[int, str] = {}
        self.observations: list[Observation] = []
        self.prose_lines: list[tuple[int, str, str]] = []  # (line, text, facility in force)
        self.orphans: list[tuple[list[Token], list[Token], Section]] = []

    # --- pass 1: layout ---------------------------------------------------------------------------
    def scan(self) -> None:
        infos = [classify(t, i + 1, self.fx) for i, t in enumerate(self.lines)]
        self.infos = infos
        self._join_split_headers()
        self._find_yearless_tables()
        section = Section("", 1)
        self.sections.append(section)
        table: Table | None = None
        last_mentioned = ""
        last_note: list[tuple[dict, str]] = []
        prose_run: list[tuple[int, str]] = []
        for idx, info in enumerate(infos):
            lineno = idx + 1
            kind = info.kind
            if kind == "header" and not info.header.strong and not self._weak_header_ok(idx):
                # years in a row without a table below: a chart axis or a release calendar
                kind = "marker"
            if table is not None and table.header.end_line and lineno > table.header.end_line \
                    and kind in ("text", "note"):
                table = self._close(table)  # a table known by its rows ends with its last row
            if kind == "text" and last_note and infos[idx - 1].kind != "blank":
                # a note wrapped onto the next line
                for notes, mark in last_note:
                    notes[mark][-1] = notes[mark][-1] + " " + info.text
                continue
            if kind != "note":
                last_note = []
            if kind == "header":
                table = self._close(table)
                self._flush_orphans(prose_run, section)
                h = info.header
                t = Table(h, lineno + 1, section_facility=section.facility or last_mentioned)
                t.captions = h.captions or self._captions(idx)
                h.captions = t.captions
                self._resolve_header_facility(t, last_mentioned)
                table = t
                section.tables.append(t)
                self.tables.append(t)
            elif kind == "heading":
                table = self._close(table)
                self._flush_orphans(prose_run, section)
                facility = info.facility
                number = info.number.rstrip(".")
                if not facility and number and section.number and number.startswith(section.number + "."):
                    facility = section.facility  # '5.1 Productbeschrijvingen' under '5. Samenwerkende Catalogi'
                elif not facility and number:
                    self.problems.append(Problem(self.name, lineno, "info", "unknown_heading",
                                                 "a heading that names no facility of the code list", info.text))
                section = Section(facility, lineno, number=number if info.facility or not section.number
                                  or not number.startswith(section.number + ".") else section.number)
                self.sections.append(section)
                last_mentioned = facility  # a heading overrides what the prose before it named
            elif kind == "marker":
                table = self._close(table)
                self._flush_orphans(prose_run, section)
            elif kind == "note":
                last_note = []
                self.note_lines[lineno] = info.text
                if table is not None:
                    table.note_lines.add(lineno)
                for mark, text in [(info.note_mark, info.note_text)] + info.more_notes:
                    scopes = [section.notes, self.doc_notes] + ([table.notes] if table is not None else [])
                    for d in scopes:
                        d.setdefault(mark, []).append(text)
                        last_note.append((d, mark))
                if table is not None:
                    table.end = lineno
                    table = self._close(table)
            elif kind == "url" and table is not None:
                table.body.append((lineno, self.lines[idx]))  # part of a label: 'via www.verbeterdekaart.nl'
                table.end = lineno
            elif kind in ("blank", "footer", "url"):
                continue
            else:  # text
                if table is not None:
                    table.body.append((lineno, self.lines[idx]))
                    table.end = lineno
                else:
                    section.text.append((lineno, info.text))
                    prose_run.append((lineno, self.lines[idx]))
                    for m in self.fx.mentions(info.text):
                        last_mentioned = m.code
                    self.prose_lines.append((lineno, info.text, section.facility or last_mentioned))
        self._close(table)
        self._flush_orphans(prose_run, section)

    def _join_split_headers(self) -> None:
        """A header printed over several lines ('Stelselcatalogus Van 1102015' / 't/m 31122015' /
        '2016' / '2017' / '%'): joined into one header on its first line."""
        infos = self.infos
        for i, info in enumerate(infos):
            if info.kind not in ("text", "header") or (info.kind == "header" and info.header.strong):
                continue
            words = info.text.split()
            if not any(_HEADER_WORD.match(w) for w in words):
                continue
            parts = [info.text]
            used = []
            j = i + 1
            while j < len(infos) and len(used) < 6:
                nxt = infos[j]
                if nxt.kind == "blank":
                    j += 1
                    continue
                ws = nxt.text.split()
                if not ws or len(ws) > 5 or not all(_HEADER_WORD.match(w) for w in ws):
                    break
                parts.append(nxt.text)
                used.append(j)
                h = parse_header(" ".join(parts), i + 1)
                if h is not None and h.strong:
                    infos[i] = LineInfo("header", " ".join(parts), header=h)
                    for k in used:
                        infos[k] = LineInfo("blank", "")
                    break
                j += 1

    def _find_yearless_tables(self) -> None:
        """A table with no years in its header ('Aangesloten registraties Aantal inzagen Persoonlijke
        Gegevens' over rows 'BRP – Basisregistratie Personen 1.922.747'): three or more lines of a
        short label and one figure, under a caption. Its figures are of the edition's reference year."""
        infos = self.infos
        n = len(infos)
        i = 0
        while i < n:
            if infos[i].kind != "text" or not _label_number_line(self.lines[i], i + 1):
                i += 1
                continue
            run = [i]
            j = i + 1
            while j < n:
                if infos[j].kind in ("blank", "footer"):
                    j += 1
                    continue
                if infos[j].kind == "text" and _label_number_line(self.lines[j], j + 1):
                    run.append(j)
                    j += 1
                    continue
                break
            if len(run) >= 3:
                caps = self._caption_indices(run[0])
                if caps and self.reference_year:
                    col = Column("year", self.reference_year, "",
                                 note="no year printed in the header: the edition's reference year")
                    h = Header(caps[0] + 1, "", [col], True,
                               captions=[normalise_spaces(self.lines[k]).rstrip() for k in caps],
                               end_line=run[-1] + 1)
                    infos[caps[0]] = LineInfo("header", " ".join(h.captions), header=h)
                    for k in caps[1:]:
                        infos[k] = LineInfo("blank", "")
                elif caps:
                    self.problems.append(Problem(self.name, run[0] + 1, "warning", "no_year",
                                                 "a table without years in its header, and no reference "
                                                 "year known for this edition: not read"))
                else:
                    self.problems.append(Problem(
                        self.name, run[0] + 1, "warning", "unread_table",
                        f"{len(run)} lines of a label and a figure (lines {run[0] + 1}-{run[-1] + 1}) without a "
                        f"caption naming what they count: not read as a table",
                        normalise_spaces(self.lines[run[0]]).strip()))
            i = j

    def _caption_indices(self, idx: int) -> list[int]:
        out: list[int] = []
        j = idx - 1
        while j >= 0 and len(out) < 4:
            info = self.infos[j]
            if info.kind == "blank":
                j -= 1
                continue
            toks = tokenize_line(self.lines[j], j + 1)
            if info.kind != "text" or any(t.kind in (NUM, MISS) for t in toks) or info.text.endswith((".", ";", ":")) \
                    or len(info.text.split()) > 8:
                break
            out.append(j)
            j -= 1
        out.reverse()
        return out

    def _weak_header_ok(self, idx: int) -> bool:
        """A header of years only (no '%', no 'Indicator') counts when caption lines stand above it and
        at least two rows below it print a label and one figure per column on a single line."""
        h = self.infos[idx].header
        if not self._captions(idx):
            return False
        ncols = len(h.columns)
        good = 0
        seen = 0
        for j in range(idx + 1, min(idx + 14, len(self.lines))):
            if self.infos[j].kind in ("blank", "footer"):
                continue
            seen += 1
            toks = tokenize_line(self.lines[j], j + 1)
            nums = [t for t in toks if t.kind in (NUM, MISS)]
            if toks and toks[0].kind == TEXT and len(nums) == ncols and all(t.kind != TEXT for t in toks[1:]):
                good += 1
            if seen >= 5:
                break
        return good >= 2

    def _captions(self, idx: int) -> list[str]:
        """Caption lines printed just above a header (column group titles, a period header)."""
        out: list[str] = []
        j = idx - 1
        blanks = 0
        while j >= 0 and len(out) < 6:
            info = self.infos[j]
            raw = self.lines[j]
            if info.kind == "blank":
                blanks += 1
                if blanks > 3:
                    break
                j -= 1
                continue
            blanks = 0
            if info.kind != "text":
                break
            t = info.text
            toks = tokenize_line(raw, j + 1)
            nnum = sum(1 for x in toks if x.kind == NUM)
            if t.endswith((".", ";")) or len(t) > 70 or nnum > 1:
                break
            out.append(normalise_spaces(raw).rstrip())
            j -= 1
        out.reverse()
        return out

    def _resolve_header_facility(self, t: Table, last_mentioned: str) -> None:
        """The facility a table is printed for: named in its header ('DigiD 2014 2015 ...'), named in the
        caption above a header of years only, or else the section it is printed in."""
        label = t.header.label
        code = self.fx.exact(label) if label else None
        reason = f"named in the table header ({label!r})"
        if code is None and label and not label.lower().startswith("indicator"):
            lead = self.fx.leading(label)
            code = lead.code if lead else None
        if code is None and not label and t.captions:
            named = self.fx.mentions(" ".join(c.strip() for c in t.captions))
            code = named[-1].code if named else None
            reason = "named in the caption above the table"
        if code:
            t.facility, t.facility_reason = code, reason
        elif t.section_facility:
            t.facility, t.facility_reason = t.section_facility, "the section it is printed in"
        else:
            t.facility, t.facility_reason = "", "no facility named"
        # matrix tables: rows are categories (registries, sender types), columns carry the indicator
        if any(c.caption for c in t.header.year_columns):
            t.matrix = True
            t.row_caption = label
        elif not label and t.captions:
            groups = {c.group for c in t.header.columns}
            t.matrix = len(caption_segments(t.captions)) >= len(groups) + 1

    def _close(self, table: Table | None) -> None:
        if table is None:
            return None
        table.body = self._drop_prose(table)
        tokens = tokenize([l for _, l in table.body], 1)
        # re-number: tokenize() numbered body lines 1..n
        linemap = [ln for ln, _ in table.body]
        for tok in tokens:
            tok.line = linemap[tok.line - 1]
        reader = RowReader(table.header)
        reader.feed(tokens)
        reader.finish()
        table.rows = reader.rows
        nums = [t for t in reader.leftover if t.kind == NUM]
        if nums:
            self.problems.append(Problem(self.name, nums[0].line, "warning", "unplaced_numbers",
                                         f"numbers in table {table.id} that belong to no row",
                                         " ".join(t.text for t in reader.leftover)[:200]))
        return None

    def _drop_prose(self, table: Table) -> list[tuple[int, str]]:
        """Explanatory prose printed inside a table (sentences of 20 words or more, bullet lists) is
        not part of any row: numbers in it ('vanaf 1 januari 2016') must never become figures."""
        keep: list[tuple[int, str]] = []
        chunk: list[tuple[int, str]] = []
        words = 0
        for ln, raw in table.body:
            text = normalise_spaces(raw).strip()
            if _BULLET.match(text):
                keep.extend(chunk)
                chunk, words = [], 0
                continue  # a bullet list line: explanation
            toks = tokenize_line(raw, ln)
            nnum = sum(1 for t in toks if t.kind in (NUM, MISS))
            ntext = sum(len(t.text.split()) for t in toks if t.kind == TEXT)
            ends_in_figure = bool(toks) and toks[-1].kind in (NUM, MISS) and ntext <= 10 \
                and not text.endswith(".") and ". " not in text and not re.fullmatch(r"(?:19|20)\d\d", toks[-1].text)
            if nnum >= 3 or (nnum and ntext == 0) or (nnum == 2 and ntext <= 2) or ends_in_figure:
                keep.extend(chunk)
                chunk, words = [], 0
                keep.append((ln, raw))
                continue
            chunk.append((ln, raw))
            words += ntext + nnum
            if text.endswith((".", ":", ";")):
                if words >= 20:
                    chunk = []
                else:
                    keep.extend(chunk)
                    chunk = []
                words = 0
        keep.extend(chunk)
        return keep

    def _flush_orphans(self, run: list[tuple[int, str]], section: Section) -> None:
        """Rows printed outside any table: a short label and a line of figures ending in a change."""
        if not run:
            return
        label_lines: list[tuple[int, str]] = []
        for lineno, raw in run:
            toks = tokenize_line(raw, lineno)
            figs = [t for t in toks if t.kind in (NUM, MISS)]
            texts = [t for t in toks if t.kind == TEXT]
            if len(figs) >= 3 and not texts and figs[-1].is_change_like:
                # the label: the short lines just above
                lab: list[tuple[int, str]] = []
                for ln, txt in reversed(label_lines):
                    if len(txt.split()) > 7:
                        break
                    lab.append((ln, txt))
                lab.reverse()
                if lab:
                    label_toks = [Token(TEXT, txt.strip(), ln, 0) for ln, txt in lab]
                    self.orphans.append((label_toks, figs, section))
                label_lines = []
            else:
                label_lines.append((lineno, normalise_spaces(raw).strip()))
        run.clear()

    # --- pass 2: facility of each table -----------------------------------------------------------
    def resolve(self) -> None:
        for i, t in enumerate(self.tables):
            if t.matrix:
                continue
            subjects = self._label_subjects(t)
            if not subjects or t.facility in subjects:
                continue
            if any(m.code == t.facility for row in t.rows for m in self.fx.mentions(row.label)):
                continue  # the labels name the section's facility too ('... aan Digilevering')
            best, count = max(subjects.items(), key=lambda kv: (kv[1], kv[0]))
            named_in_header = t.facility_reason.startswith("named in the table header")
            if count >= max(2, (len(t.rows) + 1) // 2) and not named_in_header:
                self.problems.append(Problem(
                    self.name, t.header.line, "info", "displaced_table",
                    f"table printed under {t.facility or 'no facility'!r} belongs to {best!r} "
                    f"({count} row labels name it)"))
                t.facility, t.facility_reason = best, f"its row labels name {best} ({count} rows)"
        for label_toks, figs, section in self.orphans:
            self._place_orphan(label_toks, figs, section)

    def _label_subjects(self, t: Table) -> dict[str, int]:
        """Facilities the row labels are about (not those they name as a channel: 'via Digimelding')."""
        counts: dict[str, int] = {}
        for row in t.rows:
            label = row.label
            seen = set()
            for m in self.fx.mentions(label):
                before = label[: m.start].split()
                if before and before[-1].lower() in CHANNEL_WORDS:
                    continue
                if len(before) >= 2 and before[-2].lower() in CHANNEL_WORDS and before[-1].lower() in ("de", "het"):
                    continue
                seen.add(m.code)
            for c in seen:
                counts[c] = counts.get(c, 0) + 1
        return counts

    def _place_orphan(self, label_toks: list[Token], figs: list[Token], section: Section) -> None:
        label = join_label([t.text for t in label_toks])
        line = figs[0].line
        candidates = [t for t in self.tables if t.header.line < line and len(t.header.columns) == len(figs)]
        named = {m.code for m in self.fx.mentions(label)}
        pick = None
        for t in reversed(candidates[-4:]):
            if t.facility in named:
                pick = t
                break
        if pick is None and candidates:
            pick = candidates[-1]
        if pick is None:
            self.problems.append(Problem(self.name, line, "warning", "unplaced_row",
                                         f"a row printed outside any table matches no table with {len(figs)} columns",
                                         f"{label} | {' '.join(f.text for f in figs)}"))
            return
        row = RawRow(label_toks, [Cell([Figure(f)]) for f in figs])
        row.displaced = True  # type: ignore[attr-defined]
        pick.rows.append(row)
        self.problems.append(Problem(self.name, line, "info", "displaced_row",
                                     f"row printed outside its table, placed in table {pick.id} ({pick.facility})",
                                     label[:120]))

    # --- pass 3: observations ---------------------------------------------------------------------
    @property
    def table_lines(self) -> set[int]:
        out: set[int] = set()
        for t in self.tables:
            out |= t.lines()
        for _, figs, _ in self.orphans:
            out |= {f.line for f in figs}
        return out

    def emit(self) -> list[Observation]:
        for t in self.tables:
            self._emit_table(t)
        for t in self.tables:
            prose = [x for sec in self.sections if t in sec.tables or (t.facility and sec.facility == t.facility)
                     for x in sec.text]
            mark_method_changes(sorted(set(prose)), f"{self.name}:{t.id}", t.labels, self.observations)
        return self.observations

    def _emit_table(self, t: Table) -> None:
        h = t.header
        group_caps = self._group_captions(t)
        facility = t.facility
        for row in t.rows:
            label_toks = list(row.label_tokens)
            # a sub-heading inside the table: a line that is just a facility name
            if label_toks:
                sub = self.fx.exact(label_toks[0].text)
                if sub and len(label_toks) > 1 and not t.matrix:
                    facility = sub
                    label_toks = label_toks[1:]
            label = join_label([x.text for x in label_toks])
            label = re.sub(r"^\d{1,2}\s+(?=[A-Z])", "", label)  # a rank number printed before a label
            marks = [x.mark for x in label_toks if x.mark]
            t.labels.setdefault(label, row.label_line)
            row_fac = facility
            breakdown = ""
            if t.matrix:
                lead = self.fx.leading(label)
                umbrella = not facility or (facility in self.fx and self.fx.get(facility).umbrella)
                if lead and umbrella:
                    row_fac = lead.code  # 'BRT (Topografie)' in a table over all registries
                else:
                    breakdown = label  # a sender type, a source registry of one facility's figure
            if not row_fac:
                self.problems.append(Problem(self.name, row.label_line, "warning", "unknown_facility",
                                             "row of a table whose facility could not be determined", label))
            cells, probs = reconcile(row, h)
            blank_first = "blank:first" in probs
            probs = [p for p in probs if p != "blank:first"]
            for p in probs:
                self.problems.append(Problem(self.name, row.label_line, "warning", "row_shape", p, label))
            if row.extra:
                self.problems.append(Problem(self.name, row.extra[0].line, "warning", "unplaced_numbers",
                                             f"figures after the row {label!r} that fit no column",
                                             " ".join(x.text for x in row.extra)))
            uncertain = bool(probs) and any("uncertain" in p for p in probs)
            displaced = getattr(row, "displaced", False)
            # the parts of a two-figure row ('partners' / 'aansluitingen'): a missing cell stands for each
            printed = [c for c in cells if c is not None and not (len(c.figures) == 1 and c.figures[0].token is not None
                                                                  and c.figures[0].token.kind == MISS)]
            regular = len({len(c.figures) for c in printed[:len(h.year_columns)]}) == 1
            widest = max(printed, key=lambda c: len(c.figures), default=None) if regular else None
            quals = [""] + [self._qualifier(widest, k) for k in range(1, len(widest.figures))] if widest else [""]
            if widest and widest.figures[0].pre:
                quals = [self._qualifier(widest, k) for k in range(len(widest.figures))]
            row_obs: list[tuple[Column, Observation]] = []
            for col, cell in zip(h.columns, cells):
                first_line = next((c.line for c in row.cells if c.line), row.label_line)
                if cell is None:
                    if col.kind == "year" and blank_first:
                        for q in quals:
                            o = self._obs(t, row_fac, label, q, col, None, row, breakdown, group_caps)
                            o.note = "blank cell (nothing printed); the printed figures stand under the last years"
                            o.line = first_line
                            row_obs.append((col, o))
                        blank_first = False
                        continue
                    if col.kind == "change" and not uncertain:
                        o = self._obs(t, row_fac, label, "", col, None, row, breakdown, group_caps)
                        o.note = "no change printed for this row"
                        o.line = first_line
                        row_obs.append((col, o))
                        continue
                    if col.kind == "year" and uncertain:
                        o = self._obs(t, row_fac, label, "", col, None, row, breakdown, group_caps)
                        o.flags |= {"missing", "suspect"}
                        o.note = "no cell printed for this column (the row has fewer cells than columns)"
                        row_obs.append((col, o))
                    continue
                if len(cell.figures) == 1 and cell.figures[0].token is not None \
                        and cell.figures[0].token.kind == MISS and len(quals) > 1 and col.kind == "year":
                    for q in quals:
                        o = self._obs(t, row_fac, label, q, col, cell.figures[0], row, breakdown, group_caps)
                        row_obs.append((col, o))
                    continue
                for k, fig in enumerate(cell.figures):
                    q = self._qualifier(cell, k)
                    if col.kind == "change" and not q and quals and quals[0]:
                        q = quals[0]  # the printed change of a row of captioned pairs: of its first part
                    o = self._obs(t, row_fac, label, q, col, fig, row, breakdown,
                                  group_caps, text_only=cell.text_only, text_line=cell.text_line)
                    if uncertain:
                        o.flags.add("suspect")
                        o.note = (o.note + "; " if o.note else "") + "row has fewer cells than columns: placement uncertain"
                    if displaced:
                        o.flags.add("displaced")
                    row_obs.append((col, o))
            self._footnotes(t, row_obs, marks, label)
            self._check_change(row_obs)
            self.observations.extend(o for _, o in row_obs)

    def _qualifier(self, cell: Cell, k: int) -> str:
        figs = cell.figures
        f = figs[k]
        if f.pre:
            return f.pre.rstrip(":").strip()
        if len(figs) > 1 and k > 0:
            return f.qualifier
        return ""

    def _group_captions(self, t: Table) -> dict[int, str]:
        """Indicator captions of column groups (000: '% Geopend binnen 3 weken' / '... 6 weken'),
        printed above a header of years only; the first caption names the rows ('Overheidsinstanties')."""
        if not t.matrix or not t.captions:
            return {}
        groups = sorted({c.group for c in t.header.columns})
        segs = caption_segments(t.captions)
        if len(segs) >= len(groups) + 1:
            t.row_caption = t.row_caption or segs[0]
            return {g: segs[-len(groups) + i] for i, g in enumerate(groups)}
        return {}

    def _obs(self, t: Table, facility: str, label: str, qualifier: str, col: Column, fig: Figure | None,
             row: RawRow, breakdown: str, group_caps: dict[int, str], text_only: str = "",
             text_line: int = 0) -> Observation:
        indicator = label
        if t.matrix:
            cap = col.caption or group_caps.get(col.group, "")
            if not cap and col.kind == "change":
                caps = [c.caption for c in t.header.year_columns if c.group == col.group and c.caption]
                cap = caps[-1] if caps else ""
            indicator = cap or label
        if qualifier:
            indicator = f"{indicator} — {qualifier}"
        fac_label = self.fx.get(facility).notation if facility in self.fx else facility
        if col.kind == "change":
            indicator = indicator + CHANGE_SUFFIX
        if fig is None or fig.token is None:
            raw = text_only.strip() if fig is not None else ""
            o = Observation(self.name, row.label_line if fig is None else (text_line or row.label_line),
                            fac_label, facility, indicator, "", col.year, raw, None,
                            "percent" if col.kind == "change" else "count",
                            {"missing"} if fig is None else {"suspect"}, "table", self.edition,
                            f"{self.name}:{t.id}", row.label_line, breakdown,
                            "change" if col.kind == "change" else "level")
            if fig is not None:
                o.note = "cell printed without a number"
            return o
        tok = fig.token
        p = tok.parsed
        raw_parts = []
        if fig.pre:
            raw_parts.append(fig.pre)
        raw_parts.append(p.raw)
        post = " ".join(w for w in fig.post if w.strip("*")).strip()
        if post:
            raw_parts.append(post)
        raw = " ".join(raw_parts)
        unit = p.unit
        measure = "level"
        if col.kind == "change":
            measure = "change"
            unit = "percent"
        flags = set(p.flags)
        if any(w.strip() and w.strip("*") == "" for w in fig.post):
            flags.add("footnote")
            p.footnote = p.footnote or next(w for w in fig.post if w.strip() and w.strip("*") == "")
        o = Observation(self.name, tok.line, fac_label, facility, indicator, "", col.year, raw, p.value, unit,
                        flags, "table", self.edition, f"{self.name}:{t.id}", row.label_line, breakdown, measure,
                        p.note)
        if col.note:
            o.note = (o.note + "; " if o.note else "") + col.note
        o._footnote_mark = p.footnote  # type: ignore[attr-defined]
        return o

    def _footnotes(self, t: Table, row_obs: list[tuple[Column, Observation]], label_marks: list[str],
                   label: str) -> None:
        """Footnote marks on a label (the whole row) or on a value (that cell): flag, keep the note's
        text, and read from it whether counting changed or the figure is approximate."""
        claimed = getattr(t, "_claimed", set())
        t._claimed = claimed  # type: ignore[attr-defined]

        def lookup(mark: str) -> str | None:
            texts: list[str] = []
            for m in _mark_variants(mark):
                scopes = [t.notes, self._section_notes(t)]
                if m[:1].isdigit() or m.startswith("["):
                    scopes.append(self.doc_notes)  # numbered notes: anywhere in the document
                for d in scopes:
                    if m in d:
                        for x in d[m]:
                            if x not in texts:
                                texts.append(x)
                        claimed.add(m)
                        break
            if not texts:
                # a mark that matches no note, in a table with exactly one note: that note
                free = [k for k in t.notes if k not in claimed]
                if len(t.notes) == 1 and free:
                    claimed.add(free[0])
                    texts = list(t.notes[free[0]])
            return " | ".join(texts) if texts else None

        def apply(o: Observation, mark: str, text: str | None, years: set[int]) -> None:
            o.flags.add("footnote")
            if not text:
                return
            o.note = _add(o.note, f"note {mark}: {text}")
            if _is_method_change(text) and (not years or o.year in years):
                o.flags.add("method_change")
            if _is_approx(text):
                o.flags.add("approx")

        for mark in label_marks:
            text = lookup(mark)
            years = {int(y) for y in _YEAR_IN_TEXT.findall(text or "")}
            for col, o in row_obs:
                apply(o, mark, text, years if o.measure == "level" else {-1})
            if text is None:
                self.problems.append(Problem(self.name, row_obs[0][1].label_line if row_obs else 0, "info",
                                             "note_not_found", f"footnote mark {mark!r} without a note text", label))
        for col, o in row_obs:
            mark = getattr(o, "_footnote_mark", "")
            if not mark:
                continue
            text = lookup(mark)
            apply(o, mark, text, set())
            if text is None:
                self.problems.append(Problem(self.name, o.line, "info", "note_not_found",
                                             f"footnote mark {mark!r} without a note text", o.raw))

    def _section_notes(self, t: Table) -> dict[str, list[str]]:
        """Notes of the section the table is printed in, and of its own facility's section."""
        out: dict[str, list[str]] = {}
        for s in self.sections:
            if t in s.tables or (t.facility and s.facility == t.facility):
                for k, v in s.notes.items():
                    out.setdefault(k, []).extend(x for x in v if x not in out.get(k, []))
        return out

    def _check_change(self, row_obs: list[tuple[Column, Observation]]) -> None:
        """Compare the printed year-on-year change with the values; derive suspect values where the
        printed change pins them down."""
        by_group: dict[int, list[tuple[Column, Observation]]] = {}
        for col, o in row_obs:
            by_group.setdefault(col.group, []).append((col, o))
        for items in by_group.values():
            changes = [o for c, o in items if o.measure == "change" and o.value is not None]
            levels = [o for c, o in items if o.measure == "level"]
            if not changes or not levels:
                continue
            base = levels[0].indicator
            levels = [o for o in levels if o.indicator == base]
            if len(levels) < 2:
                continue
            ch = changes[0]
            prev, last = levels[-2], levels[-1]
            if prev.value is not None and last.value is not None:
                computed = _change(prev, last)
                if computed is None:
                    continue
                tol = Decimal("1.0") + (Decimal("0.5") if ch.value == ch.value.to_integral_value() else 0)
                if abs(computed - ch.value) > tol:
                    ch.flags.add("pct_mismatch")
                    ch.note = _add(ch.note, f"printed {ch.raw}; the values give {computed:.1f}")
            elif "suspect" in last.flags and last.value is None and last.raw and prev.value not in (None, 0):
                lit = last.raw.split()[0]
                fits = [c for c in repair_candidates(lit)
                        if abs(_change_values(prev.value, c, last.unit) - ch.value) <= Decimal("0.5")]
                if fits:
                    last.flags.add("derivable")
                    lo, hi = fits[0], fits[-1]
                    span = f"{lo}" if lo == hi else f"between {lo} and {hi}"
                    last.note = _add(last.note, f"the printed change {ch.raw} puts the value {span}")


def _change(prev: Observation, last: Observation) -> Decimal | None:
    if prev.value == 0:
        return None
    return _change_values(prev.value, last.value, last.unit)


def _change_values(prev: Decimal, last: Decimal, unit: str) -> Decimal:
    if unit == "percent":
        return last - prev
    if prev == 0:
        return Decimal(0)
    return (last / prev - 1) * 100


_INDICATOR_START = re.compile(r"^(?:Aantal|Totaal|Totale|Gemiddeld|Percentage|%)$")


def caption_segments(lines: list[str]) -> list[str]:
    """'Overheidsinstanties  Totaal Aantal berichten' -> ['Overheidsinstanties', 'Totaal Aantal berichten'];
    'Aangesloten registraties Aantal inzagen' + 'Persoonlijke' + 'Gegevens' ->
    ['Aangesloten registraties', 'Aantal inzagen Persoonlijke Gegevens']."""
    text = "  ".join(x.strip() for x in lines if x.strip())
    pieces: list[str] = []
    for chunk in re.split(r"\s{2,}", text):
        for part in re.split(r"\s+(?=%\s)", chunk):
            part = part.strip()
            if not part:
                continue
            if pieces and not part.startswith("%") and not _INDICATOR_START.match(part.split()[0]) \
                    and not pieces[-1].endswith(":"):
                pieces[-1] += " " + part  # a wrapped caption line
            else:
                pieces.append(part)
    out: list[str] = []
    for piece in pieces:
        words = piece.split()
        cut = next((i for i, w in enumerate(words) if i > 0 and _INDICATOR_START.match(w)), None)
        if cut is not None and not _INDICATOR_START.match(words[0]):
            out += [" ".join(words[:cut]), " ".join(words[cut:])]
        else:
            out.append(piece)
    return out


def _label_number_line(raw: str, lineno: int) -> bool:
    """'1 BRP – Basisregistratie Personen 1.922.747', 'Totaal 6.016.387': a label and one figure."""
    toks = tokenize_line(raw, lineno)
    if toks and toks[0].kind == NUM and re.fullmatch(r"\d{1,2}", toks[0].text):
        toks = toks[1:]  # a rank number
    if len(toks) != 2 or toks[0].kind != TEXT or toks[1].kind not in (NUM, MISS):
        return False
    text = toks[0].text
    return len(text.split()) <= 10 and not text.endswith((".", ":", ";", ",")) and not _BULLET.match(text) \
        and text[:1].isupper()


def _mark_variants(mark: str) -> list[str]:
    """'3[2]' -> ['3', '[2]']; '*)' -> ['*']."""
    mark = mark.strip().rstrip(")")
    parts = re.findall(r"\d+|\[\d+\]|\*+", mark)
    return parts or [mark]


def _is_approx(text: str) -> bool:
    low = text.lower()
    return any(w in low for w in APPROX_NOTE_WORDS)


def _is_method_change(text: str) -> bool:
    low = text.lower()
    return any(w in low for w in METHOD_WORDS)


def _add(note: str, more: str) -> str:
    return more if not note else (note if more in note else f"{note}; {more}")
