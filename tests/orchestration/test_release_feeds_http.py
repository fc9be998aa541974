"""Release feeds over real HTTP: what each kind of answer does to `projects`, `releases` and statuses.

A local server (`tests.support.feed_server`) stands in for drupal.org. Sites
sync through the real intake and the ingest job, which fetches a project's
feed when the project first appears; `refresh_releases` fetches every feed
again, as the schedule and `modwatch releases refresh` do. Both runs get a
fast feed resource (short timeout, tiny backoff), so failures cost
milliseconds, not the production defaults' seconds.
"""

import time
from itertools import pairwise

import pytest

import orchestration.pipeline.release_history
from orchestration.defs.resources import ReleaseFeedResource
from orchestration.pipeline.feeds import FeedRequest
from tests.support.feed_server import Answer, FeedServer
from tests.support.feeds import release_types
from tests.support.payloads import Module, shape_b
from tests.support.sites import Site

FEED = """<?xml version="1.0" encoding="utf-8"?>
<project xmlns:dc="http://purl.org/dc/elements/1.1/">
<title>{title}</title><short_name>{project}</short_name><api_version>current</api_version>
<project_status>published</project_status><supported_branches>8.x-1.</supported_branches>
<releases>{releases}</releases></project>"""
RELEASE = """<release><name>{project} {version}</name><version>{version}</version><status>published</status>
<date>{date}</date><terms><term><name>Release type</name><value>{kind}</value></term></terms></release>"""

TOKEN = "/token/current"
TIMEOUT_SECONDS = 0.5
BACKOFF_SECONDS = 0.05
RETRIES = 2


def feed(project: str, releases: list[tuple[str, int, str]]) -> bytes:
    body = "".join(RELEASE.format(project=project, version=v, date=d, kind=release_types(k)) for v, d, k in releases)
    return FEED.format(title=project.title(), project=project, releases=body).encode()


TOKEN_1_5 = feed("token", [("8.x-1.5", 1_700_000_000, "Bug fixes")])
# As drupal.org lists it once 8.x-1.6 fixes a hole: 8.x-1.5 is marked Insecure.
TOKEN_1_6_SECURITY = feed("token", [("8.x-1.6", 1_710_000_000, "Security update"),
                                    ("8.x-1.5", 1_700_000_000, "Bug fixes, Insecure")])


@pytest.fixture
def feeds(platform, monkeypatch):
    with FeedServer() as server:
        # The definitions' own resource would read this too: nothing in these tests reaches a folder.
        monkeypatch.setenv("MODWATCH_RELEASE_FEED_URL", server.base_url)
        yield server


@pytest.fixture
def release_feeds(feeds) -> ReleaseFeedResource:
    return ReleaseFeedResource(base_url=feeds.base_url, concurrency=4, timeout_seconds=TIMEOUT_SECONDS,
                               retries=RETRIES, backoff_seconds=BACKOFF_SECONDS)


def sync(platform, release_feeds: ReleaseFeedResource, name: str, modules: list[Module]) -> Site:
    """A site's first sync, through the intake and the ingest job (which fetches feeds new to the platform)."""
    from orchestration.definitions import defs

    site = platform.add_site(name)
    platform.push(site, shape_b(modules))
    (request,) = platform.evaluate_sensor().run_requests
    run = defs.resolve_job_def("ingest").execute_in_process(
        run_config=request.run_config, instance=platform.instance,
        tags={**request.tags, "dagster/run_key": request.run_key}, resources={"release_feeds": release_feeds})
    assert run.success
    return site


def refresh(platform, release_feeds: ReleaseFeedResource) -> dict[str, str]:
    """Run `refresh_releases` for every feed; the failed feeds the asset reported."""
    return refresh_run(platform, release_feeds)["release_data"]["feeds_failed"]


def refresh_run(platform, release_feeds: ReleaseFeedResource) -> dict[str, dict]:
    """Run `refresh_releases` for every feed; each asset's materialization metadata."""
    from orchestration.definitions import defs

    run = defs.resolve_job_def("refresh_releases").execute_in_process(
        run_config={"ops": {"release_data": {"config": {"force": True}}}}, instance=platform.instance,
        resources={"release_feeds": release_feeds})
    assert run.success
    return {node: {key: value.value for key, value in materialization.metadata.items()}
            for node in ("release_data", "portfolio_status")
            for materialization in run.asset_materializations_for_node(node)}


