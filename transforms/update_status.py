"""Drupal Update Status for every installed site module at once.

This is Drupal core's ``update_calculate_project_update_status()``
(core/modules/update/update.compare.inc; the Drupal 7 variant for ``7.x``
feeds with ``supported_majors``, the Drupal 9.2+ variant for feeds with
``supported_branches``) rewritten as set operations: joins, group-bys and
``when/then`` chains over all installed rows, never a Python loop per module.

Drupal walks one feed in XML order (newest first, dev snapshots last in their
major) and stops at the installed release. Here every "first release in feed
order" becomes "highest ``sort_key``" and "before the installed release in the
feed" becomes "``sort_key`` greater than the installed one", so the answer no
longer depends on how a feed happens to be ordered.

Rules, in the order they decide (the first that applies wins):

1. ``module_type = custom`` -> UNKNOWN "custom code: no release data on
   drupal.org". Custom code has no feed; asking would only produce a 404.
2. No ``projects`` row for (project, feed_api) -> NOT_FETCHED "release data not
   fetched yet". The feed is queued but not in yet, like Drupal's FETCH_PENDING;
   saying UNKNOWN would claim drupal.org has nothing.
3. ``fetch_state = failed`` -> NOT_FETCHED "failed to get available update
   data" (Drupal's ``not-fetched`` project status; a failure with last good data
   keeps ``fetch_state = ok``).
4. ``fetch_state = not_found`` (404 or ``<error>`` feed) -> UNKNOWN "no release
   data on drupal.org" (Drupal: "No available releases found").
5. Project status: ``insecure`` -> NOT_SECURE, ``revoked``/``unpublished`` ->
   REVOKED, ``unsupported`` -> NOT_SUPPORTED. Drupal returns here: nothing about
   single releases matters once the whole project is flagged, so recommended,
   latest and the lists stay empty.
6. Installed version unparsable (``sort_key`` null) -> UNKNOWN "invalid
   version: X". Drupal checks this after the project status, so an insecure
   project still says NOT_SECURE whatever the version string.
7. The feed has no releases at all -> UNKNOWN "no available releases found".
8. Security updates exist (below) -> NOT_SECURE. Drupal: "If we found security
   updates, that always trumps any other status", including 9-11.
9. The installed release carries the ``Insecure`` term -> NOT_SECURE.
10. The installed release is ``unpublished`` -> REVOKED.
11. The installed release carries the ``Unsupported`` term -> NOT_SUPPORTED.
12. The installed version is outside the supported branches/majors ->
    NOT_SUPPORTED (9-11 are checked on the installed release after the branch,
    so in Drupal they overwrite it).
13. No recommended release (nothing eligible in the target major) -> UNKNOWN
    "no available releases found".
14. Dev snapshot (``is_dev``) without ``datestamp`` -> NOT_CHECKED "unknown
    release date". Dev snapshot with one -> CURRENT when ``datestamp + 100 s`` is
    later than the newer of (the latest release, the dev snapshot release) of
    the target major, else NOT_CURRENT. That is Drupal's ``latest_dev``: a
    newer build of the same dev branch is an update too. The 100 s absorb the
    gap between the .info datestamp and the tarball date.
15. Official release: CURRENT when the installed version string equals the
    recommended or the latest version, else NOT_CURRENT.

Which releases count ("eligible"): ``published``, not ``Insecure``, not
``Unsupported``, a parsable version, and — for ``supported_branches`` feeds —
inside a supported branch. Drupal skips the others before looking at them
(the installed release itself is still looked up for rules 9-11). Drupal 7
does not filter lower majors by ``supported_majors``, only higher ones
(for "also available"); that is kept.

Support and target major:

* ``supported_branches`` (non-empty) decides when present: the installed
  version is supported when it starts with one of them (string prefix, as
  drupal.org means it). Otherwise ``supported_majors`` (falling back to
  ``default_major`` when the projects frame has that column, as Drupal 7 does
  for old feeds). A project with neither is treated as Drupal 7 treats a
  "malformed" feed: stay on the installed major, no NOT_SUPPORTED, no filter.
* Target major = the installed major if supported, else the major of the
  first supported branch/major (in feed order) at or above the installed
  major, else the installed major. Never lower: Drupal has no downgrade path.
  (Drupal 9+ actually keeps the *last* supported branch in its loop and
  Drupal 7 uses ``recommended_major``; both then take ``max(installed,
  target)``. The SPEC asks for the first one at or above the installed major,
  which is what drupal.org's ordered branch list means.)

What is reported:

* ``latest_version``: newest eligible release of the target major, preferring
  real releases over the dev snapshot (feeds list the snapshot last, so
  Drupal's "first in feed" is never the snapshot unless it is alone).
* ``recommended_version``: newest eligible release of the target major without
  extra (no alpha/beta/rc/dev); if none, the latest. Drupal's "highest patch
  level that has a release without extra".
* ``also_available``: per higher major that is supported, its newest eligible
  release; newest first (feed order). Supported-ness is required by Drupal
  for these in both variants.
* ``security_updates``: eligible ``Security update`` releases of a major up to
  the target major that are newer than the installed version, newest first.
  For a dev snapshot, "newer" means: in the installed major/minor or above and
  dated at or after ``datestamp + 100 s`` (Drupal skips a release only when
  ``datestamp + 100 > date``); a snapshot without datestamp gets none (Drupal
  cannot know, so it does not guess).
* ``update_available``: status NOT_CURRENT, NOT_SECURE or NOT_SUPPORTED and
  something newer exists (recommended/latest/security update newer than the
  installed version, an also-available major, or for a dev snapshot a release
  dated after its build).
* ``security_update_available``: ``security_updates`` is not empty.

Statuses decided by rules 1-7 leave latest/recommended null and the lists
empty: Drupal stops there too. ``status_reason`` is set for every status except
CURRENT and an official release's NOT_CURRENT (``recommended_version`` says it
all there); a dev snapshot's NOT_CURRENT says a newer release or build exists,
since its version string looks the same as the newest build's.

Inputs are trusted to be unique per (project, feed_api) in ``projects``;
duplicate (project, feed_api, version) release rows are collapsed.

``now`` (optional) ignores releases dated after it: the status as it was at
that moment, which makes recomputation reproducible and lets tests pin time.
"""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl

from transforms.versions import matches_branch_expr

__all__ = [
    "CURRENT",
    "INSTALLED_COLUMNS",
    "NOT_CHECKED",
    "NOT_CURRENT",
    "NOT_FETCHED",
    "NOT_SECURE",
    "NOT_SUPPORTED",
    "PROJECTS_COLUMNS",
    "RELEASES_COLUMNS",
    "REVOKED",
    "STATUSES",
    "UNKNOWN",
    "UPDATE_STATUS_SCHEMA",
    "compute_update_status",
    "update_status_lazy",
]

NOT_SECURE = "NOT_SECURE"
REVOKED = "REVOKED"
NOT_SUPPORTED = "NOT_SUPPORTED"
NOT_CURRENT = "NOT_CURRENT"
CURRENT = "CURRENT"
NOT_CHECKED = "NOT_CHECKED"
UNKNOWN = "UNKNOWN"
NOT_FETCHED = "NOT_FETCHED"
STATUSES = (
    NOT_SECURE,
    REVOKED,
    NOT_SUPPORTED,
    NOT_CURRENT,
    CURRENT,
    NOT_CHECKED,
    UNKNOWN,
    NOT_FETCHED,
)
_NEEDS_UPDATE = (NOT_CURRENT, NOT_SECURE, NOT_SUPPORTED)

# Seconds between a dev snapshot's .info datestamp and its tarball date that
# still count as "the same build" (Drupal's leeway).
DEV_DATESTAMP_LEEWAY = 100

