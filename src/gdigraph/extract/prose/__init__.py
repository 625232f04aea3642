"""The prose pass: headline figures that a report states only in running text.

``extract_prose`` reads the sentences of a report outside its tables (for a covering letter, the
whole text; for a monitor with tables, only the headline summary before the first facility section
with a table or the first 'Bijlage') and makes one observation per figure that a sentence clearly
attributes to a facility and an indicator:

    'Het gebruik van DigiD is in 2018 weer licht gestegen tot 307 miljoen authenticaties.'
        -> DigiD, 'authenticaties', 2018, '307 miljoen', 307000000
    'Het aantal bezoeken ... is gestegen met 20% naar bijna 40 miljoen.'
        -> 'bezoeken (groei)' 20 percent (change), and 'bezoeken' 40000000 (approx)

The rules, in order:

* text: the lines of a paragraph are joined (words broken at a line end with a hyphen are rejoined,
  PDF splits such as 'authenti caties' are closed), every character keeps the line it was printed
  on, and the text is cut into sentences and clauses;
* figures: a number (digits, or a number word such as 'zeven' with a scale word or a counted noun)
  with its approximation word ('ruim', 'bijna', 'een kleine', 'meer dan', ...), sign, '%'/'procent'
  and scale word ('miljoen', 'miljard'). Never figures: years, dates, Kamerstuk numbers, 'top 25',
  ranges ('tussen de 20% en 40%', '45% tot 74%'), bounds ('50% of meer', 'maximale groei van 25%'),
  durations ('binnen 3 weken');
* indicator: the counted noun after the number ('35 aangesloten organisaties', '47 miljoen keer
  ingelogd'), else the nearest 'het aantal X' of the sentence, else 'gebruik' ('Het gebruik van X
  ...'); a percentage is a growth figure when the clause speaks of growth or decline (or it is
  printed with a sign) and takes the indicator, facility and year of the figure it belongs to ('met
  20% naar 403', '403 (+20%)', 'dat is een afname van 30%'); shares ('90% van het aantal') are not
  rows;
* qualifiers: the words that say which part of the counted thing a figure counts stay in its phrase
  ('authenticaties op basisniveau', 'terugmeldingen rechtstreeks', 'gebruikte machtigingen voor Mijn
  Overheid', 'ontvangen berichten', 'berichten over WOZ', 'bezoeken business.gov.nl'), so that one phrase
  names one quantity; the senders named as the subject of a count of messages ('De Belastingdienst en het
  UWV hebben samen ...') are its breakdown;
* facility: the facility named right after the figure ('13 miljoen bevragingen via DigiD
  Machtigen'), else the nearest one named before it in the sentence (the more specific of 'Lopende
  Zaken van MijnOverheid'), else the running subject of the paragraph; names that only qualify
  ('machtigingen voor Mijn Overheid', 'met een Berichtenbox', 'zonder Digimelding') are no subject,
  and two facilities named together ('WOZ en BGT') leave the figure unplaced;
* year: a year named next to the number ('in 2014', 'eind 2017', 'in 2014 toen'; not 't.o.v. 2017',
  'sinds 2014', 'dan in 2022'), else the period of a 'van A naar B' ('in dezelfde periode', 'de
  afgelopen vier jaar': A is the first year of the period; otherwise A is the year before B), else
  the one year the sentence names, else the edition's reference year.

The package, one module per job: ``region`` (which lines, which paragraphs), ``text`` (a paragraph as one
string that keeps every character's line; sentences), ``figures`` (numbers read as figures), ``phrases``
(the counted phrase of a figure), ``facility`` (the facility it belongs to), ``years`` (its year),
``qualifiers`` (what keeps two quantities of one noun apart), ``sentence`` (the pass that puts them together,
sentence by sentence), ``vocabulary`` (the word lists).
"""

from __future__ import annotations

from ...harmonise.breakdowns import load_breakdowns
from ...harmonise.facilities import FacilityIndex
from ...records import Observation, Problem
from ...sources.manifest import Edition
from .region import paragraphs, prose_region
from .sentence import ProsePass
from .text import join_paragraph

__all__ = ["extract_prose", "prose_region"]


def extract_prose(name: str, lines: list[str], facilities: FacilityIndex, edition: Edition,
                  table_lines: set[int], senders: dict[str, str] | None = None
                  ) -> tuple[list[Observation], list[Problem]]:
    """Headline figures stated in prose (see the module docstring). Lines in ``table_lines`` are
    never read. ``senders`` maps the printed names of senders of messages to their breakdown label
    (default: the senders of the breakdown code list)."""
    region = prose_region(lines, edition, table_lines, facilities)
    if not region:
        return [], []
    if senders is None:
        senders = load_breakdowns().names("afzender")
    p = ProsePass(name, facilities, edition, senders)
    for par in paragraphs(lines, region, facilities):
        p.paragraph(join_paragraph(par))
    return p.observations, p.problems
