"""transforms.security_coverage: Drupal core's security coverage, one test per situation Drupal's own
status-report tests show.

Drupal's tests feed hypothetical 8.0 to 8.3 releases; modwatch only computes
coverage where Drupal's coverage code runs (8.8 and later), so the same
situations are played with 10.x and 11.x releases: the rule only looks at
minor numbers, so the facts carry over unchanged.
"""

import json
from datetime import date

import polars as pl
from polars.testing import assert_frame_equal

from transforms.security_coverage import COVERAGE_SCHEMA, coverage_document, security_coverage
from transforms.versions import VERSION_FIELDS, version_struct


def parsed(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(_v=version_struct(pl.col("version"))).with_columns(
        pl.col("_v").struct.field(name) for name in VERSION_FIELDS if name != "core"
    ).drop("_v")


def feed(*versions: str, status: dict[str, str] | None = None, project: str = "drupal",
         feed_api: str = "current") -> pl.LazyFrame:
    """Core's releases in the status frame's shape, newest first as drupal.org lists them."""
    status = status or {}
    return parsed(pl.DataFrame({
        "project": project, "feed_api": feed_api, "version": list(versions),
        "status": [status.get(v, "published") for v in versions],
    })).lazy()


def installed(*versions: str, with_version: bool = True) -> pl.LazyFrame:
    frame = parsed(pl.DataFrame({"site_id": list(range(1, len(versions) + 1)), "version": list(versions)}))
    columns = ["site_id", "major", "minor", "is_dev", "extra"] + (["version"] if with_version else [])
    return frame.select(columns).lazy()


def coverage(inst: pl.LazyFrame, releases: pl.LazyFrame, today: date = date(2026, 11, 28)) -> dict[int, dict]:
    result = security_coverage(inst, releases, today=today).collect()
    assert result.schema == COVERAGE_SCHEMA
    return {row.pop("site_id"): row for row in result.to_dicts()}


def by_version(until: str, minors: int | None, state: str) -> dict:
    return {"coverage_until_version": until, "coverage_until_date": None,
            "coverage_additional_minors": minors, "coverage_state": state}


def by_date(until: date, state: str) -> dict:
    return {"coverage_until_version": None, "coverage_until_date": until,
            "coverage_additional_minors": None, "coverage_state": state}


# Drupal's "sec.8.2.0_8.3.0-rc1" fixture, two minors later: the newest official release is 10.2.0 and
# 10.3 has only a release candidate.
WITH_RC = ("10.3.0-rc1", "10.2.0", "10.1.0", "10.0.0", "10.2.0-beta2", "10.1.x-dev")


def test_a_minor_two_behind_the_newest_has_no_coverage_left() -> None:
    # 10.0 is covered until 10.(0+2).0; the newest official minor is 10.2, so 2 - 2 = 0 further
    # minors: Drupal says "Coverage has ended".
    assert coverage(installed("10.0.0"), feed(*WITH_RC)) == {1: by_version("10.2.0", 0, "ended")}


def test_a_release_candidate_of_the_next_minor_does_not_count() -> None:
    # 10.1 is covered until 10.3.0. Only official releases say which minor is the newest, so
    # 10.3.0-rc1 is passed over for 10.2.0: 3 - 2 = 1 minor left, "Update to 10.2 or higher soon".
    assert coverage(installed("10.1.0"), feed(*WITH_RC)) == {1: by_version("10.3.0", 1, "ending_soon")}
    # Without the release candidate the answer is the same (Drupal's "sec.8.2.0" fixture).
    assert coverage(installed("10.1.0"), feed("10.2.0", "10.1.0")) == {1: by_version("10.3.0", 1, "ending_soon")}


def test_the_newest_minor_is_covered_for_two_more() -> None:
    # 10.2 is covered until 10.4.0; 4 - 2 = 2 further minors: "Covered until 10.4.0", no warning.
    assert coverage(installed("10.2.0"), feed(*WITH_RC)) == {1: by_version("10.4.0", 2, "covered")}


def test_pre_releases_and_dev_snapshots_get_no_version_coverage() -> None:
    # Drupal: "Only full releases receive security coverage" (a version with an extra part gets no
    # until-version), so 10.2.0-beta2 and the 10.1.x dev snapshot show no coverage at all.
    assert coverage(installed("10.2.0-beta2", "10.1.x-dev"), feed(*WITH_RC)) == {}


def test_a_newer_major_does_not_end_the_older_majors_coverage() -> None:
    # Drupal's "sec.8.2.0_9.0.0": the newest official release of the *same* major decides. With 11.0.0
    # out, 10.0 is still ended (2 - 2) and 10.2 still has its two minors (4 - 2)...
    releases = feed("11.0.0", "10.2.0", "10.1.0", "10.0.0")
    assert coverage(installed("10.0.0", "10.2.0", "11.0.0"), releases) == {
        1: by_version("10.2.0", 0, "ended"),
        2: by_version("10.4.0", 2, "covered"),
        # ...and 11.0 counts against 11.0.0 only: covered until 11.2.0 with two minors to come.
        3: by_version("11.2.0", 2, "covered"),
    }


def test_drupal_10_5_and_10_4_against_a_10_5_feed() -> None:
    # Drupal's "sec.10.5.0" cases: the 9.4/9.5 end dates belong to major 9 only, so 10.5 and 10.4 are
    # judged by version: 10.5 → 10.7.0 with 7 - 5 = 2 minors; 10.4 → 10.6.0 with 6 - 5 = 1 ("Update to
    # 10.5 or higher soon").
    assert coverage(installed("10.5.0", "10.4.0"), feed("10.5.0", "10.4.0")) == {
        1: by_version("10.7.0", 2, "covered"),
        2: by_version("10.6.0", 1, "ending_soon"),
    }


def test_an_unpublished_newer_release_is_not_the_newest_minor() -> None:
    # Drupal takes the first *published* official release of the major: an unpublished 10.6.0 does not
    # count, so 10.4 still has 6 - 5 = 1 minor left rather than none.
    releases = feed("10.6.0", "10.5.0", "10.4.0", status={"10.6.0": "unpublished"})
    assert coverage(installed("10.4.0"), releases) == {1: by_version("10.6.0", 1, "ending_soon")}


def test_patch_releases_do_not_move_the_count() -> None:
    # Only minors count: a 10.4.7 site against a feed whose newest is 10.5.2 is one minor behind.
    assert coverage(installed("10.4.7"), feed("10.5.2", "10.5.0", "10.4.7")) == {
        1: by_version("10.6.0", 1, "ending_soon")}


def test_9_4_is_judged_by_its_end_date() -> None:
    # 9.4 ends on 2023-06-21, with a warning from 2022-12-14 (six months before). Drupal's cases: the day
    # before the warning is plainly covered; from the warning day to the last day "update soon"; on and
    # after the end date (Drupal: end <= today) coverage has ended. 9.5.0 being out changes nothing.
    releases = feed("9.5.0", "9.4.0")
    end = date(2023, 6, 21)
    for today, state in [(date(2022, 12, 13), "covered"), (date(2022, 12, 14), "ending_soon"),
                         (date(2023, 6, 20), "ending_soon"), (date(2023, 6, 21), "ended"),
                         (date(2023, 6, 22), "ended")]:
        assert coverage(installed("9.4.0"), releases, today) == {1: by_date(end, state)}, today


def test_9_5_ends_with_a_month() -> None:
    # 9.5 ends "2023-11": Drupal compares year-months, so coverage has ended from 2023-11-01 and is
    # held as that day. The warning starts in mid-May 2023 (Drupal's 2023-05-15 case warns, 2023-01-01
    # does not) and lasts through the last day of October.
    releases = feed("9.5.0", "9.4.0")
    end = date(2023, 11, 1)
    for today, state in [(date(2023, 1, 1), "covered"), (date(2023, 5, 15), "ending_soon"),
                         (date(2023, 10, 31), "ending_soon"), (date(2023, 11, 1), "ended")]:
        assert coverage(installed("9.5.0"), releases, today) == {1: by_date(end, state)}, today


def test_8_9_has_an_end_month_and_no_warning() -> None:
    # 8.9 ends "2021-11" and Drupal sets no warning date for it: covered up to October 2021, then ended.
    releases = feed("8.9.0", "8.8.0")
    assert coverage(installed("8.9.0"), releases, date(2021, 10, 31)) == {1: by_date(date(2021, 11, 1), "covered")}
    assert coverage(installed("8.9.0"), releases, date(2021, 11, 1)) == {1: by_date(date(2021, 11, 1), "ended")}
    # 8.8 ends 2020-12-02 and warns from 2020-06-02.
    assert coverage(installed("8.8.0"), releases, date(2020, 6, 2)) == {1: by_date(date(2020, 12, 2), "ending_soon")}


def test_dated_lines_cover_pre_releases_too() -> None:
    # The SPEC says official releases only, but Drupal's code looks up a line's end date *before* it
    # checks the version's extra part, so a listed 9.4.0-rc1 or 9.4.x-dev shows 9.4's date. The code wins.
    releases = feed("9.4.x-dev", "9.4.0", "9.4.0-rc1")
    assert coverage(installed("9.4.0-rc1", "9.4.x-dev"), releases, date(2022, 1, 1)) == {
        1: by_date(date(2023, 6, 21), "covered"), 2: by_date(date(2023, 6, 21), "covered")}


def test_core_older_than_8_8_shows_no_coverage() -> None:
    # The coverage report arrived in Drupal 8.8; an 8.7 site's own status page has none to show.
    assert coverage(installed("8.7.14"), feed("8.9.0", "8.8.0", "8.7.14")) == {}


def test_a_version_the_feed_does_not_list_gets_nothing() -> None:
    # Drupal: "If the existing version does not have a release, we cannot get the security coverage
    # information." 10.4.99 is not in the feed; 10.4.0 is.
    releases = feed("10.5.0", "10.4.0")
    assert coverage(installed("10.4.99", "10.4.0"), releases) == {2: by_version("10.6.0", 1, "ending_soon")}
    # A caller that passes no version is trusted to have checked: 10.4.99 is then judged by its minor.
    assert coverage(installed("10.4.99", with_version=False), releases) == {1: by_version("10.6.0", 1, "ending_soon")}


def test_no_release_data_means_no_coverage() -> None:
    # No feed (not fetched yet, or a 404) lists no release, so not the installed one: Drupal shows nothing,
    # and neither does modwatch, with or without the installed version to check.
    releases = feed("10.5.0").filter(pl.lit(False))
    assert coverage(installed("10.4.0"), releases) == {}
    assert coverage(installed("10.4.0", with_version=False), releases) == {}
    # Nor does a feed listing only another major.
    assert coverage(installed("10.4.0", with_version=False), feed("11.0.0")) == {}


def test_no_official_release_of_the_major_means_ended() -> None:
    # With no published official release of major 12 to compare against, Drupal's count is unknown
    # (NULL), which is not above zero: its report says "Coverage has ended".
    releases = feed("12.0.0", "12.0.0-rc1", status={"12.0.0": "unpublished"})
    assert coverage(installed("12.0.0"), releases) == {1: by_version("12.2.0", None, "ended")}


def test_other_projects_and_the_7x_feed_are_ignored() -> None:
    # Only core's `current` feed speaks for core coverage: a 10.9.0 of another project, or in a 7.x
    # feed, must not make 10.4 look three minors behind.
    releases = pl.concat([
        feed("10.5.0", "10.4.0").collect(),
        feed("10.9.0", project="not_core").collect(),
        feed("10.9.0", feed_api="7.x").collect(),
    ]).lazy()
    assert coverage(installed("10.4.0"), releases) == {1: by_version("10.6.0", 1, "ending_soon")}


def test_many_sites_in_one_pass() -> None:
    # Set-based: many sites on a mix of versions come out in one frame, one row per covered site.
    versions = ["10.5.0", "10.4.0", "10.3.0", "10.5.0-rc1"] * 250
    result = security_coverage(installed(*versions), feed("10.5.0", "10.4.0", "10.3.0", "10.5.0-rc1"),
                               today=date(2026, 11, 28)).collect()
    states = result.group_by("coverage_state").len().sort("coverage_state")
    assert_frame_equal(states, pl.DataFrame({"coverage_state": ["covered", "ended", "ending_soon"],
                                             "len": [250, 250, 250]}), check_dtypes=False)


def test_the_stored_document_names_what_the_reports_read() -> None:
    # A core row stores {until_version | until_date, additional_minors, state}: the version-based answer
    # with its count, the dated one with its ISO date; a field without a value is left out.
    releases = feed("10.5.0", "10.4.0", "9.5.0", "9.4.0")
    result = security_coverage(installed("10.4.0", "9.4.0"), releases, today=date(2023, 1, 1)).collect()
    documents = result.sort("site_id").select(coverage_document())["security_coverage"].to_list()
    assert [json.loads(document) for document in documents] == [
        {"until_version": "10.6.0", "additional_minors": 1, "state": "ending_soon"},
        {"until_date": "2023-06-21", "state": "ending_soon"},
    ]