INSTALLED_COLUMNS = (
    "site_module_id",
    "project",
    "feed_api",
    "version",
    "major",
    "minor",
    "is_dev",
    "sort_key",
    "datestamp",
    "module_type",
)
PROJECTS_COLUMNS = (
    "project",
    "feed_api",
    "fetch_state",
    "project_status",
    "supported_branches",
    "supported_majors",
)
RELEASES_COLUMNS = (
    "project",
    "feed_api",
    "version",
    "status",
    "date",
    "is_security_update",
    "is_insecure",
    "is_unsupported",
    "major",
    "minor",
    "extra",
    "is_dev",
    "sort_key",
)

UPDATE_STATUS_SCHEMA = pl.Schema(
    {
        "site_module_id": pl.Int64,
        "status": pl.String,
        "status_reason": pl.String,
        "latest_version": pl.String,
        "recommended_version": pl.String,
        "also_available": pl.List(pl.String),
        "security_updates": pl.List(pl.String),
        "update_available": pl.Boolean,
        "security_update_available": pl.Boolean,
    }
)

_FEED = ("project", "feed_api")
# What the status of an installed row depends on; thousands of sites share
# these, so the work is done once per distinct combination.
_INSTALL_KEY = ("project", "feed_api", "version", "is_custom", "datestamp")
# What the security updates depend on (datestamp is null except for dev snapshots).
_SECURITY_KEY = ("project", "feed_api", "version", "datestamp")
_BRANCH_MAJOR = r"^(?:\d+\.x-)?(\d+)\."

Frame = pl.DataFrame | pl.LazyFrame


def compute_update_status(
    installed: Frame,
    projects: Frame,
    releases: Frame,
    *,
    now: datetime | None = None,
) -> pl.DataFrame:
    """One row per installed row (same order), schema UPDATE_STATUS_SCHEMA."""
    return update_status_lazy(installed, projects, releases, now=now).collect()


def update_status_lazy(
    installed: Frame,
    projects: Frame,
    releases: Frame,
    *,
    now: datetime | None = None,
) -> pl.LazyFrame:
    """The lazy plan behind :func:`compute_update_status`."""
    installed_rows = _installed(installed)
    installs = _distinct_installs(installed_rows)
    project_rows = _projects(projects)
    support = _support(project_rows)
    release_rows = _releases(releases, now)
    eligible = _eligible_releases(release_rows, project_rows, support)

    targets = _targets(installs, project_rows, support)
    by_major = _newest_by_major(eligible)
    also = _also_available(targets, eligible)
    security = _security_updates(targets, eligible)
    installed_release = release_rows.select(
        *_FEED,
        "version",
        installed_release_status=pl.col("status"),
        installed_release_insecure=pl.col("is_insecure"),
        installed_release_unsupported=pl.col("is_unsupported"),
    )
    release_counts = release_rows.group_by(_FEED).agg(release_count=pl.len())

    statuses = _decide(
        targets.join(installed_release, on=[*_FEED, "version"], how="left")
        .join(release_counts, on=_FEED, how="left")
        .join(by_major, on=[*_FEED, "target_major"], how="left")
        .join(also, on=[*_FEED, "target_major"], how="left")
        .join(security, on=list(_SECURITY_KEY), how="left", nulls_equal=True)
    )
    return (
        installed_rows.join(
            statuses, on=list(_INSTALL_KEY), how="left", nulls_equal=True, maintain_order="left"
        )
        .select(UPDATE_STATUS_SCHEMA.names())
        .cast(dict(UPDATE_STATUS_SCHEMA))
    )


def _lazy(frame: Frame) -> pl.LazyFrame:
    return frame.lazy() if isinstance(frame, pl.DataFrame) else frame


