"""Trend tables of the harmonised series: per facility one row per indicator (and breakdown), the years
as columns, the change of the last year, the growth over the span and the caveats of each series.

Input is ``build/series.csv`` (``gdigraph.graph.build.write_series``): one row per facility x
indicator x year x breakdown with the value of the latest edition that gives it. Indicators coded
``<code>.verandering`` are the reports' own printed year-on-year changes: they are kept out of the
trend rows and shown in the ``printed_change`` column of their indicator.

Definitions (one row = one series = indicator x breakdown):

* ``yoy_pct``: change of the last year with a value against the year before it, in percent
  (``(v[last] / v[last-1] - 1) * 100``); only for counts and means, NaN when the year before has no
  value or is not positive. ``yoy_pp``: the same change for percentage indicators, in percentage
  points (``v[last] - v[last-1]``). Exactly one of the two applies to a row, by its unit.
* ``cagr_pct``: compound annual growth from the first to the last year with a value,
  ``((v[last] / v[first]) ** (1 / (last - first)) - 1) * 100``; NaN for percentage indicators, for a
  single year and for non-positive end values. Computed across method changes (see ``method_change``).
* ``revised``: some year's value differs between editions; ``method_change``: some year carries the
  ``method_change`` flag; ``approx``: some year is an approximate figure ('ruim', 'circa');
  ``missing_years``: years between the first and last value without one (``;``-separated);
  ``flags``: every flag of any year of the series.
"""

from __future__ import annotations

import math
import os
import shutil
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pandas as pd

from ..harmonise.breakdowns import TOTAL, Breakdowns, load_breakdowns
from ..harmonise.facilities import FacilityIndex, facility_index
from ..harmonise.indicators import CHANGE_CODE, CHANGE_SUFFIX, CodeList, load_codelist
from ..settings import Settings, get_settings

SERIES_COLUMNS = ("facility_code", "indicator_code", "breakdown", "year", "value", "unit", "edition", "revised",
                  "flags", "origin", "source", "line", "editions")
LOADED_COLUMNS = ("facility_code", "indicator_code", "breakdown", "year", "value", "value_exact", "unit", "edition",
                  "revised", "flags", "origin", "source", "line", "editions")
PERCENT = "percent"
UNITS = ("count", "percent", "mean")

#: the columns of a facility table before and after the year columns
HEAD_COLUMNS = ("indicator_code", "indicator", "breakdown", "breakdown_label", "unit")
TAIL_COLUMNS = ("first_year", "last_year", "yoy_pct", "yoy_pp", "printed_change", "cagr_pct", "revised",
                "method_change", "approx", "missing_years", "flags")
LONG_COLUMNS = ("observation_uri", "facility_code", "facility", "indicator_code", "indicator", "breakdown",
                "breakdown_label", "year", "value", "value_exact", "unit", "revised", "flags", "edition", "editions",
                "origin", "source", "line", "series_uri", "indicator_uri", "facility_uri", "unit_uri")


class SeriesError(ValueError):
    """``series.csv`` cannot be read as the harmonised series."""


class UnknownFacility(ValueError):
    def __init__(self, code: str, known: list[str]):
        self.code = code
        self.known = known
        super().__init__(f"no series for facility {code!r}; facilities with series: {', '.join(known)}")


# ---------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------

