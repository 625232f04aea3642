"""gdigraph: the knowledge graph of the Dutch Generic Digital Infrastructure (GDI)."""

__version__ = "0.1.0"
