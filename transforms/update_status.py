"""Drupal's Update Status for every installed site module at once.

This is Drupal core's ``update_calculate_project_update_status()``
(core/modules/update/update.compare.inc) rewritten as set operations: joins,
group-bys and ``when/then`` chains over all installed rows, never a Python
loop per module or per project. Two generations of that function are
followed, chosen by the feed a project was judged against:

* ``current`` feeds (Drupal 8.6 and later, ``supported_branches``).
* ``7.x`` feeds (Drupal 7, ``supported_majors`` / ``recommended_major`` /
  ``default_major``).

The walk
--------
Drupal walks one feed in its order (newest first; a branch's dev snapshot
after every release of that branch) and stops at the installed release.
Here a feed position is a number, ``walk_key`` (higher = earlier in the
feed): releases of a higher branch come first, then, inside a branch, the
releases newest first and the branch's dev snapshots last. A branch is
``major.minor`` for three-part versions and the whole major for two-part ones
(``8.x-1.3``, ``7.29``, ``1.x-dev``). "Before the installed release in the
walk" becomes "``walk_key`` greater than the installed one", which also places
an installed version the feed does not list (``2.0.1+3-dev``).

Only the installed release and the releases before it are ever looked at, so
nothing older than the installed release is recommended, offered or listed as
a security update: modwatch never recommends a downgrade.

Rules, in the order they decide (the first that applies wins)
-------------------------------------------------------------
1. Custom code (``module_type = custom`` or no project): UNKNOWN.
2. ``fetch_state = not_found`` (404 / ``<error>`` feed): UNKNOWN;
   ``fetch_state = failed`` (never any good data): NOT_FETCHED.
3. Project status ``insecure`` -> NOT_SECURE, ``revoked``/``unpublished`` ->
   REVOKED, ``unsupported`` -> NOT_SUPPORTED; nothing else is computed.
4. Empty or missing installed version -> UNKNOWN "Empty version"; a string
   that is not a Drupal version -> UNKNOWN "Invalid version: X".
5. No ``projects`` row yet (the feed is queued) -> NOT_FETCHED.
6. A feed without releases -> UNKNOWN "No available releases found".
7. The walk's findings on the installed release: ``Insecure`` -> NOT_SECURE,
   unpublished -> REVOKED, not supported -> NOT_SUPPORTED; and before the
   walk, an installed version outside the supported branches (``current``) or
   majors (``7.x``, when the feed names a ``recommended_major``) ->
   NOT_SUPPORTED. On ``7.x`` feeds any security update trumps all of these:
   NOT_SECURE. On ``current`` feeds it does not: NOT_SECURE only comes from
   the project status or the installed release's own ``Insecure`` mark
   (drupal.org sets it on every release a security release supersedes).
8. Nothing to recommend -> UNKNOWN "No available releases found".
9. Dev snapshot: unknown build date (datestamp 0 or missing) -> NOT_CHECKED
   "Unknown release date"; else CURRENT when ``datestamp + 100 s`` is later
   than the newer of the latest release and the dev release of the target
   major, NOT_CURRENT otherwise. The 100 s absorb the gap between a
   snapshot's .info datestamp and its tarball date.
10. Official release: CURRENT when it is the recommended or the latest
    release, NOT_CURRENT otherwise.

Which releases count
--------------------
The installed release is always looked at (``current``; on ``7.x`` only when
it is not flagged). Every other release counts only when published, not
``Insecure``, not ``Unsupported`` and, on ``current`` feeds, inside a
supported branch and not a dev release without a date. Releases whose
version is not a Drupal version are skipped. (Drupal 7 walks on past a
flagged installed release; here the walk stops at it all the same, so that
nothing older is ever offered.)

Target major: ``current`` — the installed major if the installed version
starts with a supported branch, else the major of the first supported branch
that parses; ``7.x`` — the installed major if it is in ``supported_majors``
(an old feed without them supports its ``default_major``), else
``recommended_major``, else ``default_major``. Then never lower than the
installed major.

What is reported
----------------
* ``latest_version``: the first release of the target major in the walk.
* ``recommended_version``: the first release of the target major without
  extra (no alpha/beta/rc/dev) that is supported; if none, the latest — on
  ``current`` feeds only when the last release the walk reached is supported.
* ``also_available``: per higher major, its first release in the walk
  (``7.x``: only majors in ``supported_majors``), newest first.
* ``security_updates``: ``Security update`` releases before the installed one
  in the walk, of a major up to the target; for a dev snapshot only those
  dated at or after ``datestamp + 100 s``, and none when the date is unknown.
  As Drupal's report shows it, a CURRENT project that runs its recommended
  release lists none.
* ``update_available``: NOT_CURRENT, NOT_SECURE, NOT_SUPPORTED or REVOKED, and
  something newer than the installed release is recommended or available.
* ``security_update_available``: ``security_updates`` is not empty.
* ``status_reason``: for every status but CURRENT; for NOT_CURRENT, what is
  newer.

Dev snapshots are judged per project on a site, as Drupal gathers them: the
datestamp of a project is the largest datestamp of its modules on the site
(``site_id``, ``project``, ``version``).

Statuses decided by rules 1-6 leave latest/recommended null and the lists
empty: Drupal stops there too. Inputs are trusted to be unique per (project,
feed_api) in ``projects``; duplicate (project, feed_api, version) release rows
are collapsed. ``now`` (optional) ignores releases dated after it: the status
as it was at that moment.
"""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl

from foundation.vocabulary import Status

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

NOT_SECURE = Status.NOT_SECURE
REVOKED = Status.REVOKED
NOT_SUPPORTED = Status.NOT_SUPPORTED
NOT_CURRENT = Status.NOT_CURRENT
CURRENT = Status.CURRENT
NOT_CHECKED = Status.NOT_CHECKED
UNKNOWN = Status.UNKNOWN
NOT_FETCHED = Status.NOT_FETCHED
STATUSES: tuple[Status, ...] = tuple(Status)
_NEEDS_UPDATE = (NOT_CURRENT, NOT_SECURE, NOT_SUPPORTED, REVOKED)

# The feed generation judged by Drupal 7's rules; every other one by the current rules.
DRUPAL_7_FEED = "7.x"

# Seconds between a dev snapshot's .info datestamp and its tarball date that
# still count as "the same build" (Drupal's leeway).
DEV_DATESTAMP_LEEWAY = 100

INSTALLED_COLUMNS = (
    "site_module_id",
    "site_id",
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
    "recommended_major",
    "default_major",
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
# these, so the work is done once per distinct combination (datestamp is null
# except for dev snapshots).
_INSTALL_KEY = ("project", "feed_api", "version", "is_custom", "datestamp")
_VERSION_KEY = ["project", "feed_api", "version"]
_SECURITY_KEY = ["project", "feed_api", "version", "datestamp"]
# A supported branch that names a major: "8.x-1.", "2.", "10.5." (Drupal reads
# it as a version by appending "0"; "8.x-" is the only core prefix it accepts).
_SUPPORT_BRANCH = r"^(?:8\.x-)?(\d+)\.(?:\d+\.)?$"

# sort_key layout (transforms.versions): major * 10**15 + minor * 10**12 + the
# rest, so the rest of a key is sort_key mod 10**12 within a branch.
_MINOR_FACTOR = 10**12
_BRANCH_SPAN = 2 * _MINOR_FACTOR
_EMPTY_LIST = pl.lit([], pl.List(pl.String))

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
    # Frames read by several branches of the plan are cached explicitly: the
    # optimizer does not always see that they are shared, and computing the
    # installed rows twice costs more than the whole walk.
    installed_rows = _installed(installed).cache()
    installs = (
        installed_rows.drop("site_module_id", "site_id")
        .unique(subset=list(_INSTALL_KEY), keep="any")
        .cache()
    )
    feeds = _feeds(projects).cache()
    branches = _branches(feeds)
    release_rows = _releases(releases, now).cache()
    walkable = _walkable_releases(release_rows, feeds, branches).cache()

    # Everything but the security updates depends on the installed version alone;
    # a dev snapshot's build date only decides which security releases it lacks.
    targets = _targets(
        installs.drop("is_custom", "datestamp").unique(subset=_VERSION_KEY, keep="any"),
        feeds,
        branches,
    ).cache()
    version_facts = targets.join(
        _walk(targets, walkable), on=_VERSION_KEY, how="left", nulls_equal=True
    ).drop("major", "minor", "is_dev", "sort_key")
    facts = (
        installs.join(version_facts, on=_VERSION_KEY, how="left", nulls_equal=True)
        .join(
            _security_updates(installs, targets, walkable),
            on=_SECURITY_KEY,
            how="left",
            nulls_equal=True,
        )
        .join(_also_available(targets, walkable), on=[*_FEED, "target_major"], how="left")
        .join(_last_reached(walkable), on=_FEED, how="left")
        .join(release_rows.group_by(_FEED).agg(release_count=pl.len()), on=_FEED, how="left")
    )
    return (
        installed_rows.join(
            _decide(facts), on=list(_INSTALL_KEY), how="left", nulls_equal=True, maintain_order="left"
        )
        .select(UPDATE_STATUS_SCHEMA.names())
        .cast(dict(UPDATE_STATUS_SCHEMA))
    )


def _lazy(frame: Frame) -> pl.LazyFrame:
    return frame.lazy() if isinstance(frame, pl.DataFrame) else frame


def _walk_key(major: pl.Expr, minor: pl.Expr, is_dev: pl.Expr, sort_key: pl.Expr) -> pl.Expr:
    """Position in a drupal.org feed, higher = listed earlier (see the module docstring)."""
    branch = major * 1000 + minor.fill_null(0)
    in_branch = sort_key % _MINOR_FACTOR + pl.when(is_dev).then(0).otherwise(_MINOR_FACTOR)
    return branch * _BRANCH_SPAN + in_branch


def _installed(installed: Frame) -> pl.LazyFrame:
    rows = _lazy(installed).select(
        "site_module_id",
        "site_id",
        pl.col(_FEED).cast(pl.String),
        pl.col("version").cast(pl.String),
        pl.col("major").cast(pl.Int64),
        pl.col("minor").cast(pl.Int64),
        pl.col("is_dev").fill_null(False),
        pl.col("sort_key").cast(pl.Int64),
        pl.col("datestamp").cast(pl.Int64),
        is_custom=(pl.col("module_type") == "custom").fill_null(False)
        | pl.col("project").is_null(),
    )
    # A project's modules on a site are one install: Drupal dates it by the
    # newest of their datestamps. Only dev snapshots need it, and they are few.
    install = ["site_id", *_FEED, "version", "is_custom"]
    project_datestamps = (
        rows.filter(pl.col("is_dev"))
        .group_by(install)
        .agg(project_datestamp=pl.col("datestamp").max())
    )
    project_datestamp = pl.col("project_datestamp")
    return (
        rows.join(project_datestamps, on=install, how="left", maintain_order="left")
        # 0 means unknown; dropping every other datestamp lets every site on one
        # release share one computation.
        .with_columns(datestamp=pl.when(project_datestamp != 0).then(project_datestamp))
        .drop("project_datestamp")
    )


def _feeds(projects: Frame) -> pl.LazyFrame:
    supported_majors = pl.col("supported_majors").cast(pl.List(pl.Int64)).fill_null([])
    default_major = pl.col("default_major").cast(pl.Int64)
    return _lazy(projects).select(
        *_FEED,
        "fetch_state",
        "project_status",
        is_drupal_7=pl.col("feed_api") == DRUPAL_7_FEED,
        supported_branches=pl.col("supported_branches").cast(pl.List(pl.String)).fill_null([]),
        # Drupal 7: an old feed without supported_majors supports its default_major.
        supported_majors=pl.when(supported_majors.list.len() == 0, default_major.is_not_null())
        .then(pl.concat_list(default_major))
        .otherwise(supported_majors),
        recommended_major=pl.col("recommended_major").cast(pl.Int64),
        default_major=default_major,
        first_branch_major=pl.col("supported_branches")
        .cast(pl.List(pl.String))
        .list.eval(pl.element().str.extract(_SUPPORT_BRANCH, 1).cast(pl.Int64))
        .list.drop_nulls()
        .list.first(),
    )


def _branches(feeds: pl.LazyFrame) -> pl.LazyFrame:
    """One row per supported branch of a ``current`` feed."""
    return (
        feeds.filter(~pl.col("is_drupal_7"))
        .select(*_FEED, branch=pl.col("supported_branches"))
        .explode("branch")
        .drop_nulls("branch")
    )


def _with_in_branch(frame: pl.LazyFrame, branches: pl.LazyFrame) -> pl.LazyFrame:
    """``in_branch``: the version starts with a supported branch (a plain string prefix, as Drupal tests it)."""
    matched = (
        frame.select(*_FEED, "version")
        .unique()
        .join(branches, on=_FEED, how="inner")
        .filter(pl.col("version").str.starts_with(pl.col("branch")))
        .select(*_FEED, "version")
        .unique()
        .with_columns(in_branch=pl.lit(True))
    )
    return frame.join(matched, on=[*_FEED, "version"], how="left").with_columns(
        pl.col("in_branch").fill_null(False)
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


def _walkable_releases(
    release_rows: pl.LazyFrame, feeds: pl.LazyFrame, branches: pl.LazyFrame
) -> pl.LazyFrame:
    """Releases with a Drupal version, their feed position and what the walk makes of them."""
    published = pl.col("status") == "published"
    dated = pl.col("date").is_not_null() | ~pl.col("is_dev")
    return (
        _with_in_branch(release_rows.filter(pl.col("sort_key").is_not_null()), branches)
        .join(feeds.select(*_FEED, "is_drupal_7"), on=_FEED, how="inner")
        .select(
            *_FEED,
            "is_drupal_7",
            release_version=pl.col("version"),
            release_major=pl.col("major"),
            release_is_dev=pl.col("is_dev"),
            release_is_official=pl.col("extra").is_null() & ~pl.col("is_dev"),
            release_epoch=pl.col("date").dt.epoch("s"),
            release_walk_key=_walk_key(
                pl.col("major"), pl.col("minor"), pl.col("is_dev"), pl.col("sort_key")
            ),
            release_is_security_update=pl.col("is_security_update"),
            release_is_insecure=pl.col("is_insecure"),
            release_is_published=published,
            release_is_unsupported=pl.col("is_unsupported"),
            # Drupal 8+: supported = in a supported branch and not marked Unsupported.
            release_is_supported=pl.col("in_branch") & ~pl.col("is_unsupported"),
            # Whether a release other than the installed one is looked at at all.
            release_counts=pl.when(pl.col("is_drupal_7"))
            .then(published & ~pl.col("is_insecure") & ~pl.col("is_unsupported"))
            .otherwise(
                published
                & pl.col("in_branch")
                & ~pl.col("is_unsupported")
                & ~pl.col("is_insecure")
                & dated
            ),
        )
    )


def _targets(
    installs: pl.LazyFrame, feeds: pl.LazyFrame, branches: pl.LazyFrame
) -> pl.LazyFrame:
    """Attach the feed's facts, whether the installed version is supported, and the target major."""
    major = pl.col("major")
    drupal_7 = pl.col("is_drupal_7").fill_null(False)
    in_majors = pl.col("supported_majors").list.contains(major).fill_null(False)
    has_branches = (pl.col("supported_branches").list.len() > 0).fill_null(False)
    drupal_7_target = (
        pl.when(in_majors)
        .then(major)
        .otherwise(pl.coalesce("recommended_major", "default_major", major))
    )
    current_target = (
        pl.when(pl.col("in_branch") | ~has_branches)
        .then(major)
        .otherwise(pl.coalesce("first_branch_major", major))
    )
    return (
        _with_in_branch(installs.join(feeds, on=_FEED, how="left"), branches)
        .with_columns(
            # Drupal decides this before the walk; the installed release can overrule it.
            outside_support=pl.when(drupal_7)
            .then(~in_majors & pl.col("recommended_major").is_not_null())
            .otherwise(~pl.col("in_branch") & has_branches),
            # No downgrade path exists, so the target is never below the installed major.
            target_major=pl.max_horizontal(
                major, pl.when(drupal_7).then(drupal_7_target).otherwise(current_target)
            ),
            walk_key=_walk_key(major, pl.col("minor"), pl.col("is_dev"), pl.col("sort_key")),
        )
    )


def _newest(value: pl.Expr, where: pl.Expr) -> pl.Expr:
    """``value`` of the release matching ``where`` that comes first in the walk (inside a group_by)."""
    first_in_walk = pl.col("release_walk_key").filter(where).arg_max()
    return value.filter(where).get(first_in_walk, null_on_oob=True)


def _walk(targets: pl.LazyFrame, walkable: pl.LazyFrame) -> pl.LazyFrame:
    """Per installed version: what Drupal's walk finds from the top of the feed down to it."""
    drupal_7 = pl.col("is_drupal_7")
    is_installed = pl.col("release_version") == pl.col("version")
    before = pl.col("release_walk_key") > pl.col("walk_key")
    counts = pl.col("release_counts")
    # Drupal 8+ always looks at the installed release; Drupal 7 skips it when it is flagged.
    looked_at = (
        pl.when(drupal_7)
        .then((before | is_installed) & counts)
        .otherwise(is_installed | (before & counts))
    )
    in_target = looked_at & (pl.col("release_major") == pl.col("target_major"))
    recommendable = (
        in_target & pl.col("release_is_official") & (drupal_7 | pl.col("release_is_supported"))
    )
    dev_release = in_target & pl.col("release_is_dev")
    return (
        targets.filter(pl.col("sort_key").is_not_null(), pl.col("is_drupal_7").is_not_null())
        .select(*_VERSION_KEY, "walk_key", "target_major", "is_drupal_7")
        .join(walkable.drop("is_drupal_7"), on=_FEED, how="inner")
        .filter(before | is_installed)
        .group_by(_VERSION_KEY)
        .agg(
            latest_version=_newest(pl.col("release_version"), in_target),
            latest_walk_key=_newest(pl.col("release_walk_key"), in_target),
            latest_epoch=_newest(pl.col("release_epoch"), in_target),
            recommended_version=_newest(pl.col("release_version"), recommendable),
            recommended_walk_key=_newest(pl.col("release_walk_key"), recommendable),
            dev_version=_newest(pl.col("release_version"), dev_release),
            dev_epoch=_newest(pl.col("release_epoch"), dev_release),
            installed_in_feed=is_installed.any(),
            installed_insecure=(is_installed & pl.col("release_is_insecure")).any(),
            installed_unpublished=(is_installed & ~pl.col("release_is_published")).any(),
            installed_unsupported_mark=(is_installed & pl.col("release_is_unsupported")).any(),
            installed_supported=(is_installed & pl.col("release_is_supported")).any(),
        )
    )


def _security_updates(
    installs: pl.LazyFrame, targets: pl.LazyFrame, walkable: pl.LazyFrame
) -> pl.LazyFrame:
    """Per installed version and build date: the security releases before it in the walk.

    For a dev snapshot only those not built before ``datestamp + 100 s``, and
    none when the build date is unknown.
    """
    datestamp = pl.col("datestamp")
    release_epoch = pl.col("release_epoch")
    built_before_release = datestamp.is_not_null() & ~(
        release_epoch.is_not_null()
        & (release_epoch != 0)
        & (datestamp + DEV_DATESTAMP_LEEWAY > release_epoch)
    )
    security_releases = walkable.filter(
        pl.col("release_counts"), pl.col("release_is_security_update")
    ).select(*_FEED, "release_version", "release_major", "release_walk_key", "release_epoch")
    return (
        installs.filter(pl.col("sort_key").is_not_null())
        .select(*_SECURITY_KEY, "is_dev")
        .unique(subset=_SECURITY_KEY, keep="any")
        .join(
            targets.select(*_VERSION_KEY, "walk_key", "target_major"),
            on=_VERSION_KEY,
            how="inner",
        )
        .join(security_releases, on=_FEED, how="inner")
        .filter(
            pl.col("release_walk_key") > pl.col("walk_key"),
            pl.col("release_major") <= pl.col("target_major"),
            ~pl.col("is_dev") | built_before_release,
        )
        .group_by(_SECURITY_KEY)
        .agg(
            security_updates=pl.col("release_version").sort_by(
                "release_walk_key", descending=True
            )
        )
    )


def _also_available(targets: pl.LazyFrame, walkable: pl.LazyFrame) -> pl.LazyFrame:
    """Per feed and target major: the first release in the walk of each higher major.

    Every release of a higher major comes before the installed one in the walk,
    so this depends on the target major only.
    """
    offered = pl.col("release_counts") & (
        ~pl.col("is_drupal_7") | pl.col("supported_majors").list.contains(pl.col("release_major"))
    )
    return (
        targets.filter(pl.col("target_major").is_not_null())
        .select(*_FEED, "target_major", "supported_majors")
        .unique(subset=[*_FEED, "target_major"], keep="any")
        .join(walkable, on=_FEED, how="inner")
        .filter(pl.col("release_major") > pl.col("target_major"), offered)
        .group_by(*_FEED, "target_major", "release_major")
        .agg(
            also_version=pl.col("release_version").sort_by("release_walk_key").last(),
            also_walk_key=pl.col("release_walk_key").max(),
        )
        .group_by(*_FEED, "target_major")
        .agg(also_available=pl.col("also_version").sort_by("also_walk_key", descending=True))
    )


def _last_reached(walkable: pl.LazyFrame) -> pl.LazyFrame:
    """Whether the last release of a feed is supported.

    Drupal 8+ falls back from recommended to latest only when the last release
    its walk looked at was supported: the installed release, or, when the feed
    does not list it, the feed's last release.
    """
    return walkable.group_by(_FEED).agg(
        last_release_supported=pl.col("release_is_supported").sort_by("release_walk_key").first()
    )


def _decide(facts: pl.LazyFrame) -> pl.LazyFrame:
    version = pl.col("version")
    fetch_state = pl.col("fetch_state")
    project_status = pl.col("project_status")
    drupal_7 = pl.col("is_drupal_7").fill_null(False)
    is_dev = pl.col("is_dev")
    datestamp = pl.col("datestamp")
    security = pl.col("security_updates").fill_null([])
    security_count = security.list.len()

    walk_reached_supported = (
        pl.when(pl.col("installed_in_feed"))
        .then(pl.col("installed_supported"))
        .otherwise(pl.col("last_release_supported"))
        .fill_null(False)
    )
    falls_back_to_latest = pl.col("recommended_version").is_null() & (
        drupal_7 | walk_reached_supported
    )
    recommended = (
        pl.when(falls_back_to_latest)
        .then(pl.col("latest_version"))
        .otherwise(pl.col("recommended_version"))
    )
    recommended_walk_key = (
        pl.when(falls_back_to_latest)
        .then(pl.col("latest_walk_key"))
        .otherwise(pl.col("recommended_walk_key"))
    )
    # Drupal's latest_dev: the dev release of the target major when it was
    # built after the latest release, else the latest release.
    dev_is_newest = (pl.col("dev_epoch") > pl.col("latest_epoch")).fill_null(False)
    latest_dev = pl.when(dev_is_newest).then(pl.col("dev_version")).otherwise(pl.col("latest_version"))
    latest_dev_epoch = pl.when(dev_is_newest).then(pl.col("dev_epoch")).otherwise(pl.col("latest_epoch"))
    dev_is_current = (datestamp + DEV_DATESTAMP_LEEWAY > latest_dev_epoch).fill_null(False)

    installed_unsupported = pl.col("installed_in_feed").fill_null(False) & ~drupal_7 & ~pl.col(
        "installed_supported"
    ).fill_null(False)

    before_walk = (
        pl.when(pl.col("is_custom"))
        .then(_sr(UNKNOWN, "custom code: no release data on drupal.org"))
        .when(fetch_state == "not_found")
        .then(_sr(UNKNOWN, "no release data on drupal.org"))
        .when(fetch_state == "failed")
        .then(_sr(NOT_FETCHED, "failed to get available update data"))
        .when(project_status == "insecure")
        .then(_sr(NOT_SECURE, "project marked insecure by the Drupal security team"))
        .when(project_status.is_in(["revoked", "unpublished"]))
        .then(_sr(REVOKED, pl.format("project {} on drupal.org", project_status)))
        .when(project_status == "unsupported")
        .then(_sr(NOT_SUPPORTED, "project no longer supported"))
        .when(version.is_null() | (version == ""))
        .then(_sr(UNKNOWN, "Empty version"))
        .when(pl.col("sort_key").is_null())
        .then(_sr(UNKNOWN, pl.format("Invalid version: {}", version)))
        .when(fetch_state.is_null())
        .then(_sr(NOT_FETCHED, "release data not fetched yet"))
        .when(pl.col("release_count").fill_null(0) == 0)
        .then(_sr(UNKNOWN, "No available releases found"))
    )
    stops_early = before_walk.is_not_null()

    from_walk = (
        pl.when(drupal_7 & (security_count > 0))
        .then(
            _sr(
                NOT_SECURE,
                pl.format("{} security update(s) newer than the installed version", security_count),
            )
        )
        .when(pl.col("installed_insecure").fill_null(False))
        .then(_sr(NOT_SECURE, "installed release is marked insecure"))
        .when(pl.col("installed_unpublished").fill_null(False))
        .then(_sr(REVOKED, "installed release revoked (unpublished)"))
        .when(pl.col("installed_unsupported_mark").fill_null(False))
        .then(_sr(NOT_SUPPORTED, "installed release marked unsupported"))
        .when(installed_unsupported | pl.col("outside_support").fill_null(False))
        .then(
            _sr(
                NOT_SUPPORTED,
                pl.when(drupal_7)
                .then(pl.lit("installed major version is no longer supported"))
                .otherwise(pl.lit("installed version is not in a supported branch")),
            )
        )
        .when(recommended.is_null())
        .then(_sr(UNKNOWN, "No available releases found"))
        .when(is_dev & datestamp.is_null())
        .then(_sr(NOT_CHECKED, "Unknown release date"))
        .when(is_dev)
        .then(
            pl.when(dev_is_current)
            .then(_sr(CURRENT, None))
            .otherwise(_sr(NOT_CURRENT, pl.format("newer release or build available: {}", latest_dev)))
        )
        .when((version == recommended) | (version == pl.col("latest_version")))
        .then(_sr(CURRENT, None))
        .otherwise(_sr(NOT_CURRENT, pl.format("newer release available: {}", recommended)))
    )

    also = pl.col("also_available").fill_null([])
    newer_exists = (
        (also.list.len() > 0)
        | (security_count > 0)
        | pl.when(is_dev)
        .then(
            (datestamp.is_not_null() & ~dev_is_current)
            | ((pl.col("target_major") > pl.col("major")) & pl.col("latest_version").is_not_null())
        )
        .otherwise(
            (recommended_walk_key > pl.col("walk_key")).fill_null(False)
            | (pl.col("latest_walk_key") > pl.col("walk_key")).fill_null(False)
        )
    )

    status = pl.col("_decided").struct.field("status")
    # Drupal's report lists no security update for a project that is current
    # on its recommended release (a later minor's pre-release may carry one).
    shown_security = (
        pl.when(stops_early | ((status == CURRENT) & (version == recommended)).fill_null(False))
        .then(_EMPTY_LIST)
        .otherwise(security)
    )
    return (
        facts.with_columns(_decided=pl.coalesce(before_walk, from_walk))
        .with_columns(_security=shown_security)
        .select(
            *_INSTALL_KEY,
            status=status,
            status_reason=pl.col("_decided").struct.field("reason"),
            latest_version=pl.when(~stops_early).then(pl.col("latest_version")),
            recommended_version=pl.when(~stops_early).then(recommended),
            also_available=pl.when(~stops_early).then(also).otherwise(_EMPTY_LIST),
            security_updates=pl.col("_security"),
            update_available=(~stops_early & status.is_in(_NEEDS_UPDATE) & newer_exists).fill_null(
                False
            ),
            security_update_available=pl.col("_security").list.len() > 0,
        )
    )


def _sr(status: str, reason: pl.Expr | str | None) -> pl.Expr:
    reason_expr = reason if isinstance(reason, pl.Expr) else pl.lit(reason, pl.String)
    return pl.struct(status=pl.lit(str(status)), reason=reason_expr.cast(pl.String))