def project_row(db, name: str) -> dict:
    return db.execute(
        "SELECT fetch_state, fetch_error, title, etag, last_modified, fetched_at, last_success_at "
        "FROM projects WHERE name = %s AND feed_api = 'current'", (name,)).fetchone()


def stored_releases(db, name: str) -> list[tuple[int, str]]:
    rows = db.execute("SELECT r.id, r.version FROM releases r JOIN projects p ON p.id = r.project_id "
                      "WHERE p.name = %s ORDER BY r.version", (name,)).fetchall()
    return [(row["id"], row["version"]) for row in rows]


def project_status(db, site: Site, project: str) -> tuple[str, str | None]:
    row = db.execute("SELECT status, status_reason FROM site_projects WHERE site_id = %s AND project = %s",
                     (site.id, project)).fetchone()
    return row["status"], row["status_reason"]


def test_a_served_feed_is_parsed_and_stored(platform, feeds, release_feeds, db):
    feeds.serve(TOKEN, Answer(body=feed("token", [("8.x-1.6", 1_710_000_000, "Bug fixes"),
                                                  ("8.x-1.5", 1_700_000_000, "Bug fixes")])))
    site = sync(platform, release_feeds, "served", [Module("token", "8.x-1.5")])

    (seen,) = feeds.requests_to(TOKEN)
    assert seen.answered == 200 and seen.if_none_match is None and seen.if_modified_since is None
    project = project_row(db, "token")
    assert (project["fetch_state"], project["fetch_error"], project["title"]) == ("ok", None, "Token")
    assert [version for _, version in stored_releases(db, "token")] == ["8.x-1.5", "8.x-1.6"]
    assert project_status(db, site, "token")[0] == "NOT_CURRENT"


def test_a_404_means_no_release_data(platform, feeds, release_feeds, db):
    feeds.serve(TOKEN, Answer(body=TOKEN_1_5, etag='"v1"'))
    site = sync(platform, release_feeds, "missing", [Module("token", "8.x-1.5"), Module("in_house", "1.0.0")])

    # Nothing is served for in_house: one 404, not retried, and the module's status says why it is unknown.
    assert [seen.answered for seen in feeds.requests_to("/in_house/current")] == [404]
    assert project_row(db, "in_house")["fetch_state"] == "not_found"
    assert stored_releases(db, "in_house") == []
    assert project_status(db, site, "in_house") == ("UNKNOWN", "no release data on drupal.org")
    assert project_status(db, site, "token")[0] == "CURRENT"

    # drupal.org drops token's feed: its releases go, and so does the validator of the content that is gone.
    feeds.serve(TOKEN, Answer(404))
    assert refresh(platform, release_feeds) == {}  # a 404 is an answer, not a failure
    project = project_row(db, "token")
    assert (project["fetch_state"], project["etag"]) == ("not_found", None)
    assert stored_releases(db, "token") == []
    assert project_status(db, site, "token") == ("UNKNOWN", "no release data on drupal.org")

    # The feed returns unchanged: fetched whole (no stale If-None-Match to earn a 304), data back.
    feeds.serve(TOKEN, Answer(body=TOKEN_1_5, etag='"v1"'))
    refresh(platform, release_feeds)
    assert feeds.requests_to(TOKEN)[-1].if_none_match is None
    assert project_row(db, "token")["fetch_state"] == "ok"
    assert project_status(db, site, "token")[0] == "CURRENT"


def test_a_500_is_retried_with_backoff_then_failed_keeping_the_last_good_data(platform, feeds, release_feeds, db):
    feeds.serve(TOKEN, Answer(body=TOKEN_1_5))
    site = sync(platform, release_feeds, "erroring", [Module("token", "8.x-1.5")])
    kept = stored_releases(db, "token")
    feeds.serve(TOKEN, Answer(500, b"Internal Server Error"))
    feeds.reset_counts()

    failed = refresh(platform, release_feeds)

    attempts = feeds.requests_to(TOKEN)
    assert [seen.answered for seen in attempts] == [500] * (RETRIES + 1)
    waits = [later.at - earlier.at for earlier, later in pairwise(attempts)]
    assert waits[0] >= BACKOFF_SECONDS and waits[1] >= 2 * BACKOFF_SECONDS  # backoff doubles
    assert failed == {"token (current)": f"HTTP 500 from {feeds.base_url}{TOKEN}"}
    project = project_row(db, "token")
    assert project["fetch_state"] == "failed" and project["fetch_error"].startswith("HTTP 500")
    assert project["last_success_at"] is not None
    # The failure is visible per project; statuses keep coming from the last good data.
    assert stored_releases(db, "token") == kept
    assert project_status(db, site, "token")[0] == "CURRENT"


