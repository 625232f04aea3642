"""What the graph says about one resource, fetched with SPARQL, and its RDF in the four formats.

Every read goes through a ``Source``: ``EngineSource(engine)`` asks the query engine of ``/sparql``
(the embedded Oxigraph pool or ``GDIGRAPH_SPARQL_ENDPOINT``: any SPARQL 1.1 endpoint works
unchanged), ``StoreSource(path)`` asks a read-only pyoxigraph store in-process (the static export).
Both answer ``await source.select(query)`` (a list of ``{variable: term}`` rows, pyoxigraph terms)
and ``await source.construct(query)`` (a list of ``pyoxigraph.Triple``).

``describe(source, uri)`` is the RDF of a resource, a CBD-like description:

* every triple with the resource as subject, and the labels (``skos:prefLabel``, ``rdfs:label``,
  ``skos:notation``) of the objects;
* the nodes that only exist as part of the resource -- its hash URIs (``…/id/rol/x#periode``, the
  quotes ``…#citaat-…`` that point at it), skolem IRIs (``…/.well-known/genid/…``) and blank nodes --
  reached from it (or pointing at it) in up to two steps, with all their triples and their objects'
  labels;
* inbound links (``?s ?p <resource>``), at most ``INBOUND_LIMIT`` of them (ordered), with the labels
  of their subjects; ``inbound_counts`` gives the full numbers.

``serialize(triples, offer, uris)`` writes sorted, deterministic Turtle (with prefixes), compact
JSON-LD (a ``@context`` of the same prefixes, full IRIs in ``@id``) or canonical N-Triples.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Iterable, Protocol

import pyoxigraph as ox

from ..uris import Uris
from .conneg import HTML, JSONLD, NTRIPLES, TURTLE, Offer, media_type_of
from .engine import DEFAULT_ACCEPT, Engine

__all__ = [
    "Source",
    "EngineSource",
    "StoreSource",
    "SourceError",
    "describe",
    "inbound_counts",
    "serialize",
    "prefixes",
    "RDF_OFFERS",
    "PAGE_OFFERS",
    "INBOUND_LIMIT",
    "iri",
    "sparql_literal",
]

RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS_NS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS_NS = "http://www.w3.org/2004/02/skos/core#"
XSD_NS = "http://www.w3.org/2001/XMLSchema#"

#: what every page offers, in the server's order of preference
PAGE_OFFERS: tuple[Offer, ...] = (HTML, TURTLE, JSONLD, NTRIPLES)
RDF_OFFERS: tuple[Offer, ...] = (TURTLE, JSONLD, NTRIPLES)

#: at most this many inbound links are part of a description (``inbound_counts`` has the totals)
INBOUND_LIMIT = 500

LABEL_PROPERTIES = (f"{SKOS_NS}prefLabel", f"{RDFS_NS}label", f"{SKOS_NS}notation")

EXTERNAL_PREFIXES = {
    "rdf": RDF_NS,
    "rdfs": RDFS_NS,
    "xsd": XSD_NS,
    "owl": "http://www.w3.org/2002/07/owl#",
    "skos": SKOS_NS,
    "dcterms": "http://purl.org/dc/terms/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "void": "http://rdfs.org/ns/void#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "qb": "http://purl.org/linked-data/cube#",
    "time": "http://www.w3.org/2006/time#",
    "tooiont": "https://identifier.overheid.nl/tooi/def/ont/",
    "sdmx-concept": "http://purl.org/linked-data/sdmx/2009/concept#",
    "eli": "http://data.europa.eu/eli/ontology#",
    "schema": "https://schema.org/",
    "pav": "http://purl.org/pav/",
    "vann": "http://purl.org/vocab/vann/",
    "sh": "http://www.w3.org/ns/shacl#",
    "sd": "http://www.w3.org/ns/sparql-service-description#",
    "spdx": "http://spdx.org/rdf/terms#",
}


def prefixes(uris: Uris) -> dict[str, str]:
    """The prefixes of the Turtle and JSON-LD we write (the gdigraph ones depend on the base URI)."""
    base = uris.base
    ours = {
        "gdi": f"{base}/def/gdi#",
        "vlag": f"{base}/def/gdi/vlag/",
        "status": f"{base}/def/gdi/status/",
        "eenheid": f"{base}/def/gdi/eenheid/",
        "uitspl": f"{base}/def/gdi/uitsplitsing/",
        "vz": f"{base}/id/voorziening/",
        "reg": f"{base}/id/basisregistratie/",
        "orgn": f"{base}/id/organisatie/",
        "ind": f"{base}/id/indicator/",
        "dom": f"{base}/id/domein/",
        "editie": f"{base}/id/editie/",
        "bronregel": f"{base}/id/bronregel/",
    }
    return {**ours, **EXTERNAL_PREFIXES}


class SourceError(Exception):
    """A query that got no answer; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 502, retry_after: int | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.retry_after = retry_after