def load_series(path) -> pd.DataFrame:
    """The harmonised series, typed: ``year`` int64, ``value`` float64 (for analysis) next to
    ``value_exact`` (the decimal text of series.csv, exact), ``revised`` bool, ``line`` int64; the
    other columns str (``flags`` and ``editions`` ``;``-separated). Sorted by facility, indicator,
    breakdown and year. Raises :class:`SeriesError` on a missing column or a malformed cell."""
    path = Path(path)
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as e:
        raise SeriesError(f"{path}: cannot read: {e}") from e
    missing = [c for c in SERIES_COLUMNS if c not in raw.columns]
    if missing:
        raise SeriesError(f"{path}: missing columns {', '.join(missing)}")

    def bad(mask, what):
        if mask.any():
            i = int(mask.to_numpy().nonzero()[0][0])
            raise SeriesError(f"{path}: line {i + 2}: {what}: {raw.iloc[i].to_dict()}")

    bad(~raw["year"].str.fullmatch(r"\d{4}"), "year is not a four-digit year")
    bad(~raw["revised"].isin(["true", "false"]), "revised is not true/false")
    bad(~raw["line"].str.fullmatch(r"\d+"), "line is not a number")
    bad(~raw["unit"].isin(UNITS), f"unit is not one of {', '.join(UNITS)}")
    exact = raw["value"].str.strip()
    for i, text in enumerate(exact):
        try:
            if not Decimal(text).is_finite():
                raise InvalidOperation
        except InvalidOperation:
            raise SeriesError(f"{path}: line {i + 2}: value {text!r} is not a decimal number") from None
    df = pd.DataFrame({
        "facility_code": raw["facility_code"], "indicator_code": raw["indicator_code"],
        "breakdown": raw["breakdown"].where(raw["breakdown"] != "", TOTAL),
        "year": raw["year"].astype("int64"), "value": exact.astype("float64"), "value_exact": exact,
        "unit": raw["unit"], "edition": raw["edition"], "revised": raw["revised"] == "true",
        "flags": raw["flags"], "origin": raw["origin"], "source": raw["source"],
        "line": raw["line"].astype("int64"), "editions": raw["editions"],
    })
    dup = df.duplicated(["indicator_code", "breakdown", "year"], keep=False)
    bad(dup, "the same indicator, breakdown and year twice")
    return df.sort_values(["facility_code", "indicator_code", "breakdown", "year"], kind="mergesort",
                          ignore_index=True)


def split_flags(text: str) -> set[str]:
    return {f for f in (text or "").split(";") if f}


def is_printed_change(code: str) -> bool:
    return code.endswith(CHANGE_CODE)


# ---------------------------------------------------------------------------------------------
# Labels and order
# ---------------------------------------------------------------------------------------------

def _indicator_rank(codelist: CodeList) -> dict[str, int]:
    return {code: i for i, code in enumerate(codelist.indicators)}


def indicator_sort_key(code: str, rank: dict[str, int]) -> tuple:
    """Code-list order; a printed change right after its indicator; unknown codes last, by code."""
    base = code[: -len(CHANGE_CODE)] if is_printed_change(code) else code
    return (rank.get(base, len(rank)), base, is_printed_change(code))


def breakdown_sort_key(code: str, breakdowns: Breakdowns) -> tuple:
    order = list(breakdowns.items)
    if code == TOTAL:
        return (-1, code)
    return (order.index(code) if code in order else len(order), code)


def indicator_label(code: str, codelist: CodeList) -> str:
    if is_printed_change(code):
        return indicator_label(code[: -len(CHANGE_CODE)], codelist) + CHANGE_SUFFIX
    ind = codelist.indicators.get(code)
    return ind.label_nl if ind else code


def breakdown_label(code: str, breakdowns: Breakdowns) -> str:
    b = breakdowns.items.get(code)
    return b.label_nl if b else code


def facility_label(code: str, facilities: FacilityIndex) -> str:
    return facilities.facilities[code].label_nl if code in facilities else code


def facilities_in_order(series: pd.DataFrame, facilities: FacilityIndex) -> list[str]:
    """Facilities with trend rows, in the order of the facility code list."""
    has_rows = set(series.loc[~series["indicator_code"].map(is_printed_change), "facility_code"])
    order = list(facilities.facilities)
    return sorted(has_rows, key=lambda c: (order.index(c) if c in order else len(order), c))


# ---------------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------------

def _growth(values: dict[int, float], unit: str) -> dict[str, object]:
    present = sorted(y for y, v in values.items() if not math.isnan(v))
    first, last = present[0], present[-1]
    out: dict[str, object] = {"first_year": first, "last_year": last, "yoy_pct": math.nan, "yoy_pp": math.nan,
                              "cagr_pct": math.nan}
    prev = values.get(last - 1, math.nan)
    if not math.isnan(prev):
        if unit == PERCENT:
            out["yoy_pp"] = values[last] - prev
        elif prev > 0:
            out["yoy_pct"] = (values[last] / prev - 1.0) * 100.0
    a, b = values[first], values[last]
    if unit != PERCENT and last > first and a > 0 and b > 0:
        out["cagr_pct"] = ((b / a) ** (1.0 / (last - first)) - 1.0) * 100.0
    out["missing_years"] = ";".join(str(y) for y in range(first, last + 1) if y not in present)
    return out


