"""The one settings object of gdigraph.

Every setting can be given as an environment variable (``GDIGRAPH_<NAME>``); the defaults make a
fresh clone work with no configuration at all. ``gdigraph settings`` prints the values in force.

| variable | default | meaning |
|---|---|---|
| ``GDIGRAPH_BASE_URI`` | ``https://gdigraph.nl`` | base of every URI minted (``{base}/id/{type}/{code}``) |
| ``GDIGRAPH_DATA_DIR`` | ``<project>/data`` | the inputs: sources, code lists, reference data (never written) |
| ``GDIGRAPH_ONTOLOGY_DIR`` | ``<project>/ontology`` | ontology and SHACL shapes |
| ``GDIGRAPH_BUILD_DIR`` | ``<project>/build`` | everything a run produces |
| ``GDIGRAPH_SPARQL_ENDPOINT`` | empty | an external SPARQL 1.1 endpoint; empty: the embedded Oxigraph store |
| ``GDIGRAPH_QUERY_TIMEOUT`` | ``10`` | seconds a SPARQL query may run before it is stopped |
| ``GDIGRAPH_RESULT_LIMIT`` | ``10000`` | maximum number of result rows answered |
| ``GDIGRAPH_QUERY_WORKERS`` | ``2`` | number of query worker processes |
| ``GDIGRAPH_MAX_QUERY_BYTES`` | ``65536`` | largest accepted query text |
| ``GDIGRAPH_QUERY_QUEUE`` | ``8`` | queries that may wait for a free query worker; beyond that: 503 + ``Retry-After`` |
| ``GDIGRAPH_MAX_RESULT_BYTES`` | ``67108864`` | largest result (bytes) read from the query engine before the query is stopped |
| ``GDIGRAPH_MAX_URL_BYTES`` | ``8192`` | longest accepted request target (path + query string) on every route; beyond: 414 |
| ``GDIGRAPH_UNION_DEFAULT_GRAPH`` | ``true`` | embedded store: the default graph of a query is the union of all named graphs |
| ``GDIGRAPH_ALLOW_SERVICE`` | ``false`` | allow SPARQL ``SERVICE`` (federated queries make the server fetch other URLs) |
| ``GDIGRAPH_SPARQL_CACHE_SECONDS`` | ``300`` | ``Cache-Control: max-age`` of successful ``GET /sparql`` answers |
| ``GDIGRAPH_ENGINE_START_TIMEOUT`` | ``30`` | seconds an embedded Oxigraph query worker may take to start |
| ``GDIGRAPH_RELEASE_CHECK_SECONDS`` | ``5`` | ``gdigraph serve`` on ``build/current``: how often it checks whether the link was switched to a new release (and then switches to it, ``gdigraph.serve.follow``); ``0``: serve the release of the start until stopped |
| ``GDIGRAPH_QUERIES_DIR`` | ``<project>/queries`` | example queries (``*.rq``) shown on the query page |
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _env(name: str, default: str) -> str:
    return os.environ.get(f"GDIGRAPH_{name}", default)


def _env_bool(name: str, default: bool) -> bool:
    value = _env(name, "true" if default else "false").strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"GDIGRAPH_{name} must be true or false, not {value!r}")


@dataclass(frozen=True)
class Settings:
    base_uri: str = field(default_factory=lambda: _env("BASE_URI", "https://gdigraph.nl").rstrip("/"))
    data_dir: Path = field(default_factory=lambda: Path(_env("DATA_DIR", str(PROJECT_ROOT / "data"))))
    ontology_dir: Path = field(
        default_factory=lambda: Path(_env("ONTOLOGY_DIR", str(PROJECT_ROOT / "ontology")))
    )
    build_dir: Path = field(default_factory=lambda: Path(_env("BUILD_DIR", str(PROJECT_ROOT / "build"))))
    sparql_endpoint: str = field(default_factory=lambda: _env("SPARQL_ENDPOINT", ""))
    query_timeout: float = field(default_factory=lambda: float(_env("QUERY_TIMEOUT", "10")))
    result_limit: int = field(default_factory=lambda: int(_env("RESULT_LIMIT", "10000")))
    query_workers: int = field(default_factory=lambda: int(_env("QUERY_WORKERS", "2")))
    max_query_bytes: int = field(default_factory=lambda: int(_env("MAX_QUERY_BYTES", "65536")))
    query_queue: int = field(default_factory=lambda: int(_env("QUERY_QUEUE", "8")))
    max_result_bytes: int = field(default_factory=lambda: int(_env("MAX_RESULT_BYTES", str(64 * 1024 * 1024))))
    max_url_bytes: int = field(default_factory=lambda: int(_env("MAX_URL_BYTES", "8192")))
    union_default_graph: bool = field(default_factory=lambda: _env_bool("UNION_DEFAULT_GRAPH", True))
    allow_service: bool = field(default_factory=lambda: _env_bool("ALLOW_SERVICE", False))
    sparql_cache_seconds: int = field(default_factory=lambda: int(_env("SPARQL_CACHE_SECONDS", "300")))
    engine_start_timeout: float = field(default_factory=lambda: float(_env("ENGINE_START_TIMEOUT", "30")))
    release_check_seconds: float = field(default_factory=lambda: float(_env("RELEASE_CHECK_SECONDS", "5")))
    queries_dir: Path = field(default_factory=lambda: Path(_env("QUERIES_DIR", str(PROJECT_ROOT / "queries"))))

    @property
    def sources_dir(self) -> Path:
        return self.data_dir / "sources"

    @property
    def codelists_dir(self) -> Path:
        return self.data_dir / "codelists"

    @property
    def reference_dir(self) -> Path:
        return self.data_dir / "reference"

    @property
    def current_dir(self) -> Path:
        """The published release (``build/current``, switched atomically by a run)."""
        return self.build_dir / "current"

    @property
    def store_dir(self) -> Path:
        """The Oxigraph store served by default: the published one, else the last build's."""
        published = self.current_dir / "store"
        return published if published.exists() else self.build_dir / "store"

    def with_(self, **changes) -> "Settings":
        return replace(self, **changes)

    def as_dict(self) -> dict[str, str]:
        return {f.name: str(getattr(self, f.name)) for f in fields(self)}


def get_settings() -> Settings:
    """Settings read from the environment now."""
    return Settings()
