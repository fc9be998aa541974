"""Moved to `orchestration.pipeline.process` (this re-export goes at integration)."""
from orchestration.pipeline.process import process_pending  # noqa: F401