def year_columns(table: pd.DataFrame) -> list[str]:
    return [c for c in table.columns if isinstance(c, str) and c.isdigit()]


def facility_table(series: pd.DataFrame, facility_code: str, codelist: CodeList,
                   breakdowns: Breakdowns | None = None) -> pd.DataFrame:
    """The trend table of one facility: one row per indicator x breakdown (code-list order, the
    total first), ``HEAD_COLUMNS``, one column per year from the facility's first to its last year
    (as strings ``"2014"``; years without any value stay as empty columns, so gaps show),
    ``TAIL_COLUMNS`` (see the module docstring)."""
    breakdowns = breakdowns if breakdowns is not None else load_breakdowns()
    rows = series[series["facility_code"] == facility_code]
    if rows.empty:
        raise UnknownFacility(facility_code, sorted(series["facility_code"].unique()))
    change = rows["indicator_code"].map(is_printed_change)
    data, printed = rows[~change], rows[change]
    printed_at = {(c[: -len(CHANGE_CODE)], b, y): v
                  for c, b, y, v in zip(printed["indicator_code"], printed["breakdown"], printed["year"],
                                        printed["value"])}
    years = list(range(int(data["year"].min()), int(data["year"].max()) + 1)) if len(data) else []
    rank = _indicator_rank(codelist)
    records = []
    for (code, bd), g in data.groupby(["indicator_code", "breakdown"], sort=False):
        units = set(g["unit"])
        if len(units) != 1:
            raise SeriesError(f"{code} ({bd}): mixed units {sorted(units)}")
        unit = units.pop()
        values = dict(zip(g["year"].tolist(), g["value"].tolist()))
        flags = set().union(*(split_flags(f) for f in g["flags"]))
        rec = {"indicator_code": code, "indicator": indicator_label(code, codelist), "breakdown": bd,
               "breakdown_label": breakdown_label(bd, breakdowns), "unit": unit}
        rec.update({str(y): values.get(y, math.nan) for y in years})
        rec.update(_growth(values, unit))
        rec["printed_change"] = printed_at.get((code, bd, rec["last_year"]), math.nan)
        rec["revised"] = bool(g["revised"].any()) or "revised" in flags
        rec["method_change"] = "method_change" in flags
        rec["approx"] = "approx" in flags
        rec["flags"] = ";".join(sorted(flags))
        rec["_key"] = (indicator_sort_key(code, rank), breakdown_sort_key(bd, breakdowns))
        records.append(rec)
    records.sort(key=lambda r: r["_key"])
    columns = [*HEAD_COLUMNS, *(str(y) for y in years), *TAIL_COLUMNS]
    table = pd.DataFrame([{k: r[k] for k in columns} for r in records], columns=columns)
    dtypes = {c: "float64" for c in (*map(str, years), "yoy_pct", "yoy_pp", "printed_change", "cagr_pct")}
    dtypes.update({"first_year": "int64", "last_year": "int64", "revised": "bool", "method_change": "bool",
                   "approx": "bool"})
    dtypes.update({c: "object" for c in (*HEAD_COLUMNS, "missing_years", "flags")})
    table = table.astype(dtypes)
    table.attrs["facility_code"] = facility_code
    return table