Row = dict[str, object]


def solution_rows(solutions) -> list[Row]:
    """pyoxigraph query solutions as rows: variable name -> bound term (unbound variables left out)."""
    names = [v.value for v in solutions.variables]
    rows: list[Row] = []
    for sol in solutions:
        rows.append({name: sol[name] for name in names if sol[name] is not None})
    return rows


class Source(Protocol):
    async def select(self, query: str) -> list[Row]: ...

    async def construct(self, query: str) -> list[ox.Triple]: ...


# -- sources ------------------------------------------------------------------------------------------

_GRAPH_FORMATS = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/n-quads": ox.RdfFormat.N_QUADS,
}
_RESULT_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
}


def _parse_rows(media_type: str, body: bytes) -> list[Row]:
    # parsers must die on the thread that made them (see results.py): everything happens here
    fmt = _RESULT_FORMATS.get(media_type)
    if fmt is None:
        raise SourceError(f"the query engine answered a SELECT with {media_type!r}")
    error = None
    rows: list[Row] = []
    parsed = None
    try:
        parsed = ox.parse_query_results(body, fmt)
        rows = solution_rows(parsed)
    except SyntaxError as e:
        error = str(e)
    finally:
        parsed = None
    if error is not None:
        raise SourceError(f"broken answer from the query engine: {error}")
    return rows


def _parse_triples(media_type: str, body: bytes) -> list[ox.Triple]:
    fmt = _GRAPH_FORMATS.get(media_type)
    if fmt is None:
        raise SourceError(f"the query engine answered a CONSTRUCT with {media_type!r}")
    error = None
    out: list[ox.Triple] = []
    parser = None
    try:
        parser = ox.parse(body, fmt)
        out = [q.triple for q in parser]
    except SyntaxError as e:
        error = str(e)
    finally:
        parser = None
    if error is not None:
        raise SourceError(f"broken answer from the query engine: {error}")
    return out


class EngineSource:
    """Queries through the ``/sparql`` engine (embedded Oxigraph pool or a remote endpoint)."""

    def __init__(self, engine: Engine, timeout: float | None = None):
        self.engine = engine
        self.timeout = timeout

    async def _ask(self, query: str, accept: str):
        from .engine import EngineError

        try:
            answer = await self.engine.query(query, accept, self.timeout)
        except EngineError as e:
            raise SourceError(e.message, e.status if e.status != 400 else 500, e.retry_after) from None
        return media_type_of(answer.media_type), answer.body

    async def select(self, query: str) -> list[Row]:
        media_type, body = await self._ask(query, DEFAULT_ACCEPT)
        return await asyncio.to_thread(_parse_rows, media_type, body)

    async def construct(self, query: str) -> list[ox.Triple]:
        media_type, body = await self._ask(query, DEFAULT_ACCEPT)
        return await asyncio.to_thread(_parse_triples, media_type, body)


