"""The named architect queries on the real graph of the bundled sources: answers a reader can check
against the source documents and the Stelselplaat."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from gdigraph.queries import QueryError, find_query, list_queries, run_query



def ask(name, store):
    return run_query(find_query(name).text, store=store).rows


def test_every_named_query_is_documented_and_answers(memory_store):
    qs = list_queries()
    assert len(qs) >= 7
    for q in qs:
        assert q.title and q.description, q.name
        run_query(q.text, store=memory_store)  # parses and runs


def test_what_woz_uses_transitively(memory_store):
    rows = {r["uses"]: r for r in ask("registry-uses-transitively", memory_store)}
    # Stelselplaat: WOZ uses BAG, BRK, BRP and HR; through BRK also BGT
    assert {u for u, r in rows.items() if r["steps"] == "1"} == {"BAG", "BRK", "BRP", "HR"}
    assert rows["BGT"]["steps"] == "2"
    assert "kadastraal object-id" in rows["BRK"]["keys"]


def test_what_an_outage_of_the_brp_affects(memory_store):
    rows = ask("outage-impact", memory_store)
    registries = {r["affected"] for r in rows if r["kind"] == "registry"}
    facilities = {r["affected"] for r in rows if r["kind"] == "facility"}
    assert {"HR", "BRK", "WOZ", "BRV", "BRI"} <= registries  # use the BRP directly
    assert {"BRO", "BRT"} <= registries  # through HR and BRK
    assert "BAG" not in registries
    assert {"BV BSN", "Digilevering", "Digimelding", "MijnOverheid Persoonlijke Gegevens"} <= facilities


def test_which_facilities_each_organisation_runs(memory_store):
    rows = {r["organisation"]: r for r in ask("facilities-per-organisation", memory_store)}
    assert {"DigiD", "Digipoort", "MijnOverheid"} <= set(rows["Logius"]["facilities"].split(", "))
    kadaster = next(v for k, v in rows.items() if "Kadaster" in k)
    assert {"BAG", "BRK", "BRT", "BGT"} <= set(kadaster["facilities"].split(", "))
    assert "BRP" in rows["Rijksdienst voor Identiteitsgegevens"]["facilities"]


def test_an_indicator_series_across_editions(memory_store):
    rows = {(r["year"], r["edition"]): r for r in ask("indicator-series-with-revisions", memory_store)}
    # Monitor GDI 2018, line 563: 158.300.000 in 2014; Monitor Digitale Overheid 2024, line 308: 480.078.039
    assert rows[("2014", "2018")]["value"] == "158300000" and rows[("2014", "2018")]["line"] == "563"
    assert rows[("2023", "2024")]["value"] == "480078039" and rows[("2023", "2024")]["line"] == "308"
    assert rows[("2023", "2024")]["harmonised"] == "480078039"


def test_open_recommendations_per_facility(memory_store):
    rows = ask("open-recommendations-per-facility", memory_store)
    codes = {r["recommendation"] for r in rows}
    assert "no-2023-1" in codes  # the 2023 recommendations are open
    assert "no-2017-2" not in codes  # carried out (ombudsman 2023, line 1186)
    assert all(r["status"] != "uitgevoerd" for r in rows)


def test_fastest_growing_facilities(memory_store):
    rows = ask("fastest-growing-facilities", memory_store)
    top = rows[0]
    # Monitor Digitale Overheid 2024: BRK Kadastrale kaart downloads 79.750 (2019) -> 3.560.000 (2023)
    assert (top["indicator"], top["start"], top["end"]) == ("brk.kadastrale-kaart-downloads", "79750", "3560000")
    expected = (Decimal(3560000) / Decimal(79750)) ** Decimal("0.25") - 1
    assert abs(Decimal(top["cagrPercent"]) - expected * 100) < Decimal("0.01")
    growth = [Decimal(r["cagrPercent"]) for r in rows]
    assert growth == sorted(growth, reverse=True)


def test_restated_figures_between_editions(tmp_path):
    """A corrected reprint of the 2024 monitor that restates two 2022 figures: the query lists exactly
    those two, with both values and the difference."""
    import csv

    import pyoxigraph

    from gdigraph.graph.build import build
    from gdigraph.ingest import extract_all
    from gdigraph.settings import Settings

    data = tmp_path / "data"
    shutil.copytree(Path(__file__).resolve().parents[1] / "data", data)
    text = (data / "sources" / "002_07d1b1bb7c20ac1f.txt").read_text(encoding="utf-8")
    # DigiD connected organisations 2022: 732 -> 740; eHerkenning connected service providers 2022: 632 -> 630
    text = text.replace("663 701 735 732 706 -3,6%", "663 701 735 740 706 -3,6%")
    text = text.replace("443 493 537 632 609 -3,6%", "443 493 537 630 609 -3,6%")
    (data / "sources" / "002-correctie.txt").write_text(text, encoding="utf-8")
    manifest = data / "sources" / "editions.csv"
    rows = list(csv.DictReader(open(manifest, newline="", encoding="utf-8")))
    extra = dict(rows[2], file="002-correctie.txt", edition="2024-correctie", publication_year="2025",
                 title="Monitor Digitale Overheid 2024 (gecorrigeerde herdruk)")
    with open(manifest, "a", newline="", encoding="utf-8") as f:
        csv.DictWriter(f, list(rows[0]), lineterminator="\n").writerow(extra)
    settings = Settings(data_dir=data, build_dir=tmp_path / "build")
    extract_all(settings.sources_dir, settings.build_dir)
    result = build(settings, settings.build_dir, settings.build_dir, store=False)
    store = pyoxigraph.Store()
    store.bulk_load(path=str(result.graph_dir / "gdigraph.nq"), format=pyoxigraph.RdfFormat.N_QUADS)
    got = {(r["indicator"], r["year"], r["earlierEdition"], r["earlier"], r["laterEdition"], r["later"],
            r["difference"]) for r in ask("restated-figures", store)}
    assert got == {
        ("digid.aangesloten-organisaties", "2022", "2024", "732", "2024-correctie", "740", "8"),
        ("eherkenning.aangesloten-dienstverleners", "2022", "2024", "632", "2024-correctie", "630", "-2"),
    }


def test_unknown_query_and_malformed_query(memory_store, tmp_path):
    with pytest.raises(QueryError, match="no named query"):
        find_query("nope")
    with pytest.raises(QueryError, match="malformed"):
        run_query("SELECT ?x WHERE { ?x", store=memory_store)
