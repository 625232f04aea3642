import pytest

from gdigraph.settings import Settings
from gdigraph.uris import UriError, Uris


def test_id_and_doc_uris_follow_the_nl_uri_strategy():
    uris = Uris(Settings(base_uri="https://example.org/gdi"))
    assert str(uris.id("voorziening", "digid")) == "https://example.org/gdi/id/voorziening/digid"
    assert str(uris.doc("editie", "2024")) == "https://example.org/gdi/doc/editie/2024"
    assert uris.split("https://example.org/gdi/id/basisregistratie/brp") == ("id", "basisregistratie", "brp")
    assert uris.split("https://other.org/id/voorziening/digid") is None


@pytest.mark.parametrize("code", ["DigiD", "", "a b", "../etc", "-x"])
def test_codes_that_are_not_stable_identifiers_are_refused(code):
    with pytest.raises(UriError):
        Uris().id("voorziening", code)


def test_unknown_type_is_refused():
    with pytest.raises(UriError):
        Uris().id("thing", "digid")
