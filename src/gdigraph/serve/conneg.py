"""Content negotiation as one object: ``Negotiator(offers).choose(accept=..., format=..., suffix=...)``.

A resource *offers* some media types (``Offer``: canonical media type, file suffix, label, aliases);
the client asks with, in order of precedence:

1. a path suffix (``/doc/voorziening/x.ttl``): ``suffix="ttl"`` (or ``".ttl"``);
2. a ``?format=`` parameter: a suffix or short name (``ttl``, ``turtle``, ``jsonld``, ``json-ld``,
   ``nt``, ``json``, ``csv``, ``tsv``, ``xml``, ``html``, ...) or a full media type; several values may
   be given (SPARQLWrapper sends ``format=tsv&format=text/tab-separated-values``): the first that the
   resource offers wins;
3. the ``Accept`` header (RFC 9110 §12.5.1): q-values, ``type/*`` and ``*/*`` wildcards; for each
   offer the most specific matching range decides its quality (so ``text/*;q=0.5, text/csv;q=0``
   excludes CSV); the best quality wins, ties go to the more specific range, then to the order of the
   offers (the server's preference). No or an empty ``Accept`` means ``*/*``; unparseable entries are
   skipped.

An override (suffix or format) that names nothing the resource offers, or an ``Accept`` that excludes
every offer, raises ``NotAcceptable`` (answer 406 with ``str(error)``, which lists what is available).
Suffix and format are part of the URL, so only ``Accept`` needs a ``Vary`` header (``Negotiator.vary``);
``Negotiator.link_header`` writes ``Link: <...>; rel="alternate"; type="..."`` for the other formats.

Aliases: a few media types mean the same thing to real clients; e.g. ``application/json`` in an
``Accept`` header selects SPARQL JSON results where those are offered (SPARQLWrapper, browsers' fetch),
``application/xml`` selects SPARQL XML results, ``text/n3`` and ``application/x-turtle`` select Turtle
(a Turtle document is valid N3). The answer then carries the canonical media type. Aliases count
only when named exactly: ``text/*`` does not select SPARQL JSON results through ``text/javascript``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = [
    "Offer",
    "Choice",
    "MediaRange",
    "Negotiator",
    "NotAcceptable",
    "parse_accept",
    "offer",
    "OFFERS",
    "TURTLE",
    "JSONLD",
    "NTRIPLES",
    "NQUADS",
    "TRIG",
    "RDFXML",
    "HTML",
    "JSON",
    "TEXT",
    "SPARQL_JSON",
    "SPARQL_XML",
    "CSV",
    "TSV",
    "PROBLEM_JSON",
]


@dataclass(frozen=True)
class Offer:
    """One representation a resource can give."""

    media_type: str
    suffix: str
    label: str = ""
    aliases: tuple[str, ...] = ()
    names: tuple[str, ...] = ()  # extra ?format= names, besides the suffix and the media type

    @property
    def content_type(self) -> str:
        """The ``Content-Type`` value: text types get ``charset=utf-8``."""
        if self.media_type.startswith("text/"):
            return f"{self.media_type}; charset=utf-8"
        return self.media_type

    def answers(self, media_type: str) -> bool:
        media_type = media_type.lower()
        return media_type == self.media_type or media_type in self.aliases


TURTLE = Offer("text/turtle", "ttl", "Turtle", ("application/x-turtle", "application/turtle", "text/n3"), ("turtle", "n3"))
JSONLD = Offer("application/ld+json", "jsonld", "JSON-LD", ("application/x-json+ld",), ("json-ld",))
NTRIPLES = Offer("application/n-triples", "nt", "N-Triples", ("text/plain+ntriples",), ("ntriples", "n-triples"))
NQUADS = Offer("application/n-quads", "nq", "N-Quads", ("text/x-nquads",), ("nquads", "n-quads"))
TRIG = Offer("application/trig", "trig", "TriG")
RDFXML = Offer("application/rdf+xml", "rdf", "RDF/XML", (), ("rdf+xml", "rdfxml", "owl"))
HTML = Offer("text/html", "html", "HTML", ("application/xhtml+xml",), ("htm",))
JSON = Offer("application/json", "json", "JSON")
TEXT = Offer("text/plain", "txt", "plain text", (), ("text",))
SPARQL_JSON = Offer(
    "application/sparql-results+json",
    "srj",
    "SPARQL results in JSON",
    ("application/json", "text/javascript", "application/javascript"),
    ("json",),
)
SPARQL_XML = Offer(
    "application/sparql-results+xml", "srx", "SPARQL results in XML", ("application/xml", "text/xml"), ("xml",)
)
CSV = Offer("text/csv", "csv", "CSV")
TSV = Offer("text/tab-separated-values", "tsv", "TSV")
PROBLEM_JSON = Offer(
    "application/problem+json",
    "json",
    "JSON problem details",
    ("application/json", "application/sparql-results+json", "application/ld+json", "text/javascript"),
)

OFFERS: dict[str, Offer] = {
    o.media_type: o
    for o in (TURTLE, JSONLD, NTRIPLES, NQUADS, TRIG, RDFXML, HTML, JSON, TEXT, SPARQL_JSON, SPARQL_XML, CSV, TSV,
              PROBLEM_JSON)
}

# short names / suffixes for ?format= and path suffixes; a name may mean several media types: the first
# one the resource offers is taken (``.json`` is SPARQL JSON results for /sparql, JSON-LD or plain JSON
# elsewhere).
_NAMES: dict[str, tuple[str, ...]] = {
    "ttl": ("text/turtle",),
    "turtle": ("text/turtle",),
    "n3": ("text/turtle",),
    "jsonld": ("application/ld+json",),
    "json-ld": ("application/ld+json",),
    "nt": ("application/n-triples",),
    "ntriples": ("application/n-triples",),
    "n-triples": ("application/n-triples",),
    "nq": ("application/n-quads",),
    "nquads": ("application/n-quads",),
    "n-quads": ("application/n-quads",),
    "trig": ("application/trig",),
    "rdf": ("application/rdf+xml",),
    "rdfxml": ("application/rdf+xml",),
    "rdf+xml": ("application/rdf+xml",),
    "owl": ("application/rdf+xml",),
    "html": ("text/html",),
    "htm": ("text/html",),
    "json": ("application/sparql-results+json", "application/json", "application/ld+json", "application/problem+json"),
    "srj": ("application/sparql-results+json",),
    "xml": ("application/sparql-results+xml", "application/rdf+xml", "application/xml", "text/xml"),
    "srx": ("application/sparql-results+xml",),
    "csv": ("text/csv",),
    "tsv": ("text/tab-separated-values",),
    "txt": ("text/plain",),
    "text": ("text/plain",),
}


def offer(media_type_or_name: str | Offer) -> Offer:
    """The registered ``Offer`` for a media type or short name (``offer("ttl") is TURTLE``)."""
    if isinstance(media_type_or_name, Offer):
        return media_type_or_name
    key = media_type_or_name.strip().lower()
    if key in OFFERS:
        return OFFERS[key]
    for media_type in _NAMES.get(key.lstrip("."), ()):
        if media_type in OFFERS:
            return OFFERS[media_type]
    if "/" in key:
        return Offer(key, key.rsplit("/", 1)[1].split("+")[-1], key)
    raise KeyError(f"unknown media type or format name {media_type_or_name!r}")


_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_RANGE = re.compile(rf"^\s*({_TOKEN}|\*)/({_TOKEN}|\*)\s*$")


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    q: float = 1.0
    params: tuple[tuple[str, str], ...] = ()

    @property
    def media_range(self) -> str:
        return f"{self.type}/{self.subtype}"

    def specificity(self, media_type: str) -> int:
        """How specifically this range matches ``media_type``: 3 exact, 2 ``type/*``, 1 ``*/*``, 0 no match."""
        main, _, sub = media_type.lower().partition("/")
        if self.type == "*":
            return 1 if self.subtype == "*" else 0
        if self.type != main:
            return 0
        if self.subtype == "*":
            return 2
        return 3 if self.subtype == sub else 0


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an ``Accept`` header; ``*/*`` for none or empty; bad entries are skipped."""
    if header is None or not header.strip():
        return [MediaRange("*", "*")]
    ranges: list[MediaRange] = []
    for part in _split_header(header):
        pieces = _split_params(part)
        if not pieces:
            continue
        m = _RANGE.match(pieces[0])
        if not m:
            continue
        type_, subtype = m.group(1).lower(), m.group(2).lower()
        if type_ == "*" and subtype != "*":
            continue
        q = 1.0
        params: list[tuple[str, str]] = []
        bad = False
        for p in pieces[1:]:
            name, eq, value = p.partition("=")
            name, value = name.strip().lower(), value.strip().strip('"')
            if not eq or not name:
                continue
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    bad = True
                    break
                if not 0.0 <= q <= 1.0:
                    bad = True
                    break
                break  # what follows q are accept-extensions, not media type parameters
            params.append((name, value))
        if not bad:
            ranges.append(MediaRange(type_, subtype, q, tuple(params)))
    return ranges or [MediaRange("*", "*")]


