"""Catalogue: manual changes to module versions start a recomputation of every status."""
