"""Content negotiation: one Negotiator for /sparql and the /doc/ pages (gdigraph.serve.conneg)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gdigraph.serve.conneg import (
    CSV,
    HTML,
    JSON,
    JSONLD,
    NQUADS,
    NTRIPLES,
    PROBLEM_JSON,
    RDFXML,
    SPARQL_JSON,
    SPARQL_XML,
    TEXT,
    TSV,
    TURTLE,
    MediaRange,
    Negotiator,
    NotAcceptable,
    media_type_of,
    offer,
    parse_accept,
    split_suffix,
    with_format,
    with_suffix,
)

RESULTS = [SPARQL_JSON, SPARQL_XML, CSV, TSV]
GRAPH = [TURTLE, JSONLD, NTRIPLES, NQUADS, RDFXML]
DOC = [HTML, TURTLE, JSONLD, NTRIPLES, RDFXML]

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"

# (offers, accept, format, suffix) -> expected media type, or NotAcceptable
CASES = [
    # no preference: the first offer (the server's default)
    (RESULTS, None, None, None, "application/sparql-results+json"),
    (RESULTS, "", None, None, "application/sparql-results+json"),
    (GRAPH, "*/*", None, None, "text/turtle"),
    # exact types
    (RESULTS, "text/csv", None, None, "text/csv"),
    (RESULTS, "text/tab-separated-values", None, None, "text/tab-separated-values"),
    (RESULTS, "application/sparql-results+xml", None, None, "application/sparql-results+xml"),
    (GRAPH, "application/n-triples", None, None, "application/n-triples"),
    (GRAPH, "application/ld+json", None, None, "application/ld+json"),
    (GRAPH, "application/rdf+xml", None, None, "application/rdf+xml"),
    # case and parameters do not matter
    (GRAPH, "TEXT/Turtle; charset=UTF-8", None, None, "text/turtle"),
    (GRAPH, 'application/ld+json;profile="http://www.w3.org/ns/json-ld#compacted"', None, None, "application/ld+json"),
    # q-values
    (RESULTS, "text/csv;q=0.5, application/sparql-results+xml", None, None, "application/sparql-results+xml"),
    (RESULTS, "text/csv;q=0.9, text/tab-separated-values;q=0.91", None, None, "text/tab-separated-values"),
    (GRAPH, "text/turtle;q=0.1, application/n-triples;q=0.2", None, None, "application/n-triples"),
    (GRAPH, "application/n-triples;q=1.0;ext=1, text/turtle;q=0.9", None, None, "application/n-triples"),
    # equal q: the more specific range wins over a wildcard, then the server's order
    (GRAPH, "*/*, application/n-triples", None, None, "application/n-triples"),
    (GRAPH, "text/*, application/*", None, None, "text/turtle"),
    (GRAPH, "application/*", None, None, "application/ld+json"),
    (RESULTS, "text/*", None, None, "text/csv"),
    # q=0 excludes, even under a wildcard that allows everything
    (GRAPH, "text/turtle;q=0, */*", None, None, "application/ld+json"),
    (RESULTS, "text/*;q=0.5, text/csv;q=0", None, None, "text/tab-separated-values"),
    (RESULTS, "*/*;q=0", None, None, NotAcceptable),
    # aliases real clients send
    (RESULTS, "application/json", None, None, "application/sparql-results+json"),
    (RESULTS, "application/xml", None, None, "application/sparql-results+xml"),
    (RESULTS, "application/sparql-results+json,application/json,text/javascript,application/javascript", None, None,
     "application/sparql-results+json"),
    (GRAPH, "application/turtle,text/turtle", None, None, "text/turtle"),
    (GRAPH, "text/n3", None, None, "text/turtle"),
    (GRAPH, "application/x-json+ld", None, None, "application/ld+json"),
    # a browser: HTML when offered; otherwise XML through application/xml;q=0.9 beats */*;q=0.8
    (DOC, BROWSER, None, None, "text/html"),
    (RESULTS, BROWSER, None, None, "application/sparql-results+xml"),
    (RESULTS + [HTML], BROWSER, None, None, "text/html"),
    (RESULTS + [HTML], "*/*", None, None, "application/sparql-results+json"),
    # unknown and malformed entries are skipped; nothing usable left means */*
    (RESULTS, "image/png", None, None, NotAcceptable),
    (RESULTS, "image/png, text/csv;q=0.3", None, None, "text/csv"),
    (GRAPH, "garbage, text/turtle;q=x, application/n-triples", None, None, "application/n-triples"),
    (GRAPH, "garbage;;;", None, None, "text/turtle"),
    (GRAPH, "text/turtle;q=2, application/n-triples;q=0.5", None, None, "application/n-triples"),
    # ?format= overrides Accept: suffixes, short names, media types
    (RESULTS, "text/csv", "json", None, "application/sparql-results+json"),
    (RESULTS, None, "xml", None, "application/sparql-results+xml"),
    (RESULTS, None, "tsv", None, "text/tab-separated-values"),
    (RESULTS, None, "text/csv", None, "text/csv"),
    (GRAPH, None, "xml", None, "application/rdf+xml"),
    (GRAPH, None, "turtle", None, "text/turtle"),
    (GRAPH, None, "n3", None, "text/turtle"),
    (GRAPH, None, "json-ld", None, "application/ld+json"),
    (GRAPH, None, "json", None, "application/ld+json"),
    (GRAPH, None, "nt", None, "application/n-triples"),
    (GRAPH, None, "rdf+xml", None, "application/rdf+xml"),
    (DOC, BROWSER, "ttl", None, "text/turtle"),
    (DOC, None, "HTML", None, "text/html"),
    (RESULTS, None, "ttl", None, NotAcceptable),
    (GRAPH, None, "csv", None, NotAcceptable),
    (GRAPH, None, "application/pdf", None, NotAcceptable),
    # several format values (SPARQLWrapper: format=tsv&format=text/tab-separated-values): first offered wins
    (RESULTS, None, ["tsv", "text/tab-separated-values"], None, "text/tab-separated-values"),
    (GRAPH, None, ["json-ld", "application/ld+json"], None, "application/ld+json"),
    (GRAPH, None, ["weird", "application/n-triples"], None, "application/n-triples"),
    (RESULTS, "text/csv", ["", "  "], None, "text/csv"),
    # a path suffix overrides both
    (DOC, BROWSER, "html", ".ttl", "text/turtle"),
    (DOC, None, None, "jsonld", "application/ld+json"),
    (DOC, None, None, ".nt", "application/n-triples"),
    (DOC, None, None, ".json", "application/ld+json"),
    (DOC, None, None, ".xml", "application/rdf+xml"),
    (DOC, None, None, ".html", "text/html"),
    (RESULTS, None, None, ".json", "application/sparql-results+json"),
    (RESULTS, None, None, ".xml", "application/sparql-results+xml"),
    (RESULTS, None, None, ".csv", "text/csv"),
    (RESULTS, None, None, ".tsv", "text/tab-separated-values"),
    (DOC, None, None, ".csv", NotAcceptable),
    (DOC, None, None, ".pdf", NotAcceptable),
    # errors: JSON for clients that want JSON, plain text otherwise
    ([TEXT, PROBLEM_JSON], "application/sparql-results+json", None, None, "application/problem+json"),
    ([TEXT, PROBLEM_JSON], "application/json", None, None, "application/problem+json"),
    ([TEXT, PROBLEM_JSON], "*/*", None, None, "text/plain"),
    ([TEXT, PROBLEM_JSON], BROWSER, None, None, "text/plain"),
    ([HTML, JSON], "application/json", None, None, "application/json"),
]


@pytest.mark.parametrize("offers, accept, format, suffix, expected", CASES)
def test_negotiation_table(offers, accept, format, suffix, expected):
    negotiator = Negotiator(offers)
    if expected is NotAcceptable:
        with pytest.raises(NotAcceptable) as error:
            negotiator.choose(accept=accept, format=format, suffix=suffix)
        assert error.value.status_code == 406
        # the message lists what is available
        for o in offers:
            assert o.media_type in str(error.value)
        return
    choice = negotiator.choose(accept=accept, format=format, suffix=suffix)
    assert choice.media_type == expected
    assert choice.offer in negotiator.available


def test_choice_says_where_it_came_from():
    n = Negotiator(DOC)
    assert n.choose().source == "default"
    assert n.choose(accept="text/turtle").source == "accept"
    assert n.choose(accept="text/turtle", format="nt").source == "format"
    assert n.choose(accept="text/turtle", format="nt", suffix="jsonld").source == "suffix"
    c = n.choose(accept="text/turtle;q=0.4, */*;q=0.1")
    assert (c.media_type, c.suffix, c.quality) == ("text/turtle", "ttl", 0.4)


def test_content_type_has_charset_for_text_types_only():
    assert Negotiator([TURTLE]).choose().content_type == "text/turtle; charset=utf-8"
    assert Negotiator([JSONLD]).choose().content_type == "application/ld+json"


def test_not_strict_falls_back_to_the_default():
    n = Negotiator([TEXT, PROBLEM_JSON])
    assert n.choose(accept="image/png", strict=False).media_type == "text/plain"
    assert Negotiator(DOC, default=TURTLE).choose().media_type == "text/turtle"
    with pytest.raises(ValueError):
        Negotiator(DOC, default=CSV)
    with pytest.raises(ValueError):
        Negotiator([])


def test_offers_may_be_given_by_media_type_or_name():
    n = Negotiator(["text/html", "ttl", "application/ld+json"])
    assert [o.media_type for o in n.available] == ["text/html", "text/turtle", "application/ld+json"]
    assert offer("ttl") is TURTLE
    assert offer("application/x-custom").media_type == "application/x-custom"
    with pytest.raises(KeyError):
        offer("nonsense")


def test_vary_and_link_alternate_headers():
    n = Negotiator(DOC)
    choice = n.choose(accept="text/turtle")
    assert n.vary == "Accept"
    link = n.link_header(lambda o: with_suffix("/doc/voorziening/digid", o), choice)
    parts = [p.strip() for p in link.split(", <")]
    assert len(parts) == len(DOC) - 1
    assert '</doc/voorziening/digid.html>; rel="alternate"; type="text/html"; title="HTML"' in link
    assert "digid.jsonld>; rel=\"alternate\"; type=\"application/ld+json\"" in link
    assert "text/turtle" not in link  # the chosen one is not an alternate of itself
    headers = n.headers(choice, lambda o: with_format("/doc/voorziening/digid?x=1&format=html", o))
    assert headers["Content-Type"] == "text/turtle; charset=utf-8"
    assert headers["Vary"] == "Accept"
    assert "</doc/voorziening/digid?x=1&format=jsonld>" in headers["Link"]
    assert "format=html&format" not in headers["Link"]


def test_suffix_splitting():
    n = Negotiator(DOC)
    assert split_suffix("/doc/voorziening/digid.ttl", n) == ("/doc/voorziening/digid", "ttl")
    assert split_suffix("/doc/voorziening/digid.json", n) == ("/doc/voorziening/digid", "json")
    assert split_suffix("/doc/voorziening/digid", n) == ("/doc/voorziening/digid", None)
    assert split_suffix("/doc/editie/2024.1", n) == ("/doc/editie/2024.1", None)  # a code with a dot
    assert split_suffix("/doc/v.2/x", n) == ("/doc/v.2/x", None)


@pytest.mark.parametrize(
    "header, expected",
    [
        (None, [("*/*", 1.0)]),
        ("", [("*/*", 1.0)]),
        ("text/html;level=1;q=0.7, text/*;q=0.3", [("text/html", 0.7), ("text/*", 0.3)]),
        ('text/plain; title="a, b; c";q=0.2, image/png', [("text/plain", 0.2), ("image/png", 1.0)]),
        ("*/html, text/csv", [("text/csv", 1.0)]),
        ("text/csv;q=1.5", [("*/*", 1.0)]),
    ],
)
def test_accept_header_parsing(header, expected):
    assert [(r.media_range, r.q) for r in parse_accept(header)] == expected


def test_media_range_specificity():
    assert MediaRange("text", "turtle").specificity("text/turtle") == 3
    assert MediaRange("text", "*").specificity("text/turtle") == 2
    assert MediaRange("*", "*").specificity("text/turtle") == 1
    assert MediaRange("application", "*").specificity("text/turtle") == 0
    assert media_type_of("Text/Turtle; charset=utf-8") == "text/turtle"


_types = st.sampled_from(["text/turtle", "application/ld+json", "text/csv", "text/html", "application/json",
                          "text/*", "application/*", "*/*", "image/png"])
_qs = st.sampled_from(["", ";q=0", ";q=0.1", ";q=0.5", ";q=1"])


@given(st.lists(st.tuples(_types, _qs), max_size=6))
def test_choice_is_never_excluded_and_never_worse_than_another_offer(ranges):
    accept = ", ".join(t + q for t, q in ranges)
    n = Negotiator(DOC + [CSV])
    parsed = parse_accept(accept)

    def quality(o):
        return Negotiator._quality(o, parsed)[0]

    try:
        choice = n.choose(accept=accept)
    except NotAcceptable:
        assert ranges and all(quality(o) == 0 for o in n.available)
        return
    assert quality(choice.offer) > 0
    assert all(quality(choice.offer) >= quality(o) for o in n.available)