def _split_header(header: str) -> list[str]:
    """Split on commas outside quoted strings."""
    parts, buf, quoted = [], [], False
    for ch in header:
        if ch == '"':
            quoted = not quoted
        if ch == "," and not quoted:
            parts.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
    parts.append("".join(buf))
    return [p for p in (p.strip() for p in parts) if p]


def _split_params(part: str) -> list[str]:
    pieces, buf, quoted = [], [], False
    for ch in part:
        if ch == '"':
            quoted = not quoted
        if ch == ";" and not quoted:
            pieces.append("".join(buf).strip())
            buf = []
        else:
            buf.append(ch)
    pieces.append("".join(buf).strip())
    return [p for p in pieces if p]


@dataclass(frozen=True)
class Choice:
    """The outcome of a negotiation."""

    offer: Offer
    source: str  # "suffix", "format", "accept" or "default"
    quality: float = 1.0

    @property
    def media_type(self) -> str:
        return self.offer.media_type

    @property
    def suffix(self) -> str:
        return self.offer.suffix

    @property
    def content_type(self) -> str:
        return self.offer.content_type

    @property
    def label(self) -> str:
        return self.offer.label or self.offer.media_type


class NotAcceptable(Exception):
    """No offered media type fits the request (HTTP 406)."""

    status_code = 406

    def __init__(self, offers: Sequence[Offer], requested: str, source: str):
        self.offers = tuple(offers)
        self.requested = requested
        self.source = source
        available = ", ".join(f"{o.media_type} (format={o.suffix})" for o in self.offers)
        what = {"suffix": "The suffix", "format": "The format parameter", "accept": "The Accept header"}[source]
        super().__init__(f"{what} {requested!r} matches none of the available media types: {available}.")