def _installed(installed: Frame) -> pl.LazyFrame:
    return _lazy(installed).select(
        "site_module_id",
        *_FEED,
        "version",
        pl.col("major").cast(pl.Int64),
        pl.col("minor").cast(pl.Int64),
        pl.col("is_dev").fill_null(False),
        pl.col("sort_key").cast(pl.Int64),
        is_custom=(pl.col("module_type") == "custom").fill_null(False),
        # Only a dev snapshot's datestamp matters; dropping the others lets
        # every site on the same official release share one computation.
        datestamp=pl.when(pl.col("is_dev")).then(pl.col("datestamp").cast(pl.Int64)),
    )


def _distinct_installs(installed_rows: pl.LazyFrame) -> pl.LazyFrame:
    # major/minor/is_dev/sort_key are functions of the version string, so any
    # row of a key carries the right ones. No row index as a key: a plan that is
    # evaluated twice may number the rows differently.
    return installed_rows.drop("site_module_id").unique(subset=list(_INSTALL_KEY), keep="any")


def _projects(projects: Frame) -> pl.LazyFrame:
    projects = _lazy(projects)
    supported_majors = pl.col("supported_majors").cast(pl.List(pl.Int64)).fill_null([])
    if "default_major" in projects.collect_schema().names():
        # Drupal 7: an old feed without supported_majors supports its default_major.
        supported_majors = (
            pl.when(supported_majors.list.len() == 0, pl.col("default_major").is_not_null())
            .then(pl.concat_list(pl.col("default_major").cast(pl.Int64)))
            .otherwise(supported_majors)
        )
    return projects.select(
        *_FEED,
        "fetch_state",
        "project_status",
        supported_branches=pl.col("supported_branches").cast(pl.List(pl.String)).fill_null([]),
        supported_majors=supported_majors,
    ).with_columns(
        has_support_rule=(pl.col("supported_branches").list.len() > 0)
        | (pl.col("supported_majors").list.len() > 0),
        uses_branches=pl.col("supported_branches").list.len() > 0,
    )


def _support(project_rows: pl.LazyFrame) -> pl.LazyFrame:
    """One row per supported branch (modern) or major (legacy), in feed order."""
    branches = (
        project_rows.filter(pl.col("uses_branches"))
        .select(
            *_FEED,
            support_prefix=pl.col("supported_branches"),
            support_index=pl.int_ranges(0, pl.col("supported_branches").list.len()),
        )
        .explode("support_prefix", "support_index")
        .with_columns(
            support_major=pl.col("support_prefix").str.extract(_BRANCH_MAJOR, 1).cast(pl.Int64)
        )
    )
    majors = (
        project_rows.filter(~pl.col("uses_branches"))
        .select(
            *_FEED,
            support_major=pl.col("supported_majors"),
            support_index=pl.int_ranges(0, pl.col("supported_majors").list.len()),
        )
        .explode("support_major", "support_index")
        .with_columns(support_prefix=pl.lit(None, pl.String))
    )
    columns = [*_FEED, "support_index", "support_prefix", "support_major"]
    return pl.concat([branches.select(columns), majors.select(columns)])


def _matches_support(version: pl.Expr, major: pl.Expr) -> pl.Expr:
    return (
        pl.when(pl.col("support_prefix").is_not_null())
        .then(matches_branch_expr(version, pl.col("support_prefix")))
        .otherwise(major == pl.col("support_major"))
        .fill_null(False)
    )


def _releases(releases: Frame, now: datetime | None) -> pl.LazyFrame:
    release_rows = _lazy(releases).select(
        *_FEED,
        "version",
        "status",
        "date",
        pl.col("is_security_update").fill_null(False),
        pl.col("is_insecure").fill_null(False),
        pl.col("is_unsupported").fill_null(False),
        pl.col("major").cast(pl.Int64),
        pl.col("minor").cast(pl.Int64),
        "extra",
        pl.col("is_dev").fill_null(False),
        pl.col("sort_key").cast(pl.Int64),
    )
    if now is not None:
        moment = now if now.tzinfo else now.replace(tzinfo=UTC)
        release_rows = release_rows.filter(
            pl.col("date").is_null() | (pl.col("date") <= pl.lit(moment).dt.convert_time_zone("UTC"))
        )
    # A feed lists each version once; refetches appended twice must not double-count.
    return release_rows.unique(subset=[*_FEED, "version"], keep="first", maintain_order=True)


