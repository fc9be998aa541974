"""Moved to `orchestration.pipeline.advisories` (this re-export goes at integration)."""
from orchestration.pipeline.advisories import AdvisoriesError, load_advisories  # noqa: F401
