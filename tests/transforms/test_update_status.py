"""transforms.update_status: Drupal's Update Status rules, set-based.

Modern rules run against hand-written feeds in feeds/modern (each file's
comment says what it sets up); the realistic case runs against the real
Drupal 7 feeds in feeds/d7 (a drupal.org snapshot from July 2014). Drupal's
own situations, one test each, are in test_update_status_drupal_scenarios.

Assertions marked "Drupal says otherwise" changed when modwatch moved from
applying Drupal 7's rules to every feed to following each generation exactly;
each says which Drupal test shows the current behaviour.
"""

from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from transforms.release_feed import parse_release_feed
from transforms.update_status import (
    CURRENT,
    NOT_CHECKED,
    NOT_CURRENT,
    NOT_FETCHED,
    NOT_SECURE,
    NOT_SUPPORTED,
    REVOKED,
    STATUSES,
    UNKNOWN,
    UPDATE_STATUS_SCHEMA,
    compute_update_status,
)
from transforms.versions import version_struct

FEEDS = Path(__file__).parent / "feeds"
MODERN_PROJECTS = (
    "secure_kit",
    "beta_kit",
    "release_flags",
    "branch_support",
    "insecure_project",
    "revoked_project",
    "unpublished_project",
    "unsupported_project",
    "drupal",
)


def unix(day: str) -> int:
    return int(datetime.fromisoformat(day).replace(tzinfo=UTC).timestamp())


