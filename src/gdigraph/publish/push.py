"""Push the named graphs to any triple store over the SPARQL 1.1 Graph Store HTTP Protocol.

Every named graph of a release (``graph/graphs/*.nq``, one file per graph) is sent with one
``PUT {store}?graph={graph IRI}`` and an N-Triples body: the protocol says a PUT *replaces* the
graph, so each graph is swapped in one request and a reader never sees it half loaded. Works with
Oxigraph (``http://host:7878/store``), Apache Jena Fuseki (``http://host:3030/ds/data``), GraphDB
(``.../repositories/ID/rdf-graphs/service``) and any other Graph Store Protocol endpoint.

The graphs of the store that the release does not have are left alone, unless ``prune``: then, after
every PUT succeeded, the store's named graphs are listed with ``SELECT DISTINCT ?g WHERE { GRAPH ?g
{} }`` on its SPARQL query endpoint (``query_endpoint``, else the one beside the Graph Store endpoint:
Oxigraph ``.../store`` -> ``.../query``, Fuseki ``.../DATASET/data`` -> ``.../DATASET/query``, GraphDB
``.../rdf-graphs/service`` -> the repository), and those under the release's graph namespace
(``namespace``, ``{base}/graph/``) that the release does not have are removed with ``DELETE
{store}?graph=...``. Graphs outside the namespace are never touched (other data may share the
store), and nothing is pruned when a graph of the release itself lies outside it (a release built
with another base URI). ``dry_run`` changes nothing: it says what would be stored and removed.

Transient failures (connection errors, timeouts, 408, 425, 429, 5xx) are retried with exponential
back-off (``Retry-After`` is honoured, up to a limit); any other answer fails at once with a
message naming the graph, the status and the start of the server's reply. Credentials may be given
in the URL (``https://user:password@host/store``, sent as HTTP basic auth) and are never printed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

TRANSIENT_STATUS = {408, 425, 429, 500, 502, 503, 504}
MAX_RETRY_AFTER = 60.0
LIST_GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g {} }"


class PushError(RuntimeError):
    """A graph could not be stored (the message names the graph, the store and the reason).
    ``transient``: the store was unreachable or busy, so trying again later may succeed."""

    def __init__(self, message: str, *, transient: bool = False):
        super().__init__(message)
        self.transient = transient

    def __reduce__(self):
        return (self.__class__, (str(self),), {"transient": self.transient})


@dataclass
class PushedGraph:
    graph: str
    file: str
    triples: int
    status: int
    attempts: int


@dataclass
class PushResult:
    store: str
    graphs: list[PushedGraph] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # graphs pruned (or, in a dry run, to prune)
    pruned: bool = False
    dry_run: bool = False

    @property
    def triples(self) -> int:
        return sum(g.triples for g in self.graphs)

    def summary(self) -> str:
        would = "would have " if self.dry_run else ""
        text = f"{would}pushed {len(self.graphs)} named graphs ({self.triples} triples) to {self.store}"
        if self.pruned:
            text += (f"; {would}removed {len(self.removed)} graphs the release does not have"
                     + (": " + ", ".join(self.removed) if self.removed else ""))
        return text + (" (dry run: nothing was changed)" if self.dry_run else "")


def redact(url: str) -> str:
    """The URL without its credentials, for messages."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def graph_payloads(graph_dir: Path) -> list[tuple[str, str, bytes, int]]:
    """(graph IRI, file name, N-Triples body, triple count) per named graph in ``graph_dir/graphs/*.nq``
    (or ``graph_dir/*.nq`` when given the ``graphs`` folder itself), in file-name order."""
    import pyoxigraph as ox

    graph_dir = Path(graph_dir)
    folder = graph_dir / "graphs" if (graph_dir / "graphs").is_dir() else graph_dir
    files = sorted(folder.glob("*.nq"))
    if not files:
        raise PushError(f"no named graphs (*.nq) in {folder}; build the graph first (gdigraph run)")
    out = []
    for path in files:
        by_graph: dict[str, list] = {}
        try:
            for q in ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS):
                if isinstance(q.graph_name, ox.DefaultGraph):
                    raise PushError(f"{path.name}: a triple in the default graph ({q.triple}); every triple of a "
                                    "release belongs to a named graph")
                by_graph.setdefault(q.graph_name.value, []).append(q.triple)
        except SyntaxError as e:
            raise PushError(f"{path}: not valid N-Quads: {e}") from None
        if not by_graph:
            continue  # an empty graph file: nothing to say about that graph
        for iri, triples in sorted(by_graph.items()):
            body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
            out.append((iri, path.name, body, len(triples)))
    names = [iri for iri, *_ in out]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise PushError(f"graph {dupes[0]} is spread over several files of {folder}; one file per graph")
    return out