def test_a_failure_with_no_good_data_ever_is_not_fetched(platform, feeds, release_feeds, db):
    feeds.serve("/flaky/current", Answer(503))
    feeds.serve("/forbidden/current", Answer(403))
    site = sync(platform, release_feeds, "never", [Module("flaky", "8.x-1.0"), Module("forbidden", "8.x-1.0")])

    assert [seen.answered for seen in feeds.requests_to("/flaky/current")] == [503] * (RETRIES + 1)
    assert len(feeds.requests_to("/forbidden/current")) == 1  # a client error does not mend by retrying
    for name, code in (("flaky", 503), ("forbidden", 403)):
        project = project_row(db, name)
        assert project["fetch_state"] == "failed" and project["fetch_error"].startswith(f"HTTP {code}")
        assert project["last_success_at"] is None
        assert project_status(db, site, name) == ("NOT_FETCHED", "failed to get available update data")


def test_a_server_slower_than_the_timeout_fails_instead_of_hanging(platform, feeds, release_feeds, db):
    feeds.serve(TOKEN, Answer(body=TOKEN_1_5))
    site = sync(platform, release_feeds, "slow", [Module("token", "8.x-1.5")])
    feeds.serve(TOKEN, Answer(body=TOKEN_1_6_SECURITY, delay_seconds=60))
    feeds.reset_counts()

    started = time.monotonic()
    failed = refresh(platform, release_feeds)
    assert time.monotonic() - started < 15  # attempts x timeout + backoff + the run; the server waits 60 s

    assert len(feeds.requests_to(TOKEN)) == RETRIES + 1
    assert "time" in failed["token (current)"].lower()
    project = project_row(db, "token")
    assert project["fetch_state"] == "failed" and "time" in project["fetch_error"].lower()
    assert project_status(db, site, "token")[0] == "CURRENT"  # the slow answer's security release never arrived


def test_an_answer_dripping_in_slower_than_the_timeout_fails(feeds, release_feeds):
    # Each byte comes well within the read timeout, the whole answer would take ~30 s.
    feeds.serve(TOKEN, Answer(body=TOKEN_1_5, drip_seconds=0.1))
    started = time.monotonic()
    (response,) = release_feeds.fetch([FeedRequest("token", "current")])
    elapsed = time.monotonic() - started

    assert response.outcome == "failed" and response.error.startswith("timed out")
    assert elapsed < (RETRIES + 1) * TIMEOUT_SECONDS + 2


def test_broken_xml_fails_with_a_parse_error_keeping_the_last_good_data(platform, feeds, release_feeds, db):
    feeds.serve(TOKEN, Answer(body=TOKEN_1_5, etag='"v1"'))
    site = sync(platform, release_feeds, "broken", [Module("token", "8.x-1.5")])
    kept = stored_releases(db, "token")
    feeds.serve(TOKEN, Answer(body=b"<project><title>Token</title><releases><rel", etag='"v2"'))

    failed = refresh(platform, release_feeds)
    assert failed["token (current)"].startswith("feed could not be parsed")
    project = project_row(db, "token")
    assert project["fetch_state"] == "failed" and project["fetch_error"].startswith("feed could not be parsed")
    assert stored_releases(db, "token") == kept
    assert project_status(db, site, "token")[0] == "CURRENT"

    # The broken body's ETag is not the data we hold: the next fetch must not earn a 304 with it.
    refresh(platform, release_feeds)
    last = feeds.requests_to(TOKEN)[-1]
    assert (last.if_none_match, last.answered) == ('"v1"', 200)
    assert project_row(db, "token")["fetch_state"] == "failed"


