"""The bottom layer: settings, the shared vocabulary, where the database is, tokens.

Everything else may import from here; this package imports nothing of modwatch.
"""