def _eligible_releases(
    release_rows: pl.LazyFrame, project_rows: pl.LazyFrame, support: pl.LazyFrame
) -> pl.LazyFrame:
    """Releases Drupal would consider at all, with ``in_supported``."""
    published = release_rows.filter(
        pl.col("status") == "published",
        ~pl.col("is_insecure"),
        ~pl.col("is_unsupported"),
        pl.col("sort_key").is_not_null(),
    )
    in_supported = (
        published.select(*_FEED, "version", "major")
        .join(support, on=_FEED, how="inner")
        .filter(_matches_support(pl.col("version"), pl.col("major")))
        .select(*_FEED, "version")
        .unique()
        .with_columns(in_supported=pl.lit(True))
    )
    return (
        published.join(in_supported, on=[*_FEED, "version"], how="left")
        .join(project_rows.select(*_FEED, "uses_branches"), on=_FEED, how="inner")
        .with_columns(pl.col("in_supported").fill_null(False))
        # Drupal 9+ skips every release outside the supported branches;
        # Drupal 7 only ignores unsupported majors above the target.
        .filter(~pl.col("uses_branches") | pl.col("in_supported"))
        .drop("uses_branches")
    )


def _targets(
    installs: pl.LazyFrame, project_rows: pl.LazyFrame, support: pl.LazyFrame
) -> pl.LazyFrame:
    """Attach project facts, whether the installed version is supported, and the target major."""
    support_facts = (
        installs.select(*_FEED, "version", "major")
        .unique(subset=[*_FEED, "version"], keep="any")
        .join(support, on=_FEED, how="inner")
        .group_by(*_FEED, "version")
        .agg(
            installed_supported=_matches_support(pl.col("version"), pl.col("major")).any(),
            first_major_at_or_above=pl.col("support_major")
            .filter(pl.col("support_major") >= pl.col("major"))
            .sort_by(pl.col("support_index").filter(pl.col("support_major") >= pl.col("major")))
            .first(),
        )
    )
    return (
        installs.join(
            project_rows.select(*_FEED, "fetch_state", "project_status", "has_support_rule"),
            on=_FEED,
            how="left",
        )
        .join(support_facts, on=[*_FEED, "version"], how="left")
        .with_columns(
            installed_supported=pl.col("installed_supported").fill_null(False)
            | ~pl.col("has_support_rule").fill_null(False)
        )
        .with_columns(
            target_major=pl.when(pl.col("installed_supported"))
            .then(pl.col("major"))
            .otherwise(pl.coalesce("first_major_at_or_above", "major"))
        )
        .drop("first_major_at_or_above")
    )


def _newest(value: pl.Expr, where: pl.Expr) -> pl.Expr:
    """``value`` of the newest release matching ``where`` (inside a group_by)."""
    return (
        value.filter(where)
        .sort_by(pl.col("is_dev").not_().filter(where), pl.col("sort_key").filter(where))
        .last()
    )


def _newest_by_major(eligible: pl.LazyFrame) -> pl.LazyFrame:
    """Latest, recommended and dev-snapshot facts per (project, feed_api, major)."""
    every = pl.lit(True)
    no_extra = pl.col("extra").is_null() & ~pl.col("is_dev")
    dev = pl.col("is_dev")
    return (
        eligible.group_by(*_FEED, "major")
        .agg(
            latest_version=_newest(pl.col("version"), every),
            latest_sort_key=_newest(pl.col("sort_key"), every),
            latest_date=_newest(pl.col("date"), every),
            recommended_version=_newest(pl.col("version"), no_extra),
            recommended_sort_key=_newest(pl.col("sort_key"), no_extra),
            dev_release_date=_newest(pl.col("date"), dev),
        )
        .rename({"major": "target_major"})
    )


