"""Checks for the harmonised indicator code list in data/codelists/.

indicators.csv holds one row per harmonised indicator, indicator_labels.csv maps every printed label
(per facility) onto an indicator code. These tests check the code rules (unique, URI-safe,
``<facility>.<slug>``, no years), the references between the files and facilities.csv, the ``broader``
hierarchy, and that every label of the hand-checked cells in tests/expected/ has a mapping. For the prose
pass: every phrase it emits on the bundled sources is mapped or listed as unmapped with the reason, and mapped
prose figures agree with the same edition's table (5%, listed exceptions).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pandas.testing as pdt
import pytest

from gdigraph.harmonise.indicators import CHANGE_CODE, INCREASE_CODE, CHANGE_SUFFIXES, load_codelist, normalise_label

ROOT = Path(__file__).resolve().parents[1]
CODELISTS = ROOT / "data" / "codelists"
EXPECTED = ROOT / "tests" / "expected"
SOURCES = ROOT / "data" / "sources"

INDICATOR_COLUMNS = ["code", "facility", "label_nl", "label_en", "definition_nl", "unit", "aspect", "notation",
                     "broader", "note"]
LABEL_COLUMNS = ["facility", "label", "code", "editions", "match_note"]
UNITS = {"count", "percent", "mean"}
ASPECTS = {"aansluiting", "gebruik", "overig"}
CODE_RE = re.compile(r"^[a-z0-9][a-z0-9.-]*$")
SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
YEAR_RE = re.compile(r"(?<![0-9])(19|20)[0-9]{2}(?![0-9])")

# Tables whose rows are a breakdown (registry, data source) of one indicator per column: the extractor emits
# the column caption as the label and the row label as the breakdown, while the hand-checked cells keep the
# row label. In 000 the hand-checked label already is the caption, so only 001 needs this.
# (source prefix, header_line) -> caption
BREAKDOWN_TABLES = {
    ("001", 1252): "Aantal inzagen Persoonlijke Gegevens",  # per data source, 2017
    ("001", 2047): "Opvragingen",  # cross-registry table of section 6.1
    ("001", 2062): "Terugmeldingen",  # cross-registry table of section 6.1
}
# parts that are not a second figure of the cell
NOT_A_FIGURE_PART = {"", "pct_printed"}


def collapse(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


@pytest.fixture(scope="module")
def indicators() -> pd.DataFrame:
    return read(CODELISTS / "indicators.csv")


@pytest.fixture(scope="module")
def labels() -> pd.DataFrame:
    return read(CODELISTS / "indicator_labels.csv")


@pytest.fixture(scope="module")
def facilities() -> pd.DataFrame:
    return read(CODELISTS / "facilities.csv")


# ------------------------------------------------------------------ indicators.csv
def test_indicator_columns(indicators):
    assert list(indicators.columns) == INDICATOR_COLUMNS


def test_codes_unique_and_uri_safe(indicators):
    dup = indicators[indicators["code"].duplicated(keep=False)]
    assert dup.empty, f"duplicate codes: {sorted(set(dup['code']))}"
    bad = [c for c in indicators["code"] if not CODE_RE.match(c)]
    assert not bad, f"codes not URI-safe: {bad}"


def test_code_is_facility_dot_slug(indicators):
    prefix = indicators["code"].str.split(".", n=1).str[0]
    pdt.assert_series_equal(prefix, indicators["facility"], check_names=False)
    slug = indicators["code"].str.split(".", n=1).str[1].fillna("").str.removesuffix(INCREASE_CODE)
    bad = [c for c, s in zip(indicators["code"], slug) if not SLUG_RE.match(s)]
    # one dot only: the printed change of an indicator is coded <code>.verandering by the harmoniser;
    # a change in the indicator's own unit is the listed <code>.toename of a listed <code>
    assert not bad, f"slug must be [a-z0-9-] without a further dot: {bad}"
    assert not any(c.endswith(CHANGE_CODE) for c in indicators["code"])
    codes = set(indicators["code"])
    for _, r in indicators[indicators["code"].str.endswith(INCREASE_CODE)].iterrows():
        base = r["code"].removesuffix(INCREASE_CODE)
        assert base in codes and r["broader"] == base and r["unit"] == "count", r["code"]


def test_codes_carry_no_year_or_edition(indicators):
    bad = [c for c in indicators["code"] if YEAR_RE.search(c)]
    assert not bad, f"codes with a year: {bad}"


def test_facilities_exist(indicators, facilities):
    unknown = sorted(set(indicators["facility"]) - set(facilities["code"]))
    assert not unknown, f"facilities not in facilities.csv: {unknown}"


def test_required_fields(indicators):
    for col in ["label_nl", "label_en", "definition_nl", "notation"]:
        empty = indicators.loc[indicators[col].str.strip() == "", "code"].tolist()
        assert not empty, f"empty {col}: {empty}"
    bad_unit = indicators.loc[~indicators["unit"].isin(UNITS), ["code", "unit"]]
    assert bad_unit.empty, bad_unit.to_string()
    bad_aspect = indicators.loc[~indicators["aspect"].isin(ASPECTS), ["code", "aspect"]]
    assert bad_aspect.empty, bad_aspect.to_string()
    dup = indicators[indicators["notation"].duplicated(keep=False)]
    assert dup.empty, f"duplicate notations: {dup[['code', 'notation']].to_string()}"


def test_broader(indicators):
    by_code = indicators.set_index("code")
    with_broader = indicators[indicators["broader"] != ""]
    unknown = sorted(set(with_broader["broader"]) - set(by_code.index))
    assert not unknown, f"broader points to unknown codes: {unknown}"
    pdt.assert_series_equal(
        by_code.loc[with_broader["broader"], "facility"].reset_index(drop=True),
        with_broader["facility"].reset_index(drop=True),
        check_names=False,
    )
    parent = dict(zip(indicators["code"], indicators["broader"]))
    for code in parent:
        seen, c = set(), code
        while parent.get(c):
            assert c not in seen, f"cycle in broader through {code}"
            seen.add(c)
            c = parent[c]


# ------------------------------------------------------------------ indicator_labels.csv
def test_label_columns(labels):
    assert list(labels.columns) == LABEL_COLUMNS


def test_labels_point_to_codes_of_the_same_facility(labels, indicators):
    merged = labels.merge(indicators[["code", "facility"]], on="code", how="left", suffixes=("", "_of_code"),
                          validate="many_to_one", indicator=True)
    unknown = merged.loc[merged["_merge"] != "both", ["facility", "label", "code"]]
    assert unknown.empty, f"labels pointing to unknown codes:\n{unknown.to_string()}"
    pdt.assert_series_equal(merged["facility"], merged["facility_of_code"], check_names=False)


def test_no_label_mapped_twice(labels):
    # prose phrases ('prose:' rows) and table labels are separate namespaces: the same words may be
    # mapped once as a table label and once as a prose phrase
    # A prose phrase that two editions use for different quantities has one row per meaning, each with its
    # editions: those rows must name different codes for disjoint editions (the lookup follows the edition).
    labels = labels.assign(prose=labels["match_note"].str.startswith("prose:"))
    key = labels.assign(label=labels["label"].map(collapse))[["facility", "label", "prose"]]
    dup = labels[key.duplicated(keep=False) & ~labels["prose"]]
    assert dup.empty, f"(facility, label) mapped twice:\n{dup.to_string()}"
    # the harmoniser looks labels up case-insensitively (normalise_label): such variants must agree
    keyed = labels.assign(key=labels["label"].map(normalise_label))
    norm = keyed[~keyed["prose"]].groupby(["facility", "key"])["code"].nunique()
    assert (norm == 1).all(), f"labels equal after normalisation map to different codes:\n{norm[norm > 1]}"
    for (fac, phrase), rows in keyed[keyed["prose"]].groupby(["facility", "key"]):
        if rows["code"].nunique() == 1:
            continue
        eds = [set(filter(None, e.split(";"))) for e in rows["editions"]]
        assert all(eds), f"prose phrase {fac}/{phrase!r} with several codes needs the editions of each row"
        assert sum(len(e) for e in eds) == len(set().union(*eds)), \
            f"prose phrase {fac}/{phrase!r} maps to different codes in the same edition:\n{rows.to_string()}"
        assert rows.groupby("code").ngroups == len(rows), f"prose phrase {fac}/{phrase!r}: one row per code"


def test_labels_are_clean_strings(labels):
    bad = labels[(labels["label"] != labels["label"].str.strip()) | (labels["label"] == "")]
    assert bad.empty, bad.to_string()


def test_label_editions_known(labels):
    known = set(read(SOURCES / "editions.csv")["edition"])
    used = {e for eds in labels["editions"] for e in eds.split(";")}
    assert used <= known, f"unknown editions: {used - known}"


def test_every_code_has_a_label(labels, indicators):
    # a <code>.toename is reached through the label of its <code> (a change in the indicator's unit)
    unused = sorted(c for c in set(indicators["code"]) - set(labels["code"])
                    if not (c.endswith(INCREASE_CODE) and c.removesuffix(INCREASE_CODE) in set(labels["code"])))
    assert not unused, f"codes without a printed label: {unused}"


def test_changes_in_percent_and_in_the_indicators_own_unit(tmp_path):
    """'met 7% gestegen' is the '.verandering' twin; 'met 12 gegroeid' (a count) the listed '.toename';
    a count change of an indicator without a '.toename' row is reported, not coded as a percentage."""
    import copy
    from decimal import Decimal

    from gdigraph.harmonise.indicators import harmonise
    from gdigraph.records import Observation

    def obs(facility, label, unit, value):
        return Observation("x.txt", 7, facility, facility, label + " (groei)", "", 2023, str(value), Decimal(value),
                           unit, origin="prose", edition="2024", measure="change")

    pct = obs("digid-machtigen", "op DigiD Machtigen aangesloten organisaties", "percent", 25)
    count = obs("digid-machtigen", "op DigiD Machtigen aangesloten organisaties", "count", 12)
    cl = load_codelist(CODELISTS)
    assert harmonise([pct, count], cl) == []
    assert pct.indicator_code == "digid-machtigen.aangesloten-organisaties.verandering"
    assert count.indicator_code == "digid-machtigen.aangesloten-organisaties.toename"
    # the same with a list that lacks the '.toename' row
    lacking = copy.copy(cl)
    lacking.indicators = {c: i for c, i in cl.indicators.items() if not c.endswith(INCREASE_CODE)}
    count2 = obs("digid-machtigen", "op DigiD Machtigen aangesloten organisaties", "count", 12)
    (problem,) = harmonise([count2], lacking)
    assert count2.indicator_code == "" and problem.kind == "unmapped_label"
    assert "digid-machtigen.aangesloten-organisaties.toename" in problem.message


def test_harmoniser_loads_the_lists(labels):
    cl = load_codelist(CODELISTS)
    got = pd.DataFrame([cl.lookup(f, lb, prose=n.startswith("prose:"), edition=eds.split(";")[0])
                        for f, lb, n, eds in zip(labels["facility"], labels["label"], labels["match_note"],
                                                 labels["editions"])],
                       columns=["code", "how"])
    pdt.assert_series_equal(got["code"], labels["code"], check_names=False)
    assert set(got["how"]) == {"exact"}


# ------------------------------------------------------------------ coverage of the hand-checked cells
def _table_of(cells: pd.DataFrame, tables: pd.DataFrame) -> pd.Series:
    """header_line of the table each cell belongs to (the last table header at or before the cell)."""
    heads = sorted(int(h) for h in tables["header_line"])
    out = []
    for line in cells["line"].astype(int):
        before = [h for h in heads if h <= line]
        out.append(before[-1] if before else 0)
    return pd.Series(out, index=cells.index)


def test_breakdown_table_captions_are_printed():
    for (doc, header_line), caption in BREAKDOWN_TABLES.items():
        src = next(SOURCES.glob(f"{doc}_*.txt"))
        lines = src.read_text(encoding="utf-8").split("\n")
        header = " ".join(lines[header_line - 1: header_line + 4])
        missing = [w for w in caption.split() if w not in header]
        assert not missing, f"{doc}:{header_line} does not print the caption {caption!r}"


@pytest.mark.parametrize("doc", ["000", "001", "002"])
def test_expected_cells_are_mapped(doc, labels):
    cells = read(next(EXPECTED.glob(f"{doc}_cells.csv")))
    tables = read(next(EXPECTED.glob(f"{doc}_tables.csv")))
    exact = {(f, collapse(lb)) for f, lb in zip(labels["facility"], labels["label"])}
    folded = {(f, lb.casefold()) for f, lb in exact}
    header = _table_of(cells, tables)

    def joined_mapped(fac: str, label: str, part: str) -> bool:
        return (fac, f"{label} — {collapse(part)}".casefold()) in folded

    # labels of two-figure cells (parts such as 'na 3 weken'): their printed % belongs to the cell, not to
    # one of its figures; it passes when every figure of the cell is mapped
    two_figure = {}
    if doc != "000":
        for fac, label, part in zip(cells["facility_code"], cells["label"].map(collapse), cells["part"]):
            if part not in NOT_A_FIGURE_PART:
                two_figure.setdefault((fac, label), set()).add(part)
    unmapped = []
    for idx, c in cells.iterrows():
        fac, label, part = c["facility_code"], collapse(c["label"]), c["part"]
        caption = BREAKDOWN_TABLES.get((doc, header[idx]))
        if caption:
            label = caption  # the row label is the breakdown
        if (fac, label) in exact:
            continue
        if doc != "000" and part not in NOT_A_FIGURE_PART and joined_mapped(fac, label, part):
            continue
        if part == "pct_printed" and (fac, label) in two_figure and all(
                joined_mapped(fac, label, p) for p in two_figure[(fac, label)]):
            continue
        unmapped.append((fac, label, part))
    got = pd.DataFrame(sorted(set(unmapped)), columns=["facility_code", "label", "part"])
    assert got.empty, f"unmapped hand-checked labels of {doc}:\n{got.to_string()}"
    pdt.assert_frame_equal(got, pd.DataFrame(columns=["facility_code", "label", "part"]), check_dtype=False,
                           check_index_type=False, obj=f"unmapped hand-checked labels of {doc}")


# ------------------------------------------------------------------ prose phrases
# The prose pass emits the counted phrase of a sentence ('actieve accounts', 'keren ingelogd') as the label
# of a headline figure; the harmoniser looks it up per facility like a table label (a growth figure
# '<phrase> (groei)' gets '<code>.verandering'). The lookup cannot see the sentence, so a phrase is mapped only
# when it denotes the same indicator in every sentence of the bundled sources. Every other phrase is listed
# here with the reason: a phrase the prose pass emits that is neither mapped nor listed fails the test.
# None are left: the prose pass keeps the qualifiers that tell apart the quantities one noun names
# ('authenticaties op basisniveau', 'terugmeldingen rechtstreeks', 'gebruikte machtigingen voor Mijn Overheid',
# 'berichten over WOZ'), a phrase that two editions use for different quantities has one row per edition
# ('bezoekers' of Ondernemersplein, 'raadplegingen' of Samenwerkende Catalogi), and one-off quantities (the
# registries fully available, the downloads of the Berichtenbox-app) have an indicator of their own. A phrase
# listed here stays out of the graph (build/problems.csv: not_in_graph), so keep this empty.
UNMAPPED_PROSE_PHRASES: dict[tuple[str, str], str] = {}

# Prose rows that get a code through a label that is not a prose mapping (a table label or caption of the
# same facility that equals the phrase). The caption 'Terugmeldingen' of the 2018 cross-registry table
# (buiten Digimelding om) captures the prose phrase 'terugmeldingen' of these facilities; it is right for
# some sentences and wrong for others (see PROSE_VALUE_EXCEPTIONS): a fix needs the prose pass to keep the
# qualifier ('rechtstreeks', 'in totaal') or the harmoniser to look prose phrases up among prose labels only.
PROSE_VIA_TABLE_LABEL: dict[tuple[str, str], str] = {}  # prose phrases are looked up among prose mappings only

# (source prefix, line, indicator_code) of mapped prose levels that differ by more than 5% from the table
# value of the same indicator, year and edition
PROSE_VALUE_EXCEPTIONS = {
    ("001", 244, "berichtenbox-bedrijven.berichten-verstuurd"): "rounding: 'een kleine 25.000' for 23.618 (2014)",
    ("002", 19, "digid.accounts-basis"): "rounding: 'ruim 200.000' for 211.425",
    ("002", 82, "pkioverheid.uitstaande-certificaten"): "rounding: 'ruim 800.000' for 874.731 (growth 'meer dan "
                                                        "15%' = 16,7% fits)",
    ("002", 118, "overheid-nl.bezoeken"): "rounding: 'ruim 40 miljoen' for 42.184.586",
    ("002", 215, "roo.bezoeken-via-overheid-nl"): "rounding: 'ruim 30.000' for 32.047",
    ("002", 243, "efactureren.efacturen"): "rounding: 'de kleine 2 miljoen' for 1.855.287 (growth 18,6% fits)",
    ("002", 134, "ondernemersplein.bezoeken-business-gov-nl"): "rounding: 'ruim 3 miljoen' for 3.173.262 (growth "
                                                               "'+3%' = 3,3% fits)",
}
PROSE_TOLERANCE = 0.05


def _phrase(label: str) -> str:
    for suffix in CHANGE_SUFFIXES:
        if label.endswith(suffix):
            return label[: -len(suffix)]
    return label


@pytest.fixture(scope="module")
def harmonised_observations():
    """Observations of the bundled sources, extracted and harmonised with the code lists in this repository."""
    from gdigraph.ingest import ingest, source_files
    from gdigraph.sources.manifest import load_manifest

    manifest = load_manifest(SOURCES / "editions.csv")
    return [o for p in source_files(SOURCES) for o in ingest(p, manifest).observations]


@pytest.fixture(scope="module")
def prose_rows(harmonised_observations):
    rows = [o for o in harmonised_observations if o.origin == "prose" and o.facility_code]
    assert rows, "the prose pass emitted nothing"
    return rows


def test_prose_phrases_mapped_or_listed(prose_rows):
    listed = {(f, normalise_label(p)) for f, p in UNMAPPED_PROSE_PHRASES}
    unmapped = sorted({(o.facility_code, _phrase(o.indicator)) for o in prose_rows if not o.indicator_code
                       and (o.facility_code, normalise_label(_phrase(o.indicator))) not in listed})
    assert not unmapped, ("prose phrases neither mapped in indicator_labels.csv nor listed in "
                          f"UNMAPPED_PROSE_PHRASES: {unmapped}")
    emitted = {(o.facility_code, normalise_label(_phrase(o.indicator))) for o in prose_rows if not o.indicator_code}
    stale = sorted(listed - emitted)
    assert not stale, f"UNMAPPED_PROSE_PHRASES lists phrases that are no longer emitted unmapped: {stale}"


def test_a_phrase_of_different_quantities_is_looked_up_by_edition():
    cl = load_codelist(CODELISTS)
    assert cl.lookup("ondernemersplein", "bezoekers", prose=True, edition="2019-toelichting")[0] == \
        "ondernemersplein.unieke-bezoekers"
    assert cl.lookup("ondernemersplein", "bezoekers", prose=True, edition="2024")[0] == "ondernemersplein.bezoeken"
    assert cl.lookup("ondernemersplein", "bezoekers", prose=True, edition="2030") == ("", "")  # not known: unmapped
    # a phrase with one meaning holds in every edition, also one no row lists
    assert cl.lookup("digid", "authenticaties op basisniveau", prose=True, edition="2030")[0] == \
        "digid.authenticaties-basis"


def test_prose_labels_are_marked(labels, prose_rows):
    """A prose phrase is mapped by a label row whose match_note starts with 'prose:' (the sentence was read);
    phrases that only equal a table label are listed in PROSE_VIA_TABLE_LABEL."""
    marked = {(f, normalise_label(lb)) for f, lb, n in zip(labels["facility"], labels["label"], labels["match_note"])
              if n.startswith("prose:")}
    listed = {(f, normalise_label(p)) for f, p in PROSE_VIA_TABLE_LABEL}
    via_table = {(o.facility_code, normalise_label(_phrase(o.indicator))) for o in prose_rows if o.indicator_code}
    via_table -= marked
    assert via_table == listed, (f"prose phrases mapped through a table label: {sorted(via_table - listed)}; "
                                 f"listed but not (or no longer) so: {sorted(listed - via_table)}")
    unused = sorted(marked - {(o.facility_code, normalise_label(_phrase(o.indicator))) for o in prose_rows})
    assert not unused, f"'prose:' label rows for phrases the prose pass does not emit: {unused}"


def test_prose_values_agree_with_same_edition_tables(harmonised_observations, prose_rows):
    """A prose level is compared with the table value of the same indicator, year, edition and breakdown (a
    sender's share, 'De Belastingdienst en het UWV hebben samen 60 miljoen berichten verstuurd', with the
    table's row of those senders, not with the total)."""
    from gdigraph.harmonise.breakdowns import load_breakdowns

    bd = load_breakdowns(CODELISTS)
    table: dict[tuple[str, int, str, str | None], list] = {}
    for o in harmonised_observations:
        if o.origin == "table" and o.measure == "level" and o.indicator_code and o.value is not None:
            table.setdefault((o.indicator_code, o.year, o.edition, bd.code(o.breakdown)), []).append(o.value)
    disagree = {}
    for o in prose_rows:
        if o.measure != "level" or not o.indicator_code or o.value is None:
            continue
        values = table.get((o.indicator_code, o.year, o.edition, bd.code(o.breakdown)))
        if not values:
            continue
        best = min(values, key=lambda v: abs(o.value - v))
        rel = abs(o.value - best) / best if best else (0 if o.value == 0 else 1)
        if rel > PROSE_TOLERANCE:
            disagree[(o.source[:3], o.line, o.indicator_code)] = f"{o.raw!r} vs {best} ({float(rel):.1%})"
    unexpected = {k: v for k, v in disagree.items() if k not in PROSE_VALUE_EXCEPTIONS}
    assert not unexpected, f"prose figures that disagree with the same-edition table: {unexpected}"
    stale = sorted(set(PROSE_VALUE_EXCEPTIONS) - set(disagree))
    assert not stale, f"PROSE_VALUE_EXCEPTIONS that agree now (remove them): {stale}"
