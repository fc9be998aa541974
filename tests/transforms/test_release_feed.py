"""transforms.release_feed: drupal.org release-history XML -> project row + releases frame."""

from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from transforms.release_feed import (
    PROJECT_SCHEMA,
    RELEASES_SCHEMA,
    FeedParseError,
    NoReleaseHistory,
    parse_release_feed,
)

FEEDS = Path(__file__).parent / "feeds"
D7_FEEDS = FEEDS / "d7"
MODERN_FEEDS = FEEDS / "modern"

# `grep -c '<release>' FILE` over tests/transforms/feeds/d7, computed once
# (drupal.org puts every <release> on its own line). 648 releases in total.
D7_RELEASE_COUNTS = {
    "addressfield-7.x.xml": 10,
    "admin_menu-7.x.xml": 5,
    "admin_views-7.x.xml": 6,
    "backup_migrate-7.x.xml": 13,
    "botcha-7.x.xml": 16,
    "ckeditor-7.x.xml": 18,
    "coffee-7.x.xml": 5,
    "compact_forms-7.x.xml": 2,
    "content_access-7.x.xml": 3,
    "context-7.x.xml": 15,
    "ctools-7.x.xml": 13,
    "date-7.x.xml": 19,
    "devel-7.x.xml": 11,
    "devel_themer-7.x.xml": 1,
    "diff-7.x.xml": 10,
    "drupal-7.x.xml": 45,
    "email-7.x.xml": 8,
    "entity-7.x.xml": 27,
    "facetapi-7.x.xml": 20,
    "features-7.x.xml": 24,
    "field_group-7.x.xml": 9,
    "globalredirect-7.x.xml": 5,
    "google_analytics-7.x.xml": 8,
    "imce-7.x.xml": 16,
    "imce_wysiwyg-7.x.xml": 2,
    "link-7.x.xml": 8,
    "linkit-7.x.xml": 18,
    "logintoboggan-7.x.xml": 9,
    "mail_redirect-7.x.xml": 7,
    "manualcrop-7.x.xml": 2,
    "metatag-7.x.xml": 22,
    "module_filter-7.x.xml": 13,
    "moopapi-7.x.xml": 5,
    "pathauto-7.x.xml": 9,
    "rubik-7.x.xml": 13,
    "rules-7.x.xml": 21,
    "search_api-7.x.xml": 25,
    "search_api_db-7.x.xml": 12,
    "search_api_page-7.x.xml": 6,
    "search_krumo-7.x.xml": 7,
    "security_review-7.x.xml": 3,
    "select_or_other-7.x.xml": 23,
    "seotools-7.x.xml": 7,
    "shiny-7.x.xml": 12,
    "stage_file_proxy-7.x.xml": 8,
    "strongarm-7.x.xml": 8,
    "token-7.x.xml": 18,
    "views-7.x.xml": 16,
    "webform-7.x.xml": 42,
    "weight-7.x.xml": 13,
    "xmlsitemap-7.x.xml": 10,
}


def parse(path: Path):
    return parse_release_feed(path.read_bytes())


def test_every_real_d7_feed_parses_with_its_release_count():
    assert len(D7_RELEASE_COUNTS) == 51
    assert sorted(D7_RELEASE_COUNTS) == sorted(path.name for path in D7_FEEDS.glob("*.xml"))
    for name, expected in D7_RELEASE_COUNTS.items():
        feed = parse(D7_FEEDS / name)
        assert feed.project.short_name == name.removesuffix("-7.x.xml"), name
        assert feed.project.api_version == "7.x", name
        assert feed.releases.schema == RELEASES_SCHEMA, name
        assert feed.releases.height == expected, name
        assert feed.releases["project"].unique().to_list() == [feed.project.short_name]
    assert sum(D7_RELEASE_COUNTS.values()) == 648


def test_legacy_project_fields():
    project = parse(D7_FEEDS / "webform-7.x.xml").project
    assert project.short_name == "webform"
    assert project.title == "Webform"
    assert project.project_status == "published"
    assert project.link == "https://drupal.org/project/webform"
    assert project.supported_majors == (3, 4)
    assert project.recommended_major == 3
    assert project.default_major == 3
    assert project.supported_branches == ()


