"""The trend tables as one Excel workbook: an index sheet, one sheet per facility, a 'long' sheet.

Deterministic bytes: fixed document properties (created = modified = 2000-01-01, creator gdigraph)
and a fixed date in every zip entry, which openpyxl would otherwise set to the time of writing.
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile

import pandas as pd

from .trends import year_columns

FIXED_TIME = datetime.datetime(2000, 1, 1, 0, 0, 0)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
NUMBER_FORMATS = {"count": "#,##0", "percent": "0.0", "mean": "#,##0.0"}
CHANGE_FORMAT = "0.0"

#: (column of the facility table, Dutch header, width)
TAIL = (("first_year", "Eerste jaar", 8), ("last_year", "Laatste jaar", 8),
        ("yoy_pct", "Verandering laatste jaar (%)", 12), ("yoy_pp", "Verandering laatste jaar (procentpunt)", 12),
        ("printed_change", "Verandering volgens het rapport", 12), ("cagr_pct", "CAGR (%)", 9),
        ("revised", "Herzien", 8), ("method_change", "Methodewijziging", 10), ("approx", "Benaderd", 9),
        ("missing_years", "Ontbrekende jaren", 11), ("flags", "Vlaggen", 18), ("indicator_code", "Indicatorcode", 30),
        ("series_uri", "Reeks-URI", 40))
LONG = (("facility", "Voorziening", 22), ("indicator", "Indicator", 40), ("breakdown_label", "Uitsplitsing", 18),
        ("year", "Jaar", 6), ("value", "Waarde", 14), ("unit", "Eenheid", 8), ("revised", "Herzien", 8),
        ("flags", "Vlaggen", 16), ("edition", "Editie", 14), ("editions", "Edities en waarden", 24),
        ("origin", "Herkomst", 8),
        ("source", "Bronbestand", 24), ("line", "Bronregel", 8), ("indicator_code", "Indicatorcode", 30),
        ("breakdown", "Uitsplitsing (code)", 16), ("observation_uri", "Waarneming-URI", 40))


class _FixedTimeZip(zipfile.ZipFile):
    """A zip whose entries all carry the same date: openpyxl writes parts by name (``writestr``) and
    the worksheets from temporary files (``write``, which would take the file's time)."""

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        with open(filename, "rb") as f:
            data = f.read()
        self.writestr(arcname or str(filename), data, compress_type, compresslevel)

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            info = zipfile.ZipInfo(zinfo_or_arcname, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zinfo_or_arcname = info
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)


def sheet_names(codes: list[str]) -> dict[str, str]:
    """Sheet name per facility code: at most 31 characters, no ``[]:*?/\\``, unique (case-blind)."""
    out: dict[str, str] = {}
    used = {"index", "long"}
    for code in codes:
        base = re.sub(r"[\[\]:*?/\\]", "-", code)[:31]
        name, n = base, 2
        while name.lower() in used:
            suffix = f"~{n}"
            name, n = base[: 31 - len(suffix)] + suffix, n + 1
        used.add(name.lower())
        out[code] = name
    return out


def _cell(value):
    if value is None:
        return None
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, bool):
        return "ja" if value else ""
    if hasattr(value, "item"):  # numpy scalars
        return _cell(value.item())
    return value


def _header(ws, headers: list[tuple[str, int]]) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    ws.append([h for h, _ in headers])
    for i, (_, width) in enumerate(headers, start=1):
        c = ws.cell(row=1, column=i)
        c.font = Font(bold=True)
        c.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "C2" if ws.title not in ("index", "long") else "A2"


def _facility_sheet(ws, table: pd.DataFrame) -> None:
    years = year_columns(table)
    headers = [("Indicator", 40), ("Uitsplitsing", 18), ("Eenheid", 8)] + [(y, 12) for y in years] + \
              [(h, w) for _, h, w in TAIL]
    _header(ws, headers)
    for r, row in enumerate(table.to_dict("records"), start=2):
        ws.append([row["indicator"], row["breakdown_label"], row["unit"]] + [_cell(row[y]) for y in years]
                  + [_cell(row[c]) for c, _, _ in TAIL])
        fmt = NUMBER_FORMATS.get(row["unit"], "General")
        for i in range(len(years)):
            ws.cell(row=r, column=4 + i).number_format = fmt
        for i, (c, _, _) in enumerate(TAIL):
            if c in ("yoy_pct", "yoy_pp", "printed_change", "cagr_pct"):
                ws.cell(row=r, column=4 + len(years) + i).number_format = CHANGE_FORMAT
    ws.auto_filter.ref = ws.dimensions


def workbook_bytes(sheets: list[tuple[str, str, pd.DataFrame]], long: pd.DataFrame) -> bytes:
    """``sheets``: (facility code, label, facility table with ``series_uri``) in order; ``long``: the
    long table. The workbook as bytes (the same input gives the same bytes)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.writer.excel import ExcelWriter

    wb = Workbook()
    index = wb.active
    index.title = "index"
    names = sheet_names([code for code, _, _ in sheets])
    _header(index, [("Tabblad", 32), ("Voorzieningcode", 32), ("Voorziening", 40), ("Reeksen", 9),
                    ("Eerste jaar", 10), ("Laatste jaar", 10)])
    for code, label, table in sheets:
        years = year_columns(table)
        index.append([names[code], code, label, len(table), int(years[0]) if years else None,
                      int(years[-1]) if years else None])
        link = index.cell(row=index.max_row, column=1)
        link.hyperlink = f"#'{names[code]}'!A1"
        link.font = Font(color="0563C1", underline="single")
        _facility_sheet(wb.create_sheet(names[code]), table)
    ws = wb.create_sheet("long")
    _header(ws, [(h, w) for _, h, w in LONG])
    formats = [NUMBER_FORMATS.get(u, "General") for u in long["unit"]]
    value_col = [c for c, _, _ in LONG].index("value") + 1
    for r, (row, fmt) in enumerate(zip(long[[c for c, _, _ in LONG]].itertuples(index=False), formats), start=2):
        ws.append([_cell(v) for v in row])
        ws.cell(row=r, column=value_col).number_format = fmt
    ws.auto_filter.ref = ws.dimensions

    props = wb.properties
    props.creator = "gdigraph"
    props.lastModifiedBy = "gdigraph"
    props.title = "Trendtabellen van de GDI-monitors"
    props.language = "nl"
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    buf = io.BytesIO()
    archive = _FixedTimeZip(buf, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    ExcelWriter(wb, archive).save()  # not save_workbook: that stamps 'modified' with the time of day
    return buf.getvalue()