def _also_available(targets: pl.LazyFrame, eligible: pl.LazyFrame) -> pl.LazyFrame:
    newest_per_supported_major = (
        eligible.filter(pl.col("in_supported"))
        .group_by(*_FEED, "major")
        .agg(
            also_version=_newest(pl.col("version"), pl.lit(True)),
            also_sort_key=_newest(pl.col("sort_key"), pl.lit(True)),
        )
    )
    return (
        targets.select(*_FEED, "target_major")
        .unique()
        .join(newest_per_supported_major, on=_FEED, how="inner")
        .filter(pl.col("major") > pl.col("target_major"))
        .group_by(*_FEED, "target_major")
        .agg(
            also_available=pl.col("also_version").sort_by("also_sort_key", descending=True)
        )
    )


def _security_updates(targets: pl.LazyFrame, eligible: pl.LazyFrame) -> pl.LazyFrame:
    security_releases = eligible.filter(pl.col("is_security_update")).select(
        *_FEED,
        security_version=pl.col("version"),
        security_major=pl.col("major"),
        security_minor=pl.col("minor"),
        security_sort_key=pl.col("sort_key"),
        security_epoch=pl.col("date").dt.epoch("s"),
    )
    official_newer = ~pl.col("is_dev") & (pl.col("security_sort_key") > pl.col("sort_key"))
    # Feeds list a dev snapshot after every release of its branch, so Drupal
    # sees releases of the installed major/minor and above before reaching it,
    # and skips those built before the snapshot.
    dev_newer = (
        pl.col("is_dev")
        & pl.col("datestamp").is_not_null()
        & (pl.col("security_epoch") >= pl.col("datestamp") + DEV_DATESTAMP_LEEWAY)
        & (
            (pl.col("security_major") > pl.col("major"))
            | (
                (pl.col("security_major") == pl.col("major"))
                & (pl.col("security_minor").fill_null(-1) >= pl.col("minor").fill_null(-1))
            )
        )
    )
    return (
        targets.filter(pl.col("sort_key").is_not_null())
        .select(*_SECURITY_KEY, "major", "minor", "is_dev", "sort_key", "target_major")
        .unique(subset=list(_SECURITY_KEY), keep="any")
        .join(security_releases, on=_FEED, how="inner")
        .filter(
            pl.col("security_major") <= pl.col("target_major"),
            (official_newer | dev_newer).fill_null(False),
        )
        .group_by(*_SECURITY_KEY)
        .agg(
            security_updates=pl.col("security_version").sort_by(
                "security_sort_key", descending=True
            ),
        )
    )