class StoreSource:
    """Queries on a pyoxigraph store in this process (read-only open; the static export)."""

    def __init__(self, store_path: str | Path | None = None, *, store: ox.Store | None = None,
                 union_default_graph: bool = True):
        if store is None:
            if store_path is None or not Path(store_path).is_dir():
                raise SourceError(f"no Oxigraph store at {store_path}", 503)
            store = ox.Store.read_only(str(store_path))
        self.store = store
        self.union = union_default_graph

    def _query(self, query: str):
        try:
            return self.store.query(query, use_default_graph_as_union=self.union)
        except SyntaxError as e:
            raise SourceError(f"bad query: {e}", 500) from None

    def select_sync(self, query: str) -> list[Row]:
        return solution_rows(self._query(query))

    def construct_sync(self, query: str) -> list[ox.Triple]:
        return list(self._query(query))

    async def select(self, query: str) -> list[Row]:
        return self.select_sync(query)

    async def construct(self, query: str) -> list[ox.Triple]:
        return self.construct_sync(query)


# -- query text helpers --------------------------------------------------------------------------------

def iri(uri: str) -> str:
    """``<uri>`` for a query text (refuses characters that cannot be in an IRI reference)."""
    if any(c in uri for c in '<>"{}|^`\\ \n\t') :
        raise ValueError(f"not a usable IRI: {uri!r}")
    return f"<{uri}>"


def sparql_literal(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


_PREFIXES = (
    f"PREFIX skos: <{SKOS_NS}>\nPREFIX rdfs: <{RDFS_NS}>\nPREFIX rdf: <{RDF_NS}>\n"
)


def describe_query(uri: str, uris: Uris, inbound_limit: int = INBOUND_LIMIT) -> str:
    u = iri(uri)
    hash_prefix = sparql_literal(uri + "#")
    genid = sparql_literal(uris.base + "/.well-known/genid/")
    attached = "(isBlank({v}) || STRSTARTS(STR({v}), {h}) || STRSTARTS(STR({v}), {g}))"
    att = lambda v: attached.format(v=v, h=hash_prefix, g=genid)  # noqa: E731
    return f"""{_PREFIXES}
CONSTRUCT {{
  {u} ?p ?o . ?o ?lp ?lo .
  ?n ?np ?no . ?no ?nlp ?nlo .
  ?s ?ip {u} . ?s ?slp ?slo .
}}
WHERE {{
  {{ {u} ?p ?o .
     OPTIONAL {{ ?o ?lp ?lo . VALUES ?lp {{ skos:prefLabel rdfs:label skos:notation }} }} }}
  UNION
  {{ {{ {u} ?a ?n }} UNION {{ ?n ?a {u} }} UNION {{ {u} ?a ?m . FILTER {att('?m')} ?m ?b ?n }}
     UNION {{ ?m ?a {u} . FILTER {att('?m')} ?m ?b ?n }}
     FILTER {att('?n')}
     ?n ?np ?no .
     OPTIONAL {{ ?no ?nlp ?nlo . VALUES ?nlp {{ skos:prefLabel rdfs:label skos:notation }} }} }}
  UNION
  {{ {{ SELECT ?s ?ip WHERE {{ ?s ?ip {u} }} ORDER BY ?ip ?s LIMIT {int(inbound_limit)} }}
     OPTIONAL {{ ?s ?slp ?slo . VALUES ?slp {{ skos:prefLabel rdfs:label skos:notation }} }} }}
}}"""


async def describe(source: Source, uri: str, uris: Uris, inbound_limit: int = INBOUND_LIMIT) -> list[ox.Triple]:
    """The description of ``uri`` (see the module docstring), sorted and without duplicates."""
    triples = await source.construct(describe_query(uri, uris, inbound_limit))
    return sort_triples(triples)


async def inbound_counts(source: Source, uri: str) -> dict[str, int]:
    rows = await source.select(
        f"SELECT ?p (COUNT(?s) AS ?n) WHERE {{ ?s ?p {iri(uri)} }} GROUP BY ?p")
    return {r["p"].value: int(r["n"].value) for r in rows if "p" in r and "n" in r}


async def exists(source: Source, uri: str) -> bool:
    rows = await source.select(f"SELECT ?p WHERE {{ {iri(uri)} ?p ?o }} LIMIT 1")
    return bool(rows)


# -- serialisation --------------------------------------------------------------------------------------

def _key(term) -> tuple:
    if isinstance(term, ox.NamedNode):
        return (0, term.value, "", "")
    if isinstance(term, ox.BlankNode):
        return (1, term.value, "", "")
    if isinstance(term, ox.Literal):
        return (2, term.value, term.language or "", term.datatype.value if term.datatype else "")
    return (3, str(term), "", "")


def triple_key(t: ox.Triple) -> tuple:
    return (_key(t.subject), _key(t.predicate), _key(t.object))


def sort_triples(triples: Iterable[ox.Triple]) -> list[ox.Triple]:
    seen = {}
    for t in triples:
        seen[triple_key(t)] = t
    return [seen[k] for k in sorted(seen)]


def serialize(triples: Iterable[ox.Triple], offer: Offer, uris: Uris, first: str | None = None) -> bytes:
    """Deterministic Turtle, JSON-LD or N-Triples of ``triples`` (the subject ``first`` first)."""
    triples = sort_triples(triples)
    if first is not None:
        triples = [t for t in triples if _is(t.subject, first)] + [t for t in triples if not _is(t.subject, first)]
    if offer == TURTLE:
        used = _used_prefixes(triples, prefixes(uris))
        return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=used) if triples else b""
    if offer == NTRIPLES:
        return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) if triples else b""
    if offer == JSONLD:
        return jsonld(triples, prefixes(uris))
    raise ValueError(f"not an RDF format: {offer.media_type}")


