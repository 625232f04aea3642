"""The only place where gdigraph mints URIs (NL URI strategy: /id/ things, /doc/ pages, /def/ ontology).

``{base}/id/{type}/{code}`` for things, ``{base}/doc/{type}/{code}`` for the documents about them,
``{base}/def/gdi#Term`` for the ontology. Codes come from code lists (facility codes, indicator codes,
edition codes, organisation codes), never from labels, row numbers or random ids.
"""

from __future__ import annotations

import re

from rdflib import Namespace, URIRef

from .settings import Settings, get_settings

TYPES = (
    "voorziening",
    "basisregistratie",
    "organisatie",
    "indicator",
    "editie",
    "waarneming",
    "reeks",
    "aanbeveling",
    "toezegging",
    "domein",
    "dataset",
    "bronregel",
    "rol",
    "koppeling",
)

_EXTERNAL = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")
_CODE = re.compile(r"^[a-z0-9][a-z0-9._~-]*(/[a-z0-9][a-z0-9._~-]*)*$")


class UriError(ValueError):
    """A code that cannot become part of a stable URI."""


def check_code(code: str) -> str:
    if not isinstance(code, str) or not _CODE.match(code):
        raise UriError(f"not a valid URI code: {code!r} (lower case letters, digits, '.', '-', '_', '~')")
    return code


def slug(text: str) -> str:
    """A code from a code-list key (not from a printed label at run time)."""
    s = text.strip().lower()
    s = re.sub(r"[^a-z0-9]+", "-", s).strip("-")
    return s


class Uris:
    def __init__(self, settings: Settings | None = None):
        self.settings = settings or get_settings()
        self.base = self.settings.base_uri.rstrip("/")
        self.DEF = Namespace(f"{self.base}/def/gdi#")

    def id(self, type_: str, code: str) -> URIRef:
        if type_ not in TYPES:
            raise UriError(f"unknown URI type {type_!r}; known: {', '.join(TYPES)}")
        return URIRef(f"{self.base}/id/{type_}/{check_code(code)}")

    def doc(self, type_: str, code: str) -> URIRef:
        if type_ not in TYPES:
            raise UriError(f"unknown URI type {type_!r}")
        return URIRef(f"{self.base}/doc/{type_}/{check_code(code)}")

    def term(self, name: str) -> URIRef:
        return self.DEF[name]

    @property
    def ontology(self) -> URIRef:
        return URIRef(f"{self.base}/def/gdi")

    def graph(self, name: str) -> URIRef:
        """Named graphs: ontology, reference, harmonised, editie/{code}."""
        return URIRef(f"{self.base}/graph/{check_code(name)}")

    def split(self, uri: str) -> tuple[str, str, str] | None:
        """(kind, type, code) of one of our URIs, kind 'id' or 'doc'; None if not ours."""
        prefix = self.base + "/"
        if not uri.startswith(prefix):
            return None
        rest = uri[len(prefix):]
        parts = rest.split("/", 2)
        if len(parts) != 3 or parts[0] not in ("id", "doc") or parts[1] not in TYPES:
            return None
        try:
            check_code(parts[2])
        except UriError:
            return None
        return parts[0], parts[1], parts[2]


class GraphUris(Uris):
    """URIs of the things in the graph, from their codes. The facility type (voorziening or
    basisregistratie) comes from the facility code list."""

    def __init__(self, settings: Settings | None = None, facility_kinds: dict[str, str] | None = None):
        super().__init__(settings)
        if facility_kinds is None:
            from .harmonise.facilities import facility_index

            fx = facility_index(self.settings.codelists_dir)
            facility_kinds = {c: f.kind for c, f in fx.facilities.items()}
        self.facility_kinds = facility_kinds

    # code lists of the ontology: {base}/def/gdi/{list} and {base}/def/gdi/{list}/{code}
    def scheme(self, name: str) -> URIRef:
        return URIRef(f"{self.base}/def/gdi/{check_code(name)}")

    def concept(self, scheme: str, code: str) -> URIRef:
        return URIRef(f"{self.base}/def/gdi/{check_code(scheme)}/{check_code(code)}")

    def facility(self, code: str) -> URIRef:
        kind = self.facility_kinds.get(code)
        if kind is None:
            raise UriError(f"unknown facility code {code!r}")
        return self.id("basisregistratie" if kind == "basisregistratie" else "voorziening", code)

    def organisation(self, code: str) -> URIRef:
        return self.id("organisatie", code)

    def domain(self, code: str) -> URIRef:
        return self.id("domein", code)

    def indicator(self, code: str) -> URIRef:
        return self.id("indicator", code)

    def edition(self, code: str) -> URIRef:
        return self.id("editie", code)

    def edition_dataset(self, code: str) -> URIRef:
        return self.id("dataset", f"editie-{check_code(code)}")

    def series_dataset(self) -> URIRef:
        return self.id("dataset", "reeksen")

    def observation(self, edition: str, indicator: str, year: int, breakdown: str = "totaal") -> URIRef:
        return self.id("waarneming", f"{check_code(edition)}/{check_code(indicator)}/{int(year)}/{check_code(breakdown)}")

    def series(self, indicator: str, breakdown: str = "totaal") -> URIRef:
        return self.id("reeks", f"{check_code(indicator)}/{check_code(breakdown)}")

    def series_observation(self, indicator: str, year: int, breakdown: str = "totaal") -> URIRef:
        return self.id("reeks", f"{check_code(indicator)}/{check_code(breakdown)}/{int(year)}")

    def source_line(self, edition: str, line: int) -> URIRef:
        return self.id("bronregel", f"{check_code(edition)}/{int(line)}")

    def recommendation(self, code: str) -> URIRef:
        return self.id("aanbeveling", code)

    def commitment(self, code: str) -> URIRef:
        return self.id("toezegging", code)

    def role(self, facility: str, role: str, organisation: str, start: str = "") -> URIRef:
        tail = f"{check_code(facility)}/{check_code(role)}/{check_code(organisation)}"
        return self.id("rol", tail + (f"/{check_code(start)}" if start else ""))

    def link(self, registry: str, uses: str) -> URIRef:
        return self.id("koppeling", f"{check_code(registry)}/{check_code(uses)}")

    def dataset(self, code: str) -> URIRef:
        return self.id("dataset", code)

    def id_namespace(self, type_: str) -> Namespace:
        """``{base}/id/{type}/``, for prefix bindings (mint URIs with the methods above)."""
        if type_ not in TYPES:
            raise UriError(f"unknown URI type {type_!r}")
        return Namespace(f"{self.base}/id/{type_}/")

    def scheme_namespace(self, name: str) -> Namespace:
        """The namespace of the concepts of a code list: ``{base}/def/gdi/{list}/``."""
        return Namespace(f"{self.scheme(name)}/")

    def fragment(self, resource: URIRef, name: str) -> URIRef:
        """A hash URI inside one of our /id/ resources, for a node that only exists as part of it
        (the period of a role, a quote backing a fact): ``{resource}#{name}``."""
        parts = self.split(str(resource))
        if parts is None or parts[0] != "id":
            raise UriError(f"not an /id/ URI of this graph: {resource!r}")
        return URIRef(f"{resource}#{check_code(name)}")

    def external(self, url: str) -> URIRef:
        """Someone else's http(s) URI, from the data (the URL of a public source), checked to be a
        usable IRI; never used to mint URIs of our own."""
        if not isinstance(url, str) or not _EXTERNAL.match(url) or url.startswith(self.base + "/"):
            raise UriError(f"not an external http(s) IRI: {url!r}")
        return URIRef(url)
