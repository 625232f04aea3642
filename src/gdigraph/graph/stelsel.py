"""The Stelselplaat as a networkx graph: what depends on what, centrality, the drawn plate.

Nodes are facility codes (``brp``, ``digilevering``; the codes of ``data/codelists/facilities.csv``)
with the attributes ``code``, ``notation``, ``kind`` (``basisregistratie``, ``voorziening``,
``stelselvoorziening``) and ``label`` (the Dutch label). The node set is the base registries of
the code list, the facilities that carry or show registry data (``data/reference/carriers.csv``)
and the facilities those are part of (``mijnoverheid`` for ``mijnoverheid-persoonlijke-gegevens``).

Every edge ``u -> v`` means *u depends on v*, so what fails with ``v`` is everything that reaches
``v`` (:func:`impact`) and what ``u`` needs is everything ``u`` reaches (:func:`uses`). Edge
attribute ``kind``:

* ``maaktGebruikVan``: registry -> registry it uses (``data/reference/stelselplaat.csv``), with
  ``keys``: the keys passed on, a sorted tuple (``()`` when the plate names none);
* ``draagt``: facility -> registry whose data it delivers, shows or gives access to, with
  ``relations``: the relations of ``carriers.csv`` (``levert-gebeurtenissen``, ``terugmelden``,
  ``toont-gegevens``, ``ontsluit``) as a sorted tuple;
* ``heeftOnderdeel``: facility -> a part of it (the inverse of ``gdi:onderdeelVan``): MijnOverheid
  is hit when its Persoonlijke Gegevens part is.

:func:`load_stelsel` reads the CSV data; :func:`stelsel_from_rdf` rebuilds the same graph from the
triples the graph builder writes (``gdi:maaktGebruikVan`` with its ``gdi:Koppeling``/``gdi:sleutel``,
``gdi:draagt``, ``gdi:onderdeelVan``, ``skos:notation``). ``gdi:draagt`` does not say *how* a facility
carries the data, so there ``relations`` is ``()``; everything else is equal (see :func:`same_stelsel`).
"""

from __future__ import annotations

import csv
import textwrap
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import networkx as nx
from rdflib import RDF, RDFS, SKOS, Graph, Literal, URIRef
from rdflib.namespace import XSD

from ..harmonise.facilities import Facility, load_facilities
from ..settings import Settings, get_settings
from ..uris import GraphUris, Uris

REGISTRY = "basisregistratie"
USES = "maaktGebruikVan"
CARRIES = "draagt"
HAS_PART = "heeftOnderdeel"

#: how a hop ``u -> v`` reads in a path ("WOZ uses BRK uses BAG")
VERBS = {
    USES: "uses",
    "levert-gebeurtenissen": "delivers events of",
    "terugmelden": "takes terugmeldingen for",
    "toont-gegevens": "shows data of",
    "ontsluit": "gives access to",
    CARRIES: "carries data of",
    HAS_PART: "contains",
}

_KIND_ORDER = {REGISTRY: 0, "stelselvoorziening": 1, "voorziening": 2}


class StelselError(ValueError):
    """The Stelselplaat data cannot be read into a graph (unknown code, missing column or file)."""


class UnknownCode(ValueError):
    """A code that is not a node of the Stelselplaat graph."""

    def __init__(self, code: str, known: list[str]):
        self.code = code
        self.known = known
        super().__init__(f"unknown registry or facility code {code!r}; known codes: {', '.join(known)}")


# ---------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------

def _read_csv(path: Path, required: tuple[str, ...]) -> list[dict]:
    try:
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            missing = [c for c in required if c not in (reader.fieldnames or [])]
            if missing:
                raise StelselError(f"{path}: missing column(s) {', '.join(missing)}")
            return list(reader)
    except OSError as e:
        raise StelselError(f"cannot read {path}: {e}") from e


def split_keys(text: str) -> tuple[str, ...]:
    """``'adres; pand-id'`` -> ``('adres', 'pand-id')``: sorted (case-insensitively), no empties."""
    keys = {k.strip() for k in (text or "").split(";") if k.strip()}
    return tuple(sorted(keys, key=lambda k: (k.lower(), k)))