def _is(term, uri: str) -> bool:
    return isinstance(term, ox.NamedNode) and term.value == uri


def _used_prefixes(triples: list[ox.Triple], all_prefixes: dict[str, str]) -> dict[str, str]:
    iris = set()
    for t in triples:
        for term in (t.subject, t.predicate, t.object):
            if isinstance(term, ox.NamedNode):
                iris.add(term.value)
            elif isinstance(term, ox.Literal) and term.datatype is not None:
                iris.add(term.datatype.value)
    return {name: ns for name, ns in all_prefixes.items() if any(i.startswith(ns) for i in iris)}


def _compact(value: str, ctx: list[tuple[str, str]]) -> str:
    for name, ns in ctx:
        if value.startswith(ns):
            local = value[len(ns):]
            if local and not local.startswith("/"):
                return f"{name}:{local}"
    return value


def jsonld(triples: list[ox.Triple], all_prefixes: dict[str, str]) -> bytes:
    """Compact JSON-LD: a ``@context`` of prefixes, compact IRIs as keys and types, full IRIs in ``@id``
    (node objects in the order of the triples' subjects)."""
    used = _used_prefixes(triples, all_prefixes)
    # longest namespace first, so vlag: wins over gdi: for .../def/gdi/vlag/x
    ctx = sorted(used.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    nodes: dict[str, dict] = {}
    order: list[str] = []

    def node_id(term) -> str:
        return term.value if isinstance(term, ox.NamedNode) else f"_:{term.value}"

    for t in triples:
        sid = node_id(t.subject)
        if sid not in nodes:
            nodes[sid] = {"@id": sid}
            order.append(sid)
        n = nodes[sid]
        p = t.predicate.value
        o = t.object
        if p == RDF_NS + "type" and isinstance(o, ox.NamedNode):
            n.setdefault("@type", []).append(_compact(o.value, ctx))
            continue
        key = _compact(p, ctx)
        if isinstance(o, (ox.NamedNode, ox.BlankNode)):
            value: dict = {"@id": node_id(o)}
        else:
            value = {"@value": o.value}
            if o.language:
                value["@language"] = o.language
            elif o.datatype is not None and o.datatype.value != XSD_NS + "string":
                value["@type"] = _compact(o.datatype.value, ctx)
        n.setdefault(key, []).append(value)
    doc = {"@context": {name: ns for name, ns in sorted(used.items())},
           "@graph": [nodes[i] for i in order]}
    return (json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")


# -- the ontology, VoID and DCAT ----------------------------------------------------------------------

async def ontology_triples(source: Source, uris: Uris, settings) -> list[ox.Triple]:
    """The named graph of the ontology; ontology/gdi.ttl when the store has no such graph."""
    graph = f"{uris.base}/graph/ontologie"
    triples = await source.construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {iri(graph)} {{ ?s ?p ?o }} }}")
    if not triples:
        path = Path(settings.ontology_dir) / "gdi.ttl"
        if path.is_file():
            triples = [q.triple for q in ox.parse(path.read_bytes(), ox.RdfFormat.TURTLE)]
    return sort_triples(triples)


VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
SPDX = "http://spdx.org/rdf/terms#"
PROV_NS = "http://www.w3.org/ns/prov#"
OWL_NS = "http://www.w3.org/2002/07/owl#"
IANA = "http://www.iana.org/assignments/media-types/"
LICENSE = "https://spdx.org/licenses/EUPL-1.2"

TITLE = {"nl": "gdigraph: kennisgraaf van de Generieke Digitale Infrastructuur",
         "en": "gdigraph: knowledge graph of the Dutch Generic Digital Infrastructure"}
DESCRIPTION = {
    "nl": "De cijfers van de Monitor GDI en de Monitor Digitale Overheid (RDF Data Cube, met herkomst tot op de "
          "bronregel), de Stelselplaat van de basisregistraties, de organisaties die de voorzieningen beheren en in "
          "opdracht geven, en de aanbevelingen van de Nationale ombudsman met de toezeggingen van de overheid.",
    "en": "The figures of the Monitor GDI and the Monitor Digitale Overheid (RDF Data Cube, with provenance down to "
          "the source line), the Stelselplaat of the base registries, the organisations that run and commission the "
          "facilities, and the recommendations of the National Ombudsman with the commitments of the government.",
}


def site_urls(uris: Uris) -> dict[str, str]:
    """The URLs of the documents of the dataset (not /id/ things: their URIs are minted in uris.py)."""
    b = uris.base
    return {"void": f"{b}/.well-known/void", "dataset": f"{b}/.well-known/void#gdigraph",
            "catalog": f"{b}/catalog", "catalog_dataset": f"{b}/catalog#gdigraph", "sparql": f"{b}/sparql",
            "home": f"{b}/", "dumps": f"{b}/dumps/", "trends": f"{b}/trends/"}


class _T:
    """A little triple writer."""

    def __init__(self):
        self.out: list[ox.Triple] = []

    def add(self, s: str, p: str, o) -> None:
        if isinstance(o, str):
            o = ox.NamedNode(o)
        self.out.append(ox.Triple(ox.NamedNode(s), ox.NamedNode(p), o))

    def text(self, s: str, p: str, texts: dict[str, str] | str) -> None:
        if isinstance(texts, str):
            self.add(s, p, ox.Literal(texts))
        else:
            for lang, t in sorted(texts.items()):
                self.add(s, p, ox.Literal(t, language=lang))

    def typed(self, s: str, p: str, value, datatype: str) -> None:
        self.add(s, p, ox.Literal(str(value), datatype=ox.NamedNode(XSD_NS + datatype)))


EXAMPLES = ("voorziening/digid", "basisregistratie/brp", "organisatie/logius", "editie/2024")
VOCABULARIES = ("{gdi}", SKOS_NS, "http://purl.org/linked-data/cube#", PROV_NS, "http://www.w3.org/ns/org#",
                DCT, "http://www.w3.org/2006/time#", DCAT)


