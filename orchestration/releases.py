"""Fetch release feeds for the projects sites use and store them set-based.

Which feeds to fetch is one query; the fetched XML is parsed per feed
(`transforms.release_feed`), then all projects and all releases of the batch
are COPYed into stages and stored with one statement per table.
"""

from dataclasses import dataclass
from datetime import datetime

import polars as pl
import psycopg

from orchestration.feeds import FeedRequest, FeedResponse
from orchestration.frames import copy_frame, pg_text_array
from sql import statement
from transforms.release_feed import FeedParseError, NoReleaseHistory, parse_release_feed

PROJECT_COLUMNS = ["name", "feed_api", "title", "project_status", "link", "supported_branches",
                   "supported_majors", "fetch_state", "fetch_error", "etag", "last_modified"]
RELEASE_COLUMNS = ["project", "feed_api", "version", "status", "released_at", "release_types",
                   "is_security_update", "is_insecure", "is_unsupported", "core_compatibility",
                   "release_link", "major", "minor", "patch", "extra", "sort_key"]


@dataclass
class StoredFeeds:
    fetched: int
    changed: list[tuple[str, str]]  # (project, feed_api) whose data changed
    failed: dict[str, str]  # "project (api)" -> error
    not_found: list[str]


def wanted_feeds(conn: psycopg.Connection, *, projects: list[str] | None = None, new_only: bool = False,
                 older_than: datetime | None = None) -> list[FeedRequest]:
    rows = conn.execute(statement("releases_wanted"), {
        "projects": projects, "new_only": new_only, "older_than": older_than}).fetchall()
    return [FeedRequest(r["project"], r["feed_api"], r["etag"], r["last_modified"]) for r in rows]


def parse_responses(responses: list[FeedResponse]) -> tuple[list[dict], list[pl.DataFrame], list[FeedResponse]]:
    projects, releases, unchanged = [], [], []
    for response in responses:
        request = response.request
        row = {"name": request.project, "feed_api": request.feed_api, "title": None, "project_status": None,
               "link": None, "supported_branches": [], "supported_majors": [], "fetch_state": "failed",
               "fetch_error": response.error, "etag": response.etag, "last_modified": response.last_modified}
        if response.outcome == "not_modified":
            unchanged.append(response)
            continue
        if response.outcome == "ok":
            try:
                feed = parse_release_feed(response.body)
            except NoReleaseHistory as missing:
                row.update(fetch_state="not_found", fetch_error=str(missing))
            except FeedParseError as broken:
                row.update(fetch_error=f"feed could not be parsed: {broken}")
            else:
                project = feed.project
                row.update(title=project.title, project_status=project.project_status, link=project.link,
                           supported_branches=list(project.supported_branches),
                           supported_majors=list(project.supported_majors), fetch_state="ok", fetch_error=None)
                releases.append(feed.releases.with_columns(
                    pl.lit(request.project).alias("project"), pl.lit(request.feed_api).alias("feed_api")))
        elif response.outcome == "not_found":
            row.update(fetch_state="not_found")
        projects.append(row)
    return projects, releases, unchanged


def store_feeds(conn: psycopg.Connection, responses: list[FeedResponse]) -> StoredFeeds:
    projects, releases, unchanged = parse_responses(responses)
    project_frame = pl.DataFrame(projects, schema={
        "name": pl.String, "feed_api": pl.String, "title": pl.String, "project_status": pl.String,
        "link": pl.String, "supported_branches": pl.List(pl.String), "supported_majors": pl.List(pl.String),
        "fetch_state": pl.String, "fetch_error": pl.String, "etag": pl.String, "last_modified": pl.String})
    release_frame = (
        pl.concat(releases, how="diagonal_relaxed").rename({"date": "released_at"}).select(RELEASE_COLUMNS)
        if releases else None
    )
    with conn.transaction():
        conn.execute(statement("releases_stage_create"))
        copy_frame(conn, "stage_projects", project_frame.with_columns(
            pg_text_array("supported_branches"), pg_text_array("supported_majors")).select(PROJECT_COLUMNS))
        if release_frame is not None:
            copy_frame(conn, "stage_releases", release_frame.with_columns(pg_text_array("release_types")))
        conn.execute(statement("releases_upsert_projects"))
        conn.execute(statement("releases_clear"))
        conn.execute(statement("releases_insert"))
        if unchanged:
            conn.execute(statement("releases_touch"), {
                "projects": [r.request.project for r in unchanged],
                "feed_apis": [r.request.feed_api for r in unchanged]})
    return StoredFeeds(
        fetched=len(responses),
        changed=[(p["name"], p["feed_api"]) for p in projects if p["fetch_state"] in ("ok", "not_found")],
        failed={f"{p['name']} ({p['feed_api']})": p["fetch_error"] for p in projects if p["fetch_state"] == "failed"},
        not_found=[p["name"] for p in projects if p["fetch_state"] == "not_found"],
    )


def sites_using(conn: psycopg.Connection, feeds: list[tuple[str, str]]) -> list[int]:
    if not feeds:
        return []
    rows = conn.execute(statement("releases_sites_using"), {
        "projects": [p for p, _ in feeds], "feed_apis": [a for _, a in feeds]}).fetchall()
    return [row["site_id"] for row in rows]