def _add_node(g: nx.DiGraph, f: Facility) -> None:
    g.add_node(f.code, code=f.code, notation=f.notation, kind=f.kind, label=f.label_nl)


def _add_parents(g: nx.DiGraph, facilities: dict[str, Facility]) -> None:
    """Add the facilities that the carrying facilities are part of, with a heeftOnderdeel edge."""
    todo = [c for c in sorted(g) if g.nodes[c]["kind"] != REGISTRY]
    while todo:
        code = todo.pop(0)
        parent = facilities[code].parent if code in facilities else ""
        if not parent:
            continue
        if parent not in facilities:
            raise StelselError(f"facility {code!r} has unknown parent {parent!r}")
        if parent not in g:
            _add_node(g, facilities[parent])
            todo.append(parent)
        g.add_edge(parent, code, kind=HAS_PART)


def load_stelsel(settings: Settings | None = None) -> nx.DiGraph:
    """The Stelselplaat graph from ``facilities.csv``, ``stelselplaat.csv`` and ``carriers.csv``.

    Carrier rows with a filled-in ``until`` (a link that ended) are left out; several rows for the
    same facility and registry (one per source) make one edge."""
    settings = settings or get_settings()
    facilities = {f.code: f for f in load_facilities(settings.codelists_dir / "facilities.csv")}
    g = nx.DiGraph(name="Stelselplaat")
    for code in sorted(facilities):
        if facilities[code].kind == REGISTRY:
            _add_node(g, facilities[code])
    if not len(g):
        raise StelselError(f"no base registries (kind {REGISTRY!r}) in {settings.codelists_dir / 'facilities.csv'}")

    plate = settings.reference_dir / "stelselplaat.csv"
    for n, row in enumerate(_read_csv(plate, ("registry", "uses", "keys_passed_on")), start=2):
        user, used = row["registry"].strip().lower(), row["uses"].strip().lower()
        for c in (user, used):
            if c not in g:
                raise StelselError(f"{plate.name} line {n}: {c.upper()!r} is not a base registry "
                                   f"of the code list (known: {', '.join(sorted(g))})")
        if user == used:
            raise StelselError(f"{plate.name} line {n}: {user.upper()} uses itself")
        keys = split_keys(row["keys_passed_on"])
        if g.has_edge(user, used):
            keys = split_keys("; ".join(g.edges[user, used]["keys"] + keys))
        g.add_edge(user, used, kind=USES, keys=keys)

    carriers = settings.reference_dir / "carriers.csv"
    for n, row in enumerate(_read_csv(carriers, ("facility", "relation", "registry", "until")), start=2):
        if row["until"].strip():
            continue
        fac, rel, reg = row["facility"].strip(), row["relation"].strip(), row["registry"].strip()
        if fac not in facilities:
            raise StelselError(f"{carriers.name} line {n}: unknown facility {fac!r}")
        if reg not in g or g.nodes[reg]["kind"] != REGISTRY:
            raise StelselError(f"{carriers.name} line {n}: {reg!r} is not a base registry")
        if rel not in VERBS:
            raise StelselError(f"{carriers.name} line {n}: unknown relation {rel!r} "
                               f"(known: {', '.join(k for k in VERBS if k not in (USES, CARRIES, HAS_PART))})")
        if fac not in g:
            _add_node(g, facilities[fac])
        rels = set(g.edges[fac, reg]["relations"]) if g.has_edge(fac, reg) else set()
        g.add_edge(fac, reg, kind=CARRIES, relations=tuple(sorted(rels | {rel})))
    _add_parents(g, facilities)
    return g


def _code_of(uri) -> str:
    return str(uri).rstrip("/").rsplit("/", 1)[-1]


