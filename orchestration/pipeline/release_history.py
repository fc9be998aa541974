"""Release history: which feeds to fetch, and the fetched XML parsed and stored set-based.

Which feeds to fetch is one query; the fetched XML is parsed per feed
(`transforms.release_feed`), then all projects and all releases of the batch
are stored together (`sql/releases/`).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import polars as pl
import psycopg

from orchestration.pipeline.feeds import FeedRequest, FeedResponse
from sql import releases
from transforms.release_feed import FeedParseError, NoReleaseHistory, parse_release_feed

PROJECT_SCHEMA = {
    "name": pl.String, "feed_api": pl.String, "title": pl.String, "project_status": pl.String,
    "link": pl.String, "supported_branches": pl.List(pl.String), "supported_majors": pl.List(pl.String),
    "recommended_major": pl.Int64, "default_major": pl.Int64, "fetch_state": pl.String,
    "fetch_error": pl.String, "etag": pl.String, "last_modified": pl.String}


@dataclass
class StoredFeeds:
    fetched: int
    changed: list[tuple[str, str]]  # (project, feed_api) whose data changed
    failed: dict[str, str]  # "project (api)" -> error
    not_found: list[str]
    # "project (api)" -> why each <release> left out of a feed stored anyway was unreadable
    skipped_releases: dict[str, list[str]] = field(default_factory=dict)

    @property
    def skipped_count(self) -> int:
        return sum(len(reasons) for reasons in self.skipped_releases.values())

    def problems_table(self) -> str:
        """The failed feeds and the feeds with skipped releases, by name and why, as a Markdown table."""
        rows = [(feed, "fetch failed", error) for feed, error in sorted(self.failed.items())]
        rows += [(feed, f"{len(reasons)} release(s) skipped", "; ".join(reasons))
                 for feed, reasons in sorted(self.skipped_releases.items())]
        if not rows:
            return "Every feed fetched was read whole."
        return "\n".join(["| Feed | Problem | Why |", "| --- | --- | --- |",
                          *(f"| {_cell(feed)} | {problem} | {_cell(why)} |" for feed, problem, why in rows)])


def _cell(text: str | None) -> str:
    # An error text from a feed must not break the table it is shown in.
    return (text or "").replace("|", "\\|").replace("\n", " ")


def feed_name(project: str, feed_api: str) -> str:
    """How a feed is named wherever a person reads about it: "token (current)"."""
    return f"{project} ({feed_api})"


def wanted_feeds(conn: psycopg.Connection, *, site_ids: Sequence[int] | None = None,
                 projects: Sequence[str] | None = None, new_only: bool = False,
                 older_than: datetime | None = None) -> list[FeedRequest]:
    wanted = releases.wanted(conn, site_ids=site_ids, projects=projects, new_only=new_only, older_than=older_than)
    return [FeedRequest(feed.project, feed.feed_api, feed.etag, feed.last_modified) for feed in wanted]


def parse_responses(responses: list[FeedResponse]) -> tuple[list[dict], list[pl.DataFrame], list[FeedResponse],
                                                            dict[str, list[str]]]:
    """Project rows, releases frames, the feeds answered "not modified", and the skipped releases per feed."""
    projects, parsed_releases, unchanged = [], [], []
    skipped: dict[str, list[str]] = {}
    for response in responses:
        request = response.request
        row = {"name": request.project, "feed_api": request.feed_api, "title": None, "project_status": None,
               "link": None, "supported_branches": [], "supported_majors": [], "recommended_major": None,
               "default_major": None, "fetch_state": "failed",
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
                           supported_majors=list(project.supported_majors),
                           recommended_major=project.recommended_major, default_major=project.default_major,
                           fetch_state="ok", fetch_error=None)
                parsed_releases.append(feed.releases.with_columns(
                    pl.lit(request.project).alias("project"), pl.lit(request.feed_api).alias("feed_api")))
                if feed.skipped_reasons:
                    skipped[feed_name(request.project, request.feed_api)] = list(feed.skipped_reasons)
        elif response.outcome == "not_found":
            row.update(fetch_state="not_found")
        projects.append(row)
    return projects, parsed_releases, unchanged, skipped


def store_feeds(conn: psycopg.Connection, responses: list[FeedResponse]) -> StoredFeeds:
    projects, parsed_releases, unchanged, skipped = parse_responses(responses)
    release_frame = (
        pl.concat(parsed_releases, how="diagonal_relaxed").rename({"date": "released_at"})
        if parsed_releases else None
    )
    releases.store(conn, projects=pl.DataFrame(projects, schema=PROJECT_SCHEMA), releases=release_frame,
                   unchanged=[(r.request.project, r.request.feed_api) for r in unchanged])
    return StoredFeeds(
        fetched=len(responses),
        changed=[(p["name"], p["feed_api"]) for p in projects if p["fetch_state"] in ("ok", "not_found")],
        failed={feed_name(p["name"], p["feed_api"]): p["fetch_error"]
                for p in projects if p["fetch_state"] == "failed"},
        not_found=[p["name"] for p in projects if p["fetch_state"] == "not_found"],
        skipped_releases=skipped,
    )
