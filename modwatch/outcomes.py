"""One line on what a command's Dagster run did: what was fetched or loaded, what failed and why, by name.

The runs record their outcome as materialization metadata; a step that failed
records its error. Commands read both back from the in-process result, so the
line says the same as the run in the Dagster UI.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the command line imports this module for every command; Dagster only when a run is read
    import dagster as dg

NAMED_AT_MOST = 5


@dataclass
class RunOutcome:
    run_id: str
    success: bool
    metadata: dict[str, dict[str, Any]]  # step -> its materialization metadata, as plain values
    errors: dict[str, str]  # failed step -> why
    checks: list[dict] = field(default_factory=list)

    def step(self, name: str) -> dict[str, Any]:
        return self.metadata.get(name, {})

    def as_json(self) -> dict:
        return {"run_id": self.run_id, "success": self.success, "steps": self.metadata, "errors": self.errors,
                "checks": self.checks}


def innermost_message(error) -> str:
    """The user's own error, not Dagster's wrapping of it."""
    while error.cause is not None:
        error = error.cause
    if not error.message.strip():
        return error.cls_name
    last = error.message.strip().splitlines()[-1]
    kind, separator, message = last.partition(": ")
    return message if separator and kind.endswith(error.cls_name) else last


def run_outcome(result: dg.ExecuteInProcessResult) -> RunOutcome:
    metadata = {
        event.asset_key.to_user_string(): {key: value.value for key, value in event.materialization.metadata.items()}
        for event in result.get_asset_materialization_events()
    }
    errors = {event.step_key: innermost_message(event.step_failure_data.error)
              for event in result.get_step_failure_events() if event.step_failure_data.error}
    checks = [{"check": check.check_name, "passed": check.passed} for check in result.get_asset_check_evaluations()]
    return RunOutcome(result.run_id, result.success, metadata, errors, checks)


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """`1 site`, `2 sites`: a count with its noun in the right number."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def named(items: list[str]) -> str:
    shown = ", ".join(items[:NAMED_AT_MOST])
    return shown + (f" and {len(items) - NAMED_AT_MOST} more" if len(items) > NAMED_AT_MOST else "")


def failed_steps(outcome: RunOutcome) -> str:
    return "; ".join(f"{step} failed: {error}" for step, error in outcome.errors.items())


def releases_summary(outcome: RunOutcome) -> tuple[str, bool]:
    """The line for `releases refresh`, and whether it all worked (every asked feed fetched or absent)."""
    if "release_data" not in outcome.metadata:
        return f"release feeds not refreshed: {failed_steps(outcome) or 'the run failed'}", False
    feeds = outcome.step("release_data")
    failed = feeds.get("feeds_failed") or {}
    not_found = feeds.get("not_found") or []
    parts = [f"release feeds: {feeds.get('feeds_fetched', 0)} fetched"]
    if not_found:
        parts.append(f"{len(not_found)} without release data on drupal.org ({named(list(not_found))})")
    if failed:
        parts.append(f"{len(failed)} failed ({named([f'{feed}: {error}' for feed, error in failed.items()])})")
    if outcome.errors:
        parts.append(failed_steps(outcome))
    elif "portfolio_status" in outcome.metadata:
        parts.append("statuses recomputed")
    return "; ".join(parts), outcome.success and not failed


def osv_summary(outcome: RunOutcome) -> tuple[str, bool]:
    """The line for `advisories load` from the OSV database, and whether it loaded."""
    if outcome.errors.get("osv_advisories"):
        return f"advisories not loaded: {outcome.errors['osv_advisories']}", False
    loaded = outcome.step("osv_advisories")
    recomputed = outcome.step("advisory_statuses")
    line = (f"OSV advisories loaded: {loaded.get('advisories')} ({loaded.get('added', 0)} added, "
            f"{loaded.get('changed', 0)} changed, {loaded.get('removed', 0)} removed) from {loaded.get('source')}")
    if outcome.errors:
        return f"{line}; {failed_steps(outcome)}", False
    return (f"{line}; {counted(len(recomputed.get('projects') or []), 'project')} recomputed, "
            f"{counted(recomputed.get('site_modules_changed', 0), 'site module')} changed"), outcome.success


def advisories_summary(outcome: RunOutcome) -> tuple[str, bool]:
    """The line for `advisories load`, and whether advisories were loaded."""
    if "osv_advisories" in outcome.metadata or "osv_advisories" in outcome.errors:
        return osv_summary(outcome)
    loaded = outcome.step("security_advisories")
    if outcome.errors.get("security_advisories"):
        return f"advisories not loaded: {outcome.errors['security_advisories']}", False
    if not loaded.get("loaded"):
        return ("advisories not loaded: no source given (pass a URL or FILE, or set MODWATCH_ADVISORIES_URL)",
                False)
    line = (f"advisories loaded: {counted(loaded.get('packages') or 0, 'package')} ({loaded.get('feed_api')}) "
            f"from {loaded.get('source')}")
    if outcome.errors:
        return f"{line}; {failed_steps(outcome)}", False
    return f"{line}; statuses recomputed", outcome.success