def test_legacy_release_rows_follow_feed_order_and_terms():
    releases = parse(D7_FEEDS / "views-7.x.xml").releases
    first = releases.row(0, named=True)
    assert first["version"] == "7.x-3.8"
    assert first["status"] == "published"
    assert first["date"] == datetime.fromtimestamp(1400618927, tz=UTC)
    assert first["release_types"] == ["Security update", "Bug fixes", "New features"]
    assert first["is_security_update"] is True
    assert first["is_insecure"] is False
    assert first["is_unsupported"] is False
    assert first["core_compatibility"] is None
    assert first["release_link"] == "https://drupal.org/node/2271305"
    assert (first["core"], first["major"], first["minor"], first["patch"]) == ("7.x", 3, None, 8)
    assert (first["extra"], first["is_dev"]) == (None, False)

    dev = releases.row(-1, named=True)
    assert dev["version"] == "7.x-3.x-dev"
    assert (dev["major"], dev["patch"], dev["extra"], dev["is_dev"]) == (3, None, "dev", True)
    assert dev["release_types"] == []
    # The dev snapshot orders after every release of its branch.
    assert dev["sort_key"] > releases["sort_key"].head(-1).max()


def test_security_update_flags_match_the_feed():
    releases = parse(D7_FEEDS / "drupal-7.x.xml").releases
    security = releases.filter("is_security_update")["version"].to_list()
    assert security[:6] == ["7.29", "7.27", "7.26", "7.24", "7.20", "7.19"]
    assert releases.filter(pl.col("version") == "7.28")["release_types"].item().to_list() == [
        "Bug fixes"
    ]


def test_a_release_with_an_unparsable_version_is_kept_with_null_version_fields():
    releases = parse(D7_FEEDS / "imce-7.x.xml").releases
    master = releases.filter(pl.col("version") == "master").row(0, named=True)
    assert master["sort_key"] is None
    assert master["major"] is None


def test_modern_feed():
    feed = parse(MODERN_FEEDS / "secure_kit.xml")
    assert feed.project.api_version == "current"
    assert feed.project.supported_branches == ("8.x-1.", "2.0.", "3.0.")
    assert feed.project.supported_majors == ()
    assert feed.project.recommended_major is None
    releases = feed.releases
    assert releases.height == 11
    row = releases.filter(pl.col("version") == "2.0.2").row(0, named=True)
    assert row["release_types"] == ["Security update", "Bug fixes"]
    assert row["is_security_update"] is True
    assert row["core_compatibility"] == "^9.5 || ^10"
    assert (row["core"], row["major"], row["minor"], row["patch"]) == (None, 2, 0, 2)
    beta = releases.filter(pl.col("version") == "3.0.0-beta2").row(0, named=True)
    assert (beta["extra"], beta["core_compatibility"]) == ("beta2", "^10.3 || ^11")


def test_insecure_unsupported_and_unpublished_releases():
    releases = parse(MODERN_FEEDS / "release_flags.xml").releases.select(
        "version", "status", "is_insecure", "is_unsupported"
    )
    expected = pl.DataFrame(
        {
            "version": ["8.x-2.5", "8.x-2.4", "8.x-2.3", "8.x-2.2", "8.x-2.1"],
            "status": ["published", "published", "unpublished", "published", "published"],
            "is_insecure": [False, True, False, False, False],
            "is_unsupported": [False, False, False, True, False],
        }
    )
    assert_frame_equal(releases, expected)


def test_project_frame_has_the_project_schema():
    frame = parse(MODERN_FEEDS / "drupal.xml").project_frame()
    assert frame.schema == PROJECT_SCHEMA
    assert frame.row(0, named=True) == {
        "project": "drupal",
        "title": "Drupal core",
        "api_version": "current",
        "project_status": "published",
        "link": "https://www.drupal.org/project/drupal",
        "supported_branches": ["10.3.", "10.4.", "11.0.", "11.1."],
        "supported_majors": [],
        "recommended_major": None,
        "default_major": None,
    }
    legacy = parse(D7_FEEDS / "linkit-7.x.xml").project_frame()
    assert legacy["supported_majors"].to_list() == [[2, 3]]


def test_project_status_is_read_as_is():
    statuses = {
        name: parse(MODERN_FEEDS / f"{name}.xml").project.project_status
        for name in ("insecure_project", "revoked_project", "unpublished_project")
    }
    assert statuses == {
        "insecure_project": "insecure",
        "revoked_project": "revoked",
        "unpublished_project": "unpublished",
    }


def test_supported_lists_drop_empty_and_malformed_entries():
    project = parse_release_feed(
        b"<project><short_name>x</short_name><supported_majors>1, x,3,</supported_majors>"
        b"<supported_branches>8.x-1., ,2.0.</supported_branches></project>"
    ).project
    assert project.supported_majors == (1, 3)
    assert project.supported_branches == ("8.x-1.", "2.0.")