def stelsel_from_rdf(graph: Graph, uris: Uris | None = None) -> nx.DiGraph:
    """The same graph as :func:`load_stelsel`, rebuilt from RDF: registries are the ``gdi:Basisregistratie``
    nodes, links ``gdi:maaktGebruikVan`` (keys from the qualified ``gdi:Koppeling``), facilities the
    subjects of ``gdi:draagt`` plus what they are ``gdi:onderdeelVan``. Codes are the last segment of
    the URIs; ``relations`` of ``draagt`` edges is ``()`` (the triples do not say which)."""
    uris = uris or Uris()
    kinds = [(uris.term("Basisregistratie"), REGISTRY), (uris.term("Stelselvoorziening"), "stelselvoorziening"),
             (uris.term("Voorziening"), "voorziening")]
    g = nx.DiGraph(name="Stelselplaat")

    def add(node: URIRef) -> str:
        code = _code_of(node)
        if code in g:
            return code
        types = set(graph.objects(node, RDF.type))
        kind = next((k for cls, k in kinds if cls in types), None)
        if kind is None:
            raise StelselError(f"{node} has no type gdi:Basisregistratie, gdi:Stelselvoorziening or gdi:Voorziening")
        notations = sorted(str(o) for o in graph.objects(node, SKOS.notation))
        if len(notations) != 1:
            raise StelselError(f"{node} has {len(notations)} skos:notation values, expected 1")
        labels = sorted(str(o) for o in graph.objects(node, SKOS.prefLabel) if getattr(o, "language", None) == "nl")
        labels = labels or sorted(str(o) for o in graph.objects(node, RDFS.label))
        g.add_node(code, code=code, notation=notations[0], kind=kind, label=labels[0] if labels else "")
        return code

    for reg in sorted(graph.subjects(RDF.type, uris.term("Basisregistratie"))):
        add(reg)
    for user, used in sorted(graph.subject_objects(uris.term("maaktGebruikVan"))):
        keys: list[str] = []
        for k in graph.objects(user, uris.term("koppeling")):
            if (k, uris.term("leverendeRegistratie"), used) in graph:
                keys.extend(str(o) for o in graph.objects(k, uris.term("sleutel")))
        g.add_edge(add(user), add(used), kind=USES, keys=split_keys("; ".join(keys)))
    carriers = sorted(graph.subjects(uris.term("draagt"), None), key=str)
    for fac in dict.fromkeys(carriers):
        for reg in sorted(graph.objects(fac, uris.term("draagt"))):
            g.add_edge(add(fac), add(reg), kind=CARRIES, relations=())
    todo = list(dict.fromkeys(carriers))
    while todo:
        part = todo.pop(0)
        for parent in sorted(graph.objects(part, uris.term("onderdeelVan"))):
            new = _code_of(parent) not in g
            g.add_edge(add(parent), add(part), kind=HAS_PART)
            if new:
                todo.append(parent)
    return g


def same_stelsel(a: nx.DiGraph, b: nx.DiGraph, *, relations: bool = False) -> bool:
    """Same nodes with the same attributes and the same edges with the same kind and keys
    (and, if ``relations``, the same carrier relations; RDF does not carry those)."""
    def edges(g):
        return {(u, v): {k: val for k, val in d.items() if relations or k != "relations"}
                for u, v, d in g.edges(data=True)}
    return dict(a.nodes(data=True)) == dict(b.nodes(data=True)) and edges(a) == edges(b)


# ---------------------------------------------------------------------------------------------
# Impact and uses
# ---------------------------------------------------------------------------------------------

def registries(g: nx.DiGraph) -> list[str]:
    return sorted(n for n, d in g.nodes(data=True) if d["kind"] == REGISTRY)


def registry_graph(g: nx.DiGraph) -> nx.DiGraph:
    """The registries and their maaktGebruikVan links only."""
    r = nx.DiGraph(name=g.graph.get("name", ""))
    r.add_nodes_from((n, g.nodes[n]) for n in registries(g))
    r.add_edges_from((u, v, d) for u, v, d in g.edges(data=True) if d["kind"] == USES)
    return r


def resolve(g: nx.DiGraph, code: str) -> str:
    """The node for a code or notation in any case (``BRP``, ``brp``, ``BV BSN``)."""
    text = (code or "").strip()
    if text in g:
        return text
    low = text.lower()
    if low in g:
        return low
    for n, d in g.nodes(data=True):
        if d["notation"].lower() == low or d["label"].lower() == low:
            return n
    raise UnknownCode(code, sorted(g))