def test_a_conditional_get_answered_304_keeps_the_data_without_parsing(platform, feeds, release_feeds, db,
                                                                       monkeypatch):
    modified = "Tue, 14 Nov 2023 22:13:20 GMT"
    feeds.serve(TOKEN, Answer(body=TOKEN_1_5, etag='"v1"', last_modified=modified))
    site = sync(platform, release_feeds, "conditional", [Module("token", "8.x-1.5")])
    before = project_row(db, "token")
    assert (before["etag"], before["last_modified"]) == ('"v1"', modified)
    kept = stored_releases(db, "token")

    parsed: list[bytes] = []
    release_history = orchestration.pipeline.release_history
    parse = release_history.parse_release_feed
    monkeypatch.setattr(release_history, "parse_release_feed", lambda xml: parsed.append(xml) or parse(xml))

    assert refresh(platform, release_feeds) == {}
    seen = feeds.requests_to(TOKEN)[-1]
    assert (seen.if_none_match, seen.if_modified_since, seen.answered) == ('"v1"', modified, 304)
    assert parsed == []
    assert stored_releases(db, "token") == kept  # the very same rows, not deleted and inserted again
    after = project_row(db, "token")
    assert after["fetch_state"] == "ok" and after["fetched_at"] > before["fetched_at"]
    assert project_status(db, site, "token")[0] == "CURRENT"

    # A new release changes the ETag: a full answer, parsed, and the site's status follows.
    feeds.serve(TOKEN, Answer(body=TOKEN_1_6_SECURITY, etag='"v2"', last_modified="Sat, 09 Mar 2024 16:00:00 GMT"))
    refresh(platform, release_feeds)
    assert feeds.requests_to(TOKEN)[-1].answered == 200 and len(parsed) == 1
    assert project_row(db, "token")["etag"] == '"v2"'
    assert project_status(db, site, "token")[0] == "NOT_SECURE"


def test_a_failure_then_a_success_is_retried_to_success(platform, feeds, release_feeds, db):
    feeds.serve(TOKEN, Answer(500), Answer(body=TOKEN_1_5))
    site = sync(platform, release_feeds, "retried", [Module("token", "8.x-1.5")])

    assert [seen.answered for seen in feeds.requests_to(TOKEN)] == [500, 200]
    assert project_row(db, "token")["fetch_state"] == "ok"
    assert project_status(db, site, "token")[0] == "CURRENT"


def test_concurrent_requests_never_exceed_the_limit(platform, feeds, release_feeds, db):
    projects = [f"project_{n:02d}" for n in range(12)]
    for name in projects:
        # Slow enough answers that every free slot is taken while the others are still being served.
        feeds.serve(f"/{name}/current", Answer(body=feed(name, [("8.x-1.0", 1_700_000_000, "New features")]),
                                               delay_seconds=0.2))
    limited = ReleaseFeedResource(**{**release_feeds.model_dump(), "concurrency": 3})

    sync(platform, limited, "many", [Module(name, "8.x-1.0") for name in projects])

    assert all(len(feeds.requests_to(f"/{name}/current")) == 1 for name in projects)
    assert feeds.max_in_flight == 3
    states = db.execute("SELECT DISTINCT fetch_state FROM projects WHERE name LIKE 'project%%'").fetchall()
    assert states == [{"fetch_state": "ok"}]


def test_statuses_are_written_back_only_when_they_change(platform, feeds, release_feeds, db):
    feeds.serve(TOKEN, Answer(body=TOKEN_1_6_SECURITY))
    site = sync(platform, release_feeds, "unchanged", [Module("token", "8.x-1.5")])
    stored = "SELECT status, security_updates, latest_version FROM site_projects WHERE site_id = %s"
    written = db.execute(stored, (site.id,)).fetchone()
    assert written["status"] == "NOT_SECURE" and written["security_updates"] == ["8.x-1.6"]
    assert written["latest_version"] == "8.x-1.6"

    assert refresh_run(platform, release_feeds)["portfolio_status"]["site_projects_changed"] == 0

    # Drift in a list column or in the latest version alone is seen and repaired.
    for tampering in ("UPDATE site_projects SET security_updates = '{}' WHERE site_id = %s",
                      "UPDATE site_projects SET latest_version = NULL WHERE site_id = %s"):
        db.execute(tampering, (site.id,))
        assert refresh_run(platform, release_feeds)["portfolio_status"]["site_projects_changed"] == 1
        assert db.execute(stored, (site.id,)).fetchone() == written