def load_feeds(paths: list[Path], feed_api: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """projects and releases frames as the pipeline builds them from fetched feeds."""
    feeds = [parse_release_feed(path.read_bytes()) for path in paths]
    projects = pl.concat([feed.project_frame() for feed in feeds]).with_columns(
        feed_api=pl.lit(feed_api), fetch_state=pl.lit("ok")
    )
    releases = pl.concat([feed.releases for feed in feeds]).with_columns(feed_api=pl.lit(feed_api))
    return projects, releases


def installed_frame(rows: list[dict]) -> pl.DataFrame:
    """Installed rows with parsed version fields; defaults: contrib, no datestamp."""
    frame = pl.DataFrame(
        {
            "site_module_id": [row.get("site_module_id", index + 1) for index, row in enumerate(rows)],
            "site_id": [row.get("site_id", 1) for row in rows],
            "project": [row["project"] for row in rows],
            "feed_api": [row.get("feed_api", "current") for row in rows],
            "version": [row["version"] for row in rows],
            "datestamp": [row.get("datestamp") for row in rows],
            "module_type": [row.get("module_type", "contrib") for row in rows],
        },
        schema_overrides={"site_module_id": pl.Int64, "site_id": pl.Int64, "datestamp": pl.Int64},
    )
    return frame.with_columns(parsed=version_struct(pl.col("version"))).unnest("parsed")


@pytest.fixture(scope="module")
def modern() -> tuple[pl.DataFrame, pl.DataFrame]:
    return load_feeds([FEEDS / "modern" / f"{name}.xml" for name in MODERN_PROJECTS], "current")


@pytest.fixture
def status(modern):
    """Status of one installed module against the modern feeds."""
    projects, releases = modern

    def compute(project: str, version: str, **row) -> dict:
        installed = installed_frame([{"project": project, "version": version, **row}])
        result = compute_update_status(installed, projects, releases, now=row.get("now"))
        assert result.schema == UPDATE_STATUS_SCHEMA
        return result.row(0, named=True)

    return compute


# --- statuses decided by the project or the fetch -------------------------------------------


def test_project_marked_insecure_is_not_secure(status):
    result = status("insecure_project", "8.x-1.1")
    assert result["status"] == NOT_SECURE
    assert result["status_reason"] == "project marked insecure by the Drupal security team"
    # Drupal stops at the project status: nothing to recommend.
    assert result["recommended_version"] is None
    assert result["latest_version"] is None
    assert result["security_updates"] == []
    assert result["update_available"] is False


@pytest.mark.parametrize("project", ["revoked_project", "unpublished_project"])
def test_project_revoked_or_unpublished_is_revoked(status, project):
    result = status(project, "8.x-1.1")
    assert result["status"] == REVOKED
    assert "revoked" in result["status_reason"] or "unpublished" in result["status_reason"]


def test_project_unsupported_is_not_supported(status):
    # 8.x-1.0 is older than a Security update, but the project status wins.
    result = status("unsupported_project", "8.x-1.0")
    assert result["status"] == NOT_SUPPORTED
    assert result["status_reason"] == "project no longer supported"
    assert result["security_updates"] == []


def test_project_status_wins_over_an_unparsable_version(status):
    assert status("insecure_project", "whatever")["status"] == NOT_SECURE


def test_never_fetched_project_is_not_fetched(status):
    result = status("brand_new_project", "8.x-1.0")
    assert result["status"] == NOT_FETCHED
    assert result["status_reason"] == "release data not fetched yet"


def test_failed_fetch_is_not_fetched(modern):
    projects, releases = modern
    projects = projects.with_columns(
        fetch_state=pl.when(pl.col("project") == "beta_kit").then(pl.lit("failed"))
        .otherwise("fetch_state")
    )
    result = compute_update_status(
        installed_frame([{"project": "beta_kit", "version": "1.2.3"}]),
        projects,
        releases.filter(pl.col("project") != "beta_kit"),
    ).row(0, named=True)
    assert result["status"] == NOT_FETCHED
    assert result["status_reason"] == "failed to get available update data"


def test_project_without_release_history_is_unknown(modern):
    # What the pipeline records after a 404 / <error> feed: a projects row, no releases.
    projects, releases = modern
    not_found = pl.DataFrame(
        {"project": ["no_such_project"], "feed_api": ["current"], "fetch_state": ["not_found"]}
    )
    result = compute_update_status(
        installed_frame([{"project": "no_such_project", "version": "1.0.0"}]),
        pl.concat([projects, not_found], how="diagonal"),
        releases,
    ).row(0, named=True)
    assert result["status"] == UNKNOWN
    assert result["status_reason"] == "no release data on drupal.org"


def test_custom_module_is_unknown_even_if_a_project_has_its_name(status):
    result = status("beta_kit", "1.0.0", module_type="custom")
    assert result["status"] == UNKNOWN
    assert result["status_reason"] == "custom code: no release data on drupal.org"
    assert result["update_available"] is False


def test_unparsable_version_is_unknown_with_the_version_in_the_reason(status):
    result = status("secure_kit", "2.0.3-patched")
    assert result["status"] == UNKNOWN
    # Drupal's wording (UpdateContribTest::testNonStandardVersionStrings).
    assert result["status_reason"] == "Invalid version: 2.0.3-patched"


def test_project_with_an_empty_feed_is_unknown(modern):
    projects, releases = modern
    result = compute_update_status(
        installed_frame([{"project": "beta_kit", "version": "1.2.3"}]),
        projects,
        releases.filter(pl.col("project") != "beta_kit"),
    ).row(0, named=True)
    assert result["status"] == UNKNOWN
    # Drupal's wording (UpdateContribTest::testNoReleasesAvailable).
    assert result["status_reason"] == "No available releases found"


# --- statuses decided by the installed release ----------------------------------------------


def test_installed_release_marked_insecure_is_not_secure(status):
    result = status("release_flags", "8.x-2.4")
    assert result["status"] == NOT_SECURE
    assert result["status_reason"] == "installed release is marked insecure"
    assert result["security_updates"] == []
    assert result["security_update_available"] is False
    assert result["recommended_version"] == "8.x-2.5"
    assert result["update_available"] is True


def test_installed_release_unpublished_is_revoked(status):
    result = status("release_flags", "8.x-2.3")
    assert result["status"] == REVOKED
    assert result["status_reason"] == "installed release revoked (unpublished)"
    assert result["recommended_version"] == "8.x-2.5"
    # A revoked release with a newer recommended one has an update available (REVOKED now
    # counts with NOT_CURRENT, NOT_SECURE and NOT_SUPPORTED).
    assert result["update_available"] is True


def test_installed_release_marked_unsupported_is_not_supported(status):
    result = status("release_flags", "8.x-2.2")
    assert result["status"] == NOT_SUPPORTED
    assert result["status_reason"] == "installed release marked unsupported"
    assert result["update_available"] is True


def test_flagged_releases_are_never_recommended(status):
    # 8.x-2.4 (Insecure), 8.x-2.3 (unpublished) and 8.x-2.2 (Unsupported) are skipped.
    result = status("release_flags", "8.x-2.1")
    assert (result["status"], result["recommended_version"]) == (NOT_CURRENT, "8.x-2.5")


# --- supported branches ---------------------------------------------------------------------


def test_version_outside_supported_branches_targets_the_next_supported_branch(status):
    # 2.0. is not supported; the first supported branch at or above major 2 is 2.1.
    result = status("branch_support", "2.0.9")
    assert result["status"] == NOT_SUPPORTED
    assert result["status_reason"] == "installed version is not in a supported branch"
    assert result["recommended_version"] == "2.1.2"
    assert result["latest_version"] == "2.1.2"
    assert result["also_available"] == ["4.0.1"]
    assert result["update_available"] is True


def test_unsupported_major_stays_on_its_major_with_the_higher_one_also_available(status):
    # Drupal says otherwise than "the first supported branch at or above the installed major":
    # the target is the major of the FIRST supported branch (2.1. -> 2), then never below the
    # installed major: max(3, 2) = 3. Major 3 has no supported release, so nothing is
    # recommended and 4.0.1 is "also available" (update.compare.inc; the first-branch target
    # is what UpdateSemverTestBaselineTrait::testMajorExtraUpdateAvailable shows).
    result = status("branch_support", "3.0.4")
    assert (result["status"], result["recommended_version"]) == (NOT_SUPPORTED, None)
    assert result["latest_version"] == "3.0.4"
    assert result["also_available"] == ["4.0.1"]
    assert result["update_available"] is True


def test_legacy_core_prefix_version_of_a_semver_project(status):
    # 8.x-1.7 is major 1: the target is the 2.1. branch.
    result = status("branch_support", "8.x-1.7")
    assert (result["status"], result["recommended_version"]) == (NOT_SUPPORTED, "2.1.2")
    assert result["also_available"] == ["4.0.1"]


def test_unsupported_version_above_every_branch_has_nothing_to_recommend(status):
    # Nothing at or above major 5 is supported, and Drupal never recommends a downgrade.
    result = status("branch_support", "5.0.0")
    assert result["status"] == NOT_SUPPORTED
    assert result["recommended_version"] is None
    assert result["update_available"] is False


def test_supported_branch_behind_is_not_current(status):
    result = status("branch_support", "2.1.1")
    # The reason of a NOT_CURRENT row says what is newer.
    assert (result["status"], result["status_reason"]) == (NOT_CURRENT, "newer release available: 2.1.2")
    assert result["recommended_version"] == "2.1.2"
    assert result["update_available"] is True
    assert result["security_update_available"] is False


# --- security updates, recommended, latest, also available ---------------------------------


def test_security_update_newer_than_installed_is_listed_but_not_secure(status):
    # Drupal says otherwise than NOT_SECURE: since Drupal 8.6 a newer security release only
    # lists the update; 2.0.1 carries no Insecure mark, so it is NOT_CURRENT
    # (UpdateSemverTestSecurityAvailabilityTrait, case '0.0, 1.2, secure').
    result = status("secure_kit", "2.0.1")
    assert result["status"] == NOT_CURRENT
    assert result["security_updates"] == ["2.0.2"]
    assert result["security_update_available"] is True
    assert result["update_available"] is True
    assert result["recommended_version"] == "2.0.3"
    assert result["latest_version"] == "2.0.3"
    # Only a beta in the 3.0 branch; the 3.0.x-dev snapshot is not preferred over it.
    assert result["also_available"] == ["3.0.0-beta2"]


def test_security_update_installed_is_not_a_security_update_to_itself(status):
    result = status("secure_kit", "2.0.2")
    assert (result["status"], result["security_updates"]) == (NOT_CURRENT, [])
    assert result["update_available"] is True


def test_current_at_recommended(status):
    result = status("secure_kit", "2.0.3")
    assert (result["status"], result["status_reason"]) == (CURRENT, None)
    assert result["update_available"] is False
    assert result["also_available"] == ["3.0.0-beta2"]


def test_older_major_in_a_supported_branch_stays_on_its_major(status):
    # Drupal says NOT_CURRENT, not NOT_SECURE: 8.x-1.8 is not marked Insecure
    # (UpdateContribTest::securityUpdateAvailabilityProvider lists the update either way).
    result = status("secure_kit", "8.x-1.8")
    assert result["status"] == NOT_CURRENT
    assert result["security_updates"] == ["8.x-1.9"]
    assert result["recommended_version"] == "8.x-1.9"
    # Newest first, one per higher supported major.
    assert result["also_available"] == ["3.0.0-beta2", "2.0.3"]
    assert status("secure_kit", "8.x-1.9")["status"] == CURRENT


def test_current_at_latest_when_latest_is_a_pre_release(status):
    result = status("beta_kit", "1.3.0-beta1")
    assert result["status"] == CURRENT
    assert result["latest_version"] == "1.3.0-beta1"
    # Drupal says otherwise than 1.2.4: its walk stops at the installed release, before any
    # release without extra, and falls back to the latest; 1.2.4 would be a downgrade
    # (UpdateSemverTestSecurityAvailabilityTrait, case '2.0-rc2, 0.2 1.2').
    assert result["recommended_version"] == "1.3.0-beta1"
    assert result["update_available"] is False


def test_current_at_recommended_while_a_beta_is_latest(status):
    result = status("beta_kit", "1.2.4")
    assert (result["status"], result["update_available"]) == (CURRENT, False)


def test_older_pre_release_is_not_current_with_the_newer_one_available(status):
    result = status("beta_kit", "1.3.0-alpha1")
    assert result["status"] == NOT_CURRENT
    assert result["update_available"] is True


def test_security_update_is_listed_for_an_unsupported_branch(status):
    # Drupal 7's "security updates always trump" is gone since Drupal 8.6; Drupal says
    # NOT_SUPPORTED: 10.2. is out of support, and the newer Security update 10.3.11 in the
    # target major is listed (UpdateSemverTestSecurityAvailabilityTrait: an install outside the
    # supported branches is only NOT_SECURE when its release is marked Insecure).
    result = status("drupal", "10.2.11")
    assert result["status"] == NOT_SUPPORTED
    assert result["security_updates"] == ["10.3.11"]
    assert result["security_update_available"] is True


def test_core_recommends_the_newest_minor_of_its_major(status):
    result = status("drupal", "10.3.10")
    # Drupal says NOT_CURRENT: 10.3.10 is not marked Insecure
    # (UpdateSemverTestSecurityAvailabilityTrait, case '0.2, 0.2').
    assert result["status"] == NOT_CURRENT
    assert result["security_updates"] == ["10.3.11"]
    assert result["recommended_version"] == "10.4.1"
    assert result["latest_version"] == "10.4.1"
    assert result["also_available"] == ["11.1.1"]


def test_core_current_and_behind(status):
    assert status("drupal", "10.4.1")["status"] == CURRENT
    behind = status("drupal", "11.0.9")
    assert (behind["status"], behind["recommended_version"]) == (NOT_CURRENT, "11.1.1")
    assert behind["also_available"] == []


def test_now_ignores_releases_published_later(status):
    # On 2024-04-15 the newest 2.0 release was 2.0.2 (2.0.3-rc1 came on 04-20).
    before = status("secure_kit", "2.0.2", now=datetime(2024, 4, 15, tzinfo=UTC))
    assert (before["status"], before["recommended_version"]) == (CURRENT, "2.0.2")
    assert before["also_available"] == []


# --- dev snapshots --------------------------------------------------------------------------

# secure_kit: 2.0.1 on 2024-03-01, 2.0.2 (Security update) on 2024-04-01, 2.0.3 on
# 2024-05-01, the 2.0.x-dev tarball rebuilt on 2024-05-20.


def test_dev_snapshot_built_after_every_release_is_current(status):
    result = status("secure_kit", "2.0.x-dev", datestamp=unix("2024-05-20"))
    assert (result["status"], result["update_available"]) == (CURRENT, False)


def test_dev_snapshot_older_than_the_newest_build_is_not_current(status):
    # Built after 2.0.3 but before the newest 2.0.x-dev tarball: Drupal's latest_dev
    # is the dev release when it is newer than the latest release.
    result = status("secure_kit", "2.0.x-dev", datestamp=unix("2024-05-10"))
    assert result["status"] == NOT_CURRENT
    assert result["security_updates"] == []
    assert result["update_available"] is True


def test_dev_snapshot_before_a_security_release_lists_it(status):
    # Drupal says NOT_CURRENT with the security update listed (DevReleaseTest::testSecurityUpdates).
    result = status("secure_kit", "2.0.x-dev", datestamp=unix("2024-03-15"))
    assert result["status"] == NOT_CURRENT
    assert result["security_updates"] == ["2.0.2"]
    assert result["security_update_available"] is True


def test_dev_snapshot_within_100_seconds_of_a_release_counts_as_that_build(status):
    result = status("secure_kit", "2.0.x-dev", datestamp=unix("2024-04-01") - 99)
    assert result["security_updates"] == []
    assert result["status"] == NOT_CURRENT
    older = status("secure_kit", "2.0.x-dev", datestamp=unix("2024-04-01") - 100)
    assert older["security_updates"] == ["2.0.2"]


def test_dev_snapshot_without_datestamp_is_not_checked(status):
    result = status("secure_kit", "2.0.x-dev")
    assert result["status"] == NOT_CHECKED
    # Drupal's wording (DevReleaseTest::testSecurityUpdateEmptyProjectTimestamp).
    assert result["status_reason"] == "Unknown release date"
    # Without a build date Drupal cannot tell which security releases it has.
    assert result["security_updates"] == []
    assert result["recommended_version"] == "2.0.3"


def test_dev_snapshot_of_an_older_major(status):
    result = status("secure_kit", "8.x-1.x-dev", datestamp=unix("2023-11-01"))
    # Drupal says NOT_CURRENT with the update listed (DevReleaseTest::testSecurityUpdates).
    assert result["status"] == NOT_CURRENT
    assert result["security_updates"] == ["8.x-1.9"]


def test_commit_dev_snapshot_uses_its_datestamp(status):
    # 2.0.1+3-dev: three commits after 2.0.1, built before 2.0.2.
    result = status("secure_kit", "2.0.1+3-dev", datestamp=unix("2024-03-05"))
    # Drupal says NOT_CURRENT with the update listed (DevReleaseTest::testSecurityUpdates).
    assert (result["status"], result["security_updates"]) == (NOT_CURRENT, ["2.0.2"])


def test_dev_snapshot_is_dated_by_the_newest_module_of_its_project_on_each_site(modern):
    # Drupal gathers a project's modules into one install dated by their newest datestamp
    # (UpdateSemverCoreTest::testDatestampMismatch); other sites do not count.
    projects, releases = modern
    rows = [
        {"site_id": 1, "project": "secure_kit", "version": "2.0.x-dev", "datestamp": unix("2024-05-10")},
        {"site_id": 1, "project": "secure_kit", "version": "2.0.x-dev", "datestamp": unix("2024-05-20")},
        {"site_id": 2, "project": "secure_kit", "version": "2.0.x-dev", "datestamp": unix("2024-05-10")},
        {"site_id": 3, "project": "secure_kit", "version": "2.0.x-dev", "datestamp": 0},
        {"site_id": 3, "project": "secure_kit", "version": "2.0.x-dev"},
    ]
    result = compute_update_status(installed_frame(rows), projects, releases)
    assert result["status"].to_list() == [CURRENT, CURRENT, NOT_CURRENT, NOT_CHECKED, NOT_CHECKED]


def test_module_without_a_project_is_custom_code(modern):
    projects, releases = modern
    installed = installed_frame([{"project": None, "version": "1.0.0"}])
    result = compute_update_status(installed, projects, releases).row(0, named=True)
    assert (result["status"], result["status_reason"]) == (UNKNOWN, "custom code: no release data on drupal.org")


def test_empty_version_is_unknown_not_refused(status):
    result = status("secure_kit", "")
    assert (result["status"], result["status_reason"]) == (UNKNOWN, "Empty version")
    assert result["recommended_version"] is None


# --- set-based behaviour --------------------------------------------------------------------

MODERN_CASES = [
    {"project": "secure_kit", "version": "2.0.1"},
    {"project": "secure_kit", "version": "2.0.3"},
    {"project": "secure_kit", "version": "2.0.x-dev", "datestamp": unix("2024-03-15")},
    {"project": "secure_kit", "version": "2.0.x-dev"},
    {"project": "secure_kit", "version": "nope"},
    {"project": "beta_kit", "version": "1.3.0-beta1"},
    {"project": "release_flags", "version": "8.x-2.3"},
    {"project": "branch_support", "version": "2.0.9"},
    {"project": "unsupported_project", "version": "8.x-1.0"},
    {"project": "drupal", "version": "10.3.10", "module_type": "core"},
    {"project": "mine", "version": "1.0.0", "module_type": "custom"},
    {"project": "brand_new_project", "version": "1.0.0"},
]


def test_one_call_for_all_rows_equals_one_call_per_row(modern):
    projects, releases = modern
    # Two sites with the same modules, interleaved, to exercise the shared work. Each row is on a
    # site of its own: modules of one project on one site share the project's datestamp.
    rows = [
        dict(case, site_module_id=100 + index, site_id=index)
        for index, case in enumerate(MODERN_CASES * 2)
    ]
    together = compute_update_status(installed_frame(rows), projects, releases)
    alone = pl.concat(
        [compute_update_status(installed_frame([row]), projects, releases) for row in rows]
    )
    assert together["site_module_id"].to_list() == [row["site_module_id"] for row in rows]
    assert_frame_equal(together, alone)


def test_lazy_and_eager_inputs_give_the_same_result(modern):
    projects, releases = modern
    installed = installed_frame(MODERN_CASES)
    assert_frame_equal(
        compute_update_status(installed.lazy(), projects.lazy(), releases.lazy()),
        compute_update_status(installed, projects, releases),
    )


def test_duplicate_release_rows_do_not_duplicate_output(modern):
    projects, releases = modern
    installed = installed_frame(MODERN_CASES)
    assert_frame_equal(
        compute_update_status(installed, projects, pl.concat([releases, releases])),
        compute_update_status(installed, projects, releases),
    )


# --- a realistic Drupal 7 site against the real July 2014 feeds -----------------------------

D7_SITE = [
    # (site_module_id, project, version, datestamp, module_type, expected status, why)
    (1, "drupal", "7.26", None, "core", NOT_SECURE,
     "7.27 and 7.29 are Security updates newer than 7.26"),
    (2, "views", "7.x-3.8", None, "contrib", CURRENT,
     "7.x-3.8 is the newest 7.x-3 release (and itself the latest Security update)"),
    (3, "ctools", "7.x-1.3", None, "contrib", NOT_SECURE,
     "7.x-1.4 is a Security update"),
    (4, "token", "7.x-1.5", None, "contrib", CURRENT,
     "7.x-1.5 is the newest release; 7.x-1.x-dev is a snapshot, not a release"),
    (5, "pathauto", "7.x-1.2", None, "contrib", CURRENT,
     "7.x-1.2 is the newest release"),
    (6, "entity", "7.x-1.2", None, "contrib", NOT_SECURE,
     "7.x-1.3 is a Security update; recommended is 7.x-1.5"),
    (7, "rules", "7.x-2.6", None, "contrib", NOT_CURRENT,
     "7.x-2.7 is newer and is not a Security update"),
    (8, "webform", "7.x-3.19", None, "contrib", NOT_SECURE,
     "7.x-3.20 is a Security update; major 4 (supported) only has 7.x-4.0-rc4"),
    (9, "date", "7.x-2.7", None, "contrib", CURRENT,
     "7.x-2.7 is recommended; the newer 7.x-2.8-beta1 is only the latest"),
    (10, "metatag", "7.x-1.0-beta9", None, "contrib", NOT_CURRENT,
     "no stable release: recommended falls back to the latest, 7.x-1.0-rc1"),
    (11, "google_analytics", "7.x-1.4", None, "contrib", NOT_SUPPORTED,
     "supported_majors is 2 only; the target major 2 recommends 7.x-2.0"),
    (12, "botcha", "7.x-2.0", None, "contrib", NOT_SECURE,
     "major 2 is not in 1,3,4; target major 3 has Security update 7.x-3.3, which trumps"),
    (13, "backup_migrate", "7.x-2.8", None, "contrib", CURRENT,
     "7.x-2.8 is the newest 7.x-2; major 3 is also supported (7.x-3.0 also available)"),
    (14, "devel", "7.x-1.x-dev", 1401918200, "contrib", CURRENT,
     "built 27 s before the 7.x-1.x-dev tarball of 1401918227 (within the 100 s leeway)"),
    (15, "admin_menu", "7.x-3.x-dev", None, "contrib", NOT_CHECKED,
     "a dev snapshot without datestamp cannot be dated"),
    (16, "logintoboggan", "7.x-1.x-dev", 1388534400, "contrib", NOT_SECURE,
     "built 2014-01-01; Security update 7.x-1.4 came on 2014-07-08"),
    (17, "mysite_tweaks", "7.x-1.0", None, "custom", UNKNOWN,
     "custom module: nothing on drupal.org"),
    (18, "legacy_gallery", "7.x-2.1", None, "contrib", UNKNOWN,
     "drupal.org answered <error>: no release history"),
    (19, "imce", "7.x-1.9", None, "contrib", CURRENT,
     "7.x-1.9 is the newest; the feed's 'master' release is not a version and is ignored"),
    (20, "ckeditor", "7.x-1.13", None, "contrib", NOT_CURRENT,
     "7.x-1.14 and 7.x-1.15 are bug-fix releases; the Security updates are older"),
    (21, "features", "7.x-1.0", None, "contrib", CURRENT,
     "7.x-1.0 is the newest of supported major 1; 7.x-2.0 is also available"),
    (22, "context", "7.x-3.0-beta6", None, "contrib", NOT_SECURE,
     "7.x-3.0 is a Security update newer than the beta"),
    (23, "diff", "7.x-2.0", None, "contrib", NOT_SUPPORTED,
     "supported_majors is 3 only and no 7.x-3 release is a Security update"),
    # Drupal 7 would walk past every release (7.50 is not in this 2014 feed) and recommend 7.29,
    # a downgrade; modwatch looks only at releases newer than the installed one, finds none,
    # and says what Drupal says when it has nothing to recommend.
    (24, "drupal", "7.50", None, "core", UNKNOWN,
     "7.50 is newer than every release of this 2014 snapshot: nothing to recommend"),
]

D7_DETAILS = {
    # site_module_id: (recommended, latest, also_available, security_updates, update_available)
    1: ("7.29", "7.29", [], ["7.29", "7.27"], True),
    2: ("7.x-3.8", "7.x-3.8", [], [], False),
    3: ("7.x-1.4", "7.x-1.4", [], ["7.x-1.4"], True),
    6: ("7.x-1.5", "7.x-1.5", [], ["7.x-1.3"], True),
    7: ("7.x-2.7", "7.x-2.7", [], [], True),
    8: ("7.x-3.20", "7.x-3.20", ["7.x-4.0-rc4"], ["7.x-3.20"], True),
    9: ("7.x-2.7", "7.x-2.8-beta1", [], [], False),
    10: ("7.x-1.0-rc1", "7.x-1.0-rc1", [], [], True),
    11: ("7.x-2.0", "7.x-2.0", [], [], True),
    # Major 4's only release is its dev snapshot, so that is what is "also available".
    12: ("7.x-3.3", "7.x-3.3", ["7.x-4.x-dev"], ["7.x-3.3"], True),
    13: ("7.x-2.8", "7.x-2.8", ["7.x-3.0"], [], False),
    14: ("7.x-1.5", "7.x-1.5", [], [], False),
    15: ("7.x-3.0-rc4", "7.x-3.0-rc4", [], [], False),
    16: ("7.x-1.4", "7.x-1.4", [], ["7.x-1.4"], True),
    17: (None, None, [], [], False),
    18: (None, None, [], [], False),
    20: ("7.x-1.15", "7.x-1.15", [], [], True),
    21: ("7.x-1.0", "7.x-1.0", ["7.x-2.0"], [], False),
    22: ("7.x-3.2", "7.x-3.2", [], ["7.x-3.0"], True),
    23: ("7.x-3.2", "7.x-3.2", [], [], True),
    24: (None, None, [], [], False),
}


def test_realistic_drupal_7_site():
    projects, releases = load_feeds(sorted((FEEDS / "d7").glob("*.xml")), "7.x")
    parse_error_project = pl.DataFrame(
        {"project": ["legacy_gallery"], "feed_api": ["7.x"], "fetch_state": ["not_found"]}
    )
    installed = installed_frame(
        [
            {
                "site_module_id": site_module_id,
                "project": project,
                "version": version,
                "datestamp": datestamp,
                "module_type": module_type,
                "feed_api": "7.x",
            }
            for site_module_id, project, version, datestamp, module_type, _, _ in D7_SITE
        ]
    )
    result = compute_update_status(
        installed, pl.concat([projects, parse_error_project], how="diagonal"), releases
    )

    statuses = dict(zip(result["site_module_id"], result["status"], strict=True))
    assert statuses == {row[0]: row[5] for row in D7_SITE}
    by_id = {row["site_module_id"]: row for row in result.iter_rows(named=True)}
    for site_module_id, (recommended, latest, also, security, update) in D7_DETAILS.items():
        row = by_id[site_module_id]
        assert (
            row["recommended_version"],
            row["latest_version"],
            row["also_available"],
            row["security_updates"],
            row["update_available"],
            row["security_update_available"],
        ) == (recommended, latest, also, security, update, bool(security)), site_module_id


# --- properties and scale -------------------------------------------------------------------


@pytest.fixture(scope="module")
def d7() -> tuple[pl.DataFrame, pl.DataFrame]:
    return load_feeds(sorted((FEEDS / "d7").glob("*.xml")), "7.x")


D7_VERSIONS = [
    (path.name.removesuffix("-7.x.xml"), version)
    for path in sorted((FEEDS / "d7").glob("*.xml"))
    for version in parse_release_feed(path.read_bytes()).releases["version"]
]

installed_rows = st.lists(
    st.fixed_dictionaries(
        {
            "project_version": st.sampled_from(D7_VERSIONS)
            | st.tuples(st.sampled_from(["views", "unknown_one"]), st.sampled_from(["7.x-9.9", "x"])),
            "datestamp": st.none() | st.integers(1_262_304_000, 1_420_070_400),
            "module_type": st.sampled_from(["contrib", "contrib", "core", "custom"]),
        }
    ),
    min_size=1,
    max_size=40,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=installed_rows)
def test_status_invariants(d7, rows):
    projects, releases = d7
    installed = installed_frame(
        [
            {
                "project": row["project_version"][0],
                "version": row["project_version"][1],
                "datestamp": row["datestamp"],
                "module_type": row["module_type"],
                "feed_api": "7.x",
            }
            for row in rows
        ]
    )
    result = compute_update_status(installed, projects, releases)
    assert result.height == installed.height
    assert result["site_module_id"].to_list() == installed["site_module_id"].to_list()
    for row in result.iter_rows(named=True):
        assert row["status"] in STATUSES
        assert row["security_update_available"] == bool(row["security_updates"])
        if row["security_updates"]:
            assert row["status"] == NOT_SECURE
        if row["update_available"]:
            assert row["status"] in (NOT_CURRENT, NOT_SECURE, NOT_SUPPORTED)
        if row["status"] == CURRENT:
            assert not row["update_available"]
            assert row["recommended_version"] is not None


def test_two_hundred_thousand_rows_in_one_call(d7):
    projects, releases = d7
    n = 200_000
    sample = releases.select("project", "version").sample(n, with_replacement=True, seed=7)
    installed = (
        sample.with_columns(
            site_module_id=pl.int_range(n, dtype=pl.Int64),
            site_id=pl.int_range(n, dtype=pl.Int64) // 40,
            feed_api=pl.lit("7.x"),
            # Every 50th module is custom code, every 7th dev build has no datestamp.
            module_type=pl.when(pl.int_range(n) % 50 == 0).then(pl.lit("custom")).otherwise(
                pl.lit("contrib")
            ),
            datestamp=pl.when(pl.int_range(n) % 7 == 0)
            .then(None)
            .otherwise(1_300_000_000 + pl.int_range(n) * 500),
        )
        .with_columns(parsed=version_struct(pl.col("version")))
        .unnest("parsed")
    )
    result = compute_update_status(installed, projects, releases)
    assert result.height == n
    assert result["status"].null_count() == 0
    assert result["site_module_id"].to_list() == list(range(n))
    assert set(result["status"].unique()) <= set(STATUSES)
    counts = dict(result.group_by("status").len().iter_rows())
    assert counts[UNKNOWN] >= n // 50
    assert {CURRENT, NOT_CURRENT, NOT_SECURE, NOT_CHECKED} <= set(counts)