def long_table(series: pd.DataFrame, codelist: CodeList, *, breakdowns: Breakdowns | None = None,
               facilities: FacilityIndex | None = None, uris=None) -> pd.DataFrame:
    """Every harmonised observation (printed changes included), tidy, with Dutch labels and the URIs
    of the graph: ``observation_uri`` (the series observation), ``series_uri``, ``indicator_uri``,
    ``facility_uri``, ``unit_uri``. Ordered by facility (code-list order), indicator, breakdown, year."""
    from ..graph.cube import UNIT_CODES
    from ..uris import GraphUris

    breakdowns = breakdowns if breakdowns is not None else load_breakdowns()
    facilities = facilities if facilities is not None else facility_index()
    uris = uris if uris is not None else GraphUris()
    df = series.copy()
    rank = _indicator_rank(codelist)
    forder = list(facilities.facilities)
    df["_k"] = [((forder.index(f) if f in forder else len(forder), f), indicator_sort_key(i, rank),
                 breakdown_sort_key(b, breakdowns), y)
                for f, i, b, y in zip(df["facility_code"], df["indicator_code"], df["breakdown"], df["year"])]
    df = df.sort_values("_k", kind="mergesort", ignore_index=True)
    triples = list(zip(df["indicator_code"], df["year"], df["breakdown"]))
    df["observation_uri"] = [str(uris.series_observation(i, y, b)) for i, y, b in triples]
    df["series_uri"] = [str(uris.series(i, b)) for i, _, b in triples]
    df["indicator_uri"] = [str(uris.indicator(i)) for i in df["indicator_code"]]
    df["facility_uri"] = [str(uris.facility(f)) for f in df["facility_code"]]
    df["unit_uri"] = [str(uris.concept("eenheid", UNIT_CODES[u])) for u in df["unit"]]
    df["facility"] = [facility_label(f, facilities) for f in df["facility_code"]]
    df["indicator"] = [indicator_label(i, codelist) for i in df["indicator_code"]]
    df["breakdown_label"] = [breakdown_label(b, breakdowns) for b in df["breakdown"]]
    return df[list(LONG_COLUMNS)]


# ---------------------------------------------------------------------------------------------
# Writing build/trends/
# ---------------------------------------------------------------------------------------------

def default_trends_dir(settings: Settings | None = None) -> Path:
    settings = settings or get_settings()
    return settings.build_dir / "trends"


def _replace_dir(new: Path, target: Path) -> None:
    """Put ``new`` in place of ``target`` (a rename each; the old one is removed afterwards)."""
    old = target.parent / f".{target.name}.old-{os.getpid()}"
    if target.exists():
        target.rename(old)
    new.rename(target)
    if old.exists():
        shutil.rmtree(old)


def write_trends(settings: Settings | None = None, out_dir=None) -> list[Path]:
    """Write the trend files of ``series.csv`` (in the build directory) into ``out_dir`` (default
    ``build/trends``): per facility ``<code>.csv`` + ``<code>.csv-metadata.json``, ``observations.csv``
    + metadata, ``trends.xlsx``, ``charts/<indicator>.svg|.png`` and ``index.json``. The directory is
    written next to ``out_dir`` and swapped in, so readers never see half of it; a directory that
    gdigraph did not write (no ``index.json``, not empty) is not replaced. Same input, same bytes."""
    from .writer import TrendsError, write_all

    settings = settings or get_settings()
    out_dir = Path(out_dir) if out_dir else default_trends_dir(settings)
    series_path = settings.build_dir / "series.csv"
    if not series_path.exists():
        raise TrendsError(f"{series_path} not found: run `gdigraph build` first")
    if out_dir.exists() and any(out_dir.iterdir()) and not (out_dir / "index.json").exists():
        raise TrendsError(f"{out_dir} exists and was not written by gdigraph trends (no index.json); not replacing it")
    series = load_series(series_path)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_dir.parent / f".{out_dir.name}.tmp-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    try:
        written = write_all(series, settings, tmp)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _replace_dir(tmp, out_dir)
    return [out_dir / rel for rel in written]


def load_labels(settings: Settings | None = None) -> tuple[CodeList, Breakdowns, FacilityIndex]:
    settings = settings or get_settings()
    d = settings.codelists_dir
    return load_codelist(d), load_breakdowns(d), facility_index(d)


def resolve_facility(text: str, facilities: FacilityIndex) -> str | None:
    """A facility code from a code, notation or Dutch label in any case (``DigiD``, ``digid``)."""
    key = text.strip().lower()
    for code, f in facilities.facilities.items():
        if key in (code.lower(), f.notation.lower(), f.label_nl.lower()):
            return code
    return None