def void_triples(uris: Uris, build, *, sparql: bool = True, trends: bool = False) -> list[ox.Triple]:
    """The VoID description: the dataset, one subset per named graph (its URI, triples, dump)."""
    u = site_urls(uris)
    t = _T()
    d = u["dataset"]
    t.add(u["void"], RDF_NS + "type", VOID + "DatasetDescription")
    t.text(u["void"], DCT + "title", {"nl": "VoID-beschrijving van gdigraph", "en": "VoID description of gdigraph"})
    t.add(u["void"], FOAF + "primaryTopic", d)
    t.add(d, RDF_NS + "type", VOID + "Dataset")
    t.text(d, DCT + "title", TITLE)
    t.text(d, DCT + "description", DESCRIPTION)
    t.add(d, DCT + "license", LICENSE)
    t.add(d, FOAF + "homepage", u["home"])
    t.add(d, DCT + "conformsTo", str(uris.ontology))
    if getattr(build, "release", None):  # the release served (gdigraph.release)
        t.typed(d, OWL_NS + "versionInfo", build.release, "string")
    if sparql:
        t.add(d, VOID + "sparqlEndpoint", u["sparql"])
    t.typed(d, VOID + "uriSpace", f"{uris.base}/id/", "string")
    t.add(d, VOID + "uriRegexPattern", ox.Literal(f"^{uris.base}/(id|def)/"))
    for dump in build.dumps():
        if "/" not in dump["name"]:
            t.add(d, VOID + "dataDump", u["dumps"] + dump["name"])
    for ex in EXAMPLES:
        t.add(d, VOID + "exampleResource", f"{uris.base}/id/{ex}")
    for voc in VOCABULARIES:
        t.add(d, VOID + "vocabulary", voc.format(gdi=f"{uris.base}/def/gdi#"))
    graphs = build.graphs
    if graphs:
        t.typed(d, VOID + "triples", sum(graphs.values()), "integer")
    dump_names = {x["name"] for x in build.dumps()}
    for name, uri in build.graph_uris().items():
        if not uri:
            continue
        t.add(d, VOID + "subset", uri)
        t.add(uri, RDF_NS + "type", VOID + "Dataset")
        t.text(uri, DCT + "title", {"nl": f"Graaf {name}", "en": f"Graph {name}"})
        t.typed(uri, DCT + "identifier", name, "string")
        t.typed(uri, VOID + "triples", graphs.get(name, 0), "integer")
        file = f"graphs/{name.replace('/', '-')}.nq"
        if file in dump_names:
            t.add(uri, VOID + "dataDump", u["dumps"] + file)
        if name.startswith("editie/"):
            t.add(uri, PROV_NS + "wasDerivedFrom", f"{uris.base}/id/editie/{name.split('/', 1)[1]}")
    return sort_triples(t.out)


