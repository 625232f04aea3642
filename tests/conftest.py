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


@pytest.fixture(scope="session")
def prefect_harness(tmp_path_factory):
    """ONE temporary Prefect API server for the whole session (prefect_test_harness), with its own
    PREFECT_HOME. Its first start migrates a new SQLite database, which can take over a minute on a
    slow machine: hence the generous start-up timeout. Telemetry is off (no network in CI)."""
    import os

    from prefect.settings import (PREFECT_HOME, PREFECT_SERVER_ANALYTICS_ENABLED,
                                  PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS, temporary_settings)
    from prefect.testing.utilities import prefect_test_harness

    home = tmp_path_factory.mktemp("prefect-home")
    env = {"PREFECT_HOME": str(home), "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)  # for the server subprocess
    try:
        with temporary_settings(updates={PREFECT_HOME: home, PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS: 180,
                                         PREFECT_SERVER_ANALYTICS_ENABLED: False}):
            with prefect_test_harness(server_startup_timeout=180):
                yield home
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
