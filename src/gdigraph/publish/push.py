"""Push the named graphs to any triple store over the SPARQL 1.1 Graph Store HTTP Protocol.

Every named graph of a release (``graph/graphs/*.nq``, one file per graph) is sent with one
``PUT {store}?graph={graph IRI}`` and an N-Triples body: the protocol says a PUT *replaces* the
graph, so each graph is swapped in one request and a reader never sees it half loaded; the graphs
of the store that the release does not have are left alone. Works with Oxigraph
(``http://host:7878/store``), Apache Jena Fuseki (``http://host:3030/ds/data``), GraphDB
(``.../repositories/ID/rdf-graphs/service``) and any other Graph Store Protocol endpoint.

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

    @property
    def triples(self) -> int:
        return sum(g.triples for g in self.graphs)

    def summary(self) -> str:
        return f"pushed {len(self.graphs)} named graphs ({self.triples} triples) to {self.store}"


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


def put_graph(client: httpx.Client, store: str, graph: str, body: bytes, *, retries: int = 3,
              backoff: float = 1.0, label: str = "") -> tuple[int, int]:
    """PUT one graph; returns (HTTP status, attempts). Retries transient failures."""
    what = label or graph
    attempt = 0
    while True:
        attempt += 1
        response = None
        try:
            response = client.put(store, params={"graph": graph}, content=body,
                                  headers={"Content-Type": "application/n-triples"})
            if response.status_code in (200, 201, 204):
                return response.status_code, attempt
            if response.status_code not in TRANSIENT_STATUS:
                raise PushError(
                    f"{redact(store)} refused graph {what}: HTTP {response.status_code} {response.reason_phrase}"
                    + _reply(response) + _hint(response.status_code))
            problem = f"HTTP {response.status_code} {response.reason_phrase}" + _reply(response)
        except httpx.TransportError as e:
            problem = f"{type(e).__name__}: {e}" if str(e) else type(e).__name__
        if attempt > retries:
            raise PushError(f"could not store graph {what} in {redact(store)} after {attempt} attempts: {problem}",
                            transient=True)
        time.sleep(_retry_after(response, backoff * 2 ** (attempt - 1)))


def _reply(response: httpx.Response) -> str:
    text = " ".join(response.text.split())[:300]
    return f": {text}" if text else ""


def _hint(status: int) -> str:
    return {
        401: " (the store wants credentials: put them in the URL, https://user:password@host/...)",
        403: " (the store does not allow writing here; is it a read-only endpoint?)",
        404: " (is this the Graph Store Protocol endpoint? Oxigraph: http://host:7878/store; "
             "Fuseki: http://host:3030/DATASET/data)",
        405: " (this URL does not accept PUT: give the Graph Store Protocol endpoint, not the SPARQL query endpoint)",
        415: " (the store does not accept N-Triples here)",
    }.get(status, "")


def push(graph_dir: Path, store: str, *, retries: int = 3, backoff: float = 1.0, timeout: float = 120.0,
         client: httpx.Client | None = None, log=None) -> PushResult:
    """Upload every named graph of ``graph_dir`` to the Graph Store Protocol endpoint ``store``."""
    parts = urlsplit(store)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PushError(f"not an http(s) URL of a Graph Store Protocol endpoint: {redact(store)!r}")
    payloads = graph_payloads(graph_dir)
    auth = None
    url = store
    if parts.username is not None:
        from urllib.parse import unquote

        auth = httpx.BasicAuth(unquote(parts.username), unquote(parts.password or ""))
        url = redact(store)
    own = client is None
    client = client or httpx.Client(timeout=timeout, auth=auth, follow_redirects=False)
    result = PushResult(redact(store))
    try:
        for iri, name, body, n in payloads:
            status, attempts = put_graph(client, url, iri, body, retries=retries, backoff=backoff,
                                         label=f"{iri} ({name})")
            result.graphs.append(PushedGraph(iri, name, n, status, attempts))
            if log:
                log(f"stored {iri}: {n} triples (HTTP {status}"
                    + (f", {attempts} attempts)" if attempts > 1 else ")"))
    finally:
        if own:
            client.close()
    return result
