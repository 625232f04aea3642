"""The RDF vocabularies the graph code writes, and the prefixes bound when a graph is serialised.

External vocabularies are module constants. The gdigraph namespaces depend on the ``base_uri``
setting, so they come from :func:`vocab` (built from :class:`gdigraph.uris.Uris`, the one place URIs
are minted): ``v = vocab(uris); v.GDI.beheerder; v.STATUS["lopend"]``.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, TIME, VOID, XSD

from ..uris import GraphUris, Uris

QB = Namespace("http://purl.org/linked-data/cube#")
TOOIONT = Namespace("https://identifier.overheid.nl/tooi/def/ont/")
SDMX_CONCEPT = Namespace("http://purl.org/linked-data/sdmx/2009/concept#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")  # legislation (the law behind a base registry)
SCHEMA = Namespace("https://schema.org/")  # schema:dissolutionDate (an xsd:date, unlike prov:invalidatedAtTime)
PAV = Namespace("http://purl.org/pav/")  # pav:retrievedOn (when a public source was looked up)
VANN = Namespace("http://purl.org/vocab/vann/")

__all__ = ["DCAT", "DCTERMS", "ELI", "FOAF", "ORG", "OWL", "PAV", "PROV", "QB", "RDF", "RDFS", "SCHEMA",
           "SDMX_CONCEPT", "SKOS", "TIME", "TOOIONT", "VANN", "VOID", "XSD", "Vocab", "bind_prefixes", "vocab"]

# code lists of the ontology (<{base}/def/gdi/{list}>) and the ones the graph code adds (see reference.py)
SCHEMES = ("voorziening", "indicator", "domein", "uitsplitsing", "eenheid", "vlag", "status",
           "aspect", "organisatiesoort", "dragersoort")


@dataclass(frozen=True)
class Vocab:
    """The gdigraph namespaces for one base URI."""

    GDI: Namespace  # ontology terms, {base}/def/gdi#
    VLAG: Namespace  # {base}/def/gdi/vlag/
    STATUS: Namespace
    EENHEID: Namespace
    UITSPLITSING: Namespace
    ASPECT: Namespace
    ORGANISATIESOORT: Namespace
    DRAGERSOORT: Namespace


def _graph_uris(uris: Uris | None) -> GraphUris:
    if isinstance(uris, GraphUris):
        return uris
    # namespaces need no facility code list
    return GraphUris(uris.settings if uris is not None else None, facility_kinds={})


def vocab(uris: Uris | None = None) -> Vocab:
    u = _graph_uris(uris)
    ns = u.scheme_namespace
    return Vocab(GDI=u.DEF, VLAG=ns("vlag"), STATUS=ns("status"), EENHEID=ns("eenheid"),
                 UITSPLITSING=ns("uitsplitsing"), ASPECT=ns("aspect"), ORGANISATIESOORT=ns("organisatiesoort"),
                 DRAGERSOORT=ns("dragersoort"))


def bind_prefixes(g: Graph, uris: Uris | None = None) -> Graph:
    """Bind the usual prefixes on ``g`` (a Graph or Dataset) for readable Turtle/TriG/JSON-LD."""
    u = _graph_uris(uris)
    v = vocab(u)
    prefixes = {
        "gdi": v.GDI, "vlag": v.VLAG, "status": v.STATUS, "eenheid": v.EENHEID, "uitspl": v.UITSPLITSING,
        "aspect": v.ASPECT, "orgsoort": v.ORGANISATIESOORT, "dragersoort": v.DRAGERSOORT,
        "vz": u.id_namespace("voorziening"), "reg": u.id_namespace("basisregistratie"),
        "orgn": u.id_namespace("organisatie"), "ind": u.id_namespace("indicator"),
        "dom": u.id_namespace("domein"), "rol": u.id_namespace("rol"), "kop": u.id_namespace("koppeling"),
        "bronregel": u.id_namespace("bronregel"), "editie": u.id_namespace("editie"),
        "aanbeveling": u.id_namespace("aanbeveling"), "toezegging": u.id_namespace("toezegging"),
        "qb": QB, "org": ORG, "prov": PROV, "dcterms": DCTERMS, "dcat": DCAT, "skos": SKOS, "time": TIME,
        "void": VOID, "tooiont": TOOIONT, "foaf": FOAF, "owl": OWL, "rdf": RDF, "rdfs": RDFS, "xsd": XSD,
        "eli": ELI, "schema": SCHEMA, "pav": PAV, "sdmx-concept": SDMX_CONCEPT,
    }
    for prefix, ns in prefixes.items():
        g.bind(prefix, ns, override=True, replace=True)
    return g
