"""Serving the graph: the query engine (``engine``), content negotiation (``conneg``) and the SPARQL 1.1
Protocol endpoint with its query page (``sparql``).

The main application::

    from gdigraph.serve import open_engine, sparql_routes

    engine = open_engine(settings, store_path)   # embedded Oxigraph pool, or GDIGRAPH_SPARQL_ENDPOINT

    @asynccontextmanager
    async def lifespan(app):
        async with engine:                       # starts the workers; kills them all on the way out
            yield

    app = Starlette(routes=[*sparql_routes(settings, engine), ...], lifespan=lifespan)
"""

from .conneg import Choice, Negotiator, NotAcceptable, Offer
from .engine import (
    Engine,
    EngineError,
    EngineResponse,
    EngineStartError,
    OxigraphPool,
    RemoteEndpoint,
    open_engine,
)
from .sparql import SparqlEndpoint, create_sparql_app, load_examples, sparql_routes

__all__ = [
    "Choice",
    "Negotiator",
    "NotAcceptable",
    "Offer",
    "Engine",
    "EngineError",
    "EngineResponse",
    "EngineStartError",
    "OxigraphPool",
    "RemoteEndpoint",
    "open_engine",
    "SparqlEndpoint",
    "create_sparql_app",
    "load_examples",
    "sparql_routes",
]