def _retry_after(response: httpx.Response | None, default: float) -> float:
    if response is None:
        return default
    value = response.headers.get("retry-after", "")
    try:
        return min(max(float(value), 0.0), MAX_RETRY_AFTER)
    except ValueError:
        return default


def _send(client: httpx.Client, method: str, url: str, *, refused: str, failed: str, retries: int,
          backoff: float, ok: tuple[int, ...] = (200, 201, 204), hints: dict[int, str] | None = None,
          **kwargs) -> tuple[httpx.Response, int]:
    """One request, retrying transient failures; (response, attempts) or a ``PushError`` that says
    ``{url} {refused}: HTTP ...`` or ``{failed} after N attempts: ...``."""
    attempt = 0
    while True:
        attempt += 1
        response = None
        try:
            response = client.request(method, url, **kwargs)
            if response.status_code in ok:
                return response, attempt
            if response.status_code not in TRANSIENT_STATUS:
                raise PushError(
                    f"{redact(url)} {refused}: HTTP {response.status_code} {response.reason_phrase}"
                    + _reply(response) + (HINTS if hints is None else hints).get(response.status_code, ""))
            problem = f"HTTP {response.status_code} {response.reason_phrase}" + _reply(response)
        except httpx.TransportError as e:
            problem = f"{type(e).__name__}: {e}" if str(e) else type(e).__name__
        if attempt > retries:
            raise PushError(f"{failed} after {attempt} attempts: {problem}", transient=True)
        time.sleep(_retry_after(response, backoff * 2 ** (attempt - 1)))


def put_graph(client: httpx.Client, store: str, graph: str, body: bytes, *, retries: int = 3,
              backoff: float = 1.0, label: str = "") -> tuple[int, int]:
    """PUT one graph; returns (HTTP status, attempts). Retries transient failures."""
    what = label or graph
    response, attempts = _send(client, "PUT", store, params={"graph": graph}, content=body,
                               headers={"Content-Type": "application/n-triples"}, retries=retries, backoff=backoff,
                               refused=f"refused graph {what}", failed=f"could not store graph {what} in {redact(store)}")
    return response.status_code, attempts


def delete_graph(client: httpx.Client, store: str, graph: str, *, retries: int = 3,
                 backoff: float = 1.0) -> tuple[int, int]:
    """DELETE one graph (a graph that is gone already is fine); (HTTP status, attempts)."""
    response, attempts = _send(client, "DELETE", store, params={"graph": graph}, ok=(200, 202, 204, 404),
                               retries=retries, backoff=backoff, refused=f"refused to remove graph {graph}",
                               failed=f"could not remove graph {graph} from {redact(store)}")
    return response.status_code, attempts


def list_graphs(client: httpx.Client, query_endpoint: str, *, retries: int = 3, backoff: float = 1.0,
                auth: httpx.Auth | None = None) -> list[str]:
    """The named graphs of a store (IRIs), from its SPARQL query endpoint."""
    extra = {"auth": auth} if auth is not None else {}
    response, _ = _send(client, "POST", query_endpoint, data={"query": LIST_GRAPHS},
                        headers={"Accept": "application/sparql-results+json"}, retries=retries, backoff=backoff,
                        refused="refused the query for its named graphs",
                        failed=f"could not list the named graphs of {redact(query_endpoint)}",
                        hints={404: " (is this the SPARQL query endpoint? give it with --query-endpoint URL)",
                               405: " (is this the SPARQL query endpoint? give it with --query-endpoint URL)"},
                        **extra)
    try:
        bindings = response.json()["results"]["bindings"]
        return sorted({b["g"]["value"] for b in bindings if b.get("g", {}).get("type") == "uri"})
    except (ValueError, KeyError, TypeError):
        raise PushError(f"{redact(query_endpoint)} did not answer the query for its named graphs with SPARQL JSON "
                        f"results{_reply(response)}") from None


