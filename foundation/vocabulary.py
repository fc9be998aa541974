"""The words modwatch uses for its data, defined once.

Request schemas, the Polars transforms and the database's CHECK constraints
all take their lists from here, so a new status or event type is added in one
place and nothing retypes a list.
"""

from enum import StrEnum
from typing import Literal, get_args


class Status(StrEnum):
    """Update status of an installed project, as Drupal's Update Status names them."""

    NOT_SECURE = "NOT_SECURE"
    REVOKED = "REVOKED"
    NOT_SUPPORTED = "NOT_SUPPORTED"
    NOT_CURRENT = "NOT_CURRENT"
    CURRENT = "CURRENT"
    NOT_CHECKED = "NOT_CHECKED"
    UNKNOWN = "UNKNOWN"
    NOT_FETCHED = "NOT_FETCHED"


# Statuses that put a site module "in trouble" on the security report (with `known_vulnerable`).
TROUBLE_STATUSES: tuple[Status, ...] = (Status.NOT_SECURE, Status.REVOKED)

ModuleType = Literal["core", "contrib", "custom"]
MODULE_TYPES: tuple[str, ...] = get_args(ModuleType)

EventType = Literal["added", "removed", "version_changed", "enabled", "disabled"]
EVENT_TYPES: tuple[str, ...] = get_args(EventType)

TaskState = Literal["pending", "in_progress", "completed", "failed"]
TASK_STATES: tuple[str, ...] = get_args(TaskState)

SyncType = Literal["full", "partial"]
SYNC_TYPES: tuple[str, ...] = get_args(SyncType)

# Which drupal.org release-history feed a site's projects are judged by:
# `current` for Drupal 8 and later, `7.x` for Drupal 7.
FeedApi = Literal["current", "7.x"]
FEED_APIS: tuple[str, ...] = get_args(FeedApi)

FetchState = Literal["pending", "ok", "not_found", "failed"]
FETCH_STATES: tuple[str, ...] = get_args(FetchState)

# Drupal machine names (modules, themes, projects): lower-case letters, digits, underscores.
MACHINE_NAME_PATTERN = r"^[a-z0-9_]{1,255}$"


def sql_in_list(values) -> str:
    """`('a', 'b')`: a value list for a CHECK constraint in a migration (values are our own constants)."""
    return "(" + ", ".join(f"'{value}'" for value in values) + ")"