def catalog_triples(uris: Uris, build, *, sparql: bool = True, trends: bool = False) -> list[ox.Triple]:
    """The DCAT catalog: the dataset with its dumps as distributions (media type, size, SHA-256), one
    dataset per named graph (edition graphs among them), the SPARQL endpoint as a data service, and the
    trend tables listed in build/trends/index.json."""
    u = site_urls(uris)
    t = _T()
    c, d = u["catalog"], u["catalog_dataset"]
    t.add(c, RDF_NS + "type", DCAT + "Catalog")
    t.text(c, DCT + "title", {"nl": "Catalogus van gdigraph", "en": "Catalogue of gdigraph"})
    t.text(c, DCT + "description", DESCRIPTION)
    t.add(c, DCT + "license", LICENSE)
    t.add(c, FOAF + "homepage", u["home"])
    t.add(c, DCAT + "dataset", d)
    t.add(d, RDF_NS + "type", DCAT + "Dataset")
    t.text(d, DCT + "title", TITLE)
    t.text(d, DCT + "description", DESCRIPTION)
    t.add(d, DCT + "license", LICENSE)
    t.add(d, DCT + "conformsTo", str(uris.ontology))
    t.add(d, RDFS_NS + "seeAlso", u["dataset"])
    dumps = build.dumps()
    graph_files = {}
    for dump in dumps:
        url = u["dumps"] + dump["name"]
        owner = d
        if dump["name"].startswith("graphs/"):
            graph_files[dump["name"]] = url
            continue
        _distribution(t, owner, url, dump)
    graphs = build.graphs
    for name, uri in build.graph_uris().items():
        if not uri:
            continue
        t.add(c, DCAT + "dataset", uri)
        t.add(uri, RDF_NS + "type", DCAT + "Dataset")
        t.text(uri, DCT + "title", {"nl": f"Graaf {name} van gdigraph", "en": f"Graph {name} of gdigraph"})
        t.typed(uri, DCT + "identifier", name, "string")
        t.add(uri, DCT + "isPartOf", d)
        t.add(uri, DCT + "license", LICENSE)
        t.typed(uri, VOID + "triples", graphs.get(name, 0), "integer")
        if name.startswith("editie/"):
            t.add(uri, PROV_NS + "wasDerivedFrom", f"{uris.base}/id/editie/{name.split('/', 1)[1]}")
        file = f"graphs/{name.replace('/', '-')}.nq"
        for dump in dumps:
            if dump["name"] == file:
                _distribution(t, uri, graph_files[file], dump)
    if sparql:
        s = u["sparql"]
        t.add(c, DCAT + "service", s)
        t.add(s, RDF_NS + "type", DCAT + "DataService")
        t.text(s, DCT + "title", {"nl": "SPARQL-endpoint van gdigraph", "en": "SPARQL endpoint of gdigraph"})
        t.add(s, DCAT + "endpointURL", s)
        t.add(s, DCT + "conformsTo", "https://www.w3.org/TR/sparql11-protocol/")
        t.add(s, DCAT + "servesDataset", d)
    for table in build.trend_tables():
        ds = f"{u['catalog']}#trend-{_slug(table['path'])}"
        url = u["trends"] + table["path"]
        t.add(c, DCAT + "dataset", ds)
        t.add(ds, RDF_NS + "type", DCAT + "Dataset")
        t.text(ds, DCT + "title", {"nl": table["title"]})
        if table["description"]:
            t.text(ds, DCT + "description", {"nl": table["description"]})
        t.add(ds, PROV_NS + "wasDerivedFrom", d)
        _distribution(t, ds, url, {"name": table["path"], "media_type": table["media_type"],
                                   "size": table["size"], "sha256": ""})
    return sort_triples(t.out)


def _slug(text: str) -> str:
    out = "".join(c if c.isalnum() else "-" for c in text.lower())
    return "-".join(p for p in out.split("-") if p)


def _distribution(t: _T, dataset: str, url: str, dump: dict) -> None:
    t.add(dataset, DCAT + "distribution", url)
    t.add(url, RDF_NS + "type", DCAT + "Distribution")
    t.text(url, DCT + "title", dump["name"])
    t.add(url, DCAT + "downloadURL", url)
    t.add(url, DCAT + "accessURL", url)
    t.add(url, DCAT + "mediaType", IANA + dump["media_type"])
    t.typed(url, DCAT + "byteSize", dump["size"], "nonNegativeInteger")
    t.add(url, DCT + "license", LICENSE)
    if dump.get("sha256"):
        node = url + "#sha256"
        t.add(url, SPDX + "checksum", node)
        t.add(node, RDF_NS + "type", SPDX + "Checksum")
        t.add(node, SPDX + "algorithm", SPDX + "checksumAlgorithm_sha256")
        t.typed(node, SPDX + "checksumValue", dump["sha256"], "hexBinary")