@dataclass
class Negotiator:
    """Chooses among the media types a resource offers (see the module docstring)."""

    offers: Sequence[Offer | str]
    default: Offer | str | None = None
    _offers: tuple[Offer, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._offers = tuple(offer(o) for o in self.offers)
        if not self._offers:
            raise ValueError("a Negotiator needs at least one offer")
        self.default = offer(self.default) if self.default is not None else self._offers[0]
        if self.default not in self._offers:
            raise ValueError(f"the default {self.default.media_type} is not among the offers")

    @property
    def available(self) -> tuple[Offer, ...]:
        return self._offers

    @property
    def vary(self) -> str:
        """The ``Vary`` header value (suffix and format are in the URL, so only Accept)."""
        return "Accept"

    def lookup(self, name: str) -> Offer | None:
        """The offer meant by a suffix, short name or media type, or None if not offered."""
        key = name.strip().lower()
        if not key:
            return None
        if "/" in key:
            key = key.split(";", 1)[0].strip()
            for o in self._offers:
                if o.media_type == key:
                    return o
            for o in self._offers:
                if key in o.aliases:
                    return o
            return None
        key = key.lstrip(".")
        for o in self._offers:
            if key == o.suffix or key in o.names:
                return o
        for media_type in _NAMES.get(key, ()):
            for o in self._offers:
                if o.media_type == media_type:
                    return o
        return None

    def choose(
        self,
        accept: str | None = None,
        format: str | Sequence[str] | None = None,
        suffix: str | None = None,
        *,
        strict: bool = True,
    ) -> Choice:
        """The best offer for the request; ``NotAcceptable`` if none fits (or the default when not strict)."""
        try:
            return self._choose(accept, format, suffix)
        except NotAcceptable:
            if strict:
                raise
            return Choice(self.default, "default", 0.0)

    def _choose(self, accept, format, suffix) -> Choice:
        if suffix:
            found = self.lookup(suffix)
            if found is None:
                raise NotAcceptable(self._offers, suffix, "suffix")
            return Choice(found, "suffix")
        formats = [format] if isinstance(format, str) else list(format or ())
        formats = [f for f in formats if f and f.strip()]
        if formats:
            for f in formats:
                found = self.lookup(f)
                if found is not None:
                    return Choice(found, "format")
            raise NotAcceptable(self._offers, ", ".join(formats), "format")
        if accept is None or not accept.strip():
            return Choice(self.default, "default")
        ranges = parse_accept(accept)
        best: tuple[float, int, int] | None = None
        best_offer: Offer | None = None
        for index, o in enumerate(self._offers):
            q, spec = self._quality(o, ranges)
            if q <= 0:
                continue
            key = (q, spec, -index)
            if best is None or key > best:
                best, best_offer = key, o
        if best_offer is None:
            raise NotAcceptable(self._offers, accept, "accept")
        return Choice(best_offer, "accept", best[0])

    @staticmethod
    def _quality(o: Offer, ranges: list[MediaRange]) -> tuple[float, int]:
        """q of the most specific range matching the offer, and that specificity.

        Aliases count only when named exactly (``text/*`` must not select SPARQL JSON results through
        their ``text/javascript`` alias).
        """
        best_spec, best_q = 0, 0.0
        for r in ranges:
            spec = r.specificity(o.media_type)
            if spec < 3 and any(r.specificity(a) == 3 for a in o.aliases):
                spec = 3
            if spec > best_spec or (spec == best_spec and spec and r.q > best_q):
                best_spec, best_q = spec, r.q
        return best_q, best_spec

    # -- headers ---------------------------------------------------------------------------------
    def link_header(self, href: Callable[[Offer], str], chosen: Choice | Offer | None = None) -> str:
        """``Link`` header value with one ``rel="alternate"`` per offer (except the chosen one)."""
        skip = chosen.offer if isinstance(chosen, Choice) else chosen
        links = []
        for o in self._offers:
            if o == skip:
                continue
            title = f'; title="{o.label}"' if o.label else ""
            links.append(f'<{href(o)}>; rel="alternate"; type="{o.media_type}"{title}')
        return ", ".join(links)

    def headers(self, choice: Choice, href: Callable[[Offer], str] | None = None) -> dict[str, str]:
        """``Content-Type``, ``Vary`` and (given ``href``) ``Link`` headers for an answer."""
        h = {"Content-Type": choice.content_type, "Vary": self.vary}
        if href is not None and len(self._offers) > 1:
            h["Link"] = self.link_header(href, choice)
        return h


def with_format(url: str, o: Offer, param: str = "format") -> str:
    """``url`` with ``?format=<suffix>`` set (other parameters kept)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != param]
    query.append((param, o.suffix))
    return urlunsplit(parts._replace(query=urlencode(query)))


def with_suffix(path: str, o: Offer) -> str:
    """``path`` with ``.<suffix>`` appended (``/doc/x`` -> ``/doc/x.ttl``)."""
    return f"{path}.{o.suffix}"


def split_suffix(path: str, negotiator: Negotiator) -> tuple[str, str | None]:
    """``("/doc/x", "ttl")`` for ``/doc/x.ttl`` when the negotiator knows ``ttl``; else ``(path, None)``."""
    head, dot, ext = path.rpartition(".")
    if dot and "/" not in ext and ext and negotiator.lookup(ext) is not None:
        return head, ext
    return path, None


def media_type_of(content_type: str | None) -> str:
    """``text/turtle`` for ``text/turtle; charset=utf-8``."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def negotiate(offers: Iterable[Offer | str], **request) -> Choice:
    """Shortcut for ``Negotiator(list(offers)).choose(**request)``."""
    return Negotiator(list(offers)).choose(**request)