@dataclass(frozen=True)
class Hop:
    """One edge of a path: ``source`` depends on ``target``."""
    source: str
    target: str
    kind: str
    relations: tuple[str, ...] = ()
    keys: tuple[str, ...] = ()

    def verb(self) -> str:
        if self.kind == CARRIES and self.relations:
            return " and ".join(VERBS[r] for r in self.relations)
        return VERBS[self.kind]

    def as_dict(self) -> dict:
        d = {"from": self.source, "to": self.target, "kind": self.kind}
        if self.kind == USES:
            d["keys"] = list(self.keys)
        if self.kind == CARRIES:
            d["relations"] = list(self.relations)
        return d


@dataclass(frozen=True)
class Chain:
    """A chain of dependencies, in edge direction: ``nodes[0]`` depends on ``nodes[1]`` ... on ``nodes[-1]``."""
    nodes: tuple[str, ...]
    hops: tuple[Hop, ...]
    text: str  # 'WOZ uses BRK uses BAG'

    @property
    def keys(self) -> tuple[tuple[str, ...], ...]:
        """Keys passed on, per maaktGebruikVan hop (``()`` for other hops)."""
        return tuple(h.keys for h in self.hops)

    def keys_text(self, g: nx.DiGraph) -> str:
        parts = []
        for h in self.hops:
            if h.kind == USES and h.keys:
                prefix = "" if len(self.hops) == 1 else f"{g.nodes[h.source]['notation']}→{g.nodes[h.target]['notation']}: "
                parts.append(prefix + ", ".join(h.keys))
        return "; ".join(parts)

    def as_dict(self) -> dict:
        return {"nodes": list(self.nodes), "text": self.text, "hops": [h.as_dict() for h in self.hops]}


def _chain(g: nx.DiGraph, nodes: list[str]) -> Chain:
    hops = []
    for u, v in zip(nodes, nodes[1:]):
        d = g.edges[u, v]
        hops.append(Hop(u, v, d["kind"], tuple(d.get("relations", ())), tuple(d.get("keys", ()))))
    text = g.nodes[nodes[0]]["notation"]
    for h in hops:
        text += f" {h.verb()} {g.nodes[h.target]['notation']}"
    return Chain(tuple(nodes), tuple(hops), text)


@dataclass(frozen=True)
class Reached:
    """A node reached from the start of an :class:`Impact`, with every simple path to it."""
    code: str
    notation: str
    kind: str
    label: str
    depth: int  # length of the shortest path
    paths: tuple[Chain, ...]  # shortest first

    @property
    def path(self) -> Chain:
        return self.paths[0]

    @property
    def direct(self) -> bool:
        return self.depth == 1

    @property
    def is_registry(self) -> bool:
        return self.kind == REGISTRY

    def via(self, g: nx.DiGraph, direction: str) -> tuple[str, ...]:
        """Notations of the nodes through which this one is reached on its indirect paths: the
        neighbour of this node on each path of two or more hops."""
        out = set()
        for p in self.paths:
            if len(p.hops) > 1:
                out.add(g.nodes[p.nodes[1] if direction == "impact" else p.nodes[-2]]["notation"])
        return tuple(sorted(out, key=lambda n: (n.lower(), n)))

    def as_dict(self) -> dict:
        return {"code": self.code, "notation": self.notation, "kind": self.kind, "label": self.label,
                "depth": self.depth, "direct": self.direct, "path": self.path.text,
                "keys_passed_on": [list(k) for k in self.path.keys],
                "paths": [p.as_dict() for p in self.paths]}


