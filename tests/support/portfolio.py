"""A small portfolio, really processed, shared read-only by the read API tests.

Built once per test session in a database of its own — other tests empty
theirs between tests, this one stays as built — by the real path: pushes over
HTTP, the landing sensor and the ingest job, release feeds from a folder and
an advisories file through the `load_advisories` job. What it holds:

| site  | module        | version  | state                                                    |
|-------|---------------|----------|----------------------------------------------------------|
| alpha | token         | 8.x-1.5  | NOT_SECURE: security update 8.x-1.6                      |
| alpha | views         | 8.x-3.0  | NOT_CURRENT: 8.x-3.1 is out                              |
| alpha | ctools        | 8.x-3.0  | CURRENT                                                  |
| alpha | pathauto      | 8.x-1.8  | NOT_CURRENT and known-vulnerable (`<1.9`); was 8.x-1.7   |
| alpha | node          | 10.3.8   | core, no feed: UNKNOWN                                   |
| alpha | acme_custom   | 1.0.0    | custom: UNKNOWN                                          |
| alpha | admin_toolbar | 8.x-1.0  | disabled by the second sync; no feed: UNKNOWN            |
| alpha | old_module    | 8.x-1.0  | removed by the second sync                               |
| beta  | token         | 8.x-1.6  | CURRENT                                                  |
| beta  | views         | 8.x-3.1  | CURRENT                                                  |
| beta  | revoked_mod   | 8.x-1.0  | REVOKED (the project is revoked)                         |
| gamma | ctools        | 8.x-3.0  | CURRENT                                                  |
| delta | —             |          | registered, never synced                                 |
"""

import json
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import httpx
import pytest

from foundation.database import drop_database, ensure_database
from sql.migrate import upgrade
from tests.support.feeds import write_feed
from tests.support.live import ADMIN_TOKEN, make_settings, serve
from tests.support.payloads import Module, shape_b
from tests.support.platform import Platform
from tests.support.sites import Site

DAY = 86_400
T0 = 1_700_000_000

ALPHA_FIRST = [Module("token", "8.x-1.5"), Module("views", "8.x-3.0"), Module("ctools", "8.x-3.0"),
               Module("pathauto", "8.x-1.7"), Module("node", "10.3.8", module_type="core"),
               Module("acme_custom", "1.0.0", module_type="custom"), Module("admin_toolbar", "8.x-1.0"),
               Module("old_module", "8.x-1.0")]
ALPHA_SECOND = [Module("token", "8.x-1.5"), Module("views", "8.x-3.0"), Module("ctools", "8.x-3.0"),
                Module("pathauto", "8.x-1.8"), Module("node", "10.3.8", module_type="core"),
                Module("acme_custom", "1.0.0", module_type="custom"),
                Module("admin_toolbar", "8.x-1.0", enabled=False)]
BETA = [Module("token", "8.x-1.6"), Module("views", "8.x-3.1"), Module("revoked_mod", "8.x-1.0")]
GAMMA = [Module("ctools", "8.x-3.0")]


@dataclass
class Portfolio:
    api: httpx.Client
    admin_headers: dict[str, str]
    database_url: str
    sites: dict[str, Site]
    tasks: dict[str, str]  # "alpha_first", "alpha_second", "beta", "gamma" -> task id

    def get(self, path: str, headers: dict[str, str] | None = None, **params) -> httpx.Response:
        return self.api.get(f"/api/v1{path}", params=params, headers=self.admin_headers if headers is None else headers)


def write_feeds(folder: Path) -> None:
    write_feed(folder, "token", [("8.x-1.6", T0 + 20 * DAY, "Security update"),
                                  ("8.x-1.5", T0, "Bug fixes, Insecure")])
    write_feed(folder, "views", [("8.x-3.1", T0 + 10 * DAY, "Bug fixes"), ("8.x-3.0", T0, "New features")],
               branches="8.x-3.")
    write_feed(folder, "ctools", [("8.x-3.0", T0, "New features")], branches="8.x-3.")
    write_feed(folder, "pathauto", [("8.x-1.9", T0 + 5 * DAY, "Bug fixes"), ("8.x-1.8", T0, "Bug fixes"),
                                    ("8.x-1.7", T0 - 30 * DAY, "Bug fixes")])
    write_feed(folder, "revoked_mod", [("8.x-1.0", T0, "New features")], project_status="revoked")


def build(platform: Platform, scratch: Path) -> tuple[dict[str, Site], dict[str, str]]:
    sites = {name: platform.add_site(name) for name in ("alpha", "beta", "gamma", "delta")}
    tasks = {"alpha_first": platform.push(sites["alpha"], shape_b(ALPHA_FIRST)),
             "beta": platform.push(sites["beta"], shape_b(BETA)),
             "gamma": platform.push(sites["gamma"], shape_b(GAMMA))}
    assert platform.run_once().success
    # A run of its own, so that the second sync's events are later than the first's.
    tasks["alpha_second"] = platform.push(sites["alpha"], shape_b(ALPHA_SECOND))
    assert platform.run_once().success
    advisories = scratch / "advisories.json"
    advisories.write_text(json.dumps({"name": "drupal-composer/drupal-security-advisories",
                                      "conflict": {"drupal/pathauto": "<1.9"}}))
    from orchestration.definitions import defs

    loaded = defs.resolve_job_def("load_advisories").execute_in_process(
        run_config={"ops": {"security_advisories": {"config": {"source": str(advisories)}}}},
        instance=platform.instance)
    assert loaded.success
    return sites, tasks


def built_portfolio(database_server: str) -> Iterator[Portfolio]:
    """Create the database, serve the API on it, process the portfolio; drop it all afterwards."""
    name = f"modwatch_test_portfolio_{uuid.uuid4().hex[:10]}"
    url = ensure_database(database_server, name)
    upgrade(url)
    scratch = Path(tempfile.mkdtemp(prefix="modwatch-portfolio-"))
    live = serve(create_app_for(scratch, url))
    admin_headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    try:
        with httpx.Client(base_url=live.base_url, timeout=30) as api:
            feeds = scratch / "feeds"
            write_feeds(feeds)
            with pytest.MonkeyPatch.context() as patch, dg.DagsterInstance.ephemeral() as instance:
                patch.setenv("MODWATCH_DATABASE_URL", url)
                patch.setenv("MODWATCH_RELEASE_FEED_URL", feeds.as_uri())
                sites, tasks = build(Platform(api, admin_headers, url, instance), scratch)
            yield Portfolio(api, admin_headers, url, sites, tasks)
    finally:
        live.stop()
        drop_database(database_server, name)
        shutil.rmtree(scratch, ignore_errors=True)


def create_app_for(scratch: Path, database_url: str):
    from intake.main import create_app

    return create_app(make_settings(scratch, database_url))


_shared: dict[str, Portfolio] = {}


@pytest.fixture(scope="session", name="portfolio")
def portfolio_fixture(database_server) -> Iterator[Portfolio]:
    """`portfolio`: import this into a test module to use the session's one portfolio.

    Each module that imports it gets its own fixture definition, so the built
    portfolio is kept here and only the first definition builds and drops it.
    """
    if database_server in _shared:
        yield _shared[database_server]
        return
    builder = built_portfolio(database_server)
    _shared[database_server] = next(builder)
    yield _shared[database_server]
    _shared.pop(database_server, None)
    next(builder, None)
