"""Compare extracted observations with the hand-checked cells in tests/expected/ (used by the tests
and by `python -m tests.expected_compare` while working on the extractor)."""

from __future__ import annotations

import csv
import re
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

EXPECTED = Path(__file__).parent / "expected"


def load(name: str) -> list[dict[str, str]]:
    with open(EXPECTED / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def norm_raw(s: str) -> str:
    return re.sub(r"\s+", "", s.replace("\u202f", " ")).lower()


def num(s: str) -> Decimal | None:
    return Decimal(s) if s not in ("", None) else None


@dataclass
class Report:
    total: int = 0
    found: int = 0
    value_ok: int = 0
    facility_ok: int = 0
    flags_ok: int = 0
    missing: list[dict] = field(default_factory=list)
    wrong_value: list[tuple] = field(default_factory=list)
    wrong_facility: list[tuple] = field(default_factory=list)
    wrong_flags: list[tuple] = field(default_factory=list)
    extra: list[dict] = field(default_factory=list)

    def ratio(self) -> float:
        return self.value_ok / self.total if self.total else 1.0


CHECKED_FLAGS = {"missing", "approx", "footnote", "suspect", "pct_mismatch", "method_change"}


def compare(expected: list[dict], observed: list[dict]) -> Report:
    rep = Report()
    by_key: dict[tuple, list[dict]] = {}
    for o in observed:
        if o.get("origin", "table") != "table":
            continue
        by_key.setdefault((o["source"], o["line"], o["year"]), []).append(o)
    used: set[int] = set()
    for e in expected:
        rep.total += 1
        cands = [o for o in by_key.get((e["source"], e["line"], e["year"]), []) if id(o) not in used]
        is_change = e["part"] == "pct_printed" or "verschil" in e["part"].lower()
        cands = [o for o in cands if (o["measure"] == "change") == is_change]
        ev = num(e["value"])
        match = None
        for o in cands:
            if ev is not None and num(o["value"]) == ev:
                match = o
                break
        if match is None:
            for o in cands:
                if norm_raw(o["raw"]) == norm_raw(e["raw"]) or (not e["raw"] and not o["raw"]):
                    match = o
                    break
        if match is None and len(cands) == 1:
            match = cands[0]
        if match is None:
            rep.missing.append(e)
            continue
        used.add(id(match))
        rep.found += 1
        if num(match["value"]) == ev:
            rep.value_ok += 1
        else:
            rep.wrong_value.append((e, match))
        if match["facility_code"] == e["facility_code"]:
            rep.facility_ok += 1
        else:
            rep.wrong_facility.append((e, match))
        ef = set(filter(None, e["flags"].split(";"))) & CHECKED_FLAGS
        of = set(filter(None, match["flags"].split(";"))) & CHECKED_FLAGS
        if ef == of:
            rep.flags_ok += 1
        else:
            rep.wrong_flags.append((e, match, sorted(ef - of), sorted(of - ef)))
    rep.extra = [o for os in by_key.values() for o in os if id(o) not in used]
    return rep


def main(argv: list[str]) -> int:
    from gdigraph.extract import extract_path

    data = Path(__file__).resolve().parents[1] / "data" / "sources"
    verbose = "-v" in argv
    for prefix in ("000", "001", "002"):
        src = next(data.glob(f"{prefix}_*.txt"))
        ex = extract_path(src)
        obs = [o.as_row() for o in ex.observations]
        rep = compare(load(f"{prefix}_cells.csv"), obs)
        print(f"{prefix}: expected {rep.total} found {rep.found} value_ok {rep.value_ok} "
              f"facility_ok {rep.facility_ok} flags_ok {rep.flags_ok} extra {len(rep.extra)}")
        if verbose:
            for e in rep.missing:
                print("  MISSING", e["line"], e["year"], e["part"], e["raw"], e["label"][:50])
            for e, o in rep.wrong_value:
                print("  VALUE", e["line"], e["year"], e["raw"], "exp", e["value"], "got", o["value"], o["raw"])
            for e, o in rep.wrong_facility:
                print("  FACILITY", e["line"], e["year"], e["label"][:40], "exp", e["facility_code"], "got", o["facility_code"])
            for e, o, lack, more in rep.wrong_flags:
                print("  FLAGS", e["line"], e["year"], e["part"], e["raw"], "lack", lack, "extra", more, "|", e["note"][:80])
            for o in rep.extra:
                print("  EXTRA", o["line"], o["year"], o["raw"], o["indicator"][:50])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