@dataclass(frozen=True)
class Impact:
    """What is reached from ``code``: with ``direction='impact'`` what depends on it (fails with it),
    with ``direction='uses'`` what it depends on."""
    code: str
    notation: str
    kind: str
    label: str
    direction: str
    reached: tuple[Reached, ...]  # by depth, registries first, then notation

    @property
    def registries(self) -> tuple[Reached, ...]:
        return tuple(r for r in self.reached if r.is_registry)

    @property
    def facilities(self) -> tuple[Reached, ...]:
        return tuple(r for r in self.reached if not r.is_registry)

    @property
    def direct(self) -> tuple[Reached, ...]:
        return tuple(r for r in self.reached if r.direct)

    @property
    def transitive(self) -> tuple[Reached, ...]:
        """Reached only through another node (shortest path longer than one hop)."""
        return tuple(r for r in self.reached if not r.direct)

    @property
    def codes(self) -> set[str]:
        return {r.code for r in self.reached}

    def __contains__(self, code: str) -> bool:
        return code in self.codes

    def get(self, code: str) -> Reached:
        for r in self.reached:
            if r.code == code:
                return r
        raise KeyError(code)

    def as_dict(self, g: nx.DiGraph | None = None) -> dict:
        d = {"code": self.code, "notation": self.notation, "kind": self.kind, "label": self.label,
             "direction": self.direction,
             "direct": [r.as_dict() for r in self.direct],
             "transitive": [r.as_dict() for r in self.transitive]}
        if g is not None:
            for part in ("direct", "transitive"):
                for rd, r in zip(d[part], getattr(self, part)):
                    rd["via"] = list(r.via(g, self.direction))
        return d


def _reach(g: nx.DiGraph, code: str, direction: str) -> Impact:
    start = resolve(g, code)
    walk = g.reverse(copy=False) if direction == "impact" else g
    depth = nx.single_source_shortest_path_length(walk, start)
    reached = []
    for node, d in depth.items():
        if node == start:
            continue
        chains = []
        for p in nx.all_simple_paths(walk, start, node):
            chains.append(list(reversed(p)) if direction == "impact" else p)
        paths = sorted((_chain(g, c) for c in chains),
                       key=lambda p: (len(p.nodes), [g.nodes[n]["notation"] for n in p.nodes]))
        a = g.nodes[node]
        reached.append(Reached(node, a["notation"], a["kind"], a["label"], d, tuple(paths)))
    reached.sort(key=lambda r: (r.depth, _KIND_ORDER.get(r.kind, 9), r.notation.lower()))
    a = g.nodes[start]
    return Impact(start, a["notation"], a["kind"], a["label"], direction, tuple(reached))


def impact(g: nx.DiGraph, code: str) -> Impact:
    """What fails when the registry or facility ``code`` fails: the registries that use it, directly
    and transitively, and the facilities that carry or show its data or the data of an affected
    registry (and the facilities those are part of), each with every path, its depth and the keys
    passed on along the path. ``code`` is a code or notation in any case."""
    return _reach(g, code, "impact")


def uses(g: nx.DiGraph, code: str) -> Impact:
    """What the registry (or facility) ``code`` depends on, transitively."""
    return _reach(g, code, "uses")


