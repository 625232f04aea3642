"""Read the explanation ('toelichting') around a table for changes in how a figure is counted.

A report often says in prose, not in a footnote, that a figure is counted differently from some year
on: 'Sinds 2016 worden terugmeldingen meegeteld die via bestandsleveringen worden ontvangen' (under the
sub-heading 'Terugmeldingen'), 'Het “Aantal aangesloten overheidsorganisaties op de BV BSN” is als volgt
berekend', 'Medio 2021 is een nieuwe API in gebruik genomen. Deze telt op een andere manier'. Such a
sentence marks the figures of the row it names (by quoting its label, or through the sub-heading it
stands under) with ``method_change`` for the years it names.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from ..records import Observation

METHOD_WORDS = (
    "anders geteld", "andere wijze van tellen", "meetmethode", "niet vergelijkbaar", "andere manier",
    "telwijze", "nieuwe berekening", "berekening gebaseerd", "anders gemeten", "meetinstrument",
    "technische aanpassing", "is als volgt berekend",
)
_SINCE = re.compile(r"\b(?:sinds|vanaf|met ingang van)\s+(?:\w+\s+)?((?:19|20)\d\d)\b", re.IGNORECASE)
_RANGE = re.compile(r"\b((?:19|20)\d\d)\s*(?:t/m|tot en met|-|–)\s*((?:19|20)\d\d)\b")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_COUNT_VERBS = re.compile(r"\b(?:meegeteld|geteld|telt|tellen|berekend|gemeten)\b", re.IGNORECASE)
_QUOTED = re.compile(r"[“\"‘']([^”\"’']{6,})[”\"’']")


def is_method_change(sentence: str) -> bool:
    low = sentence.lower()
    if any(w in low for w in METHOD_WORDS):
        return True
    return bool(_SINCE.search(sentence) and _COUNT_VERBS.search(sentence))


def years_named(sentence: str) -> tuple[str, set[int]] | None:
    """('since', {Y}) / ('only', {...}) / None when no year is named."""
    m = _SINCE.search(sentence)
    if m:
        return "since", {int(m.group(1))}
    r = _RANGE.search(sentence)
    if r:
        a, b = int(r.group(1)), int(r.group(2))
        return "only", set(range(min(a, b), max(a, b) + 1))
    ys = {int(y) for y in _YEAR.findall(sentence)}
    return ("only", ys) if ys else None


def _norm(s: str) -> str:
    s = s.lower().replace("-", "").replace("’", "'")
    return re.sub(r"[^\w%]+", " ", s).strip()


@dataclass
class Sentence:
    text: str
    line: int
    row_label: str  # the sub-heading it stands under, if that is a row label
    topic: str  # a short sub-heading ('Terugmeldingen')


def sentences(lines: list[tuple[int, str]], row_labels: list[str]) -> list[Sentence]:
    norm_labels = {_norm(lb): lb for lb in row_labels}
    out: list[Sentence] = []
    buf = ""
    start = 0
    row_label = ""
    topic = ""
    for ln, text in lines:
        t = text.strip()
        if not t:
            continue
        n = _norm(t)
        if n in norm_labels:
            row_label, topic = norm_labels[n], ""
            continue
        if len(t.split()) <= 3 and not t.endswith((".", ",", ":")) and t[:1].isupper() and not buf:
            topic, row_label = t, ""
            continue
        if not buf:
            start = ln
        buf = (buf + " " + t).strip() if not buf.endswith("-") else buf[:-1] + t
        while True:
            m = re.search(r"[.!?](?:\s+|$)(?=[A-Z“\"(]|$)", buf)
            if not m:
                break
            out.append(Sentence(buf[: m.end()].strip(), start, row_label, topic))
            buf = buf[m.end():].strip()
            start = ln
    if buf:
        out.append(Sentence(buf, start, row_label, topic))
    return out


def row_for(sentence: Sentence, row_labels: list[str]) -> str | None:
    for q in _QUOTED.findall(sentence.text):
        best = max(row_labels, key=lambda lb: difflib.SequenceMatcher(None, _norm(q), _norm(lb)).ratio(),
                   default=None)
        if best and difflib.SequenceMatcher(None, _norm(q), _norm(best)).ratio() >= 0.85:
            return best
    if sentence.row_label:
        return sentence.row_label
    if sentence.topic:
        words = _norm(sentence.topic).split()
        hits = [lb for lb in row_labels if all(w in _norm(lb).split() for w in words)]
        if len(hits) == 1:
            return hits[0]
    return None


def mark_method_changes(prose: list[tuple[int, str]], table_id: str, rows: dict[str, int],
                        observations: list[Observation]) -> list[tuple[int, str]]:
    """Flag the figures of rows that the prose says are counted differently. ``rows`` maps a row label
    to its label line. Returns (line, row label) of each sentence applied."""
    applied = []
    labels = list(rows)
    sents = sentences(prose, labels)
    for k, s in enumerate(sents):
        if not is_method_change(s.text):
            continue
        label = row_for(s, labels)
        if label is None:
            continue
        yrs = years_named(s.text)
        if yrs is None and k > 0 and sents[k - 1].row_label == s.row_label and sents[k - 1].topic == s.topic:
            yrs = years_named(sents[k - 1].text)
        for o in observations:
            if o.table != table_id or o.label_line != rows[label] or o.measure != "level":
                continue
            if yrs is not None:
                kind, ys = yrs
                if (kind == "since" and o.year < min(ys)) or (kind == "only" and o.year not in ys):
                    continue
            o.flags.add("method_change")
            note = f"line {s.line}: {s.text}"
            o.note = note if not o.note else (o.note if note in o.note else f"{o.note}; {note}")
        applied.append((s.line, label))
    return applied
