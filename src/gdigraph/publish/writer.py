"""Write the trend files into one directory (called by :func:`gdigraph.publish.trends.write_trends`).

The CSV files are linked data through their CSVW metadata: a facility table describes the series
(``gdi:Reeks``, ``aboutUrl {+series_uri}``) with their indicator, breakdown and facility, and each year
cell is the ``gdi:waarde`` of the series observation of that year (``aboutUrl {+series_uri}/<year>``,
the same URI as ``GraphUris.series_observation``); the long table describes every series observation
as the graph does (``gdi:ReeksWaarneming`` with ``gdi:voorziening``, ``gdi:indicator``, ``gdi:jaar``,
``gdi:uitsplitsing``, ``gdi:waarde``, ``gdi:eenheid``, ``gdi:herzien``, ``qb:dataSet``, and
``qb:observation`` from its series). Computed columns (first and last year, changes, growth, caveats)
have no ontology term: they keep the CSVW default property ``<table-url>#<column name>``.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from pathlib import Path

import pandas as pd

from ..settings import Settings
from ..uris import GraphUris
from .csvw import Column, csv_bytes, format_decimal, metadata_bytes, table_metadata
from .trends import (
    facilities_in_order,
    facility_label,
    facility_table,
    indicator_label,
    is_printed_change,
    load_labels,
    long_table,
    year_columns,
)

MEDIA_TYPES = {
    ".csv": "text/csv",
    ".json": "application/json",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}
METADATA_SUFFIX = "-metadata.json"
CSVW_MEDIA_TYPE = "application/csvm+json"
#: decimals written for computed columns (changes and growth); observed values are written exactly
COMPUTED_DIGITS = {"yoy_pct": 2, "yoy_pp": 2, "cagr_pct": 2}


class TrendsError(RuntimeError):
    """The trend files cannot be written (no series.csv, a directory that is not ours, lost digits)."""


def media_type(path: str) -> str:
    if path.endswith(".csv" + METADATA_SUFFIX):
        return CSVW_MEDIA_TYPE
    return MEDIA_TYPES.get(Path(path).suffix, "application/octet-stream")


def _series_observation_suffix(uris: GraphUris, year: int) -> str:
    """``/<year>``: how a series observation URI continues its series URI (checked, not assumed)."""
    series = str(uris.series("x.y"))
    obs = str(uris.series_observation("x.y", year))
    if not obs.startswith(series):
        raise TrendsError(f"series observation URI {obs} does not extend the series URI {series}")
    return obs[len(series):]


def facility_columns(years: list[str], uris: GraphUris, facility_code: str) -> list[Column]:
    breakdown_url = str(uris.scheme_namespace("uitsplitsing")) + "{breakdown}"
    cols = [
        Column("indicator_code", "Indicatorcode", property_url=uris.term("indicator"), value_url="{+indicator_uri}",
               required=True),
        Column("indicator", "Indicator", suppress=True),
        Column("breakdown", "Uitsplitsing (code)", property_url=uris.term("uitsplitsing"), value_url=breakdown_url,
               required=True),
        Column("breakdown_label", "Uitsplitsing", suppress=True),
        Column("unit", "Eenheid", suppress=True),
    ]
    for y in years:
        cols.append(Column(y, y, "decimal", about_url="{+series_uri}" + _series_observation_suffix(uris, int(y)),
                           property_url=uris.term("waarde")))
    cols += [
        Column("first_year", "Eerste jaar", "gYear", required=True),
        Column("last_year", "Laatste jaar", "gYear", required=True),
        Column("yoy_pct", "Verandering laatste jaar (%)", "decimal"),
        Column("yoy_pp", "Verandering laatste jaar (procentpunt)", "decimal"),
        Column("printed_change", "Verandering volgens het rapport", "decimal"),
        Column("cagr_pct", "Gemiddelde jaarlijkse groei (CAGR, %)", "decimal"),
        Column("revised", "Herzien", "boolean", required=True),
        Column("method_change", "Methodewijziging", "boolean", required=True),
        Column("approx", "Benaderd", "boolean", required=True),
        Column("missing_years", "Ontbrekende jaren", "gYear", separator=";"),
        Column("flags", "Vlaggen", separator=";"),
        Column("indicator_uri", "Indicator-URI", "anyURI", suppress=True, required=True),
        Column("series_uri", "Reeks-URI", "anyURI", suppress=True, required=True),
        Column("reeks", "", virtual=True, property_url="rdf:type", value_url=uris.term("Reeks")),
        Column("slice", "", virtual=True, property_url="rdf:type", value_url="http://purl.org/linked-data/cube#Slice"),
        Column("voorziening", "", virtual=True, property_url=uris.term("voorziening"),
               value_url=str(uris.facility(facility_code))),
    ]
    return cols


def long_columns(uris: GraphUris) -> list[Column]:
    qb = "http://purl.org/linked-data/cube#"
    return [
        Column("observation_uri", "Waarneming-URI", "anyURI", suppress=True, required=True),
        Column("facility_code", "Voorzieningcode", property_url=uris.term("voorziening"), value_url="{+facility_uri}",
               required=True),
        Column("facility", "Voorziening", suppress=True),
        Column("indicator_code", "Indicatorcode", property_url=uris.term("indicator"), value_url="{+indicator_uri}",
               required=True),
        Column("indicator", "Indicator", suppress=True),
        Column("breakdown", "Uitsplitsing (code)", property_url=uris.term("uitsplitsing"),
               value_url=str(uris.scheme_namespace("uitsplitsing")) + "{breakdown}", required=True),
        Column("breakdown_label", "Uitsplitsing", suppress=True),
        Column("year", "Jaar", "gYear", property_url=uris.term("jaar"), required=True),
        Column("value", "Waarde", "decimal", property_url=uris.term("waarde"), required=True),
        Column("unit", "Eenheid", property_url=uris.term("eenheid"), value_url="{+unit_uri}", required=True),
        Column("revised", "Herzien", "boolean", property_url=uris.term("herzien"), required=True),
        Column("flags", "Vlaggen", separator=";", suppress=True),
        Column("edition", "Editie (laatste)", suppress=True),
        Column("editions", "Edities en waarden", separator=";", suppress=True),
        Column("origin", "Herkomst (table: tabel, prose: lopende tekst)", suppress=True),
        Column("source", "Bronbestand", suppress=True),
        Column("line", "Bronregel", "integer", suppress=True),
        Column("series_uri", "Reeks-URI", "anyURI", about_url="{+series_uri}", property_url="qb:observation",
               value_url="{+observation_uri}", required=True),
        Column("indicator_uri", "Indicator-URI", "anyURI", suppress=True, required=True),
        Column("facility_uri", "Voorziening-URI", "anyURI", suppress=True, required=True),
        Column("unit_uri", "Eenheid-URI", "anyURI", suppress=True, required=True),
        Column("observation", "", virtual=True, property_url="rdf:type", value_url=qb + "Observation"),
        Column("reekswaarneming", "", virtual=True, property_url="rdf:type", value_url=uris.term("ReeksWaarneming")),
        Column("dataset", "", virtual=True, property_url="qb:dataSet", value_url=str(uris.series_dataset())),
    ]


def _sources(frame: pd.DataFrame, uris: GraphUris) -> list[str]:
    editions = {e.split("=", 1)[0] for cell in frame["editions"] for e in cell.split(";") if e}
    return [str(uris.edition(e)) for e in sorted(editions)]


def _check_exact(table: pd.DataFrame, rows: pd.DataFrame, years: list[str]) -> None:
    """Every value written from a float is the exact decimal of series.csv (no digits lost)."""
    exact = {(i, b, str(y)): Decimal(v) for i, b, y, v in
             zip(rows["indicator_code"], rows["breakdown"], rows["year"], rows["value_exact"])}
    for i, b, *vals in table[["indicator_code", "breakdown", *years]].itertuples(index=False):
        for y, v in zip(years, vals):
            if v == v and Decimal(format_decimal(v)) != exact[(i, b, y)]:
                raise TrendsError(f"{i} {b} {y}: {v!r} would be written as {format_decimal(v)}, "
                                  f"series.csv has {exact[(i, b, y)]}")


def facility_files(series: pd.DataFrame, code: str, codelist, breakdowns, facilities,
                   uris: GraphUris) -> tuple[pd.DataFrame, bytes, dict]:
    """The trend table of one facility (with ``indicator_uri`` and ``series_uri``), its CSV bytes and
    its CSVW metadata (for ``<code>.csv``)."""
    label = facility_label(code, facilities)
    rows = series[series["facility_code"] == code]
    table = facility_table(series, code, codelist, breakdowns)
    years = year_columns(table)
    _check_exact(table, rows, years)
    table = table.assign(indicator_uri=[str(uris.indicator(i)) for i in table["indicator_code"]],
                         series_uri=[str(uris.series(i, b)) for i, b in
                                     zip(table["indicator_code"], table["breakdown"])])
    cols = facility_columns(years, uris, code)
    name = f"{code}.csv"
    title = f"Trendtabel {label}: cijfers per indicator en jaar uit de GDI-monitors"
    meta = table_metadata(
        name, title, cols, sources=_sources(rows, uris), about_url="{+series_uri}",
        primary_key=["indicator_code", "breakdown"],
        description=("Eén rij per reeks (indicator en uitsplitsing) van " + label + ", één kolom per jaar. "
                     "Verandering laatste jaar: t.o.v. het jaar ervoor, in procenten (aantallen, gemiddelden) "
                     "of in procentpunten (percentages). CAGR: gemiddelde jaarlijkse groei van het eerste tot "
                     "het laatste jaar met een waarde; leeg voor percentages. Waarden: de laatste editie telt."),
        extra={"dc:subject": {"@id": str(uris.facility(code))}})
    return table, csv_bytes(table, cols, COMPUTED_DIGITS), meta


class _Out:
    def __init__(self, root: Path):
        self.root = root
        self.entries: list[dict] = []

    def write(self, rel: str, data: bytes, title: str, **extra) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.entries.append({"path": rel, "title": title, "media_type": media_type(rel), "bytes": len(data),
                             "sha256": hashlib.sha256(data).hexdigest(), **extra})


def write_all(series: pd.DataFrame, settings: Settings, out_dir: Path) -> list[str]:
    """Write every trend file into ``out_dir`` (empty); the relative paths written, sorted."""
    from .charts import draw_png, draw_svg, indicator_series
    from .workbook import workbook_bytes

    codelist, breakdowns, facilities = load_labels(settings)
    uris = GraphUris(settings)
    out = _Out(out_dir)
    sheets = []
    for code in facilities_in_order(series, facilities):
        label = facility_label(code, facilities)
        table, data, meta = facility_files(series, code, codelist, breakdowns, facilities, uris)
        name = f"{code}.csv"
        out.write(name, data, meta["dc:title"], facility=code, kind="table")
        out.write(name + METADATA_SUFFIX, metadata_bytes(meta), f"CSVW-metadata bij de trendtabel {label}",
                  facility=code, kind="metadata", describes=name)
        sheets.append((code, label, table))

    long = long_table(series, codelist, breakdowns=breakdowns, facilities=facilities, uris=uris)
    lcols = long_columns(uris)
    title = "Alle geharmoniseerde reekswaarnemingen (lange tabel)"
    out.write("observations.csv", csv_bytes(long.assign(value=long["value_exact"]), lcols), title, kind="table")
    meta = table_metadata("observations.csv", title, lcols, sources=_sources(series, uris),
                          about_url="{+observation_uri}", primary_key=["indicator_code", "breakdown", "year"],
                          description="Eén rij per voorziening, indicator, jaar en uitsplitsing, met de waarde van "
                                      "de laatste editie; ook de in de rapporten afgedrukte veranderingen "
                                      "(indicatorcode eindigt op .verandering).",
                          extra={"dc:isPartOf": {"@id": str(uris.series_dataset())}})
    out.write("observations.csv" + METADATA_SUFFIX, metadata_bytes(meta), f"CSVW-metadata bij: {title}",
              kind="metadata", describes="observations.csv")

    out.write("trends.xlsx", workbook_bytes(sheets, long), "Trendtabellen van alle voorzieningen (Excel)",
              kind="workbook")

    for code in sorted({i for i in series["indicator_code"] if not is_printed_change(i)}):
        data = indicator_series(series, code)
        fcode = data["facility_code"].iloc[0]
        title = f"{indicator_label(code, codelist)} — {facility_label(fcode, facilities)}"
        for ext, draw in (("svg", draw_svg), ("png", draw_png)):
            out.write(f"charts/{code}.{ext}", draw(data, code, codelist, breakdowns, facilities),
                      f"Grafiek: {title}", facility=fcode, indicator=code, kind="chart")

    entries = sorted(out.entries, key=lambda e: e["path"])
    index = {"title": "Trendtabellen en grafieken van de GDI-monitors",
             "description": "Geharmoniseerde reeksen per voorziening: CSV met CSVW-metadata, Excel, SVG en PNG.",
             "source": str(uris.series_dataset()),
             "series_sha256": hashlib.sha256((settings.build_dir / "series.csv").read_bytes()).hexdigest(),
             "files": entries}
    (out_dir / "index.json").write_bytes((json.dumps(index, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
    return [e["path"] for e in entries] + ["index.json"]