def impact_lines(g: nx.DiGraph, imp: Impact) -> list[str]:
    """The impact as an aligned text table: direct, then transitive dependants."""
    verb = "depends on" if imp.direction == "uses" else "is hit"
    head = (f"Impact of {imp.notation} ({imp.label}) if it fails" if imp.direction == "impact"
            else f"What {imp.notation} ({imp.label}) uses")
    lines = [f"{head}: {len(imp.registries)} registries, {len(imp.facilities)} facilities"]
    if not imp.reached:
        lines.append(f"  nothing {verb}" if imp.direction == "uses" else "  no registry or facility depends on it")
        return lines
    cols = ("depth", "code", "kind", "shortest path", "keys passed on", "paths", "via")
    for title, group in (("Direct", imp.direct), ("Transitive", imp.transitive)):
        if not group:
            continue
        rows = [(str(r.depth), r.notation, r.kind, r.path.text, r.path.keys_text(g) or "-", str(len(r.paths)),
                 ", ".join(r.via(g, imp.direction)) or "-") for r in group]
        widths = [max(len(c), *(len(row[i]) for row in rows)) for i, c in enumerate(cols)]
        lines.append("")
        lines.append(f"{title} ({len(group)})")
        lines.append("  " + "  ".join(c.ljust(w) for c, w in zip(cols, widths)).rstrip())
        for row in rows:
            lines.append("  " + "  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
    return lines


# ---------------------------------------------------------------------------------------------
# Centrality
# ---------------------------------------------------------------------------------------------

def centrality(g: nx.DiGraph) -> dict[str, dict]:
    """Per registry (by code): ``in_degree`` (registries that use it), ``out_degree`` (registries it
    uses), ``betweenness`` (normalised betweenness centrality on the registry graph), ``impact``
    (registries hit transitively when it fails), ``impact_facilities`` (facilities hit), ``uses``
    (registries it needs transitively), plus its ``notation``."""
    r = registry_graph(g)
    bc = nx.betweenness_centrality(r, normalized=True)
    out: dict[str, dict] = {}
    for code in registries(g):
        hit = nx.ancestors(g, code)
        out[code] = {
            "notation": g.nodes[code]["notation"],
            "in_degree": r.in_degree(code),
            "out_degree": r.out_degree(code),
            "betweenness": bc[code],
            "impact": sum(1 for n in hit if g.nodes[n]["kind"] == REGISTRY),
            "impact_facilities": sum(1 for n in hit if g.nodes[n]["kind"] != REGISTRY),
            "uses": len(nx.descendants(r, code)),
        }
    return out


def decimal6(x) -> Decimal:
    """``x`` rounded half-even to 6 decimals, from its shortest repr (so the same float always gives
    the same digits), without trailing zeros: 1/6 -> 0.166667, 0.5 -> 0.5, 0 -> 0."""
    d = Decimal(repr(float(x))).quantize(Decimal("0.000001"), rounding=ROUND_HALF_EVEN)
    d = d.normalize()
    return d if d != 0 else Decimal(0)


def _decimal_literal(d: Decimal) -> Literal:
    return Literal(format(d, "f"), datatype=XSD.decimal)


def centrality_triples(metrics: dict[str, dict], uris: GraphUris) -> Graph:
    """``gdi:ingraad``, ``gdi:uitgraad`` and ``gdi:betweenness`` of each registry on
    ``uris.facility(code)``, all ``xsd:decimal`` as the ontology and shapes require (degrees as
    whole numbers, betweenness rounded to 6 decimals). The impact sizes have no ontology property
    and are not written."""
    out = Graph()
    out.bind("gdi", uris.DEF)
    for code in sorted(metrics):
        m = metrics[code]
        s = uris.facility(code)
        out.add((s, uris.term("ingraad"), _decimal_literal(Decimal(int(m["in_degree"])))))
        out.add((s, uris.term("uitgraad"), _decimal_literal(Decimal(int(m["out_degree"])))))
        out.add((s, uris.term("betweenness"), _decimal_literal(decimal6(m["betweenness"]))))
    return out


CENTRALITY_COLUMNS = ("code", "registry", "used by", "uses", "betweenness", "impact", "facilities hit", "needs")


def centrality_rows(metrics: dict[str, dict]) -> list[tuple[str, ...]]:
    """Table rows, most impact first (then betweenness, then notation)."""
    order = sorted(metrics, key=lambda c: (-metrics[c]["impact"], -metrics[c]["betweenness"],
                                           metrics[c]["notation"].lower()))
    return [(c, metrics[c]["notation"], str(metrics[c]["in_degree"]), str(metrics[c]["out_degree"]),
             f"{decimal6(metrics[c]['betweenness']):.6f}", str(metrics[c]["impact"]),
             str(metrics[c]["impact_facilities"]), str(metrics[c]["uses"])) for c in order]


def centrality_lines(metrics: dict[str, dict]) -> list[str]:
    rows = centrality_rows(metrics)
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(CENTRALITY_COLUMNS)]
    right = {2, 3, 4, 5, 6, 7}

    def fmt(cells):
        return "  ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    return [fmt(CENTRALITY_COLUMNS)] + [fmt(r) for r in rows]


# ---------------------------------------------------------------------------------------------
# Drawing
# ---------------------------------------------------------------------------------------------

#: positions of the ten registries, after the layout of the Stelselplaat: persons and companies
#: left, addresses and buildings in the middle, geo registries right, WOZ on top.
PLATE_POSITIONS = {
    "bri": (0.0, 6.0), "brv": (0.0, 3.5), "bro": (0.0, 0.5),
    "brp": (2.6, 5.0), "hr": (2.6, 1.5),
    "woz": (5.0, 7.2), "bag": (5.0, 3.2),
    "brk": (7.4, 5.4), "bgt": (7.4, 1.2), "brt": (9.8, 3.3),
}

