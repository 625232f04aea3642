"""Check an engine's answer and write it in the negotiated format.

The engine is asked for formats whose syntax shows a cut (SPARQL JSON/XML results; N-Triples), and the
answer is parsed completely with pyoxigraph before anything is sent to the client: a truncated or
broken answer (Oxigraph appends its error text in-band to a 200 stream) becomes ``InvalidResult``
(502), never a 200. While parsing, rows (solutions, or triples for CONSTRUCT/DESCRIBE) are counted;
more than the limit is ``TooManyResults`` (422). Then the answer is written with pyoxigraph's
serialisers in the media type the client negotiated (the engine's bytes are passed on unchanged when
the formats are the same).
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from .conneg import CSV, JSONLD, NQUADS, NTRIPLES, RDFXML, SPARQL_JSON, SPARQL_XML, TSV, TURTLE, Offer

RESULT_OFFERS: tuple[Offer, ...] = (SPARQL_JSON, SPARQL_XML, CSV, TSV)
GRAPH_OFFERS: tuple[Offer, ...] = (TURTLE, JSONLD, NTRIPLES, NQUADS, RDFXML)

_RESULT_FORMATS = {
    SPARQL_JSON.media_type: ox.QueryResultsFormat.JSON,
    SPARQL_XML.media_type: ox.QueryResultsFormat.XML,
    CSV.media_type: ox.QueryResultsFormat.CSV,
    TSV.media_type: ox.QueryResultsFormat.TSV,
}
_RDF_FORMATS = {
    TURTLE.media_type: ox.RdfFormat.TURTLE,
    JSONLD.media_type: ox.RdfFormat.JSON_LD,
    NTRIPLES.media_type: ox.RdfFormat.N_TRIPLES,
    NQUADS.media_type: ox.RdfFormat.N_QUADS,
    RDFXML.media_type: ox.RdfFormat.RDF_XML,
}


class ResultError(Exception):
    status = 502

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class TooManyResults(ResultError):
    status = 422


class InvalidResult(ResultError):
    status = 502


@dataclass
class Result:
    body: bytes
    offer: Offer
    kind: str  # "solutions", "boolean" or "graph"
    rows: int | None


def _results_format(media_type: str):
    fmt = _RESULT_FORMATS.get(media_type)
    if fmt is None:
        fmt = ox.QueryResultsFormat.from_media_type(media_type)
    return fmt


def _rdf_format(media_type: str):
    fmt = _RDF_FORMATS.get(media_type)
    if fmt is None:
        fmt = ox.RdfFormat.from_media_type(media_type)
    return fmt


def is_graph_media_type(media_type: str) -> bool:
    return _rdf_format(media_type) is not None


def _tail(body: bytes) -> str:
    text = body[-300:].decode("utf-8", "replace").strip()
    return text.rsplit("\n", 1)[-1][-200:] if text else ""


def _broken(error: str, body: bytes) -> InvalidResult:
    return InvalidResult(f"The query engine's answer is incomplete or broken ({error}); it said: {_tail(body)!r}.")


def _too_many(limit: int, what: str) -> TooManyResults:
    return TooManyResults(
        f"The result has more than {limit} {what}, the most this endpoint answers. "
        f"Add a LIMIT (at most LIMIT {limit}) and page through the result with OFFSET, "
        "or use COUNT to learn how big it is."
    )


def transcode(
    engine_media_type: str,
    body: bytes,
    target: Offer,
    limit: int,
    prefixes: dict[str, str] | None = None,
    *,
    graph: bool | None = None,
) -> Result:
    """Validate the engine's ``body`` completely, count its rows and write it as ``target``.

    ``graph``: whether the query was a CONSTRUCT/DESCRIBE (known from the query text); it settles
    ambiguous media types (``application/json`` is SPARQL JSON results or JSON-LD, ``application/xml``
    SPARQL XML results or RDF/XML). ``None``: guess from the media type.
    """
    if graph is None:
        graph = engine_media_type not in _RESULT_FORMATS and is_graph_media_type(engine_media_type)
    if graph:
        return _graph(engine_media_type, body, target, limit, prefixes or {})
    fmt = _results_format(engine_media_type)
    if fmt is None or fmt == ox.QueryResultsFormat.CSV:
        raise InvalidResult(f"The query engine answered in a format that cannot be read back: {engine_media_type!r}.")
    # pyoxigraph's parsers may only be dropped on the thread that made them (this runs in a worker
    # thread; an exception's traceback would carry them to the event loop): so no exception leaves
    # while a parser is alive.
    parsed = error = None
    kind, rows = "solutions", 0
    try:
        parsed = ox.parse_query_results(body, fmt)
        if isinstance(parsed, ox.QueryBoolean):
            kind, rows = "boolean", None
        else:
            rows = _count(parsed, limit)
    except SyntaxError as e:
        error = str(e)  # the exception (and the frames holding the parser) die here, in this thread
    finally:
        parsed = None
    if error is not None:
        raise _broken(error, body)
    if rows is not None and rows > limit:
        raise _too_many(limit, "rows")
    out_fmt = _RESULT_FORMATS.get(target.media_type)
    if out_fmt is None:
        raise InvalidResult(f"A {kind} result cannot be written as {target.media_type}.")
    if out_fmt == fmt:
        return Result(body, target, kind, rows)
    return Result(ox.parse_query_results(body, fmt).serialize(format=out_fmt), target, kind, rows)


def _graph(engine_media_type: str, body: bytes, target: Offer, limit: int, prefixes: dict[str, str]) -> Result:
    fmt = _rdf_format(engine_media_type)
    if fmt is None:
        raise InvalidResult(f"The query engine answered a graph in a format that cannot be read: {engine_media_type!r}.")
    triples = []
    parser = error = None
    try:
        parser = ox.parse(body, fmt)
        triples = _triples(parser, limit)
    except SyntaxError as e:
        error = str(e)
    finally:
        parser = None
    if error is not None:
        raise _broken(error, body)
    if len(triples) > limit:
        raise _too_many(limit, "triples")
    out_fmt = _RDF_FORMATS.get(target.media_type)
    if out_fmt is None:
        raise InvalidResult(f"A graph result cannot be written as {target.media_type}.")
    if out_fmt == fmt:
        return Result(body, target, "graph", len(triples))
    if out_fmt == ox.RdfFormat.N_QUADS:
        data = ox.serialize([ox.Quad(t.subject, t.predicate, t.object) for t in triples], format=out_fmt)
    elif out_fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML):
        data = ox.serialize(triples, format=out_fmt, prefixes=_usable_prefixes(prefixes))
    else:
        data = ox.serialize(triples, format=out_fmt)
    return Result(data or b"", target, "graph", len(triples))


def _count(solutions, limit: int) -> int:
    """Rows, counting no further than ``limit + 1``."""
    n = 0
    for _ in solutions:
        n += 1
        if n > limit:
            break
    return n


def _triples(parser, limit: int) -> list:
    """At most ``limit + 1`` triples."""
    out = []
    for quad in parser:
        out.append(quad.triple)
        if len(out) > limit:
            break
    return out


def _usable_prefixes(prefixes: dict[str, str]) -> dict[str, str]:
    """Prefixes the serialisers accept (absolute IRIs)."""
    out = {}
    for name, iri in prefixes.items():
        if ":" in iri:
            out[name] = iri
    return out
