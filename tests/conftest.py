from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def project_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """The real pipeline (ingest + build) on the bundled sources, into a temporary build directory.
    Returns (settings, BuildResult); the store is at settings.build_dir / 'store'."""
    from gdigraph.graph.build import build
    from gdigraph.ingest import extract_all
    from gdigraph.settings import Settings

    out = tmp_path_factory.mktemp("build")
    settings = Settings(build_dir=out)
    extract_all(settings.sources_dir, out)
    return settings, build(settings, out, out)


@pytest.fixture(scope="session")
def memory_store(built):
    """An in-memory Oxigraph store with the built N-Quads (tests query this, not the disk store)."""
    import pyoxigraph

    settings, result = built
    store = pyoxigraph.Store()
    store.bulk_load(path=str(result.graph_dir / "gdigraph.nq"), format=pyoxigraph.RdfFormat.N_QUADS)
    return store
