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
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _env(name: str, default: str) -> str:
    return os.environ.get(f"GDIGRAPH_{name}", default)


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

    @property
    def sources_dir(self) -> Path:
        return self.data_dir / "sources"

    @property
    def codelists_dir(self) -> Path:
        return self.data_dir / "codelists"

    @property
    def reference_dir(self) -> Path:
        return self.data_dir / "reference"

    def with_(self, **changes) -> "Settings":
        return replace(self, **changes)

    def as_dict(self) -> dict[str, str]:
        return {f.name: str(getattr(self, f.name)) for f in fields(self)}


def get_settings() -> Settings:
    """Settings read from the environment now."""
    return Settings()
