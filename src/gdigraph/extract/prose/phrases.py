"""The counted phrase of a figure: the counted noun printed after the number ('35 aangesloten
organisaties', '47 miljoen keer ingelogd'), else the nearest 'het aantal X' of the sentence, else
'gebruik' ('Het gebruik van X ...')."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .figures import Figure
from .vocabulary import AANTAL, GEBRUIK, HEADS, KEER_VERBS, NUMBER_WORDS, STOP, WORD


@dataclass(frozen=True)
class Phrase:
    """A counted phrase and where it is printed in its sentence (``start == end`` when it is read from a
    verb, 'N keer geraadpleegd', rather than printed)."""

    text: str
    start: int
    end: int


NO_PHRASE = Phrase("", 0, 0)


def head_after(s: str, pos: int) -> tuple[str, str, int] | None:
    """('aangesloten organisaties', 'organisaties', end) when a counted noun follows ``pos``; ``end`` is
    where the noun ends in ``s`` (``pos`` for 'N keer <participle>': no printed noun)."""
    found = [(m.group(0).strip("‘’“”\"'"), m.end()) for m in WORD.finditer(s, pos, pos + 90)]
    found = [(w, e) for w, e in found if w][:6]
    if len(found) > 1 and found[0][0].lower() == "van" and found[1][0].lower() in ("dergelijke", "deze", "zulke"):
        found = found[2:]  # '953 van dergelijke koppelingen'
    words = [w for w, _ in found]
    phrase: list[str] = []
    for i, w in enumerate(words):
        w = w.rstrip(".") or w
        lw = w.lower()
        if lw in ("keer", "maal"):
            for v in words[i + 1:i + 4]:
                lv = v.lower().strip(".,;")
                if lv in KEER_VERBS:
                    return KEER_VERBS[lv], lv, pos
                if lv not in ("is", "werd", "werden", "zijn", "wordt", "er"):
                    break
            return None
        if not re.match(r"^[\w’'\-/]+$", w) or lw in STOP and i > 0:
            return None
        phrase.append(w.rstrip("."))
        if any(lw.endswith(h) for h in HEADS):
            return " ".join(phrase), lw, found[i][1] - (len(found[i][0]) - len(w))
        if lw in STOP:
            return None
        if i >= 3:
            break
    return None


def aantal_phrase(s: str, m: re.Match) -> tuple[str, int]:
    """The counted thing of 'het aantal X' and where it ends in ``s``: up to and including its noun
    ('aangesloten overheidsorganisaties', 'accounts op niveau Basis'); 'aantal keren dat ... werd
    ingelogd' -> 'keren ingelogd' (its end: where 'aantal' ends, no noun is printed)."""
    found = [(w.group(0).strip("‘’“”\"'"), w.end()) for w in WORD.finditer(s, m.end(), m.end() + 120)]
    found = [(w, e) for w, e in found if w]
    toks = [w for w, _ in found]
    if toks and toks[0].lower() in ("keren", "keer"):
        for w in toks[1:9]:
            if w.lower().rstrip(".") in KEER_VERBS:
                return KEER_VERBS[w.lower().rstrip(".")], m.end()
        if len(toks) > 1 and re.fullmatch(r"[a-z]+", toks[1]) and toks[1] not in STOP:
            return "keren " + toks[1], found[1][1]  # 'het aantal keren inloggen'
        return "", m.end()
    words: list[str] = []
    ends: list[int] = []
    for i, w in enumerate(toks):
        stop = w.endswith(".") and len(w) > 1
        w = w.rstrip(".") or w
        lw = w.lower()
        if not re.match(r"^[\w’'\-/]+$", w) or re.match(r"\d", w) or lw in NUMBER_WORDS \
                or lw in STOP and words or lw in ("met", "is", "van", "via", "aan", "dat", "in", "naar"):
            break
        words.append(w)
        ends.append(found[i][1] - (len(found[i][0]) - len(w)))
        if any(lw.endswith(h) for h in HEADS):
            rest = [t.rstrip(".") for t in toks[i + 1:i + 4]]
            if not stop and len(rest) == 3 and rest[0].lower() == "op" and rest[1].lower() == "niveau":
                words += rest  # 'accounts op niveau Basis'
                ends += [found[i + 3][1] - (len(found[i + 3][0]) - len(rest[2]))] * 3
            break
        if len(words) >= 5 or stop:
            break
    while words and words[-1].lower() in STOP:
        words.pop()
        ends.pop()
    if words and not any(w.lower().endswith(HEADS) for w in words) and len(words) > 2:
        return "", m.end()  # no counted noun: not a phrase to trust
    return " ".join(words), (ends[-1] if ends else m.end())


def indicator_from_clause(s: str, f: Figure, prev_text: str = "", growth: bool = False) -> Phrase:
    """The counted thing of a figure without a counted noun after it: the nearest 'het aantal X' of the
    sentence, a 'N keer <participle>' (also of the sentence before), 'Het gebruik van X', or the counted
    noun of the sentence for the target of a change."""
    before = [m for m in AANTAL.finditer(s) if m.end() <= f.start]
    if before:
        ph, end = aantal_phrase(s, before[-1])
        if ph:
            return Phrase(ph, before[-1].end(), end)
        # 'zijn twee nieuwe netwerken aangesloten, waarmee het aantal op acht uitkomt': the noun counted
        for w in reversed(list(WORD.finditer(s, 0, before[-1].start()))):
            if w.group(0).lower().endswith(HEADS):
                return Phrase(w.group(0), w.start(), w.end())
    clause_end = s.find(";", f.end)
    clause_end = len(s) if clause_end < 0 else clause_end
    after = [m for m in AANTAL.finditer(s, f.end, clause_end)
             if re.search(r"\b(?:in|van)\s+het\s+(?:totaal\s+)?$", s[:m.start()])]
    if after and growth:
        ph, end = aantal_phrase(s, after[0])
        if ph:
            return Phrase(ph, after[0].end(), end)
    if re.match(r"^\s+(?:keer|maal)\b", s[f.end:]):
        # 'Dat gebeurde bijna 117.000 keer': the verb of this or the sentence before says what
        for text in (s, prev_text):
            for w in re.findall(r"\w+", text):
                if w.lower() in KEER_VERBS:
                    return Phrase(KEER_VERBS[w.lower()], f.end, f.end)
    g = GEBRUIK.search(s[:f.start])
    if g:
        return Phrase(g.group(1).lower(), g.start(1), g.start(1))  # 'Het gebruik van X': nothing to qualify
    if not growth:
        # the target of a change ('te weten ruim 68 miljoen', 'naar 403') or a figure in brackets after
        # a name ('Basisregistratie Personen (bijna 45.000)'): the sentence's counted noun
        lead = s[:f.start]
        if re.search(r"(?:\bnaar|\btot|te\s+weten|\bop|\(|\bis|\bmet)\s*$", lead, re.IGNORECASE):
            for w in WORD.finditer(lead):
                lw = w.group(0).lower()
                if any(lw.endswith(h) for h in HEADS) and lw not in ("gebruikers",):
                    return Phrase(w.group(0), w.start(), w.end())
    return NO_PHRASE