REGISTRY_COLOUR = "#1f5f9f"
FACILITY_COLOUR = "#e08a1e"
RELATION_STYLES = {  # carrier relation -> (colour, label)
    "levert-gebeurtenissen": ("#2e8b57", "levert gebeurtenissen (Digilevering)"),
    "terugmelden": ("#b03a2e", "terugmelden (Digimelding)"),
    "toont-gegevens": ("#7d3c98", "toont gegevens (MijnOverheid)"),
    "ontsluit": ("#8a6d3b", "ontsluit (BV BSN)"),
    "": ("#777777", "draagt gegevens van"),
}
SVG_HASHSALT = "gdigraph-stelselplaat"


def _layered_positions(r: nx.DiGraph) -> dict[str, tuple[float, float]]:
    """A deterministic layered layout: the level of a registry is the longest chain of registries
    it uses (cycles collapsed); within a level, by notation."""
    cond = nx.condensation(r)
    level: dict[int, int] = {}
    for c in reversed(list(nx.topological_sort(cond))):
        level[c] = 1 + max((level[s] for s in cond.successors(c)), default=-1)
    by_level: dict[int, list[str]] = {}
    for n in r:
        by_level.setdefault(level[cond.graph["mapping"][n]], []).append(n)
    pos = {}
    for lv, nodes in by_level.items():
        nodes.sort(key=lambda n: (r.nodes[n]["notation"].lower(), n))
        for i, n in enumerate(nodes):
            pos[n] = (2.4 * (i - (len(nodes) - 1) / 2) + 5.0, 1.0 + 1.8 * lv)
    return pos


def plate_layout(g: nx.DiGraph) -> dict[str, tuple[float, float]]:
    """Fixed positions: the ten registries as on the plate (a layered layout for other registry
    sets), the facilities in a column to the right, each next to its parts."""
    regs = registries(g)
    if set(regs) <= set(PLATE_POSITIONS):
        pos = {c: PLATE_POSITIONS[c] for c in regs}
    else:
        pos = _layered_positions(registry_graph(g))
    others = [n for n in g if n not in pos]
    parts = nx.DiGraph()
    parts.add_nodes_from(others)
    parts.add_edges_from((u, v) for u, v, d in g.edges(data=True) if d["kind"] == HAS_PART)
    # parts in a column (by notation); a facility with parts to the right of them, nested ones further
    leaves = sorted((n for n in others if parts.out_degree(n) == 0), key=lambda n: (g.nodes[n]["notation"].lower(), n))
    xs = [p[0] for p in pos.values()] or [0.0]
    ys = [p[1] for p in pos.values()] or [0.0]
    x0, top, bottom = max(xs) + 3.2, max(ys), min(ys)
    step = (top - bottom) / max(len(leaves) - 1, 1)
    for i, n in enumerate(leaves):
        pos[n] = (x0, top - i * step)
    wholes = [n for n in others if parts.out_degree(n) > 0]
    for n in sorted(wholes, key=lambda n: (len(nx.descendants(parts, n)), g.nodes[n]["notation"].lower(), n)):
        placed = [pos[v] for v in parts.successors(n) if v in pos]
        y = sum(p[1] for p in placed) / len(placed) if placed else bottom
        pos[n] = (max(p[0] for p in placed) + 2.2 if placed else x0 + 2.2, y - 0.9)
    return pos


