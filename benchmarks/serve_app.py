"""The gdigraph application (``gdigraph.serve.app.create_app``) under uvicorn on 127.0.0.1.

Used by the benchmarks only while the command line has no ``gdigraph serve``:
``python -m benchmarks.serve_app STORE PORT`` (the build directory is the store's parent).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    store, port = Path(argv[0]), int(argv[1])
    os.environ.setdefault("GDIGRAPH_BUILD_DIR", str(store.parent))
    import uvicorn

    from gdigraph.settings import get_settings

    settings = get_settings()
    try:
        from gdigraph.serve.app import create_app

        app = create_app(settings, store)
    except ImportError:  # an older tree: the SPARQL endpoint alone
        from gdigraph.serve import create_sparql_app, open_engine

        app = create_sparql_app(settings, open_engine(settings, store))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
