"""Checks for the curated reference data in data/reference/.

Every fact row names its source: a bundled document (data/sources/*.txt) with a 1-based line
number and a short verbatim quote of that line, or ``ref:<id>`` pointing to public_sources.csv.
These tests re-read the documents, so a changed quote, line number or file name fails.
"""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path

import pandas as pd
import pandas.testing as pdt
import pytest

ROOT = Path(__file__).resolve().parents[1]
REF = ROOT / "data" / "reference"
SOURCES = ROOT / "data" / "sources"
FACILITIES = ROOT / "data" / "codelists" / "facilities.csv"
SHARED_STELSELPLAAT = Path("/work/shared/reference/stelselplaat.csv")

SRC = ["source", "source_line", "quote"]
COLUMNS = {
    "public_sources.csv": ["id", "title", "publisher", "url", "accessed", "note"],
    "organisations.csv": ["code", "label_nl", "label_en", "abbreviation", "type", "tooi_type", "tooi_uri", "tooi_source",
                          "parent", "parent_source", "abolished", "abolished_source", "type_source", "note"] + SRC,
    "facility_roles.csv": ["facility", "role", "organisation", "start", "end", "as_of", "note"] + SRC,
    "basisregistraties.csv": ["registry", "mandatory_use_since", "in_force_since", "in_force_source", "law", "law_source",
                              "note"] + SRC,
    "carriers.csv": ["facility", "relation", "registry", "since", "until", "as_of", "note"] + SRC,
    "recommendations.csv": ["code", "year", "text_nl", "addressee", "concerns", "status", "status_note", "status_source",
                            "status_line", "status_quote", "cited_source", "cited_line", "cited_quote"] + SRC,
    "commitments.csv": ["code", "year", "text_nl", "by", "concerns", "deadline", "deadline_text", "status", "status_note",
                        "status_source", "status_line", "status_quote"] + SRC,
    "stelselplaat.csv": ["registry", "uses", "keys_passed_on", "note"] + SRC,
}
KEYS = {
    "public_sources.csv": ["id"],
    "organisations.csv": ["code"],
    "facility_roles.csv": ["facility", "role", "organisation", "start", "as_of"],
    "basisregistraties.csv": ["registry"],
    "carriers.csv": ["facility", "relation", "registry", "as_of"],
    "recommendations.csv": ["code"],
    "commitments.csv": ["code"],
    "stelselplaat.csv": ["registry", "uses"],
}
# (source column, line column, quote column) triples that point into a document
TRIPLES = [("source", "source_line", "quote"), ("status_source", "status_line", "status_quote"),
           ("cited_source", "cited_line", "cited_quote")]
DATE_COLUMNS = ["start", "end", "as_of", "since", "until", "abolished", "mandatory_use_since", "in_force_since",
                "deadline", "accessed", "year"]
ISO = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
ROLES = {"beheerder", "opdrachtgever", "bronhouder"}
RELATIONS = {"levert-gebeurtenissen", "terugmelden", "toont-gegevens", "ontsluit"}
STATUSES = {"uitgevoerd", "gedeeltelijk-uitgevoerd", "in-uitvoering", "niet-uitgevoerd", "afgewezen", "open", "onbekend"}
ORG_TYPES = {"ministerie", "zbo", "agentschap", "onderdeel", "stichting", "hoog-college-van-staat", "groep", "koepel", ""}
TOOI_TYPES = {"Ministerie", "Zbo", "Gemeente", "Provincie", "Waterschap", ""}


# ------------------------------------------------------------------ loading helpers
def load(name: str) -> pd.DataFrame:
    return pd.read_csv(REF / name, dtype=str, keep_default_na=False, encoding="utf-8")


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return {name: load(name) for name in COLUMNS}


@pytest.fixture(scope="module")
def documents() -> dict[str, list[str]]:
    return {p.name: p.read_text(encoding="utf-8").split("\n") for p in SOURCES.glob("*.txt")}


@pytest.fixture(scope="module")
def facility_codes() -> set[str]:
    return set(pd.read_csv(FACILITIES, dtype=str, keep_default_na=False)["code"])