def _figure(g: nx.DiGraph, title: str):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    pos = plate_layout(g)
    fig = Figure(figsize=(13, 8))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    ax.set_axis_off()
    reg_size, fac_size = 1900, 520
    reg_r, fac_r = (reg_size ** 0.5) / 2 + 2, (fac_size ** 0.5) / 2 + 2  # marker radius in points

    def radius(n):
        return reg_r if g.nodes[n]["kind"] == REGISTRY else fac_r

    used_relations = []
    for u, v, d in sorted(g.edges(data=True), key=lambda e: (e[2]["kind"], e[0], e[1])):
        if d["kind"] == USES:
            style = dict(arrowstyle="-|>", color="#333333", lw=1.3, mutation_scale=14,
                         connectionstyle="arc3,rad=0.08")
        elif d["kind"] == CARRIES:
            rel = d["relations"][0] if d.get("relations") else ""
            if rel not in used_relations:
                used_relations.append(rel)
            colour = RELATION_STYLES.get(rel, RELATION_STYLES[""])[0]
            style = dict(arrowstyle="-|>", color=colour, lw=0.9, alpha=0.55, linestyle=(0, (4, 3)),
                         mutation_scale=10, connectionstyle="arc3,rad=-0.05")
        else:
            style = dict(arrowstyle="-", color="#999999", lw=1.0, linestyle=(0, (1, 2)))
        ax.annotate("", xy=pos[v], xytext=pos[u],
                    arrowprops=dict(shrinkA=radius(u), shrinkB=radius(v), **style), zorder=1)

    regs = registries(g)
    facs = sorted(n for n in g if n not in regs)
    ax.scatter([pos[n][0] for n in regs], [pos[n][1] for n in regs], s=reg_size, c=REGISTRY_COLOUR,
               edgecolors="white", linewidths=1.5, zorder=3)
    for n in regs:
        ax.text(pos[n][0], pos[n][1], g.nodes[n]["notation"], ha="center", va="center", color="white",
                fontsize=11, fontweight="bold", zorder=4, gid=f"stelsel-{n}")
    if facs:
        ax.scatter([pos[n][0] for n in facs], [pos[n][1] for n in facs], s=fac_size, c=FACILITY_COLOUR,
                   marker="s", edgecolors="white", linewidths=1.2, zorder=3)
    for n in facs:
        ax.text(pos[n][0] + 0.35, pos[n][1], textwrap.fill(g.nodes[n]["notation"], 18), ha="left",
                va="center", fontsize=9, color="#222222", zorder=4, gid=f"stelsel-{n}")

    handles = [
        Line2D([], [], marker="o", linestyle="", markersize=12, markerfacecolor=REGISTRY_COLOUR,
               markeredgecolor="white", label="basisregistratie"),
        Line2D([], [], marker="s", linestyle="", markersize=9, markerfacecolor=FACILITY_COLOUR,
               markeredgecolor="white", label="voorziening"),
        Line2D([], [], color="#333333", lw=1.3, marker=">", markevery=[1], label="maakt gebruik van"),
    ]
    for rel in sorted(used_relations):
        colour, label = RELATION_STYLES.get(rel, RELATION_STYLES[""])
        handles.append(Line2D([], [], color=colour, lw=1.0, linestyle=(0, (4, 3)), label=label))
    if any(d["kind"] == HAS_PART for _, _, d in g.edges(data=True)):
        handles.append(Line2D([], [], color="#999999", lw=1.0, linestyle=(0, (1, 2)), label="onderdeel van"))
    ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.0, -0.08), ncol=4, frameon=False, fontsize=9)
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    ax.set_xlim(min(xs) - 1.0, max(xs) + 3.2)
    ax.set_ylim(min(ys) - 1.2, max(ys) + 1.0)
    ax.set_title(title, fontsize=14)
    fig.subplots_adjust(left=0.02, right=0.98, top=0.93, bottom=0.1)
    return fig


_RC = {"svg.hashsalt": SVG_HASHSALT, "svg.fonttype": "none", "font.family": "DejaVu Sans",
       "path.simplify": True}


def draw_svg(g: nx.DiGraph, path, title: str = "Stelselplaat: basisregistraties en voorzieningen") -> Path:
    """Draw the plate as SVG: the same graph gives the same bytes (fixed layout, no date, a fixed
    hash salt for ids; text stays ``<text>``, so the notations are searchable)."""
    import matplotlib

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with matplotlib.rc_context(_RC):
        fig = _figure(g, title)
        fig.savefig(path, format="svg", metadata={"Date": None})
    return path


def draw_png(g: nx.DiGraph, path, title: str = "Stelselplaat: basisregistraties en voorzieningen",
             dpi: int = 150) -> Path:
    """Draw the plate as PNG (Agg), without a Software stamp so the bytes stay the same."""
    import matplotlib

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with matplotlib.rc_context(_RC):
        fig = _figure(g, title)
        fig.savefig(path, format="png", dpi=dpi, metadata={"Software": None})
    return path
