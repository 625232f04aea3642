"""The extractor under property-based fuzzing: random tables, shuffled lines, garbage bytes, huge
numbers, truncated files. Never a crash; never a figure of a table silently dropped."""

from __future__ import annotations

import random
import re
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gdigraph.extract import extract_document
from gdigraph.extract.tokens import NUM, tokenize_line
from gdigraph.sources.manifest import Edition
from gdigraph.sources.reader import Document, SourceError, read_document

DATA = Path(__file__).resolve().parents[1] / "data" / "sources"
EDITION = Edition("fuzz.txt", "fuzz", "Monitor fuzz", "monitor-tables", "", 2030, None, (), inferred=True)
REAL = {p.name: p.read_text(encoding="utf-8").splitlines() for p in sorted(DATA.glob("00[012]_*.txt"))}
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

WORDS = ["Aantal", "aangesloten", "organisaties", "authenticaties", "berichten", "verstuurde", "bezoeken",
         "gebruikers", "webdiensten", "terugmeldingen", "actieve", "accounts", "via", "Digimelding"]


def doc(lines: list[str], name: str = "fuzz.txt") -> Document:
    return Document(name, Path(name), lines, "0" * 64)


def dutch(n: int) -> str:
    return f"{n:,}".replace(",", ".")


@st.composite
def tables(draw):
    years = draw(st.integers(2000, 2090))
    ncols = draw(st.integers(2, 6))
    cols = list(range(years, years + ncols))
    nrows = draw(st.integers(1, 8))
    rows = []
    used = set()
    for _ in range(nrows):
        label = " ".join(draw(st.lists(st.sampled_from(WORDS[1:]), min_size=1, max_size=4)))
        label = "Aantal " + label
        if label in used:
            continue
        used.add(label)
        values = draw(st.lists(st.integers(0, 10**12), min_size=ncols, max_size=ncols))
        wrap = draw(st.booleans())
        rows.append((label, values, wrap))
    return cols, rows


def render(cols, rows) -> list[str]:
    lines = ["1. DigiD", "", "Indicator " + " ".join(map(str, cols)) + " %"]
    for label, values, wrap in rows:
        cells = " ".join(dutch(v) for v in values) + " 1,0%"
        if wrap:
            words = label.split()
            lines += [" ".join(words[: len(words) // 2 + 1]), "", " ".join(words[len(words) // 2 + 1:]), "", cells]
        else:
            lines.append(f"{label} {cells}")
        lines.append("")
    return lines


@FAST
@given(tables())
def test_random_tables_are_read_exactly(table):
    cols, rows = table
    ex = extract_document(doc(render(cols, rows)), edition=EDITION)
    got = {(o.indicator, o.year): o.value for o in ex.observations if o.measure == "level"}
    for label, values, _ in rows:
        for year, v in zip(cols, values):
            assert got[(label, year)] == v


@FAST
@given(tables(), st.randoms(use_true_random=False))
def test_no_figure_of_a_table_is_silently_dropped(table, rnd):
    """Insert stray numbers into a table: every number either becomes a figure or is reported."""
    cols, rows = table
    lines = render(cols, rows)
    for _ in range(rnd.randint(1, 3)):
        at = rnd.randint(3, len(lines))
        lines.insert(at, str(rnd.randint(0, 99999)))
    ex = extract_document(doc(lines), edition=EDITION)
    figure_lines = {o.line for o in ex.observations}
    reported = {p.line for p in ex.problems} | {o.label_line for o in ex.observations}
    reported_text = " ".join(p.text for p in ex.problems)
    header = next(i for i, ln in enumerate(lines) if ln.startswith("Indicator")) + 1
    for n, line in enumerate(lines, start=1):
        if n <= header:
            continue
        for tok in tokenize_line(line, n):
            if tok.kind == NUM:
                assert n in figure_lines or n in reported or tok.text in reported_text, (n, line)


@FAST
@given(st.randoms(use_true_random=False), st.sampled_from(sorted(REAL)))
def test_shuffled_lines_of_real_reports_never_crash(rnd, name):
    lines = list(REAL[name])
    start = rnd.randint(0, len(lines) - 200)
    chunk = lines[start:start + 200]
    rnd.shuffle(chunk)
    ex = extract_document(doc(chunk, name), edition=EDITION)
    for o in ex.observations:
        assert 1 <= o.line <= len(chunk)
        assert o.value is None or isinstance(o.value, Decimal)


@FAST
@given(st.sampled_from(sorted(REAL)), st.floats(0.0, 1.0))
def test_truncated_reports_never_crash(name, fraction):
    lines = REAL[name]
    cut = lines[: int(len(lines) * fraction)]
    if cut:
        cut[-1] = cut[-1][: len(cut[-1]) // 2]  # cut mid-line too
    ex = extract_document(doc(cut, name), edition=EDITION)
    assert all(1 <= o.line <= max(1, len(cut)) for o in ex.observations)


@FAST
@given(st.binary(min_size=1, max_size=4000))
def test_garbage_bytes_are_refused_or_read_without_crashing(tmp_path_factory, data):
    p = tmp_path_factory.mktemp("garbage") / "garbage.txt"
    p.write_bytes(data)
    try:
        d = read_document(p)
    except SourceError as e:
        assert "garbage.txt" in str(e)
        return
    extract_document(d, edition=EDITION)


@FAST
@given(st.integers(10**12, 10**40))
def test_huge_numbers_are_exact(n):
    lines = ["1. DigiD", "Indicator 2021 2022 %", f"Aantal authenticaties {dutch(n)} {dutch(n + 1)} 0,0%"]
    ex = extract_document(doc(lines), edition=EDITION)
    got = {o.year: o.value for o in ex.observations if o.measure == "level"}
    assert got == {2021: n, 2022: n + 1}


def test_a_report_of_random_words_and_numbers_never_crashes():
    rnd = random.Random(7)
    vocab = WORDS + ["Indicator", "2019", "2020", "%", "-", "--", "*", "Toelichting", "1.234", "5,6%", "mln"]
    for _ in range(30):
        lines = [" ".join(rnd.choice(vocab) for _ in range(rnd.randint(0, 12))) for _ in range(80)]
        ex = extract_document(doc(lines), edition=EDITION)
        for o in ex.observations:
            assert re.search(r"\d|-|n\.b\.", o.raw) or o.raw == "" or "suspect" in o.flags
