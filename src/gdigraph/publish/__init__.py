"""Publishing: trend tables (CSV + CSVW, XLSX), charts (SVG, PNG) and their index.

``trends`` reads the harmonised series (``build/series.csv``) into pandas and computes the
per-facility trend tables; ``csvw`` writes and checks the CSVW metadata and converts a table to RDF;
``charts`` draws the series; ``workbook`` writes the XLSX; ``terminal`` formats a table for the CLI;
``write_trends`` (in ``trends``) writes everything into ``build/trends/``.
"""