def query_endpoint_for(store: str) -> str | None:
    """The SPARQL query endpoint beside a Graph Store Protocol endpoint, where the layout is known."""
    parts = urlsplit(store)
    path = parts.path.rstrip("/")
    for suffix, replacement in (("/store", "/query"), ("/rdf-graphs/service", ""), ("/data", "/query")):
        if path.endswith(suffix):
            return urlunsplit((parts.scheme, parts.netloc, path[: -len(suffix)] + replacement, "", ""))
    return None


def _split_auth(url: str) -> tuple[str, httpx.BasicAuth | None]:
    """The URL without credentials, and the credentials as HTTP basic auth."""
    from urllib.parse import unquote

    parts = urlsplit(url)
    if parts.username is None:
        return url, None
    return redact(url), httpx.BasicAuth(unquote(parts.username), unquote(parts.password or ""))


def _reply(response: httpx.Response) -> str:
    text = " ".join(response.text.split())[:300]
    return f": {text}" if text else ""


HINTS = {
    401: " (the store wants credentials: put them in the URL, https://user:password@host/...)",
    403: " (the store does not allow writing here; is it a read-only endpoint?)",
    404: " (is this the Graph Store Protocol endpoint? Oxigraph: http://host:7878/store; "
         "Fuseki: http://host:3030/DATASET/data)",
    405: " (this URL does not accept PUT: give the Graph Store Protocol endpoint, not the SPARQL query endpoint)",
    415: " (the store does not accept N-Triples here)",
}


def push(graph_dir: Path, store: str, *, retries: int = 3, backoff: float = 1.0, timeout: float = 120.0,
         client: httpx.Client | None = None, log=None, prune: bool = False, namespace: str | None = None,
         query_endpoint: str | None = None, dry_run: bool = False) -> PushResult:
    """Upload every named graph of ``graph_dir`` to the Graph Store Protocol endpoint ``store``; with
    ``prune``, then remove the store's graphs under ``namespace`` that ``graph_dir`` does not have."""
    parts = urlsplit(store)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PushError(f"not an http(s) URL of a Graph Store Protocol endpoint: {redact(store)!r}")
    payloads = graph_payloads(graph_dir)
    query_url = query_auth = None
    if prune:  # everything pruning needs is checked before anything is sent
        if not namespace:
            raise PushError("pruning needs the namespace of the release's graphs ({base}/graph/)")
        outside = [iri for iri, *_ in payloads if not iri.startswith(namespace)]
        if outside:
            raise PushError(f"graph {outside[0]} of the release is not under {namespace}: the release was built "
                            "with another base URI than the one in force (GDIGRAPH_BASE_URI); not pruning")
        query = query_endpoint or query_endpoint_for(store)
        if not query:
            raise PushError(f"cannot tell the SPARQL query endpoint of {redact(store)}; give it (--query-endpoint URL)")
        query_url, query_auth = _split_auth(query)
    url, auth = _split_auth(store)
    own = client is None
    client = client or httpx.Client(timeout=timeout, auth=auth, follow_redirects=False)
    result = PushResult(redact(store), pruned=prune, dry_run=dry_run)
    try:
        for iri, name, body, n in payloads:
            if dry_run:
                result.graphs.append(PushedGraph(iri, name, n, 0, 0))
                if log:
                    log(f"would store {iri}: {n} triples")
                continue
            status, attempts = put_graph(client, url, iri, body, retries=retries, backoff=backoff,
                                         label=f"{iri} ({name})")
            result.graphs.append(PushedGraph(iri, name, n, status, attempts))
            if log:
                log(f"stored {iri}: {n} triples (HTTP {status}"
                    + (f", {attempts} attempts)" if attempts > 1 else ")"))
        if prune:
            keep = {iri for iri, *_ in payloads}
            present = list_graphs(client, query_url, retries=retries, backoff=backoff, auth=query_auth)
            for graph in (g for g in present if g.startswith(namespace) and g not in keep):
                if not dry_run:
                    delete_graph(client, url, graph, retries=retries, backoff=backoff)
                result.removed.append(graph)
                if log:
                    log(f"{'would remove' if dry_run else 'removed'} {graph}: not in the release")
    finally:
        if own:
            client.close()
    return result
