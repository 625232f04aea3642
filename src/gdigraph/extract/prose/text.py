"""The text of a paragraph as one string that keeps the line of every character, cut into sentences."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..numbers import normalise_spaces

# PDF text splits words; close the ones that matter for reading the sentence
_SPLIT_WORDS = re.compile(
    r"\b(ge|aan|raad|authenti|voor|toe|basis|vervier|vervijf|verdrie|overheids|stel|bevra|geïmple)"
    r" (stegen|sluitingen|plegingen|caties|ziening|passingen|registraties|voudigd|voudigde|organisaties|"
    r"sel|gingen|menteerd)\b")
_SENT_END = re.compile(r"[.!?][\"”’)]?\s+(?=[A-ZÀ-ÖØ-ÞЁ‘“\"])")


@dataclass
class Text:
    text: str
    lines: list[int]

    def line_at(self, pos: int) -> int:
        return self.lines[min(pos, len(self.lines) - 1)]

    def delete(self, positions: list[int]) -> "Text":
        drop = set(positions)
        return Text("".join(c for k, c in enumerate(self.text) if k not in drop),
                    [n for k, n in enumerate(self.lines) if k not in drop])

    def slice(self, a: int, b: int) -> "Text":
        return Text(self.text[a:b], self.lines[a:b])


def join_paragraph(par: list[tuple[int, str]]) -> Text:
    text = ""
    nums: list[int] = []
    for lineno, raw in par:
        line = normalise_spaces(raw).strip()
        if not line:
            continue
        if text:
            m = re.search(r"(\w+)-$", text)
            if m and line[:1].islower() and not any(c.isupper() for c in m.group(1)[1:]) \
                    and not m.group(1).isdigit():
                text, nums = text[:-1], nums[:-1]  # 'aan-' + 'gesloten': a word broken at the line end
            elif not text.endswith("-"):
                text += " "
                nums.append(lineno)
        text += line
        nums += [lineno] * len(line)
    t = Text(text, nums)
    drops = [m.start(1) + len(m.group(1)) for m in _SPLIT_WORDS.finditer(t.text)]
    spaces = [m.start() for m in re.finditer(r"\s{2,}", t.text)]  # runs of spaces count as one
    extra = [p + k for p in spaces for k in range(1, len(re.match(r"\s+", t.text[p:]).group(0)))]
    return t.delete(drops + extra)


def sentences(t: Text) -> list[Text]:
    out = []
    start = 0
    for m in _SENT_END.finditer(t.text):
        end = m.end()
        out.append(t.slice(start, end))
        start = end
    if start < len(t.text):
        out.append(t.slice(start, len(t.text)))
    return [s for s in out if s.text.strip()]
