"""Drupal's own Update Status situations, one test each, against feeds written for them.

Every situation comes from a test of Drupal's update module (named in
``drupal_test``); the feeds under feeds/drupal_scenarios hold the same facts
(which releases exist, their marks, the supported branches or majors) in
drupal.org's release-history format. ``why`` reasons each expected value from
the rule of update.compare.inc that decides it. For the Drupal 7 situations
the module is Drupal 7's (modules/update/update.test and update.compare.inc).

Drupal's functional tests read a rendered report; where the report hides a
value the status data holds, the expectation is the data modwatch stores and
``why`` says what the report shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import polars as pl
import pytest

from transforms.release_feed import parse_release_feed
from transforms.update_status import (
    CURRENT,
    NOT_CHECKED,
    NOT_CURRENT,
    NOT_SECURE,
    NOT_SUPPORTED,
    REVOKED,
    UNKNOWN,
    compute_update_status,
)
from transforms.versions import version_struct

SCENARIO_FEEDS = Path(__file__).parent / "feeds" / "drupal_scenarios"

BASELINE = "UpdateSemverTestBaselineTrait"
SECURITY = "UpdateSemverTestSecurityAvailabilityTrait::securityUpdateAvailabilityProvider"
CONTRIB = "UpdateContribTest"
SEMVER_CONTRIB = "UpdateSemverContribTestBase::testUpdatesLegacyToSemver"
DRUPAL_7 = "Drupal 7 update.test"
DRUPAL_7_RULE = "Drupal 7 update.compare.inc"

NOT_SUPPORTED_BRANCH = "installed version is not in a supported branch"
NOT_SUPPORTED_MAJOR = "installed major version is no longer supported"
MARKED_INSECURE = "installed release is marked insecure"
MARKED_UNSUPPORTED = "installed release marked unsupported"
RELEASE_REVOKED = "installed release revoked (unpublished)"
NO_RELEASES = "No available releases found"
ONE_SECURITY_UPDATE = "1 security update(s) newer than the installed version"


def newer(version: str) -> str:
    return f"newer release available: {version}"


@dataclass(frozen=True)
class Scenario:
    """One installed project and what Drupal shows for it."""

    id: str
    feed: str  # a file stem under feeds/drupal_scenarios (also the project's short name)
    version: str | None
    status: str
    reason: str | None
    recommended: str | None
    latest: str | None
    security: tuple[str, ...] = ()
    also: tuple[str, ...] = ()
    # Datestamps of the project's modules on the site (several: one project, several modules).
    datestamps: tuple[int | None, ...] = (None,)
    drupal_test: str = ""
    why: str = ""


SCENARIOS = [
    # --- current feeds: minors, majors and release marks -------------------------------------
    Scenario(
        "newest_stable_release_installed_is_up_to_date", "orbit_stable", "8.1.0",
        CURRENT, None, "8.1.0", "8.1.0",
        drupal_test=f"{BASELINE}::testNoUpdatesAvailable",
        why="8.2.0 is outside the supported branches and is ignored; 8.1.0 is the first supported "
            "release of major 8 without extra, so recommended = latest = installed: CURRENT.",
    ),
    Scenario(
        "newest_prerelease_installed_is_up_to_date", "orbit_beta", "8.1.1-beta1",
        CURRENT, None, "8.1.1-beta1", "8.1.1-beta1",
        drupal_test=f"{BASELINE}::testNoUpdatesAvailable",
        why="The walk stops at 8.1.1-beta1 before any release without extra, so there is no "
            "recommended release and Drupal falls back to the latest (the installed release is "
            "supported); 8.1.0 lies after the installed release and is never recommended.",
    ),
    Scenario(
        "only_a_prerelease_is_newer", "orbit_patch_beta", "8.0.0",
        CURRENT, None, "8.0.0", "8.0.1-beta1",
        drupal_test=f"{BASELINE}::testNormalUpdateAvailable",
        why="8.0.1-beta1 is the latest but has extra; the installed 8.0.0 is the first release "
            "without extra, so it is recommended: 'Up to date' with a 'Latest version' link.",
    ),
    Scenario(
        "prerelease_of_next_minor_is_latest", "orbit_beta", "8.0.0",
        NOT_CURRENT, newer("8.1.0"), "8.1.0", "8.1.1-beta1",
        drupal_test=f"{BASELINE}::testNormalUpdateAvailable",
        why="Latest is the first release of major 8 (8.1.1-beta1); recommended is the first "
            "without extra (8.1.0); 8.0.0 is neither: 'Update available'.",
    ),
    Scenario(
        "stable_release_in_next_minor", "orbit_next_minor", "8.0.0",
        NOT_CURRENT, newer("8.1.1"), "8.1.1", "8.1.1",
        drupal_test=f"{BASELINE}::testNormalUpdateAvailable",
        why="8.1.1 is both latest and recommended; 8.0.0 is behind it.",
    ),
    Scenario(
        "installed_major_no_longer_supported", "orbit_next_major_only", "8.1.1",
        NOT_SUPPORTED, NOT_SUPPORTED_BRANCH, "9.0.0", "9.0.0",
        drupal_test=f"{BASELINE}::testMajorUpdateAvailable",
        why="8.1.1 starts with no supported branch: NOT_SUPPORTED, and the target major is the "
            "first supported branch's (9); 9.0.0 is recommended.",
    ),
    Scenario(
        "next_major_also_available_while_up_to_date", "orbit_two_majors", "8.1.1",
        CURRENT, None, "8.1.1", "8.1.1", also=("9.0.0",),
        drupal_test=f"{BASELINE}::testMajorUpdateAvailable",
        why="Major 9 is above the target major 8 and supported: 'Also available: 9.0.0'.",
    ),
    Scenario(
        "next_major_also_available_while_behind", "orbit_two_majors", "8.0.1",
        NOT_CURRENT, newer("8.1.1"), "8.1.1", "8.1.1", also=("9.0.0",),
        drupal_test=f"{BASELINE}::testMajorUpdateAvailable",
        why="Recommended 8.1.1 in the installed major, 9.0.0 also available.",
    ),
    Scenario(
        "installed_prerelease_missing_from_the_feed", "orbit_two_majors", "8.0.0-alpha1",
        NOT_CURRENT, newer("8.1.1"), "8.1.1", "8.1.1", also=("9.0.0",),
        drupal_test=f"{BASELINE}::testMajorUpdateAvailable",
        why="The feed does not list 8.0.0-alpha1; every listed release of major 8 is newer, so "
            "8.1.1 is recommended.",
    ),
    Scenario(
        "unsupported_major_recommends_first_supported_branch", "orbit_major_prerelease", "8.1.1",
        NOT_SUPPORTED, NOT_SUPPORTED_BRANCH, "9.2.2", "9.2.2", also=("10.0.0-beta1",),
        drupal_test=f"{BASELINE}::testMajorExtraUpdateAvailable",
        why="The first supported branch is 9.2.: target major 9, recommended 9.2.2; major 10 has "
            "only pre-releases and its newest, 10.0.0-beta1, is also available.",
    ),
    Scenario(
        "installed_release_revoked", "orbit_stable", "8.0.2",
        REVOKED, RELEASE_REVOKED, "8.1.0", "8.1.0",
        drupal_test=f"{BASELINE}::testRevokedRelease",
        why="The installed release is unpublished: 'Revoked!', recommended 8.1.0.",
    ),
    Scenario(
        "installed_release_marked_unsupported", "orbit_stable", "8.0.3",
        NOT_SUPPORTED, MARKED_UNSUPPORTED, "8.1.0", "8.1.0",
        drupal_test=f"{BASELINE}::testUnsupportedRelease",
        why="The installed release carries the Unsupported term: 'Not supported!', recommended 8.1.0.",
    ),
    Scenario(
        "unsupported_minor_with_nothing_newer", "orbit_minor_dropped", "8.1.0",
        NOT_SUPPORTED, NOT_SUPPORTED_BRANCH, None, "8.1.0",
        drupal_test=f"{BASELINE}::testUnsupportedRelease",
        why="8.1. is no longer supported and nothing newer exists: the walk stops at 8.1.0, which "
            "is the latest of major 8 but, being unsupported, cannot be recommended (nor can the "
            "older 8.0 releases: no downgrade). Drupal shows no 'Recommended version'.",
    ),
    Scenario(
        "unsupported_minor_prerelease_with_nothing_newer", "orbit_minor_dropped", "8.1.0-beta1",
        NOT_SUPPORTED, NOT_SUPPORTED_BRANCH, None, "8.1.0-beta1",
        drupal_test=f"{BASELINE}::testUnsupportedRelease",
        why="8.1.0 is outside the supported branches and skipped; the walk stops at the installed "
            "8.1.0-beta1: nothing to recommend.",
    ),
    Scenario(
        "unsupported_release_with_newer_majors", "orbit_later_majors", "8.0.3",
        NOT_SUPPORTED, MARKED_UNSUPPORTED, "8.1.0", "8.1.0", also=("10.0.0", "9.0.0"),
        drupal_test=f"{BASELINE}::testUnsupportedRelease",
        why="8.0.3 is marked Unsupported (and 8.0. is not a supported branch): target major 8, "
            "recommended 8.1.0; 10.0.0 and 9.0.0 also available, newest first.",
    ),
    # --- current feeds: security releases ----------------------------------------------------
    Scenario(
        "insecure_install_with_security_release", "shield_patch", "8.0.0",
        NOT_SECURE, MARKED_INSECURE, "8.0.2", "8.0.2", security=("8.0.2",),
        drupal_test=f"{SECURITY} '0.0, 0.2'; UpdateMiscTest::testModulePageSecurityUpdate",
        why="drupal.org marked 8.0.0 Insecure when 8.0.2 fixed it: NOT_SECURE, 8.0.2 listed.",
    ),
    Scenario(
        "insecure_security_release_is_not_offered", "shield_superseded_security", "8.0.0",
        NOT_SECURE, MARKED_INSECURE, "8.0.2", "8.0.2", security=("8.0.2",),
        drupal_test=f"{SECURITY} '0.0, 0.1, 0.2'",
        why="8.0.1 is a security release but is itself marked Insecure, so it is skipped.",
    ),
    Scenario(
        "secure_install_with_security_release_in_next_minor", "shield_next_minor", "8.0.0",
        NOT_CURRENT, newer("8.1.2"), "8.1.2", "8.1.2", security=("8.1.2",),
        drupal_test=f"{SECURITY} '0.0, 1.2, secure'",
        why="8.0.0 carries no Insecure mark: Drupal 8+ lists the security update and says "
            "'Update available', not 'Security update required!'.",
    ),
    Scenario(
        "secure_patch_install_with_security_release_in_next_minor", "shield_next_minor", "8.0.2",
        NOT_CURRENT, newer("8.1.2"), "8.1.2", "8.1.2", security=("8.1.2",),
        drupal_test=f"{SECURITY} '0.2, 1.2, secure'",
        why="As above for 8.0.2.",
    ),
    Scenario(
        "insecure_minor_install_with_security_release", "shield_next_minor", "8.1.0",
        NOT_SECURE, MARKED_INSECURE, "8.1.2", "8.1.2", security=("8.1.2",),
        drupal_test=f"{SECURITY} '1.0, 1.2'",
        why="8.1.0 is marked Insecure.",
    ),
    Scenario(
        "insecure_install_with_security_release_in_next_minor", "shield_all_insecure", "8.0.0",
        NOT_SECURE, MARKED_INSECURE, "8.1.2", "8.1.2", security=("8.1.2",),
        drupal_test=f"{SECURITY} '0.0, 1.2, insecure'",
        why="8.0.0 is marked Insecure; 8.1.2 is the only security release.",
    ),
    Scenario(
        "insecure_install_outside_supported_branches", "shield_old_minor_dropped", "8.0.0",
        NOT_SECURE, MARKED_INSECURE, "8.1.2", "8.1.2", security=("8.1.2",),
        drupal_test=f"{SECURITY} '0.0, 1.2, insecure-unsupported'",
        why="8.0. is not supported (NOT_SUPPORTED before the walk), but the installed release's "
            "Insecure mark overrides it.",
    ),
    Scenario(
        "secure_install_with_security_releases_in_later_minors", "shield_rc", "8.0.2",
        NOT_CURRENT, newer("8.1.2"), "8.1.2", "8.2.0-rc2", security=("8.2.0-rc2", "8.1.2"),
        drupal_test=f"{SECURITY} '0.2, 0.2'",
        why="8.0.2 is the newest 8.0 release and not Insecure: 'Update available' with both newer "
            "security releases listed.",
    ),
    Scenario(
        "insecure_install_with_security_releases_everywhere", "shield_rc", "8.0.0",
        NOT_SECURE, MARKED_INSECURE, "8.1.2", "8.2.0-rc2", security=("8.2.0-rc2", "8.1.2", "8.0.2"),
        drupal_test=f"{SECURITY} '0.0, 0.2 1.2'",
        why="8.0.0 is marked Insecure; every newer security release is listed, newest first.",
    ),
    Scenario(
        "up_to_date_on_recommended_hides_a_prerelease_security_release", "shield_rc", "8.1.2",
        CURRENT, None, "8.1.2", "8.2.0-rc2",
        drupal_test=f"{SECURITY} '1.2, 0.2 1.2'",
        why="8.1.2 is the recommended release: 'Up to date', and the report lists no security "
            "update for a project current on its recommended release (8.2.0-rc2 is a pre-release "
            "of a later minor).",
    ),
    Scenario(
        "installed_security_release_candidate_is_up_to_date", "shield_rc", "8.2.0-rc2",
        CURRENT, None, "8.2.0-rc2", "8.2.0-rc2",
        drupal_test=f"{SECURITY} '2.0-rc2, 0.2 1.2'",
        why="The walk stops at once; no release without extra before it, so the latest (the "
            "installed rc) is recommended; 8.1.2 would be a downgrade.",
    ),
    Scenario(
        "security_release_below_the_installed_minor_is_not_listed", "shield_rc", "8.1.0",
        NOT_SECURE, MARKED_INSECURE, "8.1.2", "8.2.0-rc2", security=("8.2.0-rc2", "8.1.2"),
        drupal_test=f"{SECURITY} '1.0, 0.2 1.2'",
        why="8.0.2 comes after 8.1.0 in the feed: the walk never reaches it.",
    ),
    Scenario(
        "insecure_prerelease_with_security_release_candidate", "shield_rc", "8.2.0-beta1",
        NOT_SECURE, MARKED_INSECURE, "8.2.0-rc2", "8.2.0-rc2", security=("8.2.0-rc2",),
        drupal_test=f"{SECURITY} 'Pre-release:2.0-beta1, security update'",
        why="8.2.0-beta1 is marked Insecure; 8.2.0-rc2 is the security update and, with no "
            "release without extra before the installed one, also the recommended release.",
    ),
    Scenario(
        "prerelease_install_with_newer_prerelease", "shield_rc_clean", "8.2.0-alpha1",
        NOT_CURRENT, newer("8.2.0-rc2"), "8.2.0-rc2", "8.2.0-rc2",
        drupal_test=f"{SECURITY} 'Pre-release:2.0-alpha1, no security update'",
        why="Nothing is insecure; the newest pre-release is the latest and, by fallback, the "
            "recommended release: 'Update available', no security update (8.1.2 is older).",
    ),
    Scenario(
        "newest_prerelease_installed_without_security_release", "shield_rc_clean", "8.2.0-rc2",
        CURRENT, None, "8.2.0-rc2", "8.2.0-rc2",
        drupal_test=f"{SECURITY} 'Pre-release:2.0-rc2, no security update'",
        why="The installed pre-release is the latest.",
    ),
    # --- current feeds: contrib with 8.x- versions ---------------------------------------------
    Scenario(
        "contrib_insecure_install_security_releases_in_two_majors", "lever_two_majors", "8.x-1.0",
        NOT_SECURE, MARKED_INSECURE, "8.x-1.2", "8.x-1.2", security=("8.x-1.2",), also=("8.x-2.2",),
        drupal_test=f"{CONTRIB}::securityUpdateAvailabilityProvider '8.x-1.0, 8.x-1.2 8.x-2.2'",
        why="Only the target major's security release is a security update; major 2 is also "
            "available; 8.x-3 is outside the supported branches.",
    ),
    Scenario(
        "contrib_current_on_security_release_with_newer_major", "lever_two_majors", "8.x-1.2",
        CURRENT, None, "8.x-1.2", "8.x-1.2", also=("8.x-2.2",),
        drupal_test=f"{CONTRIB}::securityUpdateAvailabilityProvider '8.x-1.2, 8.x-1.2 8.x-2.2'",
        why="The newer major's security release is not an update of major 1: 'Up to date'.",
    ),
    Scenario(
        "contrib_newest_major_current", "lever_two_majors", "8.x-2.2",
        CURRENT, None, "8.x-2.2", "8.x-2.2",
        drupal_test=f"{CONTRIB}::securityUpdateAvailabilityProvider '8.x-2.2, 8.x-1.2 8.x-2.2'",
        why="8.x-3.0-beta2 is outside the supported branches: nothing also available.",
    ),
    Scenario(
        "contrib_insecure_install_in_newer_major", "lever_two_majors", "8.x-2.0",
        NOT_SECURE, MARKED_INSECURE, "8.x-2.2", "8.x-2.2", security=("8.x-2.2",),
        drupal_test=f"{CONTRIB}::securityUpdateAvailabilityProvider '8.x-2.0, 8.x-1.2 8.x-2.2'",
        why="8.x-2.1 is a security release but marked Insecure, so only 8.x-2.2 is listed.",
    ),
    Scenario(
        "contrib_security_release_only_in_newer_major", "lever_old_major_clean", "8.x-1.0",
        NOT_CURRENT, newer("8.x-1.2"), "8.x-1.2", "8.x-1.2", also=("8.x-2.2",),
        drupal_test=f"{CONTRIB}::securityUpdateAvailabilityProvider '8.x-1.0, 8.x-2.2, not insecure'",
        why="Major 1 is not affected: 'Update available', no security update.",
    ),
    Scenario(
        "contrib_insecure_install_security_release_in_its_major", "lever_old_major_clean", "8.x-2.0",
        NOT_SECURE, MARKED_INSECURE, "8.x-2.2", "8.x-2.2", security=("8.x-2.2",),
        drupal_test=f"{CONTRIB}::securityUpdateAvailabilityProvider '8.x-2.0, 8.x-2.2'",
        why="8.x-2.0 is marked Insecure; 8.x-2.1 (Insecure) is skipped.",
    ),
    Scenario(
        "contrib_revoked_release_with_newer_major", "lever_flags", "8.x-1.0",
        REVOKED, RELEASE_REVOKED, "8.x-1.0", "8.x-1.0", also=("8.x-2.0",),
        drupal_test=f"{CONTRIB}::testRevokedRelease",
        why="'Revoked!' with 8.x-2.0 also available. Drupal looks at the installed release even "
            "though it is unpublished; it is in a supported branch and not marked Unsupported, so "
            "its data names it latest and recommended (the report's label is a Drupal todo).",
    ),
    Scenario(
        "contrib_unsupported_release_with_newer_major", "lever_flags", "8.x-1.1",
        NOT_SUPPORTED, MARKED_UNSUPPORTED, None, "8.x-1.1", also=("8.x-2.0",),
        drupal_test=f"{CONTRIB}::testUnsupportedRelease",
        why="8.x-1.1 is marked Unsupported, so it cannot be recommended and 8.x-1.0 (unpublished, "
            "and older) is not looked at: 'Not supported!', 8.x-2.0 also available.",
    ),
    Scenario(
        "contrib_revoked_release_in_unsupported_major", "lever_flags_old_major_dropped", "8.x-1.0",
        REVOKED, RELEASE_REVOKED, "8.x-2.0", "8.x-2.0",
        drupal_test=f"{CONTRIB}::testRevokedRelease",
        why="8.x-1. is no longer supported: target major 2, 'Recommended version: 8.x-2.0'.",
    ),
    Scenario(
        "contrib_unsupported_release_in_unsupported_major", "lever_flags_old_major_dropped", "8.x-1.1",
        NOT_SUPPORTED, MARKED_UNSUPPORTED, "8.x-2.0", "8.x-2.0",
        drupal_test=f"{CONTRIB}::testUnsupportedRelease",
        why="Target major 2: 'Recommended version: 8.x-2.0'.",
    ),
    Scenario(
        "version_that_is_not_a_drupal_version", "lever_flags", "llama",
        UNKNOWN, "Invalid version: llama", None, None,
        drupal_test=f"{CONTRIB}::testNonStandardVersionStrings",
        why="'Invalid version: llama'.",
    ),
    Scenario(
        "empty_version", "lever_flags", "",
        UNKNOWN, "Empty version", None, None,
        drupal_test=f"{CONTRIB}::testNonStandardVersionStrings",
        why="'Empty version'.",
    ),
    Scenario(
        # Drupal prints "Invalid version: Unknown" here, because it substitutes the word
        # "Unknown" for a missing version before checking it; modwatch has no placeholder
        # and reports a missing version as an empty one.
        "missing_version", "lever_flags", None,
        UNKNOWN, "Empty version", None, None,
        drupal_test=f"{CONTRIB}::testNonStandardVersionStrings",
        why="A module that reports no version at all.",
    ),
    Scenario(
        "feed_without_releases", "lever_empty", "8.x-1.0",
        UNKNOWN, NO_RELEASES, None, None,
        drupal_test=f"{CONTRIB}::testNoReleasesAvailable",
        why="'No available releases found'.",
    ),
    Scenario(
        "legacy_branch_supported_semver_major_also_available", "bridge_legacy_supported", "8.x-7.0",
        NOT_CURRENT, newer("8.x-7.1"), "8.x-7.1", "8.x-7.1", also=("8.1.0",),
        drupal_test=SEMVER_CONTRIB,
        why="8.x-7. is supported: recommended 8.x-7.1; the semantic major 8 is also available "
            "(8.2.0 is outside the supported branches).",
    ),
    Scenario(
        "legacy_branch_supported_up_to_date", "bridge_legacy_supported", "8.x-7.1",
        CURRENT, None, "8.x-7.1", "8.x-7.1", also=("8.1.0",),
        drupal_test=SEMVER_CONTRIB,
        why="'Up to date' with 8.1.0 also available.",
    ),
    Scenario(
        "legacy_branch_dropped_recommends_semver_major", "bridge_legacy_dropped", "8.x-7.0",
        NOT_SUPPORTED, NOT_SUPPORTED_BRANCH, "8.1.0", "8.1.0",
        drupal_test=SEMVER_CONTRIB,
        why="8.x-7. is not supported: target major is the first supported branch's (8): "
            "recommended 8.1.0.",
    ),
    # --- current feeds: dev snapshots --------------------------------------------------------
    Scenario(
        "dev_snapshot_with_security_release_built_after_it", "spark_dev", "8.1.0-dev",
        NOT_CURRENT, "newer release or build available: 8.1.2", "8.1.2", "8.1.2",
        security=("8.1.2",), datestamps=(1280424641,),
        drupal_test="DevReleaseTest::testSecurityUpdates",
        why="8.1.2 (1280424741) is not before datestamp + 100 s (= 1280424741): a security "
            "update; 8.1.1 (1280424740) is, so it is not. The snapshot is not Insecure: NOT_CURRENT.",
    ),
    Scenario(
        "dev_snapshot_with_zero_datestamp", "spark_dev", "8.1.0-dev",
        NOT_CHECKED, "Unknown release date", "8.1.2", "8.1.2", datestamps=(0,),
        drupal_test="DevReleaseTest::testSecurityUpdateEmptyProjectTimestamp",
        why="Datestamp 0 means unknown: no security updates, 'Unknown release date'.",
    ),
    Scenario(
        "undated_dev_release_is_ignored", "spark_dev_undated", "8.0.x-dev",
        UNKNOWN, NO_RELEASES, None, None, datestamps=(1700000000,),
        drupal_test="UpdateSemverCoreTest::testDevNoReleaseDate",
        why="A dev release without a date is a stub and is skipped: nothing to recommend.",
    ),
    Scenario(
        "project_datestamp_is_the_newest_of_its_modules", "spark_branch_dev", "8.1.x-dev",
        CURRENT, None, "8.1.0", "8.1.0", datestamps=(1716163150, 1000000000),
        drupal_test="UpdateSemverCoreTest::testDatestampMismatch",
        why="One module says 2001, another 2024-05-20: the project's datestamp is the newest, "
            "1716163150, and + 100 s it is later than the 8.1.x-dev build (1716163200): 'Up to "
            "date' for every module of the project.",
    ),
    # --- project status ----------------------------------------------------------------------
    Scenario(
        "project_marked_insecure", "gone_insecure", "8.0.1",
        NOT_SECURE, "project marked insecure by the Drupal security team", None, None,
        drupal_test="UpdateCalculateProjectDataTest::testProjectStatus",
        why="Project status insecure decides alone.",
    ),
    Scenario(
        "project_revoked", "gone_revoked", "8.0.1",
        REVOKED, "project revoked on drupal.org", None, None,
        drupal_test="UpdateCalculateProjectDataTest::testProjectStatus",
        why="Project status revoked decides alone.",
    ),
    Scenario(
        "project_unsupported", "gone_unsupported", "8.0.1",
        NOT_SUPPORTED, "project no longer supported", None, None,
        drupal_test="UpdateCalculateProjectDataTest::testProjectStatus",
        why="Project status unsupported decides alone.",
    ),
    # --- 7.x feeds: Drupal 7's rules ----------------------------------------------------------
    Scenario(
        "drupal_7_up_to_date", "d7core_current", "7.0",
        CURRENT, None, "7.0", "7.0",
        drupal_test=f"{DRUPAL_7} UpdateCoreTestCase::testNoUpdatesAvailable",
        why="7.0 is the only release.",
    ),
    Scenario(
        "drupal_7_bug_fix_release_available", "d7core_update", "7.0",
        NOT_CURRENT, newer("7.1"), "7.1", "7.1",
        drupal_test=f"{DRUPAL_7} UpdateCoreTestCase::testNormalUpdateAvailable",
        why="'Update available': 7.1.",
    ),
    Scenario(
        "drupal_7_security_update_always_trumps", "d7core_security", "7.0",
        NOT_SECURE, ONE_SECURITY_UPDATE, "7.2", "7.2", security=("7.2",),
        drupal_test=f"{DRUPAL_7} UpdateCoreTestCase::testSecurityUpdateAvailable",
        why="7.0 has no Insecure mark, yet Drupal 7 says 'Security update required!': any newer "
            "security update makes the project NOT_SECURE.",
    ),
    Scenario(
        "drupal_7_bug_fix_install_with_security_update", "d7core_security", "7.1",
        NOT_SECURE, ONE_SECURITY_UPDATE, "7.2", "7.2", security=("7.2",),
        drupal_test=f"{DRUPAL_7} UpdateCoreTestCase::testModulePageSecurityUpdate",
        why="As above for 7.1.",
    ),
    Scenario(
        "drupal_7_project_datestamp_is_the_newest_of_its_modules", "d7core_dev", "7.x-dev",
        CURRENT, None, "7.0", "7.0", datestamps=(1600000000, 1000000000),
        drupal_test=f"{DRUPAL_7} UpdateCoreTestCase::testDatestampMismatch",
        why="The project's datestamp is its modules' newest (1600000000), later than the 7.x-dev "
            "build: 'Up to date' for all its modules, the 2001 one included.",
    ),
    Scenario(
        "drupal_7_theme_security_update", "d7theme_security", "7.x-1.0",
        NOT_SECURE, ONE_SECURITY_UPDATE, "7.x-1.1", "7.x-1.1", security=("7.x-1.1",),
        drupal_test=f"{DRUPAL_7} UpdateTestContribCase::testUpdateBaseThemeSecurityUpdate",
        why="'Security update required!' for the base theme.",
    ),
    Scenario(
        "drupal_7_feed_without_releases", "d7empty", "7.x-1.0",
        UNKNOWN, NO_RELEASES, None, None,
        drupal_test=f"{DRUPAL_7} UpdateTestContribCase::testNoReleasesAvailable",
        why="'No available releases found'.",
    ),
    Scenario(
        "drupal_7_major_no_longer_supported", "d7major_moved", "7.x-1.5",
        NOT_SUPPORTED, NOT_SUPPORTED_MAJOR, "7.x-2.1", "7.x-2.1", also=("7.x-3.0",),
        drupal_test=DRUPAL_7_RULE,
        why="Major 1 is not in supported_majors and the feed names recommended_major 2: "
            "NOT_SUPPORTED, target major 2, 7.x-3.0 (supported major 3) also available.",
    ),
    Scenario(
        "drupal_7_security_update_trumps_unsupported_major", "d7major_moved_security", "7.x-1.5",
        NOT_SECURE, ONE_SECURITY_UPDATE, "7.x-2.1", "7.x-2.1", security=("7.x-2.1",), also=("7.x-3.0",),
        drupal_test=DRUPAL_7_RULE,
        why="The target major's security release 7.x-2.1 is newer than the installed release: "
            "security updates trump NOT_SUPPORTED.",
    ),
    Scenario(
        "drupal_7_old_feed_with_default_major_only", "d7default_major", "7.x-1.5",
        NOT_CURRENT, newer("7.x-2.1"), "7.x-2.1", "7.x-2.1",
        drupal_test=DRUPAL_7_RULE,
        why="Without supported_majors the default_major (2) is the supported one and, without "
            "recommended_major, the target: no NOT_SUPPORTED, recommended 7.x-2.1.",
    ),
]


@cache
def _feed_frames() -> tuple[pl.DataFrame, pl.DataFrame]:
    feeds = [parse_release_feed(path.read_bytes()) for path in sorted(SCENARIO_FEEDS.glob("*.xml"))]
    projects = pl.concat(
        [
            feed.project_frame().with_columns(
                feed_api=pl.col("api_version"), fetch_state=pl.lit("ok")
            )
            for feed in feeds
        ]
    )
    releases = pl.concat(
        [feed.releases.with_columns(feed_api=pl.lit(feed.project.api_version)) for feed in feeds]
    )
    return projects, releases


def scenario_frames(scenario: Scenario) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """installed, projects and releases frames for one scenario (one site, one row per module)."""
    projects, releases = _feed_frames()
    feed_api = projects.filter(pl.col("project") == scenario.feed)["feed_api"].item()
    installed = pl.DataFrame(
        {
            "site_module_id": list(range(1, len(scenario.datestamps) + 1)),
            "site_id": [1] * len(scenario.datestamps),
            "project": [scenario.feed] * len(scenario.datestamps),
            "feed_api": [feed_api] * len(scenario.datestamps),
            "version": [scenario.version] * len(scenario.datestamps),
            "datestamp": list(scenario.datestamps),
            "module_type": ["contrib"] * len(scenario.datestamps),
        },
        schema={
            "site_module_id": pl.Int64,
            "site_id": pl.Int64,
            "project": pl.String,
            "feed_api": pl.String,
            "version": pl.String,
            "datestamp": pl.Int64,
            "module_type": pl.String,
        },
    ).with_columns(parsed=version_struct(pl.col("version"))).unnest("parsed")
    return installed, projects, releases


def expected_row(scenario: Scenario) -> dict:
    return {
        "status": scenario.status,
        "status_reason": scenario.reason,
        "recommended_version": scenario.recommended,
        "latest_version": scenario.latest,
        "security_updates": list(scenario.security),
        "also_available": list(scenario.also),
    }


def observed_rows(result: pl.DataFrame) -> list[dict]:
    return result.select(expected_row(SCENARIOS[0]).keys()).to_dicts()


def test_scenario_ids_are_unique_and_every_feed_is_used():
    assert len({scenario.id for scenario in SCENARIOS}) == len(SCENARIOS)
    assert {scenario.feed for scenario in SCENARIOS} == {
        path.stem for path in SCENARIO_FEEDS.glob("*.xml")
    }
    assert all(scenario.drupal_test and scenario.why for scenario in SCENARIOS)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[scenario.id for scenario in SCENARIOS])
def test_drupal_scenario(scenario: Scenario):
    result = compute_update_status(*scenario_frames(scenario))
    # Every module of the project gets the project's status.
    assert observed_rows(result) == [expected_row(scenario)] * len(scenario.datestamps)
    assert result["security_update_available"].to_list() == [bool(scenario.security)] * len(
        scenario.datestamps
    )


def test_all_scenarios_in_one_call_equal_one_call_each():
    # Every scenario on its own site: one plan over all of them gives what each gives alone.
    frames = [scenario_frames(scenario) for scenario in SCENARIOS]
    projects, releases = _feed_frames()
    installed = pl.concat(
        [
            frame.with_columns(
                site_id=pl.lit(index, pl.Int64),
                site_module_id=pl.col("site_module_id") + 100 * index,
            )
            for index, (frame, _, _) in enumerate(frames)
        ]
    )
    together = observed_rows(compute_update_status(installed, projects, releases))
    alone = [
        row for scenario in SCENARIOS for row in observed_rows(compute_update_status(*scenario_frames(scenario)))
    ]
    assert together == alone
