"""Demo data for `modwatch up --demo`: three sites and bundled release feeds."""

from modwatch.runtime import Runtime


def prepare_demo(env: Runtime) -> dict[str, str]:
    """Load the demo; returns environment overrides for the platform's processes."""
    return {}