def _decide(facts: pl.LazyFrame) -> pl.LazyFrame:
    fetch_state = pl.col("fetch_state")
    project_status = pl.col("project_status")
    security_count = pl.col("security_updates").list.len().fill_null(0)
    recommended = pl.coalesce("recommended_version", "latest_version")
    recommended_sort_key = pl.coalesce("recommended_sort_key", "latest_sort_key")
    is_dev = pl.col("is_dev")
    datestamp = pl.col("datestamp")
    # Drupal's latest_dev: the dev snapshot release when it was built after the
    # latest release, else the latest release.
    latest_dev_epoch = pl.max_horizontal("latest_date", "dev_release_date").dt.epoch("s")
    dev_is_current = (datestamp + DEV_DATESTAMP_LEEWAY > latest_dev_epoch).fill_null(True)

    stops_early = (
        pl.col("is_custom")
        | fetch_state.is_null()
        | fetch_state.is_in(["failed", "not_found"])
        | project_status.is_in(["insecure", "revoked", "unpublished", "unsupported"]).fill_null(
            False
        )
        | pl.col("sort_key").is_null()
        | pl.col("release_count").fill_null(0).eq(0)
    )

    status_and_reason = (
        pl.when(pl.col("is_custom"))
        .then(_sr(UNKNOWN, pl.lit("custom code: no release data on drupal.org")))
        .when(fetch_state.is_null())
        .then(_sr(NOT_FETCHED, pl.lit("release data not fetched yet")))
        .when(fetch_state == "failed")
        .then(_sr(NOT_FETCHED, pl.lit("failed to get available update data")))
        .when(fetch_state == "not_found")
        .then(_sr(UNKNOWN, pl.lit("no release data on drupal.org")))
        .when(project_status == "insecure")
        .then(_sr(NOT_SECURE, pl.lit("project marked insecure by the Drupal security team")))
        .when(project_status.is_in(["revoked", "unpublished"]))
        .then(_sr(REVOKED, pl.format("project {} on drupal.org", project_status)))
        .when(project_status == "unsupported")
        .then(_sr(NOT_SUPPORTED, pl.lit("project no longer supported")))
        .when(pl.col("sort_key").is_null())
        .then(_sr(UNKNOWN, pl.format("invalid version: {}", pl.col("version"))))
        .when(pl.col("release_count").fill_null(0) == 0)
        .then(_sr(UNKNOWN, pl.lit("no available releases found")))
        .when(security_count > 0)
        .then(
            _sr(
                NOT_SECURE,
                pl.format("{} security update(s) newer than the installed version", security_count),
            )
        )
        .when(pl.col("installed_release_insecure").fill_null(False))
        .then(_sr(NOT_SECURE, pl.lit("installed release is marked insecure")))
        .when(pl.col("installed_release_status") == "unpublished")
        .then(_sr(REVOKED, pl.lit("installed release revoked (unpublished)")))
        .when(pl.col("installed_release_unsupported").fill_null(False))
        .then(_sr(NOT_SUPPORTED, pl.lit("installed release marked unsupported")))
        .when(~pl.col("installed_supported"))
        .then(_sr(NOT_SUPPORTED, pl.lit("installed version is not in a supported branch")))
        .when(recommended.is_null())
        .then(_sr(UNKNOWN, pl.lit("no available releases found")))
        .when(is_dev & datestamp.is_null())
        .then(_sr(NOT_CHECKED, pl.lit("unknown release date: dev snapshot without datestamp")))
        .when(is_dev)
        .then(
            pl.when(dev_is_current)
            .then(_sr(CURRENT, pl.lit(None, pl.String)))
            .otherwise(_sr(NOT_CURRENT, pl.lit("a newer release or dev build exists")))
        )
        .when(
            (pl.col("version") == recommended) | (pl.col("version") == pl.col("latest_version"))
        )
        .then(_sr(CURRENT, pl.lit(None, pl.String)))
        .otherwise(_sr(NOT_CURRENT, pl.lit(None, pl.String)))
    )

    also = pl.col("also_available").fill_null([])
    security = pl.col("security_updates").fill_null([])
    newer_exists = (
        (recommended_sort_key > pl.col("sort_key")).fill_null(False)
        | (pl.col("latest_sort_key") > pl.col("sort_key")).fill_null(False)
        | (also.list.len() > 0)
        | (security.list.len() > 0)
        | (is_dev & ~dev_is_current & datestamp.is_not_null())
    )

    return facts.with_columns(_status=status_and_reason).select(
        *_INSTALL_KEY,
        status=pl.col("_status").struct.field("status"),
        status_reason=pl.col("_status").struct.field("reason"),
        latest_version=pl.when(~stops_early).then(pl.col("latest_version")),
        recommended_version=pl.when(~stops_early).then(recommended),
        also_available=pl.when(~stops_early).then(also).otherwise(pl.lit([], pl.List(pl.String))),
        security_updates=pl.when(~stops_early)
        .then(security)
        .otherwise(pl.lit([], pl.List(pl.String))),
        update_available=~stops_early
        & pl.col("_status").struct.field("status").is_in(_NEEDS_UPDATE)
        & newer_exists,
        security_update_available=~stops_early & (security.list.len() > 0),
    )


def _sr(status: str, reason: pl.Expr) -> pl.Expr:
    return pl.struct(status=pl.lit(status), reason=reason.cast(pl.String))
