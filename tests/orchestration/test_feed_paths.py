"""Feed paths never leave their base: project names come from what sites push."""

import pytest

from orchestration.pipeline.feeds import FeedRequest, feed_url, read_local_feed

FEED = b"<project><title>Outside</title></project>"


@pytest.fixture
def feeds(tmp_path):
    base = tmp_path / "feeds"
    (base / "token").mkdir(parents=True)
    (base / "token" / "current").write_bytes(FEED)
    (tmp_path / "outside_feed_dir").mkdir()
    (tmp_path / "outside_feed_dir" / "current").write_bytes(FEED)
    (tmp_path / "secret-current.xml").write_bytes(FEED)
    (tmp_path / "current.xml").write_bytes(FEED)
    return base


def test_a_saved_feed_inside_the_base_is_read(feeds):
    assert read_local_feed(feeds.as_uri(), FeedRequest("token", "current")).outcome == "ok"


@pytest.mark.parametrize("project", ["../outside_feed_dir", "../secret", "..", "/etc", "token/../../outside_feed_dir"])
def test_a_project_name_never_reads_outside_the_base(feeds, project):
    answer = read_local_feed(feeds.as_uri(), FeedRequest(project, "current"))
    assert answer.outcome == "not_found" and answer.body is None


def test_a_project_name_never_adds_a_path_segment_to_a_url():
    url = feed_url("https://updates.drupal.org/release-history", FeedRequest("../../etc/passwd", "current"))
    assert url == "https://updates.drupal.org/release-history/..%2F..%2Fetc%2Fpasswd/current"
    assert feed_url("https://u.example/rh/", FeedRequest("views", "7.x")) == "https://u.example/rh/views/7.x"