def test_error_document_means_no_release_history():
    with pytest.raises(NoReleaseHistory) as raised:
        parse(MODERN_FEEDS / "no_such_project.xml")
    assert raised.value.project == "no_such_project"
    assert "No release history was found" in str(raised.value)


def test_feed_without_releases_gives_an_empty_typed_frame():
    feed = parse_release_feed(
        b"<project><short_name>empty</short_name><api_version>current</api_version>"
        b"<project_status>unsupported</project_status></project>"
    )
    assert feed.project.project_status == "unsupported"
    assert feed.releases.height == 0
    assert feed.releases.schema == RELEASES_SCHEMA


@pytest.mark.parametrize(
    "xml",
    [
        b"",
        b"   ",
        b"<project><short_name>views</short_name><releases><release>",
        b"this is not xml",
        b"<html><body>Bad gateway</body></html>",
        b"<project><title>no short name</title></project>",
        b"<project><short_name>x</short_name><recommended_major>one</recommended_major></project>",
        b'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "aaaa">]><project><short_name>&a;'
        b"</short_name></project>",
    ],
)
def test_broken_feeds_raise_feed_parse_error(xml):
    with pytest.raises(FeedParseError):
        parse_release_feed(xml)


def release(version: str | None, *, status: str | None = "published", date: str | None = "1700000000") -> str:
    parts = [f"<version>{version}</version>" if version is not None else ""]
    parts.append(f"<status>{status}</status>" if status is not None else "")
    parts.append(f"<date>{date}</date>" if date is not None else "")
    return "<release>" + "".join(parts) + "</release>"


def feed_with(*releases: str) -> bytes:
    return (
        "<project><short_name>kit</short_name><api_version>current</api_version>"
        "<supported_branches>1.0.</supported_branches><releases>" + "".join(releases) + "</releases></project>"
    ).encode()


@pytest.mark.parametrize(
    "broken",
    [
        release(None),
        release(""),
        release("1.0.1", date="yesterday"),
        release("1.0.1", date="1.5e9"),
        release("1.0.1", status=None),
        release("1.0.1", status="draft"),
    ],
    ids=["no version", "empty version", "date not a number", "date not an integer", "no status", "unknown status"],
)
def test_a_malformed_release_is_skipped_and_counted_not_fatal(broken):
    # Drupal's Update Status skips a release it cannot read (ProjectRelease validation) and
    # judges the project by the rest; so does the parser.
    feed = parse_release_feed(feed_with(release("1.0.2"), broken, release("1.0.0")))
    assert feed.releases["version"].to_list() == ["1.0.2", "1.0.0"]
    assert feed.skipped_releases == 1
    assert feed.releases.schema == RELEASES_SCHEMA


def test_every_release_malformed_leaves_an_empty_releases_frame():
    feed = parse_release_feed(feed_with(release(None), release("2.0.0", date="soon")))
    assert feed.skipped_releases == 2
    assert feed.releases.height == 0
    assert feed.releases.schema == RELEASES_SCHEMA


def test_well_formed_feeds_skip_nothing():
    assert all(parse(path).skipped_releases == 0 for path in sorted(D7_FEEDS.glob("*.xml")))
    assert parse(MODERN_FEEDS / "secure_kit.xml").skipped_releases == 0


def test_a_release_without_a_date_is_kept_with_a_null_date():
    # A dev release without a date is Drupal's "stub" release: the status rules ignore it, the
    # parser keeps it.
    feed = parse_release_feed(feed_with(release("1.0.x-dev", date=None)))
    assert feed.skipped_releases == 0
    assert feed.releases["date"].to_list() == [None]


def test_each_skipped_release_says_which_and_why():
    # Position in the feed and version (when there is one) name the entry, so a feed's maintainer can
    # find it; a long bad value is cut short so the reason stays a line, not a document.
    feed = parse_release_feed(feed_with(
        release("1.0.3"), release(None), release("1.0.2", status="draft"), release("1.0.1", date="x" * 500),
        release("1.0.0", status=None)))
    assert feed.releases["version"].to_list() == ["1.0.3"]
    assert feed.skipped_releases == 4
    assert feed.skipped_reasons == (
        "release 2: no <version>",
        "release 3: 1.0.2: <status> 'draft' is neither published nor unpublished",
        f"release 4: 1.0.1: <date> '{'x' * 40}...' is not a unix time",
        "release 5: 1.0.0: <status> (missing) is neither published nor unpublished",
    )
