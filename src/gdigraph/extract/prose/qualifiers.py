"""The qualifiers that make a counted phrase name one quantity: the words around the phrase that say
which part of it a figure counts. Without them 'authenticaties' would be the total in one sentence and
the Basis level in the next ('het aantal authenticaties op basisniveau'), 'terugmeldingen' all of them
or only those made directly to the registries ('dat rechtstreeks plaatsvindt').

A qualifier is appended to the phrase as printed (``authenticaties op basisniveau``, ``gebruikte
machtigingen voor Mijn Overheid``, ``terugmeldingen rechtstreeks``, ``bezoeken business.gov.nl``) or, for
a verb that says which way messages go, put before it (``ontvangen berichten``, ``verstuurde
berichten aan Digilevering``). The sender of messages ('De Belastingdienst en het UWV hebben samen ...
berichten verstuurd') is no part of the phrase: it is the figure's breakdown, as in the tables that
print messages per sender.
"""

from __future__ import annotations

import re

from ...harmonise.facilities import FacilityIndex, Mention
from .phrases import Phrase, aantal_phrase
from .vocabulary import AANTAL


# the level of assurance: 'op niveau Basis', 'op basisniveau', 'op een verhoogd veiligheidsniveau'
_LEVEL_AFTER = re.compile(r"^\s+(op\s+(?:een\s+|het\s+)?(?:[\w-]+\s+)?[\w-]*niveau(?:\s+(?:Basis|Midden|Substantieel|Hoog))?)\b")
_LEVEL_FRONT = re.compile(r"^\s*(Op\s+niveau\s+(?:Basis|Midden|Substantieel|Hoog))\b")
# the channel: 'via de app', 'Via de app hebben ... authenticaties'
_APP_AFTER = re.compile(r"^\s+(via\s+de\s+(?:[\w-]+-)?app)\b", re.IGNORECASE)
_APP_FRONT = re.compile(r"^\s*(Via\s+de\s+(?:[\w-]+-)?app)\b")
# made directly, not through the facility: 'terugmeldingen dat rechtstreeks plaatsvindt'
_DIRECT_AFTER = re.compile(r"^\s*,?\s*(?:dat|die)\s+(?:[\w-]+\s+){0,2}?(rechtstreeks)\b", re.IGNORECASE)
# the recipient: 'berichten richting de Kamer van Koophandel'
_TOWARDS_AFTER = re.compile(r"^\s+(richting\s+(?:de\s+|het\s+)?[A-Z][\w-]*(?:\s+(?:van|voor|der|de)?\s*[A-Z][\w-]*)*)")
# which way messages go, said by the verb after the noun or before the number
# ('uitgewisseld', exchanged, says no way: those are all messages)
_PARTICIPLE_AFTER = {"verstuurd": "verstuurde", "verzonden": "verzonden", "ontvangen": "ontvangen",
                     "geleverd": "geleverde"}
_VERB_BEFORE = {"verstuurden": "verstuurde", "verstuurde": "verstuurde", "verzonden": "verzonden",
                "ontvingen": "ontvangen", "ontving": "ontvangen", "leverden": "geleverde", "leverde": "geleverde"}
_VERB_BEFORE_RE = re.compile(r"\b(" + "|".join(_VERB_BEFORE) + r")\s+(?:samen\s+|in\s+totaal\s+)?$", re.IGNORECASE)
_ADJECTIVES = set(_PARTICIPLE_AFTER.values()) | {"gebruikte", "uitgegeven", "uitstaande", "aangesloten", "actieve",
                                                  "uitgewisselde"}
# the registry messages are about: '... berichten betroffen (gebeurtenisberichten van) het Handelsregister'
_ABOUT_AFTER = re.compile(r"^\s+betr(?:o|e)ff?en\s+(?:[\w-]*berichten\s+van\s+)?(?:de\s+|het\s+)?(basisregistratie\s+)?",
                          re.IGNORECASE)
# a web address named as the subject: 'De Engelstalige versie (Business.gov.nl) groeit door naar ...'
_ADDRESS = re.compile(r"(?<![\w@/.-])((?:www\.)?[A-Za-z][\w-]*(?:\.[A-Za-z][\w-]*)*\.(?:nl|eu|com|org))(?![\w.-])")
_SENDER_GLUE = re.compile(r"^\s*(?:,|en)\s*(?:de\s+|het\s+)?$")
_SENDER_VERB = re.compile(r"^\s+(?:[a-z]+\s+){1,2}$")


def _clause_start(s: str, pos: int) -> int:
    return max(s.rfind(";", 0, pos), s.rfind(":", 0, pos)) + 1


def _mention_at(mentions: list[Mention], pos: int) -> Mention | None:
    return next((m for m in mentions if m.start == pos), None)


