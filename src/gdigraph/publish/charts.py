"""Line charts of one indicator: a line per breakdown, a marker per year with a value.

Consecutive years are joined by a solid line; a gap (a year without a value) by a thin dotted line; a
year whose figure carries the ``method_change`` flag is reached by a dashed line and annotated
'methodewijziging'. Revised values get a red ring, approximate values an open marker. Dutch labels
and number formats (``1.234.567``, ``480 mln``). Drawn with matplotlib's Agg canvas (no pyplot state);
the same data gives the same bytes: no date in the SVG, a fixed hash salt per indicator for its ids,
no Software stamp in the PNG.
"""

from __future__ import annotations

import io
import textwrap

import pandas as pd

from ..harmonise.breakdowns import Breakdowns, load_breakdowns
from ..harmonise.facilities import FacilityIndex, facility_index
from ..harmonise.indicators import CodeList, load_codelist
from .trends import breakdown_label, breakdown_sort_key, facility_label, indicator_label, is_printed_change, \
    split_flags

UNIT_AXIS = {"count": "Aantal", "percent": "Percentage (%)", "mean": "Gemiddelde"}
COLOURS = ("#1f4e79", "#d9822b", "#2e8b57", "#8e44ad", "#c0392b", "#16a085", "#7f8c8d", "#b7950b", "#a0522d",
           "#e84393", "#5dade2", "#000000")
REVISED_COLOUR = "#c0392b"
_RC = {"svg.fonttype": "none", "font.family": "DejaVu Sans", "path.simplify": True, "axes.unicode_minus": False}


def nl_number(x: float, decimals: int = 0) -> str:
    """``1234567.5`` -> ``1.234.567,5`` (Dutch digit grouping and decimal comma)."""
    s = f"{x:,.{decimals}f}"
    return s.replace(",", "\0").replace(".", ",").replace("\0", ".")


def nl_tick(x: float, _pos=None, top: float | None = None) -> str:
    """An axis tick in Dutch; ``top`` (the axis maximum) chooses one scale for all ticks of an axis:
    ``mld`` from 2 billion, ``mln`` from 2 million, else whole numbers with digit groups."""
    a = abs(x) if top is None else abs(top)
    for scale, word in ((1e9, "mld"), (1e6, "mln")):
        if a >= 2 * scale:
            v = x / scale
            return f"{nl_number(v, 0 if v == round(v) else 1)} {word}"
    return nl_number(x, 0 if x == round(x) else 1)


def indicator_series(series: pd.DataFrame, indicator_code: str) -> pd.DataFrame:
    """The rows of one indicator (all breakdowns), by breakdown and year."""
    if is_printed_change(indicator_code):
        raise ValueError(f"{indicator_code} is a printed change, not a series to draw")
    rows = series[series["indicator_code"] == indicator_code]
    if rows.empty:
        known = sorted({i for i in series["indicator_code"] if not is_printed_change(i)})
        raise KeyError(f"no series for indicator {indicator_code!r} ({len(known)} indicators have one)")
    return rows.sort_values(["breakdown", "year"], kind="mergesort", ignore_index=True)


