"""rdflib-endpoint serving the same N-Quads (the usual Python SPARQL endpoint), on 127.0.0.1 only.

``python -m benchmarks.rdflib_endpoint_app DATA.nq PORT``: loads the file into an rdflib
``Dataset(default_union=True)`` and serves it with ``rdflib_endpoint.SparqlEndpoint`` at ``/sparql``
under uvicorn.
"""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    import uvicorn
    from rdflib import Dataset
    from rdflib_endpoint import SparqlEndpoint

    data, port = argv[0], int(argv[1])
    ds = Dataset(default_union=True)
    ds.parse(data, format="nquads")
    app = SparqlEndpoint(graph=ds, path="/sparql", title="gdigraph benchmark (rdflib-endpoint)",
                         cors_enabled=False)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