def test_feed_facts_skipped_releases_and_failed_feeds_are_named(platform, feeds, release_feeds, db, database_url):
    import dagster as dg

    from orchestration.defs.release_data.assets import release_data
    from orchestration.defs.resources import PostgresResource

    # A project whose title, link and release links run long (drupal.org bounds none of them): stored whole.
    long_link = "https://www.drupal.org/project/token/releases/8.x-1.6?" + "utm=x&" * 100
    title = "Token " + "and more " * 40
    facts = (f'<?xml version="1.0" encoding="utf-8"?><project><title>{title}</title><short_name>token</short_name>'
             "<api_version>current</api_version><link>https://www.drupal.org/project/token</link>"
             "<project_status>published</project_status><supported_branches>8.x-1.</supported_branches><releases>"
             f"<release><version>8.x-1.6</version><status>published</status><date>1710000000</date>"
             f"<release_link>{long_link.replace('&', '&amp;')}</release_link></release>"
             # Unreadable: a date that is no unix time. Skipped, and the feed is stored without it.
             "<release><version>8.x-1.5-1</version><status>published</status><date>soon</date></release>"
             "<release><version>8.x-1.5</version><status>published</status><date>1700000000</date>"
             "<release_link>https://www.drupal.org/project/token/releases/8.x-1.5</release_link></release>"
             "</releases></project>").encode()
    feeds.serve(TOKEN, Answer(body=TOKEN_1_5))
    feeds.serve("/pathauto/current", Answer(body=feed("pathauto", [("8.x-1.0", 1_700_000_000, "New features")])))
    site = sync(platform, release_feeds, "facts", [Module("token", "8.x-1.5"), Module("pathauto", "8.x-1.0")])
    feeds.serve(TOKEN, Answer(body=facts))
    feeds.serve("/pathauto/current", Answer(502, b"Bad Gateway"))

    result = dg.materialize(
        [release_data], instance=platform.instance,
        resources={"database": PostgresResource(database_url=database_url), "release_feeds": release_feeds},
        run_config={"ops": {"release_data": {"config": {"force": True}}}})

    assert result.success
    (materialization,) = result.asset_materializations_for_node("release_data")
    metadata = {key: value.value for key, value in materialization.metadata.items()}
    # Each failed feed by name with its reason; each feed with skipped releases by name with which and why.
    assert metadata["feeds_failed_count"] == 1
    assert metadata["feeds_failed"] == {"pathauto (current)": f"HTTP 502 from {feeds.base_url}/pathauto/current"}
    assert metadata["releases_skipped"] == 1
    assert metadata["skipped_releases"] == {
        "token (current)": ["release 2: 8.x-1.5-1: <date> 'soon' is not a unix time"]}
    problems = metadata["feed_problems"]
    assert "| pathauto (current) | fetch failed | HTTP 502 from" in problems
    assert "| token (current) | 1 release(s) skipped | release 2: 8.x-1.5-1:" in problems

    project = db.execute("SELECT title, link FROM projects WHERE name = 'token' AND feed_api = 'current'").fetchone()
    assert project == {"title": title.strip(), "link": "https://www.drupal.org/project/token"}
    links = db.execute("SELECT r.version, r.release_link FROM releases r JOIN projects p ON p.id = r.project_id "
                       "WHERE p.name = 'token' ORDER BY r.version").fetchall()
    assert [(row["version"], row["release_link"]) for row in links] == [
        ("8.x-1.5", "https://www.drupal.org/project/token/releases/8.x-1.5"), ("8.x-1.6", long_link)]
    # pathauto's failure kept its last good data.
    assert [version for _, version in stored_releases(db, "pathauto")] == ["8.x-1.0"]
    assert project_row(db, "pathauto")["fetch_state"] == "failed"
    assert project_status(db, site, "pathauto")[0] == "CURRENT"


def test_a_clean_refresh_says_every_feed_was_read_whole(platform, feeds, release_feeds):
    feeds.serve(TOKEN, Answer(body=TOKEN_1_5))
    sync(platform, release_feeds, "clean", [Module("token", "8.x-1.5")])
    metadata = refresh_run(platform, release_feeds)["release_data"]
    assert (metadata["feeds_failed_count"], metadata["releases_skipped"]) == (0, 0)
    assert metadata["skipped_releases"] == {} and metadata["feed_problems"] == "Every feed fetched was read whole."