def _trailing(s: str, end: int, low: str, fx: FacilityIndex, mentions: list[Mention]) -> list[str]:
    """The qualifiers printed right after a counted noun that ends at ``end`` (also after the facility
    named with it: 'het aantal authenticaties van DigiD op basisniveau')."""
    ends = [end]
    m = re.match(r"^\s+(?:van|bij)\s+(?:de\s+|het\s+)?", s[end:])
    named = _mention_at(mentions, end + m.end()) if m else None
    if named is not None:
        ends.append(named.end)

    def first(pattern: re.Pattern) -> re.Match | None:
        return next((m for m in (pattern.match(s[e:]) for e in ends) if m), None)

    out: list[str] = []
    if "niveau" not in low:
        m = first(_LEVEL_AFTER)
        if m:
            out.append(m.group(1))
    if "app" not in low.split():
        m = first(_APP_AFTER)
        if m:
            out.append(m.group(1))
    m = re.match(r"^\s+voor\s+", s[end:])
    target = _mention_at(mentions, end + m.end()) if m else None
    if target is not None:
        out.append(f"voor {target.alias}")
    m = first(_TOWARDS_AFTER)
    if m:
        out.append(m.group(1))
    m = first(_DIRECT_AFTER)
    if m:
        out.append(m.group(1).lower())
    return out


def qualify(s: str, start: int, ph: Phrase, fx: FacilityIndex, mentions: list[Mention] | None = None) -> str:
    """``ph.text`` with the qualifiers of its sentence ``s`` (the printed figure starts at ``start``)."""
    if not ph.text:
        return ""
    mentions = fx.mentions(s) if mentions is None else mentions
    text = ph.text
    low = text.lower()
    after = s[ph.end:]
    before: list[str] = []  # words that go in front of the phrase
    tail: list[str] = []
    printed = ph.end > ph.start
    lead = min(ph.start, start)
    cs = _clause_start(s, lead)
    if printed:
        tail += _trailing(s, ph.end, low, fx, mentions)
    elif "niveau" not in low:
        m = _LEVEL_AFTER.match(after)
        if m:
            tail.append(m.group(1))
    if printed and ph.start >= start:
        # the noun after the number repeats the 'het aantal X' of its clause, which carries the qualifier:
        # 'Het aantal berichten richting de Kamer van Koophandels verdrievoudigde naar ruim 700.000 SBR berichten'
        earlier = [m for m in AANTAL.finditer(s, cs, start)]
        if earlier:
            other, end = aantal_phrase(s, earlier[-1])
            if other and other.split()[-1].lower() == low.split()[-1]:
                tail += [q for q in _trailing(s, end, low, fx, mentions) if q not in tail]
        # the registry messages are about, when the facility carries them: '... berichten betroffen het HR'
        m = _ABOUT_AFTER.match(after)
        about = None
        if m:  # 'basisregistratie Waarde Onroerende Zaken' may itself be the name
            about = _mention_at(mentions, ph.end + m.end()) or (
                _mention_at(mentions, ph.end + m.start(1)) if m.group(1) else None)
        if about is not None and fx.get(about.code).kind == "basisregistratie":
            tail.append(f"over {fx.get(about.code).notation}")
        if low.split()[0] not in _ADJECTIVES:
            pm = re.match(r"^\s+(\w+)\b", after)
            vm = _VERB_BEFORE_RE.search(s[:start])
            if pm and pm.group(1).lower() in _PARTICIPLE_AFTER:
                before.append(_PARTICIPLE_AFTER[pm.group(1).lower()])
            elif vm:
                before.append(_VERB_BEFORE[vm.group(1).lower()])
                # ... and to whom: 'verstuurden 17 miljoen berichten aan Digilevering'
                am = re.match(r"^\s+(?:aan|naar)\s+(?:de\s+|het\s+)?", after)
                to = _mention_at(mentions, ph.end + am.end()) if am else None
                if to is not None:
                    tail.append(f"aan {to.alias}")
    # fronted: 'Op niveau Substantieel is het aantal authenticaties ...', 'Via de app hebben ...'
    front = s[cs:]
    if "niveau" not in low and not any("niveau" in t for t in tail):
        m = _LEVEL_FRONT.match(front)
        if m and m.end() <= lead - cs:
            tail.append(m.group(1)[0].lower() + m.group(1)[1:])
    if "app" not in low.split() and not any("app" in t for t in tail):
        m = _APP_FRONT.match(front)
        if m and m.end() <= lead - cs:
            tail.append(m.group(1)[0].lower() + m.group(1)[1:])
    for a in _ADDRESS.finditer(s, cs, start):
        if not any(x.start <= a.start(1) < x.end for x in mentions):
            tail.append(a.group(1).lower())
            break
    return " ".join(before + [text] + [re.sub(r"\s+", " ", t) for t in tail])


def sender(s: str, start: int, senders: dict[str, str]) -> str:
    """The breakdown of a count of messages sent by the organisations that are the subject of the
    sentence ('De Belastingdienst en het UWV hebben samen 60 miljoen berichten verstuurd' -> 'Belastingdienst
    en UWV'); '' when the subject is no sender. ``senders`` maps printed names to their breakdown label."""
    if not senders:
        return ""
    alt = "|".join(re.escape(n) for n in sorted(senders, key=len, reverse=True))
    found = [m for m in re.finditer(rf"(?<![\w-])(?:{alt})(?![\w-])", s[:start])]
    if not found or not re.fullmatch(r"\s*(?:De\s+|Het\s+)?", s[:found[0].start()]):
        return ""
    for a, b in zip(found, found[1:]):
        if not _SENDER_GLUE.match(s[a.end():b.start()]):
            return ""
    if not _SENDER_VERB.match(s[found[-1].end():start]):
        return ""
    names: list[str] = []
    for m in found:
        label = senders[m.group(0)]
        if label not in names:
            names.append(label)
    return " en ".join(names)
