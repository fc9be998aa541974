"""Release data: which drupal.org feeds to fetch, and storing what they said, set-based.

All projects and all releases of a batch of feeds are COPYed into stages and
stored with one statement per table, in one transaction.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

import polars as pl
import psycopg

from sql.frames import copy_frame
from sql.query import Query, Script, Statement

# The columns of the stages (stage.sql), in their order.
PROJECT_COLUMNS = ["name", "feed_api", "title", "project_status", "link", "supported_branches",
                   "supported_majors", "recommended_major", "default_major", "fetch_state", "fetch_error", "etag",
                   "last_modified"]
RELEASE_COLUMNS = ["project", "feed_api", "version", "status", "released_at", "release_types",
                   "is_security_update", "is_insecure", "is_unsupported", "core_compatibility",
                   "release_link", "major", "minor", "patch", "extra", "sort_key"]


class WantedFeed(NamedTuple):
    """A feed to fetch, with the validators of the data held for a conditional GET."""

    project: str
    feed_api: str
    etag: str | None
    last_modified: str | None


STAGE = Script.of(__file__, "stage")
UPSERT_PROJECTS = Statement.of(__file__, "upsert_projects")
CLEAR = Statement.of(__file__, "clear")
INSERT = Statement.of(__file__, "insert")
TOUCH = Statement.of(__file__, "touch")
WANTED = Query.of(__file__, "wanted", row=WantedFeed)


def wanted(conn, *, site_ids: Sequence[int] | None = None, projects: Sequence[str] | None = None,
           new_only: bool = False, older_than: datetime | None = None):
    """The feeds of projects present sites use (`WantedFeed`s), of every site or only `site_ids`: all, only
    `projects`, only those never fetched (`new_only`), or only those fetched before `older_than`."""
    return WANTED.all(conn, site_ids=None if site_ids is None else list(site_ids),
                      projects=None if projects is None else list(projects), new_only=new_only,
                      older_than=older_than)


def store(conn: psycopg.Connection, *, projects: pl.DataFrame, releases: pl.DataFrame | None,
          unchanged: Sequence[tuple[str, str]]) -> None:
    """Record a batch of fetches in one transaction: `projects` (one row per fetched feed, PROJECT_COLUMNS),
    the `releases` of the feeds fetched afresh (RELEASE_COLUMNS), and the (project, feed_api) of the
    feeds answered "not modified", whose data stays as it is."""
    with conn.transaction():
        STAGE(conn)
        copy_frame(conn, "stage_projects", projects.select(PROJECT_COLUMNS))
        if releases is not None:
            copy_frame(conn, "stage_releases", releases.select(RELEASE_COLUMNS))
        UPSERT_PROJECTS(conn)
        CLEAR(conn)
        INSERT(conn)
        if unchanged:
            TOUCH(conn, projects=[project for project, _ in unchanged],
                  feed_apis=[feed_api for _, feed_api in unchanged])
