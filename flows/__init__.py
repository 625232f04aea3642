"""Prefect flows of gdigraph (see ``flows/monitor.py``); deployments are in ``deployments/prefect.yaml``."""