def _figure(data: pd.DataFrame, code: str, codelist: CodeList, breakdowns: Breakdowns, facilities: FacilityIndex):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    fig = Figure(figsize=(8, 4.6), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    fcode = data["facility_code"].iloc[0]
    unit = data["unit"].iloc[0]
    groups = sorted(data.groupby("breakdown", sort=False), key=lambda kv: breakdown_sort_key(kv[0], breakdowns))
    seen = {"gap": False, "method": False, "revised": False, "approx": False}
    handles = []
    for n, (bd, g) in enumerate(groups):
        colour = COLOURS[n % len(COLOURS)]
        years, values = g["year"].tolist(), g["value"].tolist()
        flags = [split_flags(f) | ({"revised"} if r else set()) for f, r in zip(g["flags"], g["revised"])]
        for (y0, v0), (y1, v1), f1 in zip(zip(years, values), zip(years[1:], values[1:]), flags[1:]):
            if "method_change" in f1:
                style, width = (0, (5, 3)), 1.8
                seen["method"] = True
            elif y1 - y0 > 1:
                style, width = (0, (1, 2)), 1.0
                seen["gap"] = True
            else:
                style, width = "-", 2.0
            ax.plot([y0, y1], [v0, v1], color=colour, linestyle=style, linewidth=width, zorder=2)
        for y, v, f in zip(years, values, flags):
            approx = "approx" in f
            seen["approx"] |= approx
            ax.plot([y], [v], marker="o", markersize=6, color=colour, markerfacecolor="white" if approx else colour,
                     markeredgewidth=1.5, linestyle="", zorder=3)
            if "revised" in f:
                seen["revised"] = True
                ax.plot([y], [v], marker="o", markersize=12, markerfacecolor="none", markeredgecolor=REVISED_COLOUR,
                        markeredgewidth=1.5, linestyle="", zorder=4)
            if "method_change" in f:
                ax.annotate("methodewijziging", (y, v), xytext=(-6, 8), textcoords="offset points", fontsize=8,
                            color="#555555", ha="right", zorder=5)
        handles.append(Line2D([], [], color=colour, marker="o", linewidth=2.0,
                              label="\n".join(textwrap.wrap(breakdown_label(bd, breakdowns), 24))))
    extra = []
    if seen["gap"]:
        extra.append(Line2D([], [], color="#555555", linestyle=(0, (1, 2)), label="jaar zonder cijfer"))
    if seen["method"]:
        extra.append(Line2D([], [], color="#555555", linestyle=(0, (5, 3)), label="methodewijziging"))
    if seen["revised"]:
        extra.append(Line2D([], [], marker="o", markersize=10, markerfacecolor="none", markeredgecolor=REVISED_COLOUR,
                            linestyle="", label="herzien"))
    if seen["approx"]:
        extra.append(Line2D([], [], marker="o", color="#555555", markerfacecolor="white", linestyle="",
                            label="benaderd"))
    legend = (handles if len(handles) > 1 else []) + extra
    if legend:
        ax.legend(handles=legend, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8)
    y_min, y_max = min(data["year"]), max(data["year"])
    ax.set_xlim(y_min - 0.5, y_max + 0.5)
    ax.set_xticks(list(range(y_min, y_max + 1)))
    ax.set_xticklabels([str(y) for y in range(y_min, y_max + 1)], fontsize=8)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6))
    lo, hi = float(data["value"].min()), float(data["value"].max())
    ax.yaxis.set_major_formatter(FuncFormatter(lambda x, pos: nl_tick(x, pos, top=max(abs(lo), abs(hi)))))
    ax.tick_params(axis="y", labelsize=8)
    if lo >= 0:
        top = 100.0 if unit == "percent" and hi <= 100 else (hi * 1.08 if hi > 0 else 1.0)
        ax.set_ylim(0, top)
    ax.grid(axis="y", color="#dddddd", linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.set_xlabel("Jaar", fontsize=9)
    ax.set_ylabel(UNIT_AXIS.get(unit, unit), fontsize=9)
    title = f"{indicator_label(code, codelist)} — {facility_label(fcode, facilities)}"
    ax.set_title("\n".join(textwrap.wrap(title, 70)), fontsize=11, loc="left")
    editions = sorted({e.split("=", 1)[0] for cell in data["editions"] for e in cell.split(";") if e})
    fig.text(0.01, 0.01, f"Bron: GDI-monitors, edities {', '.join(editions)} (geharmoniseerd; de laatste editie telt)",
             fontsize=7, color="#666666")
    fig.subplots_adjust(left=0.11, right=0.74 if legend else 0.97, top=0.88, bottom=0.16)
    return fig


def _draw(data, code, codelist, breakdowns, facilities, fmt: str) -> bytes:
    import matplotlib

    codelist = codelist if codelist is not None else load_codelist()
    breakdowns = breakdowns if breakdowns is not None else load_breakdowns()
    facilities = facilities if facilities is not None else facility_index()
    buf = io.BytesIO()
    with matplotlib.rc_context({**_RC, "svg.hashsalt": f"gdigraph-trends-{code}"}):
        fig = _figure(data, code, codelist, breakdowns, facilities)
        if fmt == "svg":
            fig.savefig(buf, format="svg", metadata={"Date": None})
        else:
            fig.savefig(buf, format="png", dpi=100, metadata={"Software": None})
    return buf.getvalue()


def draw_svg(data: pd.DataFrame, code: str, codelist: CodeList | None = None, breakdowns: Breakdowns | None = None,
             facilities: FacilityIndex | None = None) -> bytes:
    """The chart of one indicator (``data``: its rows of the series) as an SVG document."""
    return _draw(data, code, codelist, breakdowns, facilities, "svg")


def draw_png(data: pd.DataFrame, code: str, codelist: CodeList | None = None, breakdowns: Breakdowns | None = None,
             facilities: FacilityIndex | None = None) -> bytes:
    return _draw(data, code, codelist, breakdowns, facilities, "png")


def chart_svg(series: pd.DataFrame, indicator_code: str, codelist: CodeList | None = None,
              breakdowns: Breakdowns | None = None, facilities: FacilityIndex | None = None) -> str:
    """The chart of one indicator as an ``<svg>`` element to put inline in an HTML page (no XML
    declaration or doctype; ids salted with the indicator code, so two charts on a page do not clash).
    ``series``: the loaded series (:func:`gdigraph.publish.trends.load_series`)."""
    svg = draw_svg(indicator_series(series, indicator_code), indicator_code, codelist, breakdowns,
                   facilities).decode("utf-8")
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else svg