@pytest.fixture(scope="module")
def facility_kinds() -> dict[str, str]:
    f = pd.read_csv(FACILITIES, dtype=str, keep_default_na=False)
    return dict(zip(f["code"], f["kind"]))


@pytest.fixture(scope="module")
def ref_ids(tables) -> set[str]:
    return set(tables["public_sources.csv"]["id"])


@pytest.fixture(scope="module")
def org_codes(tables) -> set[str]:
    return set(tables["organisations.csv"]["code"])


def natural(value: str) -> list:
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", value)]


def split_codes(value: str) -> list[str]:
    return [c for c in value.split(";") if c]


def check_reference(source: str, line: str, quote: str, documents, ref_ids) -> list[str]:
    """Problems with one (source, line, quote) triple; an empty list means it holds."""
    if source.startswith("ref:"):
        problems = [] if source[4:] in ref_ids else [f"unknown public source {source}"]
        if line:
            problems.append(f"{source}: a ref: source has no line number")
        return problems
    if source not in documents:
        return [f"unknown document {source!r}"]
    if not line.isdigit():
        return [f"{source}: line {line!r} is not a positive integer"]
    lines = documents[source]
    n = int(line)
    if not 1 <= n <= len(lines):
        return [f"{source}: line {n} out of range 1..{len(lines)}"]
    problems = []
    words = len(quote.split())
    if not 3 <= words <= 12:
        problems.append(f"{source}:{n}: quote has {words} words, expected 3-12: {quote!r}")
    if not quote or quote not in lines[n - 1]:
        problems.append(f"{source}:{n}: quote {quote!r} not in line {lines[n - 1]!r}")
    return problems


def check_pointer(value: str, documents, ref_ids) -> list[str]:
    """A secondary source column: empty, ref:<id> or <document>:<line>."""
    if not value:
        return []
    if value.startswith("ref:"):
        return [] if value[4:] in ref_ids else [f"unknown public source {value}"]
    m = re.fullmatch(r"(.+\.txt):(\d+)", value)
    if not m:
        return [f"bad source pointer {value!r}"]
    name, n = m.group(1), int(m.group(2))
    if name not in documents:
        return [f"unknown document in {value!r}"]
    if not 1 <= n <= len(documents[name]):
        return [f"line out of range in {value!r}"]
    return []


def valid_iso(value: str) -> bool:
    if not ISO.match(value):
        return False
    parts = [int(p) for p in value.split("-")]
    try:
        date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        return False
    return True


# ------------------------------------------------------------------ file format
@pytest.mark.parametrize("name", sorted(COLUMNS))
def test_file_is_utf8_csv_with_lf_and_expected_header(name):
    raw = (REF / name).read_bytes()
    text = raw.decode("utf-8")
    assert "\r" not in text, f"{name}: use \\n line endings"
    assert text.endswith("\n")
    header = next(csv.reader([text.split("\n", 1)[0]]))
    assert header == COLUMNS[name]


