"""The extractor against the hand-checked ground truth in tests/expected/ (every table cell of the
three monitor documents: value, year, facility and flags)."""

from __future__ import annotations

import pytest

from gdigraph.extract import extract_path

from .expected_compare import compare, load

SOURCES = {
    "000": "000_488dae424ea7cc3b.txt",
    "001": "001_4df648067558eaa2.txt",
    "002": "002_07d1b1bb7c20ac1f.txt",
}


@pytest.fixture(scope="module")
def extracted(project_root):
    out = {}
    for prefix, name in SOURCES.items():
        ex = extract_path(project_root / "data" / "sources" / name)
        out[prefix] = [o.as_row() for o in ex.observations]
    return out


@pytest.mark.parametrize("prefix", sorted(SOURCES))
def test_every_hand_checked_cell_is_extracted_with_its_value_year_and_facility(extracted, prefix):
    rep = compare(load(f"{prefix}_cells.csv"), extracted[prefix])
    missing = [(e["line"], e["year"], e["raw"]) for e in rep.missing]
    wrong_value = [(e["line"], e["year"], e["value"], o["value"]) for e, o in rep.wrong_value]
    wrong_facility = [(e["line"], e["facility_code"], o["facility_code"]) for e, o in rep.wrong_facility]
    assert not missing, f"cells not extracted: {missing}"
    assert not wrong_value, f"wrong values: {wrong_value}"
    assert not wrong_facility, f"wrong facility: {wrong_facility}"


@pytest.mark.parametrize("prefix", sorted(SOURCES))
def test_flags_agree_with_the_hand_checked_cells(extracted, prefix):
    rep = compare(load(f"{prefix}_cells.csv"), extracted[prefix])
    diffs = [(e["line"], e["year"], e["part"], lack, more) for e, o, lack, more in rep.wrong_flags]
    assert not diffs, f"flag differences (line, year, part, lacking, extra): {diffs}"


@pytest.mark.parametrize("prefix", sorted(SOURCES))
def test_no_table_row_comes_from_anywhere_but_a_hand_checked_cell(extracted, prefix):
    rep = compare(load(f"{prefix}_cells.csv"), extracted[prefix])
    extra = [(o["line"], o["year"], o["raw"]) for o in rep.extra]
    assert not extra, f"table rows not in the ground truth: {extra}"


@pytest.mark.parametrize("prefix", sorted(SOURCES))
def test_noise_lines_never_become_table_rows(extracted, prefix):
    noise = {(r["source"], r["line"]) for r in load(f"{prefix}_noise.csv")}
    hits = [(o["line"], o["raw"]) for o in extracted[prefix]
            if o["origin"] == "table" and (o["source"], o["line"]) in noise]
    assert not hits, f"noise lines read as figures: {hits}"
