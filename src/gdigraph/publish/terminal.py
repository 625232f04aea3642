"""A facility trend table for the terminal: aligned columns, Dutch number formats, years as columns.

When the table is wider than the terminal, the earliest years are left out first (at least the last
two stay), then the indicator labels are shortened; a note says what was left out.
"""

from __future__ import annotations

import math

import pandas as pd

from ..harmonise.breakdowns import TOTAL
from .charts import nl_number
from .csvw import format_decimal
from .trends import PERCENT, year_columns

MIN_LABEL, MAX_LABEL = 18, 48
GAP = "  "


def _nan(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def format_value(v, unit: str) -> str:
    """``1234567`` -> ``1.234.567``; ``27.7`` -> ``27,7``; percentages get ``%``."""
    if _nan(v):
        return ""
    text = format_decimal(v)
    decimals = len(text.split(".", 1)[1]) if "." in text else 0
    s = nl_number(float(v), min(decimals, 2))
    return s + "%" if unit == PERCENT else s


def _signed(v: float, suffix: str) -> str:
    if _nan(v):
        return ""
    s = nl_number(v, 1)
    return ("+" + s if v > 0 and s.strip("0,") else s) + suffix


def _notes(row: dict, first_shown: str | None = None) -> str:
    notes = []
    if first_shown is not None and row["last_year"] < int(first_shown):
        notes.append(f"t/m {row['last_year']}")
    if row["revised"]:
        notes.append("herzien")
    if row["method_change"]:
        notes.append("methode")
    if row["approx"]:
        notes.append("benaderd")
    if row["missing_years"]:
        notes.append("gat " + row["missing_years"].replace(";", ","))
    return "; ".join(notes)


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def table_lines(table: pd.DataFrame, title: str = "", width: int = 100) -> list[str]:
    """The lines to print for a facility table (see :func:`gdigraph.publish.trends.facility_table`)."""
    years = year_columns(table)
    rows = table.to_dict("records")
    labels = [r["indicator"] + ("" if r["breakdown"] == TOTAL else f" — {r['breakdown_label']}") for r in rows]
    cells = {y: [format_value(r[y], r["unit"]) for r in rows] for y in years}
    change = [_signed(r["yoy_pp"], " pp") if r["unit"] == PERCENT else _signed(r["yoy_pct"], "%") for r in rows]
    printed = [_signed(r["printed_change"], "") for r in rows]
    cagr = [_signed(r["cagr_pct"], "%") for r in rows]
    notes = [_notes(r) for r in rows]
    reserve = 16  # room for the notes while choosing the years shown
    tail = [("Δ laatste jr", change), ("rapport", printed), ("CAGR", cagr)]
    tail_w = [max([len(h)] + [len(c) for c in col]) for h, col in tail]
    year_w = {y: max([len(y)] + [len(c) for c in cells[y]]) for y in years}
    label_w = min(max([len("Indicator")] + [len(lb) for lb in labels]), MAX_LABEL)
    notes_w = max([len("Let op")] + [len(n) for n in notes])

    def total(ys, lw, nw):
        return lw + sum(len(GAP) + year_w[y] for y in ys) + sum(len(GAP) + w for w in tail_w) + len(GAP) + nw

    shown = list(years)
    # drop the earliest years down to four, then shorten the labels, then drop years down to two
    while len(shown) > 4 and total(shown, label_w, min(notes_w, reserve)) > width:
        shown.pop(0)
    while label_w > MIN_LABEL and total(shown, label_w, min(notes_w, reserve)) > width:
        label_w -= 1
    while len(shown) > 2 and total(shown, label_w, min(notes_w, reserve)) > width:
        shown.pop(0)
    if shown != years:
        notes = [_notes(r, shown[0] if shown else None) for r in rows]
        notes_w = max([len("Let op")] + [len(n) for n in notes])
    notes_w = max(min(notes_w, width - total(shown, label_w, 0)), len("Let op"))

    def line(label, ys, tails, note):
        parts = [_cut(label, label_w).ljust(label_w)]
        parts += [v.rjust(year_w[y]) for y, v in zip(shown, ys)]
        parts += [v.rjust(w) for v, w in zip(tails, tail_w)]
        parts.append(_cut(note, notes_w))
        return GAP.join(parts).rstrip()

    out = []
    if title:
        out.append(title)
    out.append(line("Indicator", shown, [h for h, _ in tail], "Let op"))
    out.append("-" * min(total(shown, label_w, notes_w), width))
    for i, label in enumerate(labels):
        out.append(line(label, [cells[y][i] for y in shown], [c[i] for _, c in tail], notes[i]))
    left_out = [y for y in years if y not in shown]
    if left_out:
        out.append(f"(jaren {left_out[0]}–{left_out[-1]} weggelaten wegens de breedte; "
                   f"--width of --format csv toont alles)")
    out.append("Δ laatste jr: verandering van het laatste jaar t.o.v. het jaar ervoor (% ; pp = procentpunt bij "
               "percentages); rapport: verandering zoals gedrukt; CAGR: gemiddelde jaarlijkse groei.")
    return out


def table_records(table: pd.DataFrame) -> list[dict]:
    """The rows as JSON-ready dicts (NaN -> None, numpy scalars -> Python)."""
    out = []
    for row in table.to_dict("records"):
        rec = {}
        for k, v in row.items():
            v = None if _nan(v) else (v.item() if hasattr(v, "item") else v)
            rec[k] = int(v) if isinstance(v, float) and v.is_integer() else v
        out.append(rec)
    return out


def print_trends(series: pd.DataFrame, code: str, fmt: str, width: int | None, codelist, breakdowns, facilities,
                 settings) -> int:
    """Print the trend table of one facility to stdout as ``table``, ``csv`` or ``json``."""
    import json
    import shutil
    import sys

    from ..uris import GraphUris
    from .trends import facility_label
    from .writer import facility_files

    table, data, _ = facility_files(series, code, codelist, breakdowns, facilities, GraphUris(settings))
    label = facility_label(code, facilities)
    try:
        if fmt == "csv":
            sys.stdout.write(data.decode("utf-8"))
        elif fmt == "json":
            doc = {"facility": code, "label": label, "years": [int(y) for y in year_columns(table)],
                   "rows": table_records(table)}
            json.dump(doc, sys.stdout, ensure_ascii=False, indent=1)
            sys.stdout.write("\n")
        else:
            width = width or shutil.get_terminal_size((120, 24)).columns
            years = year_columns(table)
            title = (f"{label} ({code}): {len(table)} reeksen, {years[0]}–{years[-1]}; "
                     "waarde van de laatste editie die het cijfer geeft")
            for line in table_lines(table, title, width):
                print(line)
        sys.stdout.flush()
    except BrokenPipeError:  # `gdigraph trends digid | head`
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0