@pytest.mark.parametrize("name", sorted(COLUMNS))
def test_parses_with_expected_columns_and_has_rows(tables, name):
    df = tables[name]
    assert list(df.columns) == COLUMNS[name]
    assert len(df) > 0
    with open(REF / name, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert all(None not in r and len(r) == len(COLUMNS[name]) for r in rows), f"{name}: ragged rows"


@pytest.mark.parametrize("name", sorted(KEYS))
def test_no_duplicate_keys(tables, name):
    df = tables[name]
    dup = df[df.duplicated(KEYS[name], keep=False)]
    assert dup.empty, f"{name}: duplicate keys\n{dup[KEYS[name]]}"


@pytest.mark.parametrize("name", sorted(set(KEYS) - {"stelselplaat.csv"}))
def test_rows_are_sorted_by_key(tables, name):
    df = tables[name]
    keys = KEYS[name]
    order = sorted(range(len(df)), key=lambda i: [natural(df.iloc[i][k]) for k in keys])
    expected = df.iloc[order].reset_index(drop=True)
    pdt.assert_frame_equal(df.reset_index(drop=True), expected)


# ------------------------------------------------------------------ sources
@pytest.mark.parametrize("name", sorted(set(COLUMNS) - {"public_sources.csv"}))
def test_every_fact_has_a_checkable_source(tables, documents, ref_ids, name):
    df = tables[name]
    problems = []
    for i, row in df.iterrows():
        for s, l, q in TRIPLES:
            if s not in df.columns:
                continue
            if s == "source" or row[s]:
                if not row[s]:
                    problems.append(f"row {i}: empty {s}")
                    continue
                problems += [f"{name} row {i} {s}: {p}" for p in check_reference(row[s], row[l], row[q], documents, ref_ids)]
            elif row[l] or row[q]:
                problems.append(f"{name} row {i}: {l}/{q} set without {s}")
        for col in df.columns:
            if col.endswith("_source") and col not in {t[0] for t in TRIPLES}:
                problems += [f"{name} row {i} {col}: {p}" for p in check_pointer(row[col], documents, ref_ids)]
    assert not problems, "\n".join(problems)


def test_a_changed_quote_is_detected(tables, documents, ref_ids):
    rows = tables["recommendations.csv"]
    row = rows[~rows["source"].str.startswith("ref:")].iloc[0]
    assert check_reference(row["source"], row["source_line"], row["quote"], documents, ref_ids) == []
    assert check_reference(row["source"], row["source_line"], row["quote"] + " XYZ", documents, ref_ids)
    assert check_reference(row["source"], row["source_line"], row["quote"].upper(), documents, ref_ids)
    other = str(int(row["source_line"]) + 1)
    assert check_reference(row["source"], other, row["quote"], documents, ref_ids)


def test_public_sources_are_well_formed(tables):
    ps = tables["public_sources.csv"]
    assert ps["id"].str.fullmatch(r"[a-z0-9][a-z0-9-]*").all()
    assert ps["url"].str.match(r"https?://").all()
    assert ps["title"].str.len().gt(0).all() and ps["publisher"].str.len().gt(0).all()


def test_every_public_source_is_used(tables):
    used = set()
    for name, df in tables.items():
        if name == "public_sources.csv":
            continue
        for col in df.columns:
            if col.endswith("_source") or col == "source":
                used |= {v[4:] for v in df[col] if v.startswith("ref:")}
    notes = " ".join(" ".join(df["note"]) for df in tables.values() if "note" in df.columns)
    unused = {i for i in tables["public_sources.csv"]["id"] if i not in used and i not in notes}
    assert not unused, f"public sources never cited: {sorted(unused)}"


# ------------------------------------------------------------------ codes
def test_facility_and_registry_codes_exist(tables, facility_codes):
    fr, ca, br = tables["facility_roles.csv"], tables["carriers.csv"], tables["basisregistraties.csv"]
    missing = (set(fr["facility"]) | set(ca["facility"]) | set(ca["registry"]) | set(br["registry"])) - facility_codes
    sp = tables["stelselplaat.csv"]
    missing |= {c.lower() for c in set(sp["registry"]) | set(sp["uses"])} - facility_codes
    assert not missing, f"codes not in facilities.csv: {sorted(missing)}"


def test_basisregistraties_table_covers_exactly_the_ten_registries(tables, facility_kinds):
    registries = {c for c, k in facility_kinds.items() if k == "basisregistratie"}
    assert set(tables["basisregistraties.csv"]["registry"]) == registries
    assert set(tables["carriers.csv"]["registry"]) <= registries


def test_stelselplaat_codes_are_printed_upper_case(tables):
    sp = tables["stelselplaat.csv"]
    assert (sp["registry"] == sp["registry"].str.upper()).all()
    assert (sp["uses"] == sp["uses"].str.upper()).all()


def test_organisation_codes_used_anywhere_exist(tables, org_codes, facility_codes):
    used = set(tables["facility_roles.csv"]["organisation"])
    used |= {c for v in tables["recommendations.csv"]["addressee"] for c in split_codes(v)}
    used |= {c for v in tables["commitments.csv"]["by"] for c in split_codes(v)}
    used |= {p for p in tables["organisations.csv"]["parent"] if p}
    assert not used - org_codes, f"unknown organisation codes: {sorted(used - org_codes)}"
    for name in ("recommendations.csv", "commitments.csv"):
        concerns = {c for v in tables[name]["concerns"] for c in split_codes(v)}
        assert not concerns - org_codes - facility_codes, f"{name}: unknown codes {sorted(concerns - org_codes - facility_codes)}"


def test_organisations_are_well_formed(tables):
    org = tables["organisations.csv"]
    assert org["code"].str.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*").all()
    assert set(org["type"]) <= ORG_TYPES
    assert set(org["tooi_type"]) <= TOOI_TYPES
    assert (org["parent"] != org["code"]).all()
    for value_col, source_col in [("parent", "parent_source"), ("abolished", "abolished_source"),
                                  ("tooi_type", "tooi_source"), ("tooi_uri", "tooi_source")]:
        bad = org[(org[value_col] != "") & (org[source_col] == "")]
        assert bad.empty, f"{value_col} without {source_col}: {list(bad['code'])}"
    assert org["tooi_uri"].map(lambda u: u == "" or u.startswith("https://identifier.overheid.nl/tooi/id/")).all()
    # no cycles in the parent chain
    parent = dict(zip(org["code"], org["parent"]))
    for code in parent:
        seen, cur = set(), code
        while cur:
            assert cur not in seen, f"parent cycle at {code}"
            seen.add(cur)
            cur = parent.get(cur, "")


# ------------------------------------------------------------------ values
@pytest.mark.parametrize("name", sorted(COLUMNS))
def test_dates_are_iso(tables, name):
    df = tables[name]
    bad = [(c, v) for c in DATE_COLUMNS if c in df.columns for v in df[c] if v and not valid_iso(v)]
    assert not bad, f"{name}: non-ISO dates {bad}"


def test_periods_are_ordered(tables):
    for name, a, b in [("facility_roles.csv", "start", "end"), ("carriers.csv", "since", "until")]:
        df = tables[name]
        both = df[(df[a] != "") & (df[b] != "")]
        assert (both[a] <= both[b]).all(), f"{name}: {a} after {b}"


def test_vocabularies(tables):
    assert set(tables["facility_roles.csv"]["role"]) <= ROLES
    assert set(tables["carriers.csv"]["relation"]) <= RELATIONS
    assert set(tables["recommendations.csv"]["status"]) <= STATUSES - {"onbekend"}
    assert set(tables["commitments.csv"]["status"]) <= STATUSES


def test_status_has_its_own_evidence(tables):
    rec = tables["recommendations.csv"]
    assert (rec["status_source"] != "").all(), "every recommendation status needs a status source"
    com = tables["commitments.csv"]
    known = com[com["status"] != "onbekend"]
    assert (known["status_source"] != "").all(), "a known commitment status needs a status source"
    assert rec["code"].str.fullmatch(r"no-\d{4}-\d+").all()
    assert com["code"].str.fullmatch(r"[a-z]+-\d{4}-\d+").all()
    for df in (rec, com):
        assert all(code.split("-")[1] == year for code, year in zip(df["code"], df["year"]))


def test_every_facility_has_a_role_and_every_registry_a_beheerder(tables, facility_codes, facility_kinds):
    fr = tables["facility_roles.csv"]
    assert facility_codes <= set(fr["facility"])
    beheerd = set(fr.loc[fr["role"] == "beheerder", "facility"])
    registries = {c for c, k in facility_kinds.items() if k == "basisregistratie"}
    assert registries <= beheerd, f"registries without beheerder: {sorted(registries - beheerd)}"


# ------------------------------------------------------------------ stelselplaat
def test_stelselplaat_keeps_its_rows_and_columns(tables, ref_ids):
    sp = tables["stelselplaat.csv"]
    assert (sp["source"] == "ref:stelselplaat-2016").all()
    assert {"stelselplaat-2016", "ictu-stelselplaat-repo"} <= ref_ids
    if not SHARED_STELSELPLAAT.exists():
        pytest.skip("shared copy of the original stelselplaat.csv not available")
    original = pd.read_csv(SHARED_STELSELPLAAT, dtype=str, keep_default_na=False)
    pdt.assert_frame_equal(sp[list(original.columns)], original)
