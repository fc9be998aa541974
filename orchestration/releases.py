"""Moved to `orchestration.pipeline.release_history` (this re-export goes at integration)."""
from orchestration.pipeline.release_history import store_feeds, wanted_feeds  # noqa: F401
